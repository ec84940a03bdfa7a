"""The judge's side of the runner: start it, ask it, stop it, and the proxies tests use.

`sub.train_perceptron(X, t)` in a hidden test sends a request to the runner and
returns plain data (numbers, strings, numpy arrays, containers of them) or a
`Remote` handle for an object that stays in the runner (a Keras model, an RBM
instance). A handle forwards attribute reads, calls, indexing, `len`, iteration
and `np.asarray` the same way, so tests read as if the object were local, but no
code of the submission ever runs in the judge.

An exception raised by the submission comes back as a `StudentError` that is
also an instance of the nearest builtin exception class (`pytest.raises(ValueError)`
works), carrying where in the submission it was raised.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

from autograder.engine import protocol, sandbox
from autograder.engine.ingest import describe_line

POLL_SECONDS = 0.05
HANG_DUMP_SECONDS = 0.3
# Exceptions a submission's error may be rebuilt as in the judge (never any other class).
SAFE_BASES = {c.__name__: c for c in (
    ValueError, TypeError, IndexError, KeyError, LookupError, AttributeError, ArithmeticError,
    ZeroDivisionError, OverflowError, FloatingPointError, NotImplementedError, RuntimeError,
    RecursionError, AssertionError, ImportError, ModuleNotFoundError, OSError, PermissionError,
    FileNotFoundError, MemoryError, StopIteration, UnicodeError, NameError, UnboundLocalError,
)}


# Dunder names a handle asks the runner for (a function's name, for messages);
# any other is refused here, so that Python's and numpy's protocol probes stay local.
FORWARDED_DUNDERS = {"__name__", "__qualname__"}


class StudentError(Exception):
    """An exception the submission raised; `info` says what and where (runner's words)."""

    info: dict = {}

    def __str__(self) -> str:
        return self.info.get("message", "")


_ERROR_CLASSES: dict[str, type] = {}


def rebuild_error(info: dict) -> StudentError:
    base_name = next((b for b in info.get("bases", []) if b in SAFE_BASES), "Exception")
    cls = _ERROR_CLASSES.get(base_name)
    if cls is None:
        bases = (StudentError,) if base_name == "Exception" else (StudentError, SAFE_BASES[base_name])
        cls = type(f"Student{base_name}", bases, {"__str__": StudentError.__str__})
        _ERROR_CLASSES[base_name] = cls
    exc = cls.__new__(cls)
    Exception.__init__(exc, info.get("message", ""))
    exc.info = info
    return exc


class RunnerStopped(RuntimeError):
    """The runner had to be stopped (time, memory) or died; `reason` is for the student."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind, self.reason = kind, reason


class RemoteTensor(np.ndarray):
    """An array that was a TensorFlow tensor in the runner: `.numpy()` works as there."""

    def numpy(self) -> np.ndarray:
        return np.asarray(self).view(np.ndarray)


class Remote:
    """An object that stays in the runner. Attribute reads and calls go there."""

    __slots__ = ("_client", "_id", "_generation", "_types")

    def __init__(self, client: RunnerClient, key: int, generation: int, types: list[str]):
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "_id", key)
        object.__setattr__(self, "_generation", generation)
        object.__setattr__(self, "_types", tuple(types))

    def _ask(self, op: str, **fields):
        return self._client.request(op, _generation=self._generation, target=self._id, **fields)

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__") and name not in FORWARDED_DUNDERS:
            raise AttributeError(name)
        return self._ask("getattr", name=name)

    def __setattr__(self, name: str, value) -> None:
        self._ask("setattr", name=name, value=value)

    def __call__(self, *args, **kwargs):
        return self._ask("call", args=list(args), kwargs=kwargs)

    def __getitem__(self, key):
        return self._ask("getitem", key=key)

    def __len__(self) -> int:
        n = self._ask("len")
        if type(n) is not int or n < 0:
            raise TypeError("len() of an object from the submission is not a natural number")
        return n

    def __iter__(self):
        items = self._ask("list")
        if not isinstance(items, list):
            raise TypeError("the submission's object did not iterate to a list")
        return iter(items)

    def __array__(self, dtype=None, copy=None):
        value = self._ask("array")
        if not isinstance(value, np.ndarray):
            raise TypeError("the submission's object did not convert to an array")
        return value.astype(dtype) if dtype is not None else value

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<{type_name(self)} from the submission>"


def type_names(value) -> tuple[str, ...]:
    """Qualified class names of a value's type and its bases (a handle's, as the runner says)."""
    if isinstance(value, Remote):
        return object.__getattribute__(value, "_types")
    return tuple(f"{c.__module__}.{c.__qualname__}" for c in type(value).__mro__)


def type_name(value) -> str:
    """The short class name ("Sequential", "RBM", "ndarray") of a value or handle."""
    return type_names(value)[0].rsplit(".", 1)[-1]


def is_a(value, *class_names: str) -> bool:
    """Whether the value's class or a base has one of these short names (e.g. "Conv2D")."""
    short = {n.rsplit(".", 1)[-1] for n in type_names(value)}
    return any(name in short for name in class_names)


