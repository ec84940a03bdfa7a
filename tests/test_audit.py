"""`neurograde audit` passes for every assignment, and fails when it should."""

from __future__ import annotations

import pytest

from autograder.assignments import all_assignments, get_assignment
from autograder.cli import main
from autograder.instructor.audit import check_stub, grade_mutant
from autograder.instructor.variants import Mutant
from autograder.result import Result, TestResult

AUDITED = [a.id for a in all_assignments() if (a.solutions_dir / f"{a.id}.ipynb").is_file()]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", AUDITED)
def test_audit_passes(assignment, capsys):
    code = main(["audit", assignment, "--seeds", "2"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"Audit of {assignment}: PASS" in out


def test_every_audited_assignment_has_variants_and_three_alternatives():
    from autograder.instructor.variants import alternatives, load_mutants

    assert AUDITED, "no assignment has a reference solution"
    for a in map(get_assignment, AUDITED):
        assert len(load_mutants(a)) >= 8, f"{a.id} needs at least 8 buggy variants"
        assert len(alternatives(a)) >= 3, f"{a.id} needs three alternative correct solutions"


@pytest.mark.slow
def test_audit_flags_a_variant_that_is_not_caught(tmp_path):
    harmless = Mutant(name="renamed-local", description="a correct rewrite",
                      breaks=("train_perceptron",), local=True,
                      patches=(("n_updates += 1", "n_updates = n_updates + 1"),))
    check, _ = grade_mutant(get_assignment("perceptron"), harmless, tmp_path)
    assert not check.ok and "not caught in ['train_perceptron']" in check.detail


def test_stub_check_wants_zero_and_reasons():
    def result(*tests):
        return Result(assignment="x", tests=[TestResult(name=n, task="t", score=s, max_score=1,
                                                        status="passed" if s else "failed",
                                                        visibility="visible", output=o)
                                             for n, s, o in tests])
    assert check_stub(result(("a", 0, "not implemented"), ("b", 0, "why"))).ok
    assert not check_stub(result(("a", 1, ""), ("b", 0, "why"))).ok
    assert not check_stub(result(("a", 0, ""), ("b", 0, "why"))).ok
