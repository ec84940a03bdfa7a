"""The result record: a superset of Gradescope's results.json.

The grading parent builds these from what it observed of the child process;
nothing the student's code prints ends up here except through the parent's own
reading of test outcomes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class

    name: str
    task: str
    score: float
    max_score: float
    status: str  # "passed" | "failed"
    visibility: str
    output: str = ""
    nodeid: str = ""
    duration: float = 0.0
    reads: tuple[str, ...] = ()  # the submission's names the test asked for (not in records)

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class Figure:
    """A picture made from the student's own work during a test (PNG bytes)."""

    title: str
    task: str
    png: bytes


@dataclass
class Result:
    assignment: str
    tests: list[TestResult] = field(default_factory=list)
    output: str = ""
    execution_time: float = 0.0
    extra_data: dict = field(default_factory=dict)
    # Set when the grader itself could not grade (unreadable submission...).
    error: str | None = None
    # Pictures for the feedback page; not part of the JSON record.
    figures: list[Figure] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    def tasks(self) -> dict[str, tuple[float, float]]:
        """task -> (score, max_score), in first-seen order."""
        out: dict[str, tuple[float, float]] = {}
        for t in self.tests:
            s, m = out.get(t.task, (0.0, 0.0))
            out[t.task] = (s + t.score, m + t.max_score)
        return out

    def failed_tasks(self) -> set[str]:
        return {t.task for t in self.tests if not t.passed}

    def to_gradescope(self) -> dict:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.execution_time, 3),
            "output": self.output,
            "tests": [
                {
                    "name": t.name,
                    "task": t.task,
                    "score": t.score,
                    "max_score": t.max_score,
                    "status": t.status,
                    "visibility": t.visibility,
                    "output": t.output,
                }
                for t in self.tests
            ],
            "extra_data": {**self.extra_data, "assignment": self.assignment,
                           **({"error": self.error} if self.error else {})},
        }

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps(self.to_gradescope(), indent=2, sort_keys=False)
        if path is not None:
            Path(path).write_text(text + "\n")
        return text

    @classmethod
    def from_gradescope(cls, data: dict) -> Result:
        extra = dict(data.get("extra_data", {}))
        tests = [TestResult(**{k: v for k, v in t.items() if k in TestResult.__dataclass_fields__})
                 for t in data.get("tests", [])]
        return cls(assignment=extra.pop("assignment", ""), tests=tests,
                   output=data.get("output", ""),
                   execution_time=data.get("execution_time", 0.0),
                   error=extra.pop("error", None), extra_data=extra)

    def comparable(self) -> dict:
        """The record without wall-clock times: equal for equal grading."""
        record = self.to_gradescope()
        record.pop("execution_time")
        return record

