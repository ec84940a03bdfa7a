"""The judge: runs the suite with pytest and decides each test, never running student code.

    parent --config on stdin--> judge --requests--> runner (the submission)
    parent <--events on a pipe-- judge <--data----- runner

Tests receive `sub`, a proxy whose every use is a request to the runner
(autograder.engine.remote); expected values, checks, oracles and the event channel
exist only here. The judge bounds each runner call by the running test's time
limit and the assignment's memory limit, stops and restarts the runner when it
must, and turns what happened into one event per step for the parent.
"""

from __future__ import annotations

import base64
import ctypes
import io
import os
import random
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest

from autograder.assignments import scan_with
from autograder.engine import protocol, warm
from autograder.engine.ingest import describe_line
from autograder.engine.remote import (
    MissingName,
    RunnerClient,
    RunnerStopped,
    StudentError,
    Submission,
)
from autograder.engine.sandbox import Limits

PR_SET_DUMPABLE = 4
STARTUP_SECONDS = 90.0  # judge start, collection and the first import (as the parent allows)


class Judge:
    """State of one judge process: its configuration, runner and event channel."""

    def __init__(self, config: protocol.JudgeConfig, events_fd: int, runner_starter=None):
        self.config = config
        self.events_fd = events_fd
        self.collected: dict[str, dict] = {}
        self.started = time.monotonic()
        self.stopped_tasks: dict[str, str] = {}  # task -> why its later tests do not run
        self.stops = 0  # runners stopped or dead during a test
        self.client = None if config.collect_only else RunnerClient(
            config, Limits(memory_mb=config.memory_mb,
                           cpu_seconds=int(config.time_budget * 2 + STARTUP_SECONDS)),
            runner_starter)
        self.import_failure: str | None = None

    def emit(self, kind: str, **data) -> None:
        line = protocol.event_line(kind, **data)
        view = memoryview(line)
        while view:
            view = view[os.write(self.events_fd, view):]

    # ------------------------------------------------------------ messages

    def located(self, text: str, function: str | None, line: int | None) -> str:
        if line is None:
            return text
        where = describe_line(self.config.cell_lines, line)
        return f"{text} (raised in `{function}`, {where})" if function not in (None, "<module>") \
            else f"{text} ({where})"

    def describe(self, exc: BaseException) -> dict:
        """What went wrong, in the student's terms."""
        if isinstance(exc, StudentError):
            info = exc.info
            if "NotImplementedError" in info["bases"] and info["function"]:
                message = f"`{info['function']}` is not implemented yet (it raises NotImplementedError)"
                return self._info(message, info["function"], info["line"], True)
            text = info["message"]
            message = f"{info['type']}: {text}" if text else info["type"]
            return self._info(self.located(message, info["function"], info["line"]),
                              info["function"], info["line"], info["in_submission"])
        if isinstance(exc, RunnerStopped):
            return self._info(exc.reason, None, None, True)
        if isinstance(exc, MissingName):
            return self._info(str(exc), None, None, False)
        text = _safe_str(exc)
        if isinstance(exc, AssertionError):
            return self._info(text or "a check failed", None, None, False)
        return self._info(f"{type(exc).__name__}: {text}" if text else type(exc).__name__,
                          None, None, False)

    @staticmethod
    def _info(message, function, line, in_student) -> dict:
        return {"message": protocol.cut(message, 4000), "student_function": function,
                "student_line": line, "in_student_code": bool(in_student)}


JUDGE: Judge | None = None


def _judge() -> Judge:
    assert JUDGE is not None, "the judge plugin runs only inside `autograder.engine.judge`"
    return JUDGE


def _safe_str(exc: BaseException) -> str:
    try:
        return protocol.cut(str(exc), 4000)
    except Exception:  # noqa: BLE001
        return f"<{type(exc).__name__}>"


# ---------------------------------------------------------------- collection


def _graded(item) -> dict | None:
    marker = item.get_closest_marker("graded")
    return marker.kwargs if marker else None


def _title(item) -> str:
    doc = getattr(item.function, "__doc__", None) or ""
    title = doc.strip().splitlines()[0].strip() if doc.strip() else item.name
    if getattr(item, "callspec", None) is not None:
        title = f"{title} [{item.callspec.id}]"
    return title


def pytest_configure(config):
    config.addinivalue_line("markers", "graded(points, task, visibility, timeout): test worth")


