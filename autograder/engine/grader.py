"""Grade one submission: the engine every front door calls.

    ingest -> judge process (pytest + hidden suite) -> runner process (the submission)
           <- events, validated here                 <- data only

This is the parent: it starts the judge (autograder.engine.judge) with its
configuration on stdin, reads its events through protocol.parse_event, bounds its
time and memory, and writes the result from what it observed. It reads no file a
child can write. If the judge dies in the middle of a test, that test scores 0
with the reason and a fresh judge runs the tests that had not run yet.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.machinery
import importlib.util
import os
import platform
import tempfile
import time
from importlib import metadata
from pathlib import Path

import autograder
from autograder import __version__
from autograder.assignments import REPO_ROOT, Assignment, get_assignment
from autograder.engine import warm
from autograder.engine.collection import Collected, collect_tests, not_graded, suite_digest
from autograder.engine.explain import summary, withhold_secrets
from autograder.engine.ingest import Ingested, SubmissionError, ingest
from autograder.engine.protocol import FRAMEWORK_SECONDS, JudgeConfig
from autograder.engine.sandbox import ChildRun, Limits, run_judge
from autograder.errors import NeurogradeError
from autograder.result import Figure, Result, TestResult

DEFAULT_SEED = 20261124
STARTUP_TIMEOUT = 90.0  # judge start: interpreter, TensorFlow, pytest collection
GRACE = 15.0  # on top of a test's own limit: the judge stops the runner, then reports


class GradingError(NeurogradeError, RuntimeError):
    """The grader itself could not run (a broken suite, not a broken submission)."""

    exit_code, label = 1, "internal error"


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
        config = judge_config(assignment, ingested, public_only, seed)
        config.tasks, config.exclude_tasks = tasks, exclude_tasks
        tests, figures, isolation = _run_all(config, assignment)
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
            "suite_sha256": suite_digest(assignment),
            "warnings": ingested.warnings,
            "public_only": public_only,
            "isolation": isolation,
        },
    )
    withhold_secrets(result, assignment)
    result.output = summary(result, ingested)
    return result


def failed_result(path: Path, assignment: Assignment, reason: str) -> Result:
    """The record of a submission the grader itself could not grade: every test 0, the reason."""
    try:
        tests = collect_tests(assignment)
    except Exception:  # noqa: BLE001  (the suite itself is broken: no test list to show)
        tests = []
    for t in tests:
        t.output = f"not graded: the grader failed on this submission ({reason})"
    return Result(assignment=assignment.id, tests=tests, error=f"the grader failed: {reason}",
                  output=f"The grader failed on this submission: {reason}",
                  extra_data={"submission": path.name, "grader_version": __version__,
                              "submission_sha256": sha256_of(path) if path.is_file() else None})


def hidden_from_runner(forbidden_modules: tuple[str, ...] = ()) -> list[str]:
    """What no runner may see: the engine with every suite, a source checkout's
    solutions, tests and benchmarks, and the files of the assignment's forbidden
    modules (so no program the submission starts can import them either)."""
    hide = [str(Path(autograder.__file__).resolve().parent)]
    if (REPO_ROOT / "pyproject.toml").is_file():
        hide.append(str(REPO_ROOT))
    for name in forbidden_modules:
        hide += module_files(name)
    return hide


def module_files(name: str) -> list[str]:
    """The files an import of top-level module `name` would read: its source or
    extension, its compiled caches, or its package folder ([] if not installed)."""
    spec = importlib.machinery.PathFinder.find_spec(name)
    if spec is None or not spec.origin or not os.path.isabs(spec.origin):
        return []  # built into the interpreter, or absent
    if spec.submodule_search_locations:
        return [os.path.realpath(p) for p in spec.submodule_search_locations]
    files = [spec.origin]
    if spec.origin.endswith(".py"):
        folder = Path(importlib.util.cache_from_source(spec.origin)).parent
        files += [str(p) for p in folder.glob(f"{name}.*.pyc")]
    return [os.path.realpath(f) for f in files]


def judge_config(assignment: Assignment, ingested: Ingested, public_only: bool, seed: int,
                 collect_only: bool = False) -> JudgeConfig:
    test_paths = [str(assignment.public_dir.resolve())]
    if not public_only and assignment.hidden_dir.is_dir():
        test_paths.append(str(assignment.hidden_dir.resolve()))
    return JudgeConfig(
        assignment=assignment.id, suite_dir=str(assignment.suite_dir.resolve()), test_paths=test_paths,
        source=ingested.source, module_name=f"{assignment.id}_submission", seed=seed,
        test_timeout=assignment.test_timeout, import_timeout=assignment.import_timeout,
        time_budget=assignment.time_budget, memory_mb=assignment.memory_mb,
        uses_keras=assignment.uses_keras, runner_dir="",
        hide=hidden_from_runner(assignment.forbidden_modules),
        forbidden_modules=list(assignment.forbidden_modules),
        source_scan=assignment.source_scan,
        cell_lines=[list(c) for c in ingested.cell_lines], collect_only=collect_only)


def judge_collection(assignment: Assignment, public_only: bool) -> list[Collected]:
    """Start a judge that only collects the suite (no student code runs)."""
    config = judge_config(assignment, Ingested(source="", kind="empty"), public_only,
                          DEFAULT_SEED, collect_only=True)
    with _judge_dirs(config) as workdir:
        run = run_judge(config.to_json(), workdir, Limits(memory_mb=assignment.memory_mb),
                        _deadline_policy(assignment, None))
    return _collected_from(run)


class _judge_dirs:
    """The judge's working folder and, beside it, the folder its runners are made in."""

    def __init__(self, config: JudgeConfig):
        self.config = config

    def __enter__(self) -> Path:
        self._judge = tempfile.TemporaryDirectory(prefix="neurograde-judge-")
        self._runs = tempfile.TemporaryDirectory(prefix="neurograde-runs-")
        self.config.runner_dir = self._runs.name
        return Path(self._judge.name)

    def __exit__(self, *exc) -> None:
        self._runs.cleanup()
        self._judge.cleanup()


