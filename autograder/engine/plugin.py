"""pytest plugin loaded inside the grading child (see autograder.engine.harness).

It filters the suite to the tests the parent asked for, reports the collected
tests (points, task, visibility) before any student code is loaded, imports the
submission once, seeds every test the same way on every run, and streams one
event per step to the parent. Failure messages are built from the exception and
the student's own frames, never from the test's source.
"""

from __future__ import annotations

import faulthandler
import importlib.util
import json
import os
import random
import sys
import traceback
import zlib
from pathlib import Path

import numpy as np
import pytest

from autograder.engine import guard

_CONFIG: dict = {}
_STATE: dict = {"module": None, "import_error": None, "tb_file": None, "collected": []}


def _config() -> dict:
    if not _CONFIG:
        with open(os.environ["NEUROGRADE_CONFIG"]) as fh:
            _CONFIG.update(json.load(fh))
    return _CONFIG


def emit(kind: str, **data) -> None:
    line = json.dumps({"event": kind, **data}, default=str) + "\n"
    os.write(_config()["events_fd"], line.encode())


# ---------------------------------------------------------------- collection


def _graded_marker(item):
    marker = item.get_closest_marker("graded")
    return marker.kwargs if marker else None


def _test_title(item) -> str:
    doc = getattr(item.function, "__doc__", None) or ""
    title = doc.strip().splitlines()[0].strip() if doc.strip() else item.name
    if getattr(item, "callspec", None) is not None:
        title = f"{title} [{item.callspec.id}]"
    return title


def pytest_configure(config):
    config.addinivalue_line("markers", "graded(points, task, visibility, timeout): test worth")


def pytest_collection_modifyitems(session, config, items):
    cfg = _config()
    only = set(cfg["only"]) if cfg.get("only") is not None else None
    tasks = set(cfg["tasks"]) if cfg.get("tasks") else None
    excluded = set(cfg.get("exclude_tasks") or ())
    keep, described = [], []
    for item in items:
        meta = _graded_marker(item)
        if meta is None:
            emit("suite_error", message=f"{item.nodeid} has no @graded marker")
            continue
        if (tasks is not None and meta["task"] not in tasks) or meta["task"] in excluded:
            continue
        if only is not None and item.nodeid not in only:
            continue
        keep.append(item)
        default_vis = "visible" if "/public/" in str(item.path) else "after_published"
        described.append({
            "nodeid": item.nodeid,
            "name": _test_title(item),
            "task": meta["task"],
            "points": float(meta["points"]),
            "visibility": meta.get("visibility") or default_vis,
            "timeout": meta.get("timeout") or cfg["test_timeout"],
        })
    items[:] = [] if cfg.get("collect_only") else keep
    _STATE["collected"] = described
    emit("collected", tests=described)


def pytest_collection_finish(session):
    """Import the submission once, after the parent knows every test."""
    cfg = _config()
    if cfg.get("collect_only"):
        return
    _STATE["guard"] = guard.snapshot()
    emit("import_start")
    try:
        spec = importlib.util.spec_from_file_location(cfg["module_name"], cfg["module_path"])
        module = importlib.util.module_from_spec(spec)
        sys.modules[cfg["module_name"]] = module
        _seed(cfg["seed"])
        spec.loader.exec_module(module)
        _STATE["module"] = module
        if _tampered(session):
            return
        emit("import_done")
    except BaseException as exc:  # noqa: BLE001  (student code may raise anything)
        _STATE["import_error"] = exc
        emit("import_error", **_describe(exc, exc.__traceback__))
        session.items[:] = []  # nothing can pass; the parent reports the import error


# ---------------------------------------------------------------- running


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(seed % 2**32)


def _test_seed(nodeid: str) -> int:
    # Stable per test, whatever order or subset of tests runs.
    return (_config()["seed"] + zlib.crc32(nodeid.encode())) % 2**31


def pytest_keyboard_interrupt(excinfo):
    """Student code raised KeyboardInterrupt: pytest stops; say so for the running test."""
    if _STATE.get("running"):
        emit("result", nodeid=_STATE["running"], outcome="failed",
             message="your code raised KeyboardInterrupt, which stops the test run")