class Submission:
    """The student's module as tests see it: `sub.name` reads a name from the runner."""

    def __init__(self, client: RunnerClient):
        object.__setattr__(self, "_client", client)

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        client = self._client
        client.names_read.add(name)
        cached = client.module_names.get(name)
        if cached is not None and object.__getattribute__(cached, "_generation") == client.generation:
            return cached  # one request per function per runner, not one per call
        try:
            value = client.request("getattr", target=0, name=name)
        except StudentError as exc:
            if isinstance(exc, AttributeError) and exc.info.get("function") is None:
                raise MissingName(
                    f"your submission does not define `{name}` (check its spelling and that "
                    f"the cell defining it is a solution cell)") from None
            raise
        if isinstance(value, Remote) and "builtins.function" in type_names(value):
            client.module_names[name] = value
        return value

    def has(self, name: str) -> bool:
        self._client.names_read.add(name)
        return bool(self._client.request("hasattr", target=0, name=name))

    # Data-only helpers for tests (the judge never receives the objects themselves).

    def keras_model(self, model) -> Remote:
        """A copy, in the runner, of a stock Keras model built by the test."""
        return self._client.request("keras_model", target=None, config=model.to_json(),
                                    weights=[np.asarray(w) for w in model.get_weights()])

    def keras_object(self, kind: str, config) -> Remote:
        """`keras.<kind>.get(config)` made in the runner (an optimizer, a loss...)."""
        return self._client.request("keras_object", target=None, kind=kind, config=config)

    def model_data(self, model: Remote) -> dict:
        """A Keras model's JSON config and weights, as data."""
        return model._ask("model_data")

    def keep(self, value) -> Remote:
        """A copy of this data that stays in the runner: pass the handle to the student's
        function (it receives the object itself), then `np.asarray(handle)` reads it back,
        to see whether the function changed its argument in place."""
        return self._client.request("keep", target=None, value=value)

    def reseed(self, seed: int) -> None:
        """Seed random, numpy and Keras in the runner again (each test starts seeded with
        its own seed; reseed for independent tries, e.g. several fresh models)."""
        self._client.request("seed", target=None, seed=int(seed))

    def spy(self, obj: Remote, method: str) -> None:
        """From now on, record the arguments of every call of `obj.method` (also from inside)."""
        obj._ask("spy", name=method)

    def spied(self, obj: Remote, method: str) -> list:
        """[(args, kwargs), ...] of each recorded call of `obj.method`."""
        return obj._ask("spied", name=method)


class MissingName(AttributeError):
    pass


class LocalSubmission:
    """`Submission`'s interface over objects in this process: the public checks a
    student runs in their own notebook (`autograder.notebook`), where nothing is
    graded and the code checked is the student's own kernel."""

    def __init__(self, namespace):
        object.__setattr__(self, "_namespace", namespace)
        object.__setattr__(self, "_spies", {})

    def __getattr__(self, name: str):
        try:
            return getattr(self._namespace, name)
        except AttributeError:
            raise MissingName(f"your notebook does not define `{name}` yet (run the cell that "
                              "defines it)") from None

    def has(self, name: str) -> bool:
        return hasattr(self._namespace, name)

    def keras_model(self, model):
        return model

    def keras_object(self, kind: str, config):
        import keras

        return getattr(keras, kind).get(config)

    def model_data(self, model) -> dict:
        return {"config": model.to_json(), "weights": [np.asarray(w) for w in model.get_weights()]}

    def keep(self, value):
        import copy

        return copy.deepcopy(value)

    def reseed(self, seed: int) -> None:
        import random

        random.seed(seed)
        np.random.seed(seed % 2**32)
        if "keras" in sys.modules:
            sys.modules["keras"].utils.set_random_seed(seed % 2**32)

    def spy(self, obj, method: str) -> None:
        original, calls = getattr(obj, method), self._spies.setdefault((id(obj), method), [])

        def recorder(*args, **kwargs):
            calls.append((args, kwargs))
            return original(*args, **kwargs)

        setattr(obj, method, recorder)

    def spied(self, obj, method: str) -> list:
        return list(self._spies.get((id(obj), method), []))


