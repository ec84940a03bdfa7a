"""Batch grading: one result per student, written as it finishes, resumable."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from autograder.batch import find_submissions, grade_batch
from tests.test_grader import CORRECT, TOY


def make_cohort(root: Path) -> Path:
    root.mkdir()
    (root / "alice.py").write_text(CORRECT)
    (root / "bob.py").write_text(CORRECT.replace("a * b", "a + b"))
    (root / "carol").mkdir()
    (root / "carol" / "toy.py").write_text("import os\nos._exit(1)\n")
    (root / "dave").mkdir()  # nothing submitted
    (root / ".DS_Store").write_text("")
    return root


def test_batch_grades_everyone_and_resumes(tmp_path):
    cohort = make_cohort(tmp_path / "cohort")
    out = tmp_path / "out"
    subs = find_submissions(cohort, TOY)
    assert [s.student for s in subs] == ["alice", "bob", "carol", "dave"]
    seen = []
    results = grade_batch(subs, TOY, out, workers=2,
                          on_done=lambda s, r, reused: seen.append((s.student, reused)))
    assert {k: r.score for k, r in results.items()} == {"alice": 10, "bob": 6, "carol": 0,
                                                        "dave": 0}
    assert results["dave"].error == "no submission found"
    assert sorted(p.name for p in out.glob("*.json")) == [
        "alice.json", "bob.json", "carol.json", "dave.json"]
    assert not list(out.glob("*.partial"))
    rows = list(csv.DictReader((out / "scores.csv").read_text().splitlines()))
    assert [(r["student"], r["score"], r["mul"]) for r in rows][:2] == [
        ("alice", "10", "4"), ("bob", "6", "0")]

    # Bob resubmits: only he is graded again.
    (cohort / "bob.py").write_text(CORRECT)
    seen.clear()
    results = grade_batch(find_submissions(cohort, TOY), TOY, out, workers=2,
                          on_done=lambda s, r, reused: seen.append((s.student, reused)))
    assert dict(seen) == {"alice": True, "bob": False, "carol": True, "dave": False}
    assert results["bob"].score == 10
    assert json.loads((out / "bob.json").read_text())["score"] == 10


def test_dask_local_cluster_gives_identical_results(tmp_path):
    cohort = make_cohort(tmp_path / "cohort")
    subs = find_submissions(cohort, TOY)
    local = grade_batch(subs, TOY, tmp_path / "local", workers=2)
    dask = grade_batch(subs, TOY, tmp_path / "dask", workers=2, backend="dask")
    assert set(dask) == set(local)
    for student in local:
        assert dask[student].comparable() == local[student].comparable(), student