def _resolve(assignment, ingested: Ingested, path: Path) -> Assignment:
    if isinstance(assignment, Assignment):
        return assignment
    name = assignment or ingested.assignment_hint
    if not name:
        raise SubmissionError(
            f"Cannot tell which assignment {path.name} is for: pass --assignment ID."
        )
    return get_assignment(name)


def _run_all(config: JudgeConfig, assignment: Assignment
             ) -> tuple[list[TestResult], list[Figure], dict]:
    limits = Limits(memory_mb=assignment.memory_mb,
                    cpu_seconds=int(assignment.time_budget * 2 + STARTUP_TIMEOUT))
    collected: list[Collected] | None = None
    results: dict[str, TestResult] = {}
    figures: list[Figure] = []
    isolation: dict = {}
    while True:
        with _judge_dirs(config) as workdir:
            run = run_judge(config.to_json(), workdir, limits, _deadline_policy(assignment, collected),
                            starter=warm.starter_for(config.uses_keras),
                            warm_runners=warm.warm_runners(config))
        isolation = isolation or next(
            ({"runner": e["runner"], "judge": e["judge"]} for e in run.events
             if e["event"] == "isolation"), {})
        if collected is None:
            collected = _collected_from(run)
        _take_results(run, collected, results)
        figures += _take_figures(run, len(figures))
        remaining = [c for c in collected if c.nodeid not in results]
        if not remaining:
            break
        culprit = _running_test(run, results)
        if culprit is not None:
            results[culprit] = not_graded(_find(collected, culprit), _judge_failure(run))
        elif not any(e["event"] == "start" for e in run.events):
            # The judge stopped before running any test: nothing to retry.
            for c in remaining:
                results[c.nodeid] = not_graded(c, _judge_failure(run))
            break
        remaining = [c for c in collected if c.nodeid not in results]
        if not remaining:
            break
        config.only = [c.nodeid for c in remaining]
    return [results[c.nodeid] for c in collected], figures, isolation


