"""Grading speed and reproducibility, measured on this machine, side by side.

    python bench/grading.py                   # every assignment with a reference
    python bench/grading.py --assignment perceptron --regrades 10

For each assignment: the reference notebook graded `--regrades` times in process
(median and spread of wall time; every record must be identical apart from times)
and as the command a user types (`neurograde grade`, a new process each time).
Then what a user waits for before any grading: `neurograde --help` and
`neurograde list`; the engine's own overhead per submission on a trivial suite (no
TensorFlow); batch throughput on `--batch` copies of the perceptron reference with
1 and 2 workers (ratio taken in the same run); `neurograde demo` from nothing and
again (its results kept); and the fast test loop, `pytest -m "not slow"` on two
pytest-xdist workers and in one process. Writes bench/RESULTS.md; `--only demo` or
`--only loop` measures that part again and replaces its section.
(bench/peers.py compares with otter-grader and nbgrader.)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).with_name("RESULTS.md")
sys.path.insert(0, str(ROOT))

from autograder.assignments import _load, all_assignments, get_assignment  # noqa: E402
from autograder.engine.batch import find_submissions, grade_batch  # noqa: E402
from autograder.engine.grader import grade_submission, versions  # noqa: E402
from autograder.instructor.variants import reference_source  # noqa: E402
from bench.sections import replace_section, split_sections  # noqa: E402

GOALS = {"perceptron": 10, "subnetting": 10}  # seconds; 45 for the deep-learning ones
TOY_SOURCE = (ROOT / "tests" / "fixtures" / "toy_submission.py").read_text()


def machine() -> str:
    """This machine in a phrase: host, cores, CPU model, architecture."""
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        models = [line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")]
        cpu = models[0] if models else cpu
    return f"{platform.node() or 'this machine'}: {os.cpu_count()} cores, " + \
        ", ".join(dict.fromkeys(x for x in (cpu, platform.machine()) if x))


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.1f} ({min(times):.1f}-{max(times):.1f})"


def time_grading(path: Path, assignment, runs: int) -> tuple[list[float], bool, object]:
    times, records, result = [], [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = grade_submission(path, assignment)
        times.append(time.perf_counter() - start)
        records.append(result.comparable())
    return times, all(r == records[0] for r in records), result


def neurograde_command() -> list[str]:
    """The installed console script, as a user runs it (without a version manager's shim)."""
    script = Path(sys.executable).with_name("neurograde")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "autograder.cli"]