def pytest_collection_modifyitems(session, config, items):
    judge = _judge()
    cfg = judge.config
    only = set(cfg.only) if cfg.only is not None else None
    tasks = set(cfg.tasks) if cfg.tasks else None
    excluded = set(cfg.exclude_tasks or ())
    keep, described = [], []
    for item in items:
        meta = _graded(item)
        if meta is None:
            judge.emit("suite_error", message=f"{item.nodeid} has no @graded marker")
            continue
        if (tasks is not None and meta["task"] not in tasks) or meta["task"] in excluded:
            continue
        if only is not None and item.nodeid not in only:
            continue
        keep.append(item)
        default_vis = "visible" if "/public/" in str(item.path) else "after_published"
        described.append({
            "nodeid": item.nodeid, "name": _title(item), "task": meta["task"],
            "points": float(meta["points"]),
            "visibility": meta.get("visibility") or default_vis,
            "timeout": float(meta.get("timeout") or cfg.test_timeout),
        })
    items[:] = [] if cfg.collect_only else keep
    judge.collected = {t["nodeid"]: t for t in described}
    judge.emit("collected", tests=described)


def pytest_collection_finish(session):
    """Import the submission once in the runner, after the parent knows every test."""
    judge = _judge()
    if judge.config.collect_only:
        return
    judge.emit("import_start")
    try:
        judge.client.finish_start()
    except StudentError as exc:
        info = judge.describe(exc)
        judge.import_failure = ("your code raised an error when it was loaded, so no test could "
                                f"run: {info['message']}")
        judge.emit("import_error", **info)
        return
    except RunnerStopped as exc:
        judge.import_failure = exc.reason
        judge.emit("import_error", **judge.describe(exc))
        return
    judge.emit("import_done")


# ---------------------------------------------------------------- running


def test_seed(seed: int, nodeid: str) -> int:
    """Stable per test, whatever order or subset of tests runs."""
    return (seed + zlib.crc32(nodeid.encode())) % 2**31


def _not_run_reason(judge: Judge, test: dict) -> str | None:
    if judge.import_failure:
        return judge.import_failure
    if test["task"] in judge.stopped_tasks:
        return judge.stopped_tasks[test["task"]]
    # The budget bounds what hangs cost: it applies once a test had to be stopped, never
    # to a slow machine grading honest code.
    if judge.stops and \
            time.monotonic() - judge.started > judge.config.time_budget + STARTUP_SECONDS:
        return (f"not run: the grading time budget ({judge.config.time_budget:.0f} s) was used "
                "up by earlier tests that had to be stopped")
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    judge = _judge()
    test = judge.collected[item.nodeid]
    reason = _not_run_reason(judge, test)
    judge.emit("start", nodeid=item.nodeid)
    if reason is not None:
        judge.emit("result", nodeid=item.nodeid, outcome="failed", duration=0.0,
                   **Judge._info(reason, None, None, False))
        return True
    client = judge.client
    client.deadline = time.monotonic() + test["timeout"]
    client.doing = f"in test '{test['name']}'"
    client.limit_seconds = test["timeout"]
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    judge = _judge()
    seed = test_seed(judge.config.seed, item.nodeid)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    client = judge.client
    client.module_names = {}  # each test reads the submission's names afresh
    client.names_read = set()
    if not client.alive:  # stopped by an earlier test: a fresh runner for this one
        client.launch()
        client.finish_start()  # under its own start and import limits
        # The test's own time starts once its runner is ready: a restart on a busy
        # machine must not eat into it.
        client.deadline = time.monotonic() + judge.collected[item.nodeid]["timeout"]
    client.request("seed", target=None, seed=seed)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    judge = _judge()
    if call.when == "teardown" or (call.when == "setup" and report.passed):
        return
    reads = protocol.reads_field(judge.client.names_read)
    if report.passed:
        judge.emit("result", nodeid=item.nodeid, outcome="passed", duration=call.duration,
                   reads=reads)
        return
    if report.skipped:
        reason = call.excinfo.value if call.excinfo else "skipped"
        judge.emit("result", nodeid=item.nodeid, outcome="failed", duration=call.duration,
                   reads=reads, **Judge._info(f"test skipped: {reason}", None, None, False))
        return
    exc = call.excinfo.value if call.excinfo else RuntimeError("failed")
    info = judge.describe(exc)
    if isinstance(exc, RunnerStopped):
        judge.stops += 1
    if isinstance(exc, RunnerStopped) and exc.kind == "timeout":
        task = judge.collected[item.nodeid]["task"]
        judge.stopped_tasks[task] = (f"not run: an earlier test of `{task}` had to be stopped "
                                     f"({info['message']})")
    judge.emit("result", nodeid=item.nodeid, outcome="failed", duration=call.duration,
               reads=reads, **info)


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def sub():
    """The submission, as a proxy to the runner."""
    judge = _judge()
    return Submission(judge.client)


