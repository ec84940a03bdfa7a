"""Write an nbgrader source notebook from a compact list of cells (authoring aid).

Instructors edit notebooks in Jupyter; this helper lets a notebook also be written
from a script with correct nbgrader metadata:

    from tools.nbsource import md, setup, solution, checks, demo, write
    write("solutions/x/x.ipynb", "x", [md("# Title"), setup("import numpy as np"), ...])

Cell kinds: `md` (locked markdown), `setup` (locked code students get as is),
`solution` (code with ### BEGIN SOLUTION / ### END SOLUTION regions), `checks`
(the standard autograder test cell for some tasks, see autograder/notebook.py),
`tests` (a free-form autograder test cell worth `points`), `demo` (locked code
tagged `demo`: shown in class, never graded; put every cell that calls student
functions outside a test cell here, so a broken function cannot stop the import).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

_counter = {"n": 0}


def _meta(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _clean(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def md(text: str, grade_id: str | None = None):
    _counter["n"] += 1
    cell = new_markdown_cell(_clean(text))
    cell.metadata = _meta(grade_id or f"md-{_counter['n']}", locked=True)
    return cell


def setup(code: str, grade_id: str = "setup"):
    cell = new_code_cell(_clean(code))
    cell.metadata = _meta(grade_id, locked=True)
    return cell


def solution(code: str, grade_id: str):
    cell = new_code_cell(_clean(code))
    cell.metadata = _meta(grade_id, solution=True)
    return cell


def tests(code: str, grade_id: str, points: float):
    cell = new_code_cell(_clean(code))
    cell.metadata = _meta(grade_id, grade=True, locked=True, points=points)
    return cell


def checks(*tasks: str, grade_id: str, points: float):
    """The standard test cell: public checks for students, the engine under nbgrader.

    The notebook's setup cell must define `checker = Checker("<assignment id>")`
    (from autograder.notebook); `points` must equal the engine's points for `tasks`.
    """
    args = ", ".join(repr(t) for t in tasks)
    return tests(
        "### BEGIN HIDDEN TESTS\n"
        "checker.grading = True\n"
        "### END HIDDEN TESTS\n"
        f"checker.check({args})\n"
        "### BEGIN HIDDEN TESTS\n"
        f"checker.grade({args})\n"
        "### END HIDDEN TESTS",
        grade_id=grade_id, points=points)


def demo(code: str, grade_id: str):
    cell = new_code_cell(_clean(code))
    cell.metadata = {**_meta(grade_id, locked=True), "tags": ["demo"]}
    return cell


def write(path: str | Path, assignment: str, cells: list) -> None:
    nb = new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "neurograde": {"assignment": assignment},
    }
    nbformat.validate(nb)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
