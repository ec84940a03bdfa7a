"""The standard nbgrader workflow gives the same points as `neurograde grade`.

A real nbgrader course directory with its gradebook: generate_assignment,
submissions (a correct one and a buggy one), autograde, generate_feedback, and
the engine writing into the same kind of gradebook with `--gradebook`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.assignments import all_assignments, get_assignment
from autograder.engine.grader import grade_submission
from autograder.instructor.build import student_notebook
from autograder.instructor.variants import load_mutants
from autograder.outputs.gradebook import cell_scores, write_to_gradebook

NOTEBOOKS = [a for a in all_assignments() if (a.solutions_dir / f"{a.id}.ipynb").is_file()]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", NOTEBOOKS, ids=lambda a: a.id)
def test_assignments_folder_matches_nbgrader(assignment):
    """generate_assignment on solutions/ reproduces the committed student notebook."""
    committed = (assignment.student_dir / f"{assignment.id}.ipynb").read_bytes()
    assert student_notebook(assignment) == committed, \
        f"assignments/{assignment.id} is stale: run python -m autograder.instructor.build"


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}",
         f"--CourseDirectory.db_url=sqlite:///{course / 'gradebook.db'}"],
        cwd=course, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return proc


def mutated_notebook(source: Path, patches) -> nbformat.NotebookNode:
    nb = nbformat.read(str(source), as_version=4)
    for find, replace in patches:
        cells = [c for c in nb.cells if find in c.source]
        assert len(cells) == 1, find
        cells[0].source = cells[0].source.replace(find, replace)
    return nb


def perceptron_course(tmp_path: Path) -> tuple[Path, Path]:
    """A fresh nbgrader course with the perceptron assignment generated in it."""
    source = get_assignment("perceptron").solutions_dir / "perceptron.ipynb"
    course = tmp_path / "course"
    (course / "source" / "perceptron").mkdir(parents=True)
    shutil.copy(source, course / "source" / "perceptron" / "perceptron.ipynb")
    nbgrader(course, "generate_assignment", "perceptron")
    return course, source


@pytest.mark.slow
def test_autograde_matches_engine(tmp_path):
    assignment = get_assignment("perceptron")
    course, source = perceptron_course(tmp_path)

    mutant = next(m for m in load_mutants(assignment) if m.name == "rule-sign-flipped")
    submissions = {"alice": nbformat.read(str(source), as_version=4),
                   "bob": mutated_notebook(source, mutant.patches)}
    for student, nb in submissions.items():
        folder = course / "submitted" / student / "perceptron"
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / "perceptron.ipynb"))
        nbgrader(course, "db", "student", "add", student)
    nbgrader(course, "autograde", "perceptron")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in submissions:
            engine = grade_submission(course / "submitted" / student / "perceptron" /
                                      "perceptron.ipynb", assignment)
            expected = cell_scores(engine, source)
            got = {cell: gb.find_grade(cell, "perceptron", "perceptron", student).auto_score
                   for cell in expected}
            assert got == expected, student
        assert gb.find_submission("perceptron", "bob").score < \
            gb.find_submission("perceptron", "alice").score

    nbgrader(course, "generate_feedback", "perceptron")
    feedback = (course / "feedback" / "bob" / "perceptron" / "perceptron.html").read_text()
    assert "FAIL [train_perceptron]" in feedback  # the engine's words reach the student
    hidden_sources = (assignment.hidden_dir).glob("*.py")
    for path in hidden_sources:
        for line in path.read_text().splitlines():
            if line.startswith("def test_"):
                assert line.split("(")[0][4:] not in feedback, "hidden test source leaked"


@pytest.mark.slow
def test_engine_writes_gradebook(tmp_path):
    assignment = get_assignment("perceptron")
    course, source = perceptron_course(tmp_path)
    result = grade_submission(assignment.student_dir / "perceptron.ipynb", assignment)
    db = f"sqlite:///{course / 'gradebook.db'}"
    scores = write_to_gradebook(db, result, "carol", source)
    assert set(scores) == {"test_step_and_mp_neuron", "test_perceptron", "test_gates",
                           "test_xor_mlp"}
    with Gradebook(db) as gb:
        submission = gb.find_submission("perceptron", "carol")
        assert submission.score == 0 and submission.max_score == result.max_score