def _judge_failure(run: ChildRun) -> str:
    what = {"timeout": f"ran past its time limit ({run.killed_detail})",
            "memory": f"ran out of memory ({run.killed_detail})",
            "protocol": f"sent malformed events ({run.killed_detail})"}.get(
        run.killed or "", f"stopped unexpectedly (exit code {run.returncode})")
    return f"not graded: the grader {what} during this test; the other tests were graded"


def _take_results(run: ChildRun, collected: list[Collected], results: dict) -> None:
    """Accept a result only for a known test, once, right after that test started."""
    known = {c.nodeid for c in collected}
    running = None
    for event in run.events:
        kind, nodeid = event["event"], event.get("nodeid")
        if kind == "start":
            running = nodeid
        elif kind == "result" and nodeid == running and nodeid in known \
                and nodeid not in results:
            results[nodeid] = _test_result(_find(collected, nodeid), event)
            running = None


MAX_FIGURES = 24
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _take_figures(run: ChildRun, have: int) -> list[Figure]:
    out = []
    for event in run.events:
        if event["event"] != "figure" or have + len(out) >= MAX_FIGURES:
            continue
        try:
            data = base64.b64decode(event["png"], validate=True)
        except ValueError:
            continue
        if data.startswith(PNG_MAGIC):
            out.append(Figure(title=event["title"][:200], task=event["task"][:100], png=data))
    return out


def _deadline_policy(assignment: Assignment, collected: list[Collected] | None):
    """When the judge must have said something next, or be stopped (its own bugs only:
    the judge itself stops the runner at each test's limit)."""
    timeouts = {c.nodeid: c.timeout for c in collected or []}
    spawned = time.monotonic()

    def deadline(events: list[dict], now: float) -> tuple[float, str]:
        if not events:
            return spawned + STARTUP_TIMEOUT, "while starting the grader"
        last = events[-1]
        if last["event"] == "import_start":
            return last["t"] + FRAMEWORK_SECONDS + assignment.import_timeout + GRACE, \
                "while importing your code"
        if last["event"] == "start":
            timeout = timeouts.get(last["nodeid"]) or _timeout_from(events, last["nodeid"])
            # A test may first restart the runner (frameworks, the import), then run.
            restart = FRAMEWORK_SECONDS + assignment.import_timeout
            return last["t"] + timeout + restart + GRACE, "test"
        return last["t"] + STARTUP_TIMEOUT, "between tests"

    def _timeout_from(events, nodeid):
        for e in events:
            if e["event"] == "collected":
                for t in e["tests"]:
                    if t["nodeid"] == nodeid:
                        return t["timeout"]
        return assignment.test_timeout

    return deadline


def _collected_from(run: ChildRun) -> list[Collected]:
    errors = [e["message"] for e in run.events if e["event"] == "suite_error"]
    if errors:
        raise GradingError("the hidden suite is broken: " + "; ".join(errors))
    for e in run.events:
        if e["event"] == "collected":
            return [Collected(**{k: t[k] for k in Collected.__dataclass_fields__})
                    for t in e["tests"]]
    raise GradingError(
        "the grading process ended before it collected the tests "
        f"(exit code {run.returncode}, killed: {run.killed}). Its last output:\n{run.log_tail}"
    )


def _find(collected: list[Collected], nodeid: str) -> Collected:
    return next(c for c in collected if c.nodeid == nodeid)


def _test_result(test: Collected, event: dict) -> TestResult:
    passed = event["outcome"] == "passed"
    output = "" if passed else event.get("message") or "failed"
    return TestResult(name=test.name, task=test.task, score=test.points if passed else 0.0,
                      max_score=test.points, status="passed" if passed else "failed",
                      visibility=test.visibility, output=output, nodeid=test.nodeid,
                      duration=round(float(event.get("duration") or 0.0), 3),
                      reads=tuple(event.get("reads", ())))


def _running_test(run: ChildRun, results: dict) -> str | None:
    for event in reversed(run.events):
        if event["event"] == "start":
            return event["nodeid"] if event["nodeid"] not in results else None
    return None


