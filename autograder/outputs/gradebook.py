"""Write engine results into an nbgrader gradebook (`neurograde grade --gradebook`).

Each autograder test cell of a source notebook names the tasks it grades
(`checker.grade("step", "mp_neuron")`, see autograder/notebook.py); the cell's
auto score is the engine's points for those tasks. The assignment, its notebook
and its grade cells must already be in the gradebook (nbgrader's
generate_assignment puts them there).
"""

from __future__ import annotations

import ast
from pathlib import Path

from autograder.result import Result


def cell_tasks(source_notebook: Path) -> dict[str, tuple[str, ...]]:
    """grade_id -> tasks, for every test cell that hands over to the engine."""
    import nbformat  # imported here: it costs seconds, and only this reads a notebook

    nb = nbformat.read(str(source_notebook), as_version=4)
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith("###"))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "grade":
                out[meta["grade_id"]] = tuple(a.value for a in node.args
                                              if isinstance(a, ast.Constant))
    return out


def cell_scores(result: Result, source_notebook: Path) -> dict[str, float]:
    per_task = result.tasks()
    return {cell: round(sum(per_task.get(t, (0.0, 0.0))[0] for t in tasks), 6)
            for cell, tasks in cell_tasks(source_notebook).items()}


def write_to_gradebook(db_url: str, result: Result, student: str,
                       source_notebook: Path) -> dict[str, float]:
    """Record `result` as `student`'s autograded submission; returns cell -> score."""
    from nbgrader.api import Gradebook, MissingEntry

    assignment = result.assignment
    notebook = Path(source_notebook).stem
    scores = cell_scores(result, source_notebook)
    with Gradebook(db_url) as gb:
        gb.update_or_create_student(student)
        try:
            gb.find_submission(assignment, student)
        except MissingEntry:
            gb.add_submission(assignment, student)
        for cell, score in scores.items():
            grade = gb.find_grade(cell, notebook, assignment, student)
            grade.auto_score = score
        gb.db.commit()
    return scores