def time_command(args: list[str], runs: int, cwd: Path | None = None) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, cwd=cwd)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append")
    parser.add_argument("--regrades", type=int, default=3)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--skip-tests", action="store_true", help="do not time the fast tests")
    parser.add_argument("--only", action="append", choices=["demo", "loop"],
                        help="measure only this part again and replace its section in RESULTS.md")
    args = parser.parse_args()
    if args.only:
        parts = {"demo": lambda: demo_section(neurograde_command()), "loop": loop_section}
        sections = [parts[name]() for name in dict.fromkeys(args.only)]
        RESULTS.write_text(replace_sections(RESULTS.read_text(), sections,
                                            f"{time.strftime('%Y-%m-%d %H:%M')} on {machine()}"))
        print("updated", RESULTS)
        return
    chosen = [get_assignment(a) for a in args.assignment] if args.assignment else \
        [a for a in all_assignments() if (a.solutions_dir / f"{a.id}.ipynb").is_file()]

    medians: dict[str, float] = {}
    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {machine()}, "
        + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".",
        "Wall times in seconds; medians of the runs shown.",
        "",
        "## Grading a correct notebook",
        "",
        "| assignment | runs | in process: median (min-max) | as a command: median (min-max) "
        "| goal (command) | score | identical records |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    neurograde = neurograde_command()
    with tempfile.TemporaryDirectory() as tmp:
        for a in chosen:
            notebook = a.solutions_dir / f"{a.id}.ipynb"
            times, same, result = time_grading(notebook, a, args.regrades)
            # Each run from a fresh folder: a second run beside the first keeps its result.
            command = []
            for k in range(args.regrades):
                fresh = Path(tmp) / f"{a.id}-{k}"
                fresh.mkdir()
                command += time_command([*neurograde, "grade", str(notebook), "--assignment",
                                         a.id, "--json", str(fresh / "result.json")], 1, cwd=fresh)
            goal = GOALS.get(a.id, 45)
            medians[a.id] = statistics.median(command)
            lines.append(f"| {a.id} | {len(times)} | {spread(times)} | {spread(command)} | "
                         f"<= {goal} | {result.score:g}/{result.max_score:g} | "
                         f"{'yes' if same else 'NO'} |")
            print(lines[-1], flush=True)

    lines += ["", f"Whole course: {sum(medians.values()):.0f} s for one correct submission of "
              f"each of the {len(medians)} assignments, as commands (goal <= 180 s).", ""]

    help_times = time_command([*neurograde, "--help"], 5)
    list_times = time_command([*neurograde, "list"], 5)
    lines += ["## Start-up", "",
              f"`neurograde --help`: median {statistics.median(help_times):.2f} s; "
              f"`neurograde list` (suites collected once, then cached): median "
              f"{statistics.median(list_times):.2f} s (goal < 0.5 s each; `python -c pass` "
              f"takes {statistics.median(time_command([sys.executable, '-c', 'pass'], 5)):.2f} s "
              "here).", ""]
    print(lines[-2], flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        toy = _load(ROOT / "tests" / "fixtures" / "toy_suite")
        (tmp / "toy.py").write_text(TOY_SOURCE)
        overhead, _, _ = time_grading(tmp / "toy.py", toy, 5)
        lines += ["", "## Engine overhead", "",
                  "A trivial 5-test suite without TensorFlow (child start, pytest, "
                  f"events, record): median {statistics.median(overhead):.2f} s per "
                  "submission (goal <= 1 s).", ""]
        print(lines[-2], flush=True)

        perceptron = get_assignment("perceptron")
        cohort = tmp / "cohort"
        cohort.mkdir()
        source = reference_source(perceptron)
        for i in range(args.batch):
            (cohort / f"student{i:03d}.py").write_text(source + f"\n# student {i}\n")
        subs = find_submissions(cohort, perceptron)
        rates = {}
        for workers in (1, 2):
            start = time.perf_counter()
            grade_batch(subs, perceptron, tmp / f"out{workers}", workers=workers)
            rates[workers] = len(subs) / (time.perf_counter() - start)
        lines += ["## Batch throughput", "",
                  f"{args.batch} perceptron submissions: "
                  f"{rates[1] * 60:.1f} per minute with 1 worker, {rates[2] * 60:.1f} with 2 "
                  f"(ratio {rates[2] / rates[1]:.2f}x; goal >= 1.8x).", ""]
        print(lines[-2], flush=True)

    lines += demo_section(neurograde)
    if not args.skip_tests:
        lines += loop_section()
    RESULTS.write_text(with_hand_written_sections("\n".join(lines)))
    print("wrote", RESULTS)


def with_hand_written_sections(report: str) -> str:
    """The new report, followed by the old one's sections that the script does not write
    (those written by hand, such as why a figure is over its goal)."""
    ours = {section[0] for section in split_sections(report, 2)[1:]}
    old = split_sections(RESULTS.read_text(), 2)[1:] if RESULTS.exists() else []
    for section in old:
        if section[0] not in ours:
            report = replace_section(report, section)
    return report


def demo_section(neurograde: list[str]) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        demo = [*neurograde, "demo", "--out", str(Path(tmp) / "demo")]
        first = time_command(demo, 1)[0]
        again = time_command(demo, 1)[0]
    lines = ["## The demo", "",
             f"`neurograde demo` (18 example submissions, 2 workers): {first:.0f} s from "
             f"nothing, {again:.1f} s again with its results kept (goal < 60 s).", ""]
    print(lines[-2], flush=True)
    return lines


def loop_section() -> list[str]:
    """The fast tests on two pytest-xdist workers (as the README gives them) and in one
    process, one after the other."""
    base = [sys.executable, "-m", "pytest", "-q", "-m", "not slow", "-p", "no:cacheprovider"]
    parallel = time_command([*base, "-n", "2"], 1, cwd=ROOT)[0]
    serial = time_command(base, 1, cwd=ROOT)[0]
    lines = ["## The fast test loop", "",
             f"`pytest -m \"not slow\" -n 2`: {parallel:.0f} s (goal < 120 s); in one process, "
             f"`pytest -m \"not slow\"`: {serial:.0f} s (ratio {parallel / serial:.2f}x).", ""]
    print(lines[-2], flush=True)
    return lines


def replace_sections(text: str, sections: list[list[str]], when: str) -> str:
    """RESULTS.md with the given sections (each starting with its `## ` heading) measured
    again, noted as such, and the rest kept."""
    for heading, *body in sections:
        text = replace_section(text, [heading, "", f"(Measured again {when}.)", *body])
    return text


if __name__ == "__main__":
    main()
