"""Grade one submission: the engine every front door calls.

    ingest -> child process under limits (autograder.engine.sandbox) -> pytest + plugin
    -> events -> Result

If the child dies or is killed in the middle of a test, that test scores 0 with
the reason, and a fresh child runs the tests that had not run yet: tests that
passed before keep their points and tests after still get their chance.
"""

from __future__ import annotations

import hashlib
import platform
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from autograder import __version__
from autograder.assignments import Assignment, get_assignment
from autograder.engine.explain import (
    death_reason,
    import_failure,
    located_message,
    summary,
    tamper_failure,
    withhold_secrets,
)
from autograder.engine.ingest import Ingested, SubmissionError, ingest
from autograder.engine.sandbox import ChildRun, Limits, run_child
from autograder.result import Figure, Result, TestResult

DEFAULT_SEED = 20261124
STARTUP_TIMEOUT = 90.0  # interpreter, TensorFlow and pytest collection


class GradingError(RuntimeError):
    """The grader itself could not run (a broken suite, not a broken submission)."""


@dataclass
class _Collected:
    nodeid: str
    name: str
    task: str
    points: float
    visibility: str
    timeout: float


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("numpy", "keras", "tensorflow-cpu", "tensorflow"):
        try:
            out[dist.replace("-cpu", "")] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return out


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def grade_submission(
    path: str | Path,
    assignment: str | Assignment | None = None,
    *,
    tasks: list[str] | None = None,
    exclude_tasks: list[str] | None = None,
    public_only: bool = False,
    seed: int = DEFAULT_SEED,
) -> Result:
    """Grade the submission at `path` and return its result record.

    Args:
        path: a .ipynb notebook or a .py module.
        assignment: assignment id or object; inferred from the notebook's metadata
            or the file name when omitted.
        tasks: grade only these tasks (all when None).
        exclude_tasks: skip these tasks (their tests are left out of the record).
        public_only: run only the public tests (what `neurograde check` does).
        seed: base seed; every test derives its own seed from it.
    """
    started = time.monotonic()
    path = Path(path)
    unreadable = None
    try:
        ingested = ingest(path)
    except SubmissionError as exc:
        ingested, unreadable = Ingested(source="", kind="empty"), str(exc)
    assignment = _resolve(assignment, ingested, path)
    figures, isolation = [], {}
    if unreadable:
        tests = collect_tests(assignment, public_only)
        for t in tests:
            t.output = f"your submission could not be read: {unreadable}"
    else:
        with tempfile.TemporaryDirectory(prefix="neurograde-") as tmp:
            workdir = Path(tmp)
            config = _child_config(assignment, workdir, ingested.source, public_only, seed)
            config.update(tasks=tasks, exclude_tasks=exclude_tasks)
            tests, figures, isolation = _run_all(config, workdir, assignment, ingested)
    result = Result(
        assignment=assignment.id,
        tests=tests,
        execution_time=time.monotonic() - started,
        error=unreadable,
        figures=figures,
        extra_data={
            "submission": path.name,
            "submission_sha256": sha256_of(path) if path.is_file() else None,
            "seed": seed,
            "versions": versions(),
            "grader_version": __version__,
            "warnings": ingested.warnings,
            "public_only": public_only,
            "isolation": isolation,
        },
    )
    withhold_secrets(result, assignment)
    result.output = summary(result, ingested)
    return result


def _child_config(assignment: Assignment, workdir: Path, source: str, public_only: bool,
                  seed: int) -> dict:
    module_path = workdir / f"{assignment.id}_submission.py"
    module_path.write_text(source)
    test_paths = [str(assignment.public_dir)]
    if not public_only and assignment.hidden_dir.is_dir():
        test_paths.append(str(assignment.hidden_dir))
    return {
        "module_path": str(module_path),
        "module_name": f"{assignment.id}_submission",
        "suite_dir": str(assignment.suite_dir),
        "test_paths": test_paths,
        "tasks": None,
        "exclude_tasks": None,
        "only": None,
        "seed": seed,
        "test_timeout": assignment.test_timeout,
        "uses_keras": assignment.uses_keras,
    }


def collect_tests(assignment: Assignment, public_only: bool = False) -> list[TestResult]:
    """The suite's tests with their points, graded as nothing (no student code runs)."""
    with tempfile.TemporaryDirectory(prefix="neurograde-") as tmp:
        workdir = Path(tmp)
        config = {**_child_config(assignment, workdir, "", public_only, DEFAULT_SEED),
                  "collect_only": True}
        run = run_child(config, workdir, Limits(memory_mb=assignment.memory_mb),
                        _deadline_policy(assignment, None))
        return [_failed(c, "not graded") for c in _collected_from(run)]


def _resolve(assignment, ingested: Ingested, path: Path) -> Assignment:
    if isinstance(assignment, Assignment):
        return assignment
    name = assignment or ingested.assignment_hint
    if not name:
        raise SubmissionError(
            f"Cannot tell which assignment {path.name} is for: pass --assignment ID."
        )
    return get_assignment(name)


