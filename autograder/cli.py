"""The `neurograde` command line: parses, calls the API, prints, picks the exit code.

    neurograde list
    neurograde check SUBMISSION [--assignment ID]
    neurograde grade PATH [--assignment ID] [--workers N] [--backend local|dask]
                          [--scheduler ADDRESS] [--json FILE] [--out DIR]
                     [--junit FILE] [--csv FILE]
    neurograde release DIR [--force]
    neurograde gradescope ID -o autograder.zip
    neurograde nbgrader-setup [ID ...]
    neurograde audit ID [ID ...] [--seeds N] [--workers N] [--every-task]
    neurograde demo [--assignment ID ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from autograder import __version__
from autograder.assignments import Assignment, all_assignments, get_assignment
from autograder.engine.ingest import SubmissionError, assignment_hint
from autograder.errors import NeurogradeError

# Everything else (rich, the engine, the instructor tools) is imported by the command
# that needs it, so `neurograde --help` starts at once and the student wheel, which
# has no instructor tools, still runs `check` and `grade`.

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="neurograde", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"neurograde {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="assignments, points and time budgets")

    check = sub.add_parser("check", help="run the public tests on your submission")
    check.add_argument("submission", type=Path)
    check.add_argument("--assignment", help="assignment id (inferred when omitted)")

    grade = sub.add_parser("grade", help="grade one submission or a folder of them")
    grade.add_argument("path", type=Path, help="a submission, or a folder with one per student")
    grade.add_argument("--assignment", help="assignment id (inferred when omitted)")
    grade.add_argument("--backend", choices=("local", "dask"), default="local",
                       help="where a folder's gradings run (default: local processes)")
    grade.add_argument("--scheduler", metavar="ADDRESS",
                       help="Dask scheduler address (default: start a LocalCluster)")
    grade.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                       help="submissions graded at once (default: number of cores)")
    grade.add_argument("--json", type=Path, help="write the result record (one submission)")
    grade.add_argument("--gradebook", metavar="DB",
                       help="also record the scores in this nbgrader gradebook "
                            "(a path to gradebook.db or an sqlite:/// URL)")
    grade.add_argument("--out", type=Path, help="folder for per-student results "
                       "(default: neurograde-out/<assignment>); when given, an HTML "
                       "feedback page per student is written beside each JSON record")
    grade.add_argument("--junit", type=Path, metavar="FILE",
                       help="also write JUnit XML (one testsuite per submission)")
    grade.add_argument("--csv", type=Path, metavar="FILE",
                       help="also write a CSV for an LMS: student, points per task, total")

    release = sub.add_parser("release", help="write the student bundle, verified leak-free")
    release.add_argument("dest", type=Path, metavar="DIR")
    release.add_argument("--force", action="store_true", help="replace what DIR holds")

    gradescope = sub.add_parser("gradescope", help="build Gradescope's autograder.zip")
    gradescope.add_argument("assignment", metavar="ID")
    gradescope.add_argument("-o", "--output", type=Path, default=Path("autograder.zip"),
                            help="where to write the zip (default: autograder.zip)")

    nbsetup = sub.add_parser("nbgrader-setup", help="register the assignments in the course's "
                             "nbgrader gradebook, so that nbgrader autograde can grade them")
    nbsetup.add_argument("assignment", nargs="*", metavar="ID",
                         help="assignment ids (default: every one with a source notebook)")

    audit = sub.add_parser("audit", help="prove a hidden suite fair and strict")
    audit.add_argument("assignment", nargs="+", help="assignment ids, or 'all'")
    audit.add_argument("--seeds", type=int, default=3,
                       help="grade the reference under this many seeds (default 3)")
    audit.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                       help="gradings at once (default: one per core)")
    audit.add_argument("--every-task", action="store_true",
                       help="grade each variant on every task, not only on those its change "
                            "can reach")

    demo = sub.add_parser("demo", help="grade the bundled example submissions")
    demo.add_argument("--assignment", action="append",
                      help="only this assignment (repeatable; default: all)")
    demo.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    demo.add_argument("--out", type=Path, default=Path("neurograde-out/demo"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    try:
        return COMMANDS[args.command](args, console)
    except NeurogradeError as exc:
        console.print(f"[red]{exc.label}:[/red] {escape(str(exc))}", soft_wrap=True)
        return exc.exit_code
    except FileNotFoundError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        console.print("[yellow]Interrupted.[/yellow] Results already written are kept; "
                      "run the same command again to resume.")
        return EXIT_INTERRUPTED


def cmd_list(args, console) -> int:
    from rich.table import Table

    from autograder.engine.collection import collect_tests

    table = Table(title="Assignments", title_justify="left")
    for col, just in (("id", "left"), ("title", "left"), ("tests", "right"),
                      ("points", "right"), ("budget (s)", "right")):
        table.add_column(col, justify=just)
    for a in all_assignments():
        tests = collect_tests(a)
        table.add_row(a.id, a.title, str(len(tests)), f"{sum(t.max_score for t in tests):g}",
                      f"{a.time_budget:g}")
    console.print(table)
    return 0


def _assignment_for(path: Path, given: str | None) -> Assignment:
    if not path.exists():
        raise FileNotFoundError(f"No such submission: {path}")
    if given:
        return get_assignment(given)
    if path.is_file():
        hint = assignment_hint(path)
        if hint:
            return get_assignment(hint)
        raise SubmissionError(f"Cannot tell which assignment {path} is for: pass --assignment ID.")
    raise SubmissionError("Grading a folder needs --assignment ID.")


def cmd_check(args, console) -> int:
    from autograder.engine.grader import grade_submission
    from autograder.outputs.report import print_result

    assignment = _assignment_for(args.submission, args.assignment)
    with console.status(f"Running the public tests of {assignment.id}..."):
        result = grade_submission(args.submission, assignment, public_only=True)
    print_result(result, console, title=f"{assignment.id}: public tests")
    passed = result.score == result.max_score and result.max_score > 0
    console.print("[green]All public tests pass.[/green] Hidden tests check more when you "
                  "submit." if passed else "[red]Some public tests fail.[/red]")
    return 0 if passed else 1


def cmd_grade(args, console) -> int:
    """One route for a file and a folder: a file is a batch of one."""
    from autograder.outputs.report import batch_table, print_result
    assignment = _assignment_for(args.path, args.assignment)
    if args.json and not args.path.is_file():
        raise SubmissionError("--json writes one submission's record: use --out for a folder.")
    out = args.out or Path("neurograde-out") / assignment.id
    results = _grade_folder(args.path, assignment, out, args.workers, console,
                            pages=args.out is not None, backend=args.backend,
                            scheduler=args.scheduler)
    if args.path.is_file():
        (student, result), = results.items()
        print_result(result, console, title=f"{args.path.name}: {assignment.id}")
        if args.json:
            result.to_json(args.json)
            console.print(f"Result record written to {args.json}")
    else:
        console.print(batch_table(results, f"{assignment.id}: {len(results)} submissions"))
    _record_in_gradebook(args.gradebook, assignment, results, console)
    _write_sinks(args, results, console)
    pages = ", an HTML feedback page" if args.out else ""
    console.print(f"Results in {out}/ (one JSON{pages} per student, scores.csv for the gradebook)")
    return 0


def _write_sinks(args, results: dict, console) -> None:
    from autograder.outputs.sinks import write_junit_xml, write_lms_csv

    if args.junit:
        write_junit_xml(args.junit, results)
        console.print(f"JUnit XML written to {args.junit}")
    if args.csv:
        write_lms_csv(args.csv, results)
        console.print(f"LMS CSV written to {args.csv}")


def _record_in_gradebook(db: str | None, assignment: Assignment, results: dict,
                         console) -> None:
    if not db:
        return
    from autograder.outputs.gradebook import write_to_gradebook

    url = db if "://" in db else f"sqlite:///{Path(db).resolve()}"
    source = assignment.solutions_dir / f"{assignment.id}.ipynb"
    for student, result in results.items():
        write_to_gradebook(url, result, student, source)
    console.print(f"Recorded {len(results)} submission(s) in the gradebook {db}")


def _grade_folder(folder: Path, assignment: Assignment, out: Path, workers: int,
                  console, pages: bool = False, backend: str = "local",
                  scheduler: str | None = None) -> dict:
    from autograder.engine.batch import Cohort, find_submissions

    cohort = Cohort(assignment, find_submissions(folder, assignment), out)
    return _grade_cohorts([cohort], workers, console, pages, backend, scheduler)[0]


def _grade_cohorts(cohorts: list, workers: int, console, pages: bool = False,
                   backend: str = "local", scheduler: str | None = None) -> list[dict]:
    """Grade with one progress bar, a line per submission as it finishes."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from autograder.engine.batch import grade_cohorts
    from autograder.outputs.feedback import write_feedback_html

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    what = cohorts[0].assignment.id if len(cohorts) == 1 else f"{len(cohorts)} assignments"
    with Progress(*columns, console=console, transient=True) as progress:
        bar = progress.add_task(f"Grading {what}",
                                total=sum(len(c.submissions) for c in cohorts))

        def done(cohort, sub, result, reused):
            page = cohort.out_dir / f"{sub.student}.html"
            # A kept result has no pictures (they are not in the JSON): keep its page.
            if pages and not (reused and page.is_file()):
                write_feedback_html(page, result, sub.student)
            progress.advance(bar)
            who = sub.student if len(cohorts) == 1 else f"{cohort.assignment.id}/{sub.student}"
            note = " (unchanged, kept)" if reused else ""
            progress.console.print(f"  {who}: {result.score:g} / {result.max_score:g}{note}")

        return grade_cohorts(cohorts, workers, done, backend, scheduler)


