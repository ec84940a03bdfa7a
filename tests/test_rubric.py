"""The rubric in the notebooks follows the suites, and the audit checks say when it does not."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from autograder.assignments import all_assignments, get_assignment
from autograder.instructor.rubric import (
    PREFIX,
    check_contract,
    check_rubric,
    error_cases,
    questions,
    raises_section,
    update_notebook,
)

WITH_SOURCE = [a.id for a in all_assignments() if (a.solutions_dir / f"{a.id}.ipynb").is_file()]


@pytest.mark.parametrize("assignment", WITH_SOURCE)
def test_source_rubric_is_up_to_date(assignment, tmp_path):
    a = get_assignment(assignment)
    copy = tmp_path / f"{assignment}.ipynb"
    shutil.copy(a.solutions_dir / f"{assignment}.ipynb", copy)
    assert not update_notebook(copy, a), \
        "the rubric cells are stale: run `python -m autograder.instructor.build`"


@pytest.mark.parametrize("assignment", WITH_SOURCE)
def test_student_notebook_states_what_is_graded(assignment):
    a = get_assignment(assignment)
    notebook = a.student_dir / f"{assignment}.ipynb"
    assert check_rubric(a, notebook) == []
    assert check_contract(a, notebook) == []


def test_parametrized_cases_are_one_question():
    gates = [q for q in questions(get_assignment("perceptron"))["train_perceptron"]
             if q.text.startswith("Does the perceptron learn this linearly separable gate")]
    assert len(gates) == 1 and gates[0].cases == ["and", "or", "nand", "nor", "not"]


def _edit_rubric(path, old, new):
    nb = nbformat.read(str(path), as_version=4)
    cell = next(c for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith(PREFIX)
                and old in c.source)
    cell.source = cell.source.replace(old, new)
    nbformat.write(nb, str(path))


def test_missing_question_and_wrong_points_are_flagged(tmp_path):
    a = get_assignment("rnn")
    copy = tmp_path / "rnn.ipynb"
    shutil.copy(a.student_dir / "rnn.ipynb", copy)
    _edit_rubric(copy, "is the most likely next symbol legal at >= 95% of held-out positions?",
                 "does the model learn?")
    _edit_rubric(copy, "`rnn_backward` (11 points)", "`rnn_backward` (10 points)")
    problems = check_rubric(a, copy)
    assert any("legal at >= 95%" in p for p in problems), problems
    assert any("heading says 10 points, the suite 11" in p for p in problems), problems


def test_unstated_error_case_is_flagged(tmp_path):
    a = get_assignment("subnetting")
    copy = tmp_path / "subnetting.ipynb"
    shutil.copy(a.student_dir / "subnetting.ipynb", copy)
    nb = nbformat.read(str(copy), as_version=4)
    cell = next(c for c in nb.cells if "def prefix_for_hosts" in c.source)
    cell.source = cell.source.replace("Raises:\n        ValueError naming `n` if n < 1 (0 hosts",
                                      "Note:\n        ValueError naming `n` if n < 1 (0 hosts")
    nbformat.write(nb, str(copy))
    problems = check_contract(a, copy)
    assert problems and all("prefix_for_hosts" in p for p in problems), problems


def test_error_cases_are_found_through_aliases():
    cases = {(c.function, c.argument) for c in error_cases(get_assignment("alexnet"))}
    assert {("conv_output_size", "stride"), ("build_alexnet", "dropout"),
            ("LocalResponseNormalization", "depth_radius")} <= cases


def test_raises_section_ends_at_the_next_section():
    doc = "Sum.\n\nRaises:\n    ValueError naming `x`.\n\nReturns:\n    y, an int.\n"
    assert "`x`" in raises_section(doc) and "y, an int" not in raises_section(doc)