class RunnerClient:
    """One runner at a time: started on demand, restarted after it had to be stopped."""

    def __init__(self, config: protocol.JudgeConfig, limits: sandbox.Limits, starter=None):
        self.config, self.limits = config, limits
        self.starter = starter  # autograder.engine.warm.RunnerStarter, or None: start cold
        self.proc: psutil.Popen | None = None
        self._memory: tuple[object, sandbox.TreeMemory] | None = None  # (runner, its watch)
        self.generation = 0
        self.deadline = float("inf")
        self.doing = ""  # what the runner is doing, for messages ("in test '...'")
        self.limit_seconds = 0.0  # the time it was given for that
        self._handles: dict[int, Remote] = {}
        self.module_names: dict[str, Remote] = {}  # the submission's functions, by name
        # Names of the submission the running test asked for (EVERY_NAME: its whole source);
        # `neurograde audit` grades a variant only on the tasks whose tests can reach it.
        self.names_read: set[str] = set()
        self._log = None
        self._run_root: Path | None = None
        self.import_error: StudentError | None = None
        self._pending_start = 0.0
        self.isolation: dict = {}

    # ------------------------------------------------------------ life cycle

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def launch(self) -> None:
        """Start a fresh runner and ask it to import the submission (answer: finish_start)."""
        self.stop()
        self.generation += 1
        self._handles = {}
        self.module_names = {}
        self._run_root = Path(tempfile.mkdtemp(prefix="run-", dir=self.config.runner_dir))
        lib = self._run_root / "lib"
        lib.mkdir()
        here = Path(__file__).parent
        for name in ("runner.py", "protocol.py"):
            shutil.copyfile(here / name, lib / name)
        work = self._run_root / "work"
        work.mkdir()
        self._log = tempfile.TemporaryFile(dir=self.config.runner_dir)  # noqa: SIM115
        req_r, req_w = os.pipe()
        ans_r, ans_w = os.pipe()
        self.proc = None
        if self.starter is not None and self.starter.usable:
            with contextlib.suppress(OSError):  # a lost starter: start this runner cold
                self.proc = self.starter.start_runner(
                    self._run_root, work, self.limits, self.config.hide, (req_r, ans_w),
                    self._log.fileno())
                self.isolation = sandbox.runner_isolation()
        if self.proc is None:
            self.proc, self.isolation = sandbox.spawn_runner(
                lib / "runner.py", self._run_root, work, self.limits, self.config.hide,
                fds=(req_r, ans_w), log=self._log.fileno())
        os.close(req_r)
        os.close(ans_w)
        self._req, self._ans = req_w, ans_r
        runner_config = protocol.RunnerConfig(
            source=self.config.source, module_name=self.config.module_name,
            filename=f"{self.config.module_name}.py", seed=self.config.seed,
            uses_keras=self.config.uses_keras, forbidden_modules=self.config.forbidden_modules)
        self._pending_start = time.monotonic()
        self._send("prepare", None, {"config": runner_config.__dict__})
        self._send("start", None, {})

    def finish_start(self) -> None:
        """Wait for the import launched by `launch` (StudentError if it raised)."""
        saved = self.deadline, self.doing, self.limit_seconds
        self.deadline = self._pending_start + protocol.FRAMEWORK_SECONDS
        self.doing = "while the grader started"
        self.limit_seconds = protocol.FRAMEWORK_SECONDS
        try:
            self._receive()  # prepared: the import's own limit starts now
            self.deadline = time.monotonic() + self.config.import_timeout
            self.doing = "while your code was being loaded"
            self.limit_seconds = self.config.import_timeout
            self._receive()
            self.import_error = None
        except StudentError as exc:
            self.import_error = exc
            raise
        finally:
            self.deadline, self.doing, self.limit_seconds = saved

    def stop(self) -> None:
        if self.proc is not None:
            sandbox.kill_tree(self.proc.pid)
            with contextlib.suppress(Exception):
                self.proc.wait(timeout=10)
            for fd in (self._req, self._ans):
                with contextlib.suppress(OSError):
                    os.close(fd)
            self.proc = None
        if self._run_root is not None:
            shutil.rmtree(self._run_root, ignore_errors=True)  # never follows links
            shutil.rmtree(f"{self._run_root}.root", ignore_errors=True)  # the runner's empty root
            self._run_root = None

    def log_tail(self, size: int = 16384) -> str:
        """The end of what the runner printed (read through our own descriptor)."""
        if self._log is None:
            return ""
        end = os.fstat(self._log.fileno()).st_size
        data = os.pread(self._log.fileno(), size, max(0, end - size))
        return data.decode("utf-8", "replace")

    # ------------------------------------------------------------ requests

    def request(self, op: str, *, target, _generation: int | None = None, **fields):
        if _generation is not None and _generation != self.generation:
            raise RunnerStopped("stale", "this object came from an earlier run of your code, which "
                                         "had to be stopped")
        if not self.alive:
            raise RunnerStopped("gone", "your code is not running (it was stopped earlier)")
        self._send(op, target, fields)
        return self._receive()

    def _send(self, op: str, target, fields: dict) -> None:
        arrays: list[np.ndarray] = []
        message = {"op": op}
        if target is not None:
            message["target"] = target
        raw = {"name", "kind"} | ({"config"} if op in ("prepare", "keras_model") else set())
        for name, value in fields.items():
            message[name] = value if name in raw else protocol.encode_value(
                value, arrays, self._encode_handle)
        try:
            protocol.write_frame(self._req, message, arrays)
        except BrokenPipeError:
            raise self._died() from None

    def _receive(self):
        try:
            answer, out = protocol.read_frame(self._read)
        except EOFError:
            raise self._died() from None
        except protocol.ProtocolError as exc:
            self.stop()
            raise RunnerStopped("protocol", f"your code's process sent malformed data ({exc})") from None
        if "error" in answer and isinstance(answer["error"], dict):
            raise rebuild_error(_clean_error(answer["error"]))
        if "ok" not in answer:
            self.stop()
            raise RunnerStopped("protocol", "your code's process sent an answer without a value")
        return protocol.decode_value(answer["ok"], out, self._decode_handle,
                                     lambda a: a.view(RemoteTensor))

    def _encode_handle(self, value):
        if isinstance(value, Remote):
            if object.__getattribute__(value, "_generation") != self.generation:
                raise RunnerStopped("stale", "this object came from an earlier run of your code")
            return {"$": "handle", "id": object.__getattribute__(value, "_id"), "type": []}
        raise protocol.Unsendable(f"a {type(value).__name__} cannot be sent to your code's process")

    def _decode_handle(self, node: dict) -> Remote:
        key = node["id"]
        if key not in self._handles:
            self._handles[key] = Remote(self, key, self.generation, [protocol.cut(t, 200) for t in
                                                                      node["type"][:40]] or ["?"])
        return self._handles[key]

    def _read(self, n: int) -> bytes:
        """Read from the runner, stopping it at the deadline or over the memory limit."""
        while True:
            ready, _, _ = select.select([self._ans], [], [], POLL_SECONDS)
            if ready:
                return os.read(self._ans, min(n, 1 << 20))
            if self._memory is None or self._memory[0] is not self.proc:  # a new runner
                self._memory = (self.proc, sandbox.TreeMemory(self.proc))
            rss = self._memory[1].mb()
            if rss > self.limits.memory_mb:
                raise self._stop_for("memory", rss)
            if time.monotonic() > self.deadline:
                raise self._stop_for("timeout")
            if self.proc.poll() is not None:
                raise self._died()

    def _stop_for(self, kind: str, rss: float = 0.0) -> RunnerStopped:
        # Ask for every thread's stack first, so the message can name the line.
        sandbox.signal_tree(self.proc.pid, signal.SIGUSR1,
                            include_root=getattr(self.proc, "signal_itself", False))
        time.sleep(HANG_DUMP_SECONDS)
        hang = self.log_tail()
        self.stop()
        where = ""
        location = sandbox.hang_location(hang, f"{self.config.module_name}.py")
        if location is not None:
            func, line = location
            where = (f" in `{func}`" if func != "<module>" else "") + \
                f" ({describe_line(self.config.cell_lines, line)})"
        if kind == "timeout":
            return RunnerStopped(kind, f"stopped after {self.limit_seconds:.0f} s {self.doing}{where}: "
                                       "look for an infinite loop or far too much work.")
        return RunnerStopped(kind, f"stopped {self.doing}{where}: it used more than "
                                   f"{self.limits.memory_mb:,} MB of memory (used {rss:,.0f} MB).")

    def _died(self) -> RunnerStopped:
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=5)
        code = self.proc.returncode if self.proc is not None else None
        self.stop()
        return RunnerStopped("died", sandbox.exit_reason(code, self.doing))


def _clean_error(info: dict) -> dict:
    """Keep only well-typed fields of an error answer (it comes from the runner)."""
    out = {"type": "Exception", "bases": [], "message": "", "function": None, "line": None,
           "in_submission": False}
    if isinstance(info.get("type"), str):
        out["type"] = protocol.cut(info["type"], 100)
    if isinstance(info.get("bases"), list):
        out["bases"] = [b for b in info["bases"][:20] if isinstance(b, str)]
    if isinstance(info.get("message"), str):
        out["message"] = protocol.cut(info["message"])
    if isinstance(info.get("function"), str):
        out["function"] = protocol.cut(info["function"], 100)
    if type(info.get("line")) is int:
        out["line"] = info["line"]
    out["in_submission"] = info.get("in_submission") is True
    return out