def cmd_demo(args, console) -> int:
    from autograder.engine.batch import Cohort, find_submissions
    from autograder.instructor.variants import load_mutants, write_mutant
    from autograder.outputs.report import batch_table, print_result

    chosen = [get_assignment(a) for a in args.assignment] if args.assignment else \
        [a for a in all_assignments() if (a.solutions_dir / f"{a.id}.ipynb").is_file()]
    if not chosen:
        raise SubmissionError("No assignment with a reference solution was found: run the "
                              "demo from a source checkout of neurograde.")
    with tempfile.TemporaryDirectory(prefix="neurograde-demo-") as tmp:
        cohorts = []
        for assignment in chosen:
            folder = Path(tmp) / assignment.id
            folder.mkdir()
            shutil.copy(assignment.solutions_dir / f"{assignment.id}.ipynb",
                        folder / "reference.ipynb")
            shutil.copy(assignment.student_dir / f"{assignment.id}.ipynb", folder / "stub.ipynb")
            mutants = load_mutants(assignment)
            if mutants:
                write_mutant(assignment, mutants[0], folder / f"buggy-{mutants[0].name}")
            cohorts.append(Cohort(assignment, find_submissions(folder, assignment),
                                  args.out / assignment.id))
        # One pool for every assignment: no worker waits for another assignment's last one.
        everyone = _grade_cohorts(cohorts, args.workers, console)
    for cohort, results in zip(cohorts, everyone, strict=True):
        assignment = cohort.assignment
        console.rule(f"{assignment.id}: {assignment.title}")
        console.print(batch_table(results, f"{assignment.id}: example submissions"))
        for student, result in sorted(results.items()):
            if student.startswith("buggy"):
                print_result(result, console, title=f"{student}: what the student sees",
                             max_failures=5)
    console.print(f"Result records in {args.out}/")
    return 0


