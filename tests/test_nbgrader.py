"""nbgrader and the engine agree on the course's notebooks and gradebook.

The committed student notebooks are what nbgrader's generate_assignment makes of
the sources; `neurograde nbgrader-setup` records them in a real gradebook, without
writing any file of the repository, and the engine writes into it (`--gradebook`). The
whole nbgrader workflow as README.md gives it (nbgrader-setup, autograde of a
correct and a buggy notebook, generate_feedback, export, with the same points per
cell as `neurograde grade`) is tests/test_readme_doors.py::test_nbgrader_door.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.assignments import REPO_ROOT, all_assignments, get_assignment
from autograder.engine.grader import grade_submission
from autograder.instructor.build import student_notebook
from autograder.instructor.nbgrader_setup import COURSE_CONFIG, register_assignments
from autograder.outputs.gradebook import write_to_gradebook

NOTEBOOKS = [a for a in all_assignments() if (a.solutions_dir / f"{a.id}.ipynb").is_file()]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", NOTEBOOKS, ids=lambda a: a.id)
def test_assignments_folder_matches_nbgrader(assignment):
    """generate_assignment on solutions/ reproduces the committed student notebook."""
    committed = (assignment.student_dir / f"{assignment.id}.ipynb").read_bytes()
    assert student_notebook(assignment) == committed, \
        f"assignments/{assignment.id} is stale: run python -m autograder.instructor.build"


def course_config(tmp_path: Path) -> Path:
    """The course's own nbgrader configuration, with the gradebook moved to tmp_path."""
    config = tmp_path / "nbgrader_config.py"
    config.write_text(f"c = get_config()\nload_subconfig({str(COURSE_CONFIG)!r})\n"
                      f"c.CourseDirectory.db_url = 'sqlite:///{tmp_path / 'gradebook.db'}'\n")
    return config


@pytest.mark.slow
def test_nbgrader_setup_then_engine_writes_gradebook(tmp_path):
    """nbgrader-setup records what autograde needs; `--gradebook` writes into it; again is fine."""
    assignment = get_assignment("perceptron")
    source = assignment.solutions_dir / "perceptron.ipynb"
    config = course_config(tmp_path)
    before = subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT,
                            capture_output=True, text=True).stdout
    done = register_assignments(["perceptron"], config=config)
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    assert done.assignments == ["perceptron"] and done.db_url == db and done.stale == {}
    result = grade_submission(assignment.student_dir / "perceptron.ipynb", assignment)
    scores = write_to_gradebook(db, result, "carol", source)
    assert set(scores) == {"test_step_and_mp_neuron", "test_perceptron", "test_gates",
                           "test_pocket", "test_xor_mlp"}
    register_assignments(["perceptron"], config=config)  # again, now that carol submitted
    with Gradebook(db, "neurograde") as gb:
        submission = gb.find_submission("perceptron", "carol")
        assert submission.score == 0 and submission.max_score == result.max_score > 0
        notebook = gb.find_notebook("perceptron", "perceptron")
        assert {c.name for c in notebook.grade_cells} == set(scores)
        solutions = [c for c in json.loads(source.read_text())["cells"]
                     if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
        assert len(notebook.solution_cells) == len(solutions) > 0
    after = subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT,
                           capture_output=True, text=True).stdout
    assert after == before  # no file of the repository was written