@pytest.fixture
def submission_source() -> str:
    """The submission as one Python module's text (what the runner imported)."""
    judge = _judge()
    judge.client.names_read.add(protocol.EVERY_NAME)
    return judge.config.source


@pytest.fixture
def submission_scan():
    """What the assignment's `source_scan` (meta.toml) finds in the submission's text: a
    test that needs only this does not count as reading the whole source."""
    judge = _judge()
    judge.client.names_read.add(protocol.SCAN_READ)
    return scan_with(judge.config.source_scan, judge.config.source)


@pytest.fixture
def seed(request) -> int:
    """The test's own seed (the same on every regrade)."""
    return test_seed(_judge().config.seed, request.node.nodeid)


MAX_FIGURE_BYTES = 2_000_000


class FigureSink:
    """Pictures of the student's own work for the feedback page (sent inline as PNG)."""

    def __init__(self, nodeid: str, task: str):
        self._nodeid, self._task = nodeid, task

    def add(self, fig, title: str) -> None:
        """Send a matplotlib figure (then close it) under `title`."""
        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
        plt.close(fig)
        data = buffer.getvalue()
        if len(data) <= MAX_FIGURE_BYTES:
            _judge().emit("figure", nodeid=self._nodeid, title=title[:200], task=self._task,
                          png=base64.b64encode(data).decode())


@pytest.fixture
def figures(request) -> FigureSink:
    """`figures.add(fig, title)` attaches a picture to this test's task in the feedback."""
    marker = _graded(request.node) or {}
    return FigureSink(request.node.nodeid, marker.get("task", ""))


@pytest.fixture
def data_dir() -> Path:
    return Path(_judge().config.suite_dir) / "data"


# ---------------------------------------------------------------- entry point


def _frameworks(uses_keras: bool) -> None:
    if uses_keras:
        import keras  # noqa: F401  (suites build reference models and oracles)
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
        tf.get_logger().setLevel("ERROR")


def main(events_fd: int, warm_runners: bool = False) -> None:
    global JUDGE
    # Nothing may read this process's memory or attach to it (the runner is in
    # another PID namespace as well, where the machine allows).
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    runner_starter = None
    if warm_runners:  # the copy runners are forked from: made before the configuration is read
        _frameworks(True)
        runner_starter = warm.RunnerStarter.fork()
    config = protocol.JudgeConfig.from_json(sys.stdin.read())
    JUDGE = judge = Judge(config, events_fd, runner_starter)
    if judge.client is not None:
        judge.client.launch()  # the runner imports while pytest collects
    judge.emit("isolation", runner=judge.client.isolation if judge.client else {},
               judge={"separate_process": True, "non_dumpable": True})
    _frameworks(config.uses_keras and not config.collect_only)
    workdir = os.getcwd()
    Path(workdir, "pytest.ini").write_text("[pytest]\n")
    # Only the judge's own plugin: whatever else is installed on this machine
    # (hypothesis, benchmark, anyio...) would cost start-up time and could change
    # how tests run.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    args = [
        *config.test_paths,
        "-p", "autograder.engine.judge",
        "-p", "no:cacheprovider",
        "-p", "no:randomly",
        "--assert=plain",  # failure messages come from the tests' own words
        # The judge words every failure itself (Judge.describe): pytest's own report of a
        # failure parses the source of each frame, about 70 ms a failed test, and its
        # unraisable-exception plugin runs a full garbage collection of this large
        # process at the end; neither is read.
        "--tb=native",
        "-p", "no:unraisableexception", "-p", "no:threadexception",
        "-q", "--no-header", "--disable-warnings",
        "--rootdir", workdir, "-c", os.path.join(workdir, "pytest.ini"),
        "--import-mode=importlib",
        "-o", "console_output_style=classic",
    ]
    code = pytest.main(args)
    if judge.client is not None:
        judge.client.stop()
    sys.stdout.flush()
    os._exit(int(code))  # skip interpreter teardown: TensorFlow can hang in it