def cmd_audit(args, console) -> int:
    from autograder.instructor.audit import audit
    from autograder.outputs.report import print_audit

    ids = [a.id for a in all_assignments()] if args.assignment == ["all"] else args.assignment
    all_ok = True
    for assignment in [get_assignment(i) for i in ids]:
        with console.status(f"Auditing {assignment.id}...") as status:
            report = audit(assignment, seeds=args.seeds, workers=args.workers,
                           every_task=args.every_task, progress=lambda step, a=assignment: status.update(
                               f"Auditing {a.id}: {step}"))
        print_audit(report, console)
        all_ok &= report.ok
    return 0 if all_ok else 1


def cmd_release(args, console) -> int:
    from rich.markup import escape

    from autograder.instructor.release import build_release

    with console.status("Building the student release and scanning it for leaks..."):
        release = build_release(args.dest, force=args.force)
    console.print(f"Student release written to {release.dest}/: "
                  f"{', '.join(release.assignments)} and {release.wheel.name}; no leak found.",
                  soft_wrap=True)
    for assignment_id, why in release.left_out.items():
        console.print(f"[yellow]left out[/yellow] {assignment_id}: {escape(why)}", soft_wrap=True)
    return 0


def cmd_gradescope(args, console) -> int:
    from autograder.instructor.gradescope import build_gradescope_bundle

    with console.status(f"Building the Gradescope autograder for {args.assignment}..."):
        bundle = build_gradescope_bundle(args.assignment, args.output)
    console.print(f"Gradescope autograder for {args.assignment} written to {bundle} "
                  f"({bundle.stat().st_size / 1024:.0f} KiB): upload it as the assignment's "
                  "autograder (Ubuntu base image).", soft_wrap=True)
    return 0


def cmd_nbgrader_setup(args, console) -> int:
    from rich.markup import escape

    from autograder.instructor.nbgrader_setup import register_assignments

    with console.status("Recording the assignments in the nbgrader gradebook..."):
        done = register_assignments(args.assignment)
    console.print(f"Registered {', '.join(done.assignments)} in the nbgrader gradebook "
                  f"{escape(done.db_url)}; run nbgrader from course/ (see README.md).",
                  soft_wrap=True)
    for assignment_id, why in done.stale.items():
        console.print(f"[red]stale[/red] {assignment_id}: {escape(why)}; run `python -m "
                      "autograder.instructor.build`, then this command again.", soft_wrap=True)
    return 1 if done.stale else 0


COMMANDS = {"list": cmd_list, "check": cmd_check, "grade": cmd_grade, "audit": cmd_audit,
            "demo": cmd_demo, "release": cmd_release, "gradescope": cmd_gradescope,
            "nbgrader-setup": cmd_nbgrader_setup}


if __name__ == "__main__":
    sys.exit(main())
