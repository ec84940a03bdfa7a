"""Generate what students receive (assignments/<id>/) from the instructor's source.

The student notebook comes from the real `nbgrader generate_assignment`, run in a
throwaway course directory, so solution regions become `raise NotImplementedError()`
exactly as nbgrader would write them. Public tests are copied beside it. First the
rubric cells of the source notebook (what each part's tests ask, with their points)
are rewritten from the suites (autograder/instructor/rubric.py), so the student
notebook never shows a stale rubric.

    python -m autograder.instructor.build            # regenerate every assignments/<id>/
    python -m autograder.instructor.build alexnet    # only these ids

nbgrader's gradebook (course/gradebook.db) is not touched here: `neurograde
nbgrader-setup` records the regenerated assignments in it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.assignments import REPO_ROOT, Assignment, all_assignments, get_assignment
from autograder.instructor.rubric import update_notebook


def student_notebook(assignment: Assignment, source: Path | None = None) -> bytes:
    """The student version of the source notebook, as nbgrader writes it."""
    source = source or assignment.solutions_dir / f"{assignment.id}.ipynb"
    with tempfile.TemporaryDirectory(prefix="neurograde-nbgrader-") as tmp:
        course = Path(tmp)
        (course / "source" / assignment.id).mkdir(parents=True)
        shutil.copy(source, course / "source" / assignment.id / f"{assignment.id}.ipynb")
        subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", assignment.id, "--force",
             f"--CourseDirectory.root={course}",
             f"--CourseDirectory.db_url=sqlite:///{course / 'gradebook.db'}",
             "--log-level=WARN"],
            check=True, cwd=course, capture_output=True,
        )
        return (course / "release" / assignment.id / f"{assignment.id}.ipynb").read_bytes()


def build_student_folder(assignment: Assignment, dest: Path) -> Path:
    """Write notebook, public tests and data for one assignment into dest/<id>/."""
    out = dest / assignment.id
    if out.exists():
        shutil.rmtree(out)
    (out / "tests").mkdir(parents=True)
    (out / f"{assignment.id}.ipynb").write_bytes(student_notebook(assignment))
    for test in sorted(assignment.public_dir.glob("test_*.py")):
        shutil.copy(test, out / "tests" / test.name)
    data = assignment.suite_dir / "data"
    if data.is_dir():
        shutil.copytree(data, out / "data")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autograder.instructor.build",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", metavar="ID",
                        help="assignments to regenerate (default: every one)")
    args = parser.parse_args(argv)
    try:
        chosen = [get_assignment(i) for i in args.ids] if args.ids else all_assignments()
    except ValueError as exc:
        parser.error(str(exc))
    for assignment in chosen:
        source = assignment.solutions_dir / f"{assignment.id}.ipynb"
        if source.is_file():
            if update_notebook(source, assignment):
                print("rubric rewritten in", source.relative_to(REPO_ROOT))
            print("generated", build_student_folder(assignment, REPO_ROOT / "assignments"))
    print("For nbgrader, record them in the gradebook with `neurograde nbgrader-setup`.")


if __name__ == "__main__":
    main()