def pytest_runtest_logstart(nodeid, location):
    _STATE["started"] = True
    _STATE["running"] = nodeid
    emit("start", nodeid=nodeid)
    timeout = next((t["timeout"] for t in _STATE["collected"] if t["nodeid"] == nodeid), None)
    if timeout:
        # If the test hangs, this dumps every thread's stack shortly before the parent
        # kills the process, so the feedback can name the student function that hung.
        if _STATE["tb_file"] is not None:
            _STATE["tb_file"].close()  # the previous test's dump file (one open at a time)
        fh = open(_config()["traceback_file"], "w")  # noqa: SIM115
        _STATE["tb_file"] = fh
        faulthandler.dump_traceback_later(max(timeout - 0.3, 0.1), repeat=False, file=fh)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _seed(_test_seed(item.nodeid))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.when == "teardown":
        faulthandler.cancel_dump_traceback_later()
        return
    if call.when == "setup" and report.passed:
        return
    if call.when == "call" and _tampered(item.session):
        emit("result", nodeid=item.nodeid, outcome="failed", duration=call.duration,
             message=TAMPER_MESSAGE)
        return
    if report.passed:
        emit("result", nodeid=item.nodeid, outcome="passed", duration=call.duration)
        return
    if report.skipped:
        reason = call.excinfo.value if call.excinfo else "skipped"
        emit("result", nodeid=item.nodeid, outcome="failed", duration=call.duration,
             message=f"test skipped: {reason}")
        return
    info = _describe(call.excinfo.value, call.excinfo.tb) if call.excinfo else {}
    emit("result", nodeid=item.nodeid, outcome="failed", duration=call.duration, **info)


TAMPER_MESSAGE = ("your code changed functions the grader relies on (numpy, math, builtins, "
                  "pytest or the grader itself), so this test and every later one score 0")


def _tampered(session) -> bool:
    names = guard.changed(_STATE["guard"]) if "guard" in _STATE else []
    if names:
        emit("tampered", names=names[:20])
        session.shouldstop = "the submission changed the grader's tools"
        session.items[:] = [] if not _STATE.get("started") else session.items
    return bool(names)


def _describe(exc: BaseException, tb) -> dict:
    """Say what went wrong in the student's terms: message, function, line."""
    student_path = os.path.realpath(_config()["module_path"])
    frames = traceback.extract_tb(tb)
    student_frames = [f for f in frames if os.path.realpath(f.filename) == student_path]
    where = student_frames[-1] if student_frames else None
    in_student = where is not None and frames[-1] is where
    text = _safe_str(exc)
    if isinstance(exc, AssertionError) and not in_student:
        message = text or "a check failed"
    elif isinstance(exc, NotImplementedError) and where is not None:
        message = f"`{where.name}` is not implemented yet (it raises NotImplementedError)"
    elif isinstance(exc, MissingName):
        message = text
    else:
        message = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return {
        "message": message,
        "student_function": where.name if where else None,
        "student_line": where.lineno if where else None,
        "in_student_code": where is not None,
    }


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)[:2000]
    except Exception:  # noqa: BLE001  (a hostile __str__)
        return f"<{type(exc).__name__} whose message could not be printed>"


# ---------------------------------------------------------------- fixtures


class MissingName(AttributeError):
    pass


class Submission:
    """The student's module as tests see it: a missing name fails with a clear message."""

    def __init__(self, module, label: str):
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_label", label)

    def __getattr__(self, name):
        try:
            return getattr(self._module, name)
        except AttributeError:
            raise MissingName(
                f"your submission does not define `{name}` (check its spelling and that "
                f"the cell defining it is a solution cell)"
            ) from None

    def has(self, name: str) -> bool:
        return hasattr(self._module, name)


@pytest.fixture
def sub():
    """The imported submission."""
    if _STATE["import_error"] is not None:
        exc = _STATE["import_error"]
        pytest.fail(f"your code could not be imported: {type(exc).__name__}: {_safe_str(exc)}",
                    pytrace=False)
    return Submission(_STATE["module"], _config()["module_name"])


@pytest.fixture
def submission_source() -> str:
    """The submission as one Python module's text (what was imported)."""
    return Path(_config()["module_path"]).read_text()


@pytest.fixture
def seed(request) -> int:
    """The test's own seed (the same on every regrade)."""
    return _test_seed(request.node.nodeid)


class FigureSink:
    """Pictures of the student's own work for the feedback page."""

    def __init__(self, nodeid: str, task: str):
        self._nodeid, self._task = nodeid, task

    def add(self, fig, title: str) -> None:
        """Save a matplotlib figure (then close it) under `title`."""
        import matplotlib.pyplot as plt

        folder = Path(_config()["workdir"]) / ".figures"
        folder.mkdir(exist_ok=True)
        path = folder / f"{len(list(folder.iterdir())):03d}.png"
        fig.savefig(path, dpi=80, bbox_inches="tight")
        plt.close(fig)
        emit("figure", nodeid=self._nodeid, file=path.name, title=title, task=self._task)


@pytest.fixture
def figures(request) -> FigureSink:
    """`figures.add(fig, title)` attaches a picture to this test's task in the feedback."""
    marker = _graded_marker(request.node) or {}
    return FigureSink(request.node.nodeid, marker.get("task", ""))


@pytest.fixture
def data_dir() -> Path:
    return Path(_config()["suite_dir"]) / "data"
