"""Rewrite a source notebook's test cells into the standard `checker` form.

    python -m tools.checks_cells solutions/<id>/<id>.ipynb

Each nbgrader test cell becomes "public checks for students, the engine under
nbgrader" (see autograder/notebook.py) for the tasks whose names its code
mentions (or those given with --tasks GRADE_ID=TASK,TASK), worth the engine's
points for those tasks; tasks no cell claims go to the last test cell. The old
checks stay right above it as an ungraded `demo` cell, so students still see a
check with numbers right after their code. The setup cell gains
`checker = Checker("<id>")`. Run `python -m autograder.instructor.build` after.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

from autograder.assignments import get_assignment
from autograder.engine.collection import collect_tests
from autograder.outputs.gradebook import cell_tasks
from tools.nbsource import checks, demo

CHECKER_SETUP = "from autograder.notebook import Checker\n\nchecker = Checker({!r})  " \
                "# runs the public checks in the cells below\n"


def convert(path: Path, overrides: dict[str, list[str]] | None = None) -> None:
    nb = nbformat.read(str(path), as_version=4)
    assignment = get_assignment(nb.metadata["neurograde"]["assignment"])
    points: dict[str, float] = {}
    for test in collect_tests(assignment):
        points[test.task] = points.get(test.task, 0.0) + test.max_score
    existing = cell_tasks(path)
    test_cells = [c for c in nb.cells if c.cell_type == "code"
                  and c.metadata.get("nbgrader", {}).get("grade")
                  and not c.metadata["nbgrader"].get("solution")]
    claimed: set[str] = set()
    plan = []
    for cell in test_cells:
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        tasks = (overrides or {}).get(grade_id) or existing.get(grade_id) or tuple(
            t for t in points if re.search(rf"\b{re.escape(t)}\b", cell.source)
            and t not in claimed)
        claimed.update(tasks)
        plan.append([cell, grade_id, list(tasks)])
    plan[-1][2] += [t for t in points if t not in claimed]
    for cell, grade_id, tasks in plan:
        if not tasks:
            raise SystemExit(f"{path}: test cell {grade_id} mentions no task")
        new = checks(*tasks, grade_id=grade_id, points=sum(points[t] for t in tasks))
        if grade_id not in existing:
            old = demo("# A quick check with numbers (not graded: the cell below is).\n"
                       + cell.source, grade_id=f"{grade_id}_quick")
            nb.cells.insert(nb.cells.index(cell), old)
        cell.source, cell.metadata = new.source, new.metadata
    setup = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    if "Checker(" not in setup.source:
        setup.source = setup.source.rstrip("\n") + "\n\n" + CHECKER_SETUP.format(assignment.id)
    nbformat.write(nb, str(path))
    total = sum(sum(points[t] for t in tasks) for _, _, tasks in plan)
    print(f"{path}: {len(plan)} test cells, {total:g} of {sum(points.values()):g} points")


if __name__ == "__main__":
    args = sys.argv[1:]
    plan = dict((a.split("=")[0], a.split("=")[1].split(",")) for a in args if "=" in a)
    for arg in [a for a in args if "=" not in a]:
        convert(Path(arg), plan)
