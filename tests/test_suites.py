"""Every assignment's hidden suite is fair and strict.

For each assignment that has a source notebook in solutions/:
- the reference scores full marks, as a notebook and as a plain .py;
- the student notebook from assignments/ (the untouched stub) scores 0, and every
  test says why;
- every buggy variant in solutions/<id>/mutants.toml loses points in the tasks it
  names (and nowhere else, when it is local);
- every alternative correct solution in solutions/<id>/alternatives/ scores full marks.
"""

from __future__ import annotations

import pytest

from autograder.assignments import all_assignments
from autograder.grader import grade_submission
from autograder.variants import (
    alternatives,
    load_mutants,
    reference_source,
    skipped_tasks_for,
    write_mutant,
)

pytestmark = pytest.mark.slow

GRADED = [a for a in all_assignments() if (a.solutions_dir / f"{a.id}.ipynb").is_file()]


def _describe_failures(result) -> str:
    return "\n".join(f"  [{t.task}] {t.name}: {t.output}" for t in result.tests if not t.passed)


@pytest.fixture(scope="module", params=GRADED, ids=lambda a: a.id)
def assignment(request):
    return request.param


@pytest.fixture(scope="module")
def reference_result(assignment):
    return grade_submission(assignment.solutions_dir / f"{assignment.id}.ipynb", assignment)


def test_reference_notebook_full_marks(reference_result):
    assert reference_result.max_score > 0
    assert reference_result.score == reference_result.max_score, \
        _describe_failures(reference_result)


def test_reference_module_full_marks(assignment, reference_result, tmp_path):
    module = tmp_path / f"{assignment.id}.py"
    module.write_text(reference_source(assignment))
    result = grade_submission(module, assignment)
    assert result.score == result.max_score, _describe_failures(result)
    assert [t.name for t in result.tests] == [t.name for t in reference_result.tests]


def test_stub_scores_zero_with_reasons(assignment):
    result = grade_submission(assignment.student_dir / f"{assignment.id}.ipynb", assignment)
    assert result.max_score > 0
    assert result.score == 0, [t.name for t in result.tests if t.passed]
    for test in result.tests:
        assert test.output.strip(), f"{test.name} failed without saying why"


def _mutant_cases():
    return [pytest.param(a, m, id=f"{a.id}-{m.name}") for a in GRADED for m in load_mutants(a)]


@pytest.mark.parametrize(("assignment_", "mutant"), _mutant_cases())
def test_mutant_loses_points_where_it_breaks(assignment_, mutant, tmp_path):
    path = write_mutant(assignment_, mutant, tmp_path)
    result = grade_submission(path, assignment_,
                              exclude_tasks=skipped_tasks_for(assignment_, mutant))
    failed = result.failed_tasks()
    missed = set(mutant.breaks) - failed
    assert not missed, f"{mutant.name} ({mutant.description}) was not caught in {missed}"
    if mutant.local:
        extra = failed - set(mutant.breaks)
        assert not extra, f"{mutant.name} also lost points in {extra}:\n" + \
            _describe_failures(result)


def _alternative_cases():
    return [pytest.param(a, p, id=f"{a.id}-{p.stem}") for a in GRADED for p in alternatives(a)]


@pytest.mark.parametrize(("assignment_", "path"), _alternative_cases())
def test_alternative_solution_full_marks(assignment_, path):
    result = grade_submission(path, assignment_)
    assert result.score == result.max_score, _describe_failures(result)


def test_every_graded_assignment_has_variants():
    for a in GRADED:
        assert len(load_mutants(a)) >= 8, f"{a.id} needs at least 8 buggy variants"
        assert alternatives(a), f"{a.id} needs an alternative correct solution"