def _run_all(config: dict, workdir: Path, assignment: Assignment,
             ingested: Ingested) -> list[TestResult]:
    limits = Limits(memory_mb=assignment.memory_mb,
                    cpu_seconds=int(assignment.time_budget * 2 + STARTUP_TIMEOUT))
    budget_end = time.monotonic() + assignment.time_budget + STARTUP_TIMEOUT
    collected: list[_Collected] | None = None
    results: dict[str, TestResult] = {}
    figures: list[Figure] = []
    isolation: dict = {}
    while True:
        done_before = len(results)
        run = run_child(config, workdir, limits, _deadline_policy(assignment, collected))
        isolation = isolation or next(
            ({k: v for k, v in e.items() if k not in ("event", "t")}
             for e in run.events if e["event"] == "isolation"), {})
        if collected is None:
            collected = _collected_from(run)
        _take_results(run, collected, results, ingested)
        figures += _take_figures(run, workdir, len(figures))
        remaining = [c for c in collected if c.nodeid not in results]
        if not remaining:
            break
        failure = tamper_failure(run) or import_failure(run, ingested, assignment)
        if failure is not None:
            for c in remaining:
                results[c.nodeid] = _failed(c, failure)
            break
        culprit = _running_test(run, results)
        if culprit is None and len(results) > done_before:
            # It died after a test that reported (KeyboardInterrupt stops pytest):
            # the tests that never started get a fresh child.
            config = {**config, "only": [c.nodeid for c in remaining]}
            continue
        if culprit is None:  # died before any test of this run: nothing to blame or retry
            reason = death_reason(run, "between tests", assignment, ingested)
            for c in remaining:
                results[c.nodeid] = _failed(c, reason)
            break
        test = _find(collected, culprit)
        results[culprit] = _failed(test, death_reason(run, f"in test '{test.name}'",
                                                       assignment, ingested, test.timeout))
        remaining = [c for c in remaining if c.nodeid != culprit]
        if run.killed == "timeout":
            # One hang per task is enough evidence; don't spend a timeout on each test.
            for c in [c for c in remaining if c.task == test.task]:
                results[c.nodeid] = _failed(
                    c, f"not run: an earlier test of `{test.task}` had to be stopped "
                       f"({results[culprit].output})")
            remaining = [c for c in remaining if c.task != test.task]
        if time.monotonic() > budget_end:
            for c in remaining:
                results[c.nodeid] = _failed(
                    c, f"not run: the grading time budget ({assignment.time_budget:.0f} s) "
                       "was used up by earlier tests that had to be stopped")
            break
        if not remaining:
            break
        config = {**config, "only": [c.nodeid for c in remaining]}
    return [results[c.nodeid] for c in collected], figures, isolation


def _take_results(run: ChildRun, collected: list[_Collected], results: dict,
                  ingested: Ingested) -> None:
    """Accept a result only for a known test, once, right after that test started."""
    known = {c.nodeid for c in collected}
    running = None
    for event in run.events:
        kind, nodeid = event["event"], event.get("nodeid")
        if kind == "start":
            running = nodeid
        elif kind == "result" and nodeid == running and nodeid in known \
                and nodeid not in results:
            results[nodeid] = _test_result(_find(collected, nodeid), event, ingested)
            running = None


MAX_FIGURES, MAX_FIGURE_BYTES = 24, 2_000_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _take_figures(run: ChildRun, workdir: Path, have: int) -> list[Figure]:
    out = []
    for event in run.events:
        if event["event"] != "figure" or have + len(out) >= MAX_FIGURES:
            continue
        path = workdir / ".figures" / Path(str(event.get("file", ""))).name
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if data.startswith(PNG_MAGIC) and len(data) <= MAX_FIGURE_BYTES:
            out.append(Figure(title=str(event.get("title", ""))[:200],
                              task=str(event.get("task", ""))[:100], png=data))
    return out


def _deadline_policy(assignment: Assignment, collected: list[_Collected] | None):
    timeouts = {c.nodeid: c.timeout for c in collected or []}
    spawned = time.monotonic()

    def deadline(events: list[dict], now: float) -> tuple[float, str]:
        if not events:
            return spawned + STARTUP_TIMEOUT, "while starting the grader"
        last = events[-1]
        if last["event"] == "import_start":
            return last["t"] + assignment.import_timeout, "while importing your code"
        if last["event"] == "start":
            timeout = timeouts.get(last["nodeid"]) or _timeout_from(events, last["nodeid"])
            return last["t"] + timeout, "test"
        return last["t"] + STARTUP_TIMEOUT, "between tests"

    def _timeout_from(events, nodeid):
        for e in events:
            if e["event"] == "collected":
                for t in e["tests"]:
                    if t["nodeid"] == nodeid:
                        return t["timeout"]
        return assignment.test_timeout

    return deadline


def _collected_from(run: ChildRun) -> list[_Collected]:
    errors = [e["message"] for e in run.events if e["event"] == "suite_error"]
    if errors:
        raise GradingError("the hidden suite is broken: " + "; ".join(errors))
    for e in run.events:
        if e["event"] == "collected":
            return [_Collected(**{k: t[k] for k in _Collected.__dataclass_fields__})
                    for t in e["tests"]]
    raise GradingError(
        "the grading process ended before it collected the tests "
        f"(exit code {run.returncode}, killed: {run.killed}). Its last output:\n{run.log_tail}"
    )


def _find(collected: list[_Collected], nodeid: str) -> _Collected:
    return next(c for c in collected if c.nodeid == nodeid)


def _test_result(test: _Collected, event: dict, ingested: Ingested) -> TestResult:
    passed = event["outcome"] == "passed"
    output = "" if passed else located_message(event, ingested)
    return TestResult(name=test.name, task=test.task, score=test.points if passed else 0.0,
                      max_score=test.points, status="passed" if passed else "failed",
                      visibility=test.visibility, output=output, nodeid=test.nodeid,
                      duration=round(float(event.get("duration") or 0.0), 3))


def _failed(test: _Collected, reason: str) -> TestResult:
    return TestResult(name=test.name, task=test.task, score=0.0, max_score=test.points,
                      status="failed", visibility=test.visibility, output=reason,
                      nodeid=test.nodeid)


def _running_test(run: ChildRun, results: dict) -> str | None:
    for event in reversed(run.events):
        if event["event"] == "start":
            return event["nodeid"] if event["nodeid"] not in results else None
    return None


