"""The tests a suite holds, with their points, without grading anything.

Collecting means starting a judge, so the list is cached per suite content
(`~/.cache/neurograde`, or $XDG_CACHE_HOME): `neurograde list` answers at once and
imports nothing heavy when the cache is warm.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from autograder import __version__
from autograder.assignments import Assignment
from autograder.result import TestResult


@dataclass
class Collected:
    """One test as the judge describes it when it collects the suite."""
    nodeid: str
    name: str
    task: str
    points: float
    visibility: str
    timeout: float


def collect_tests(assignment: Assignment, public_only: bool = False) -> list[TestResult]:
    """The suite's tests with their points, graded as nothing (no student code runs)."""
    cache = _cache_path(assignment, public_only)
    try:
        described = json.loads(cache.read_text())
    except (OSError, ValueError):
        from autograder.engine.grader import judge_collection

        described = [c.__dict__ for c in judge_collection(assignment, public_only)]
        with contextlib.suppress(OSError):
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.partial")
            tmp.write_text(json.dumps(described))
            os.replace(tmp, cache)
    return [not_graded(Collected(**c), "not graded") for c in described]


def not_graded(test: Collected, reason: str) -> TestResult:
    return TestResult(name=test.name, task=test.task, score=0.0, max_score=test.points,
                      status="failed", visibility=test.visibility, output=reason,
                      nodeid=test.nodeid)


def suite_digest(assignment: Assignment) -> str:
    """sha256 of the grader's version and every file of the assignment's suite: a
    result graded under another digest may score differently today."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(assignment.suite_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(assignment.suite_dir)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache_path(assignment: Assignment, public_only: bool) -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "neurograde"
    kind = "public" if public_only else "all"
    return root / f"collected-{assignment.id}-{kind}-{suite_digest(assignment)[:20]}.json"
