"""The runner: the only process that executes a submission's code.

    python -I runner.py REQUEST_FD ANSWER_FD

It is started by the judge in the full sandbox (autograder.engine.sandbox) and
sees neither the hidden suites, nor solutions/, nor the rest of the engine: it
is copied, with protocol.py, into a fresh directory and loads protocol.py by path.
For a Keras assignment it is forked instead, from a copy of the judge made before
the judge read anything of the grading (autograder.engine.warm), and enters the
same sandbox before it runs `run`.
It imports the submission when asked and then only answers requests: get an
attribute, call a function, index, convert to an array, with plain data
(JSON and numpy arrays) or a handle to an object that stays here. It never
decides anything: the judge treats every answer as untrusted data.
"""

from __future__ import annotations

import faulthandler
import gc
import importlib.util
import linecache
import os
import random
import signal
import sys
import types
from pathlib import Path


def _load_protocol():
    spec = importlib.util.spec_from_file_location("neurograde_protocol", Path(__file__).with_name(
        "protocol.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


protocol = _load_protocol()
import numpy as np  # noqa: E402  (after the protocol, which needs it too)


class _SourceLoader:
    """The submission's source for linecache and inspect (its module has no file here)."""

    def __init__(self, source: str):
        self.source = source

    def get_source(self, name: str) -> str:
        return self.source


class Runner:
    def __init__(self):
        self.objects: dict[int, object] = {}
        self.keys: dict[int, int] = {}  # id(obj) -> handle: one object, one handle
        self.module: types.ModuleType | None = None
        self.filename = "<submission>"
        self.spies: dict[tuple[int, str], list] = {}
        self.config: protocol.RunnerConfig | None = None

    # ------------------------------------------------------------ values

    def handle(self, obj) -> dict:
        key = self.keys.get(id(obj))
        if key is None:  # the object stays referenced here, so its id is never reused
            key = self.keys[id(obj)] = len(self.objects) + 1
            self.objects[key] = obj
        names = [f"{c.__module__}.{c.__qualname__}" for c in type(obj).__mro__][:40]
        return {"$": "handle", "id": key, "type": names}

    def encode(self, value, arrays: list):
        return protocol.encode_value(value, arrays, self._encode_other)

    def _encode_other(self, obj):
        if type(obj) is _Kept:
            return self.handle(obj.value)
        tensor = _eager_tensor_value(obj)
        if tensor is not None:
            return {"$": "nd", "i": self._push(tensor), "tensor": True}
        return self.handle(obj)

    _arrays: list

    def _push(self, array) -> int:
        self._arrays.append(array)
        return len(self._arrays) - 1

    def decode(self, node, arrays):
        def handle(n):
            if n["id"] not in self.objects:
                raise protocol.ProtocolError("unknown handle")
            return self.objects[n["id"]]

        return protocol.decode_value(node, arrays, handle)

    def target(self, key):
        if key == 0:
            return self.module
        if key not in self.objects:
            raise protocol.ProtocolError("unknown handle")
        return self.objects[key]

    # ------------------------------------------------------------ requests

    def answer(self, request: dict, arrays: list) -> tuple[dict, list]:
        out: list = []
        self._arrays = out
        try:
            value = getattr(self, "op_" + request["op"])(request, arrays)
            return {"ok": self.encode(value, out)}, out
        except BaseException as exc:  # noqa: BLE001  (student code may raise anything)
            out.clear()
            return {"error": self.describe(exc)}, out

    def op_prepare(self, request, arrays):
        """Everything before the submission: policies, frameworks, seeds."""
        config = self.config = protocol.RunnerConfig(**request["config"])
        self.filename = config.filename
        _forbid(config.forbidden_modules)
        if config.uses_keras:
            import keras  # noqa: F401  (loaded and seeded before the submission)
            import tensorflow as tf

            tf.config.experimental.enable_op_determinism()
            tf.get_logger().setLevel("ERROR")
        _stub_notebook_checker()
        _seed(config.seed)

    def op_start(self, request, arrays):
        """Import the submission."""
        config = self.config
        module = types.ModuleType(config.module_name)
        module.__file__ = config.filename
        # The source has no file here: a loader that serves it (PEP 302 get_source) and a
        # linecache entry let inspect.getsource work, so that tf.function's AutoGraph can
        # convert the submission's loops over tf.range and its `if`s on tensors.
        module.__loader__ = _SourceLoader(config.source)
        linecache.cache[config.filename] = (len(config.source), None,
                                            config.source.splitlines(True), config.filename)
        sys.modules[config.module_name] = module
        self.module = module
        exec(compile(config.source, config.filename, "exec"), module.__dict__)

    def op_seed(self, request, arrays):
        _seed(int(request["seed"]))

    def op_getattr(self, request, arrays):
        return getattr(self.target(request["target"]), str(request["name"]))

    def op_hasattr(self, request, arrays):
        return hasattr(self.target(request["target"]), str(request["name"]))

    def op_setattr(self, request, arrays):
        setattr(self.target(request["target"]), str(request["name"]), self.decode(request["value"], arrays))

    def op_call(self, request, arrays):
        args = self.decode(request["args"], arrays)
        kwargs = self.decode(request["kwargs"], arrays)
        return self.target(request["target"])(*args, **kwargs)

    def op_getitem(self, request, arrays):
        return self.target(request["target"])[self.decode(request["key"], arrays)]

    def op_len(self, request, arrays):
        return len(self.target(request["target"]))

    def op_list(self, request, arrays):
        return list(self.target(request["target"]))

    def op_array(self, request, arrays):
        value = self.target(request["target"])
        return np.array(value.numpy() if hasattr(value, "numpy") else value)

    def op_keras_model(self, request, arrays):
        import keras

        model = keras.models.model_from_json(request["config"])
        model.set_weights(self.decode(request["weights"], arrays))
        return model

    def op_keras_object(self, request, arrays):
        import keras

        kind = str(request["kind"])
        if kind not in ("optimizers", "losses", "metrics", "activations", "initializers"):
            raise ValueError(f"cannot make a keras.{kind} object")
        return getattr(keras, kind).get(self.decode(request["config"], arrays))

    def op_model_data(self, request, arrays):
        model = self.target(request["target"])
        return {"config": model.to_json(), "weights": [np.asarray(w) for w in model.get_weights()]}

    def op_keep(self, request, arrays):
        return _Kept(self.decode(request["value"], arrays))

    def op_spy(self, request, arrays):
        obj, name = self.target(request["target"]), str(request["name"])
        method = getattr(obj, name)
        calls = self.spies.setdefault((request["target"], name), [])

        def recorder(*args, **kwargs):
            calls.append((tuple(_copy(a) for a in args), {k: _copy(v) for k, v in kwargs.items()}))
            return method(*args, **kwargs)

        setattr(obj, name, recorder)

    def op_spied(self, request, arrays):
        return list(self.spies.get((request["target"], str(request["name"])), []))

    # ------------------------------------------------------------ errors

    def describe(self, exc: BaseException) -> dict:
        frames, tb = [], exc.__traceback__
        while tb is not None:
            frames.append((tb.tb_frame.f_code.co_filename, tb.tb_frame.f_code.co_name, tb.tb_lineno))
            tb = tb.tb_next
        ours = [f for f in frames if f[0] == self.filename]
        where = ours[-1] if ours else None
        try:
            message = str(exc)
        except BaseException:  # noqa: BLE001  (a hostile __str__)
            message = f"<{type(exc).__name__} whose message could not be printed>"
        return {
            "type": protocol.cut(type(exc).__qualname__, 100),
            "bases": [c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins"][:20],
            "message": protocol.cut(message),
            "function": protocol.cut(where[1], 100) if where else None,
            "line": where[2] if where else None,
            "in_submission": bool(where) and frames[-1] is where,
        }


class _Kept:
    """A value to answer with a handle even when it is data (op_keep)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class _Checker:
    """Stands in for autograder.notebook.Checker, which the notebooks' setup cell makes:
    its check cells are never part of the graded code, so here it does nothing."""

    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _stub_notebook_checker() -> None:
    package = types.ModuleType("autograder")
    package.__path__ = []
    notebook = types.ModuleType("autograder.notebook")
    notebook.Checker = _Checker
    package.notebook = notebook
    sys.modules.update({"autograder": package, "autograder.notebook": notebook})


def _eager_tensor_value(obj):
    """The array of a TensorFlow eager tensor (what a Keras model call returns), else None."""
    module = type(obj).__module__ or ""
    if module.startswith("tensorflow") and hasattr(obj, "numpy") and hasattr(obj, "dtype") \
            and "EagerTensor" in type(obj).__name__:
        value = np.asarray(obj.numpy())
        return value if value.dtype.kind in protocol.ALLOWED_DTYPE_KINDS else None
    return None


def _copy(value):
    return value.copy() if isinstance(value, np.ndarray) else value


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(seed % 2**32)


def _forbid(names: list[str]) -> None:
    """Make modules unimportable for the rest of this process (an audit hook cannot be removed)."""
    if not names:
        return
    banned = set(names)
    # Loaded already (pathlib -> urllib.parse -> ipaddress): forget them, and every
    # reference another module holds, so that not even gc can find them again.
    loaded = {id(sys.modules.pop(name)) for name in list(sys.modules) if name.split(".")[0] in banned}
    for module in list(sys.modules.values()):
        for attr, value in list(getattr(module, "__dict__", {}).items()):
            if id(value) in loaded:
                delattr(module, attr)
    gc.collect()

    def hook(event, args):
        if event == "import" and str(args[0]).split(".")[0] in banned:
            raise ImportError(f"module `{args[0]}` may not be used in this assignment")
        # Any import, by any route, ends in opening the module's source or bytecode.
        if event == "open" and isinstance(args[0], str | bytes):
            path = os.fsdecode(args[0])
            if os.path.basename(path).split(".")[0] in banned or \
                    any(f"/{name}/" in path for name in banned):
                raise PermissionError(f"{path} may not be read in this assignment")

    sys.addaudithook(hook)


def serve(request_fd: int, answer_fd: int) -> None:
    runner = Runner()
    read = lambda n: os.read(request_fd, min(n, 1 << 20))  # noqa: E731
    while True:
        try:
            request, arrays = protocol.read_frame(read)
        except EOFError:
            return
        answer, out = runner.answer(request, arrays)
        try:
            protocol.write_frame(answer_fd, answer, out)
        except (protocol.Unsendable, ValueError, TypeError) as exc:
            protocol.write_frame(answer_fd, {"error": runner.describe(exc)}, [])


def main() -> None:
    run(int(sys.argv[1]), int(sys.argv[2]))


def run(request_fd: int, answer_fd: int) -> None:
    """Answer the judge until it closes the pipe, then exit (never returns)."""
    # On SIGUSR1 (the judge is about to stop a call that ran out of time) every
    # thread's stack goes to the log, so feedback can name the line that hung.
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)
    serve(request_fd, answer_fd)
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: TensorFlow can hang in it


if __name__ == "__main__":
    main()
