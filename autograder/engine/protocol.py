"""The one definition of what crosses a process boundary while grading.

Two channels, both data only (JSON and raw numpy buffers, never pickle):

- judge <-> runner: requests to run the student's code and its answers
  (`Request`, `encode_value` / `decode_value`, framed by `write_frame` /
  `read_frame`). The runner is untrusted, so every frame it sends is decoded
  under limits (sizes, nesting, dtypes) and anything malformed is an error.
- judge -> parent: one JSON event per line (`EVENT_FIELDS`, `parse_event`). The
  parent validates each event's kind, field types and sizes before it believes it.

This module depends only on the standard library and numpy, because the runner
loads it by path inside the sandbox, where the rest of the engine is not visible.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from dataclasses import asdict, dataclass, field

import numpy as np

# ---------------------------------------------------------------- limits

MAX_HEADER_BYTES = 16 * 2**20  # the JSON part of one frame
MAX_ARRAY_BYTES = 256 * 2**20  # all arrays of one frame together
MAX_DEPTH = 64
MAX_ITEMS = 2_000_000  # nodes in one decoded value
MAX_TEXT = 2_000  # free text from the submission (messages, reprs) is cut to this
FRAMEWORK_SECONDS = 120.0  # a runner's Python, numpy and TensorFlow, before the submission
ALLOWED_DTYPE_KINDS = "biufc"  # bool, ints, floats, complex: never object, str or void


class ProtocolError(ValueError):
    """A frame or event broke the protocol: wrong type, too big, too deep, unknown kind."""


def cut(text: str, limit: int = MAX_TEXT) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text) - limit} more characters)"


# ---------------------------------------------------------------- configuration


@dataclass
class RunnerConfig:
    """What the judge tells a fresh runner before it imports the submission."""

    source: str  # the submission as one module's text
    module_name: str
    filename: str  # the name tracebacks give the submission's lines
    seed: int
    uses_keras: bool
    forbidden_modules: list[str] = field(default_factory=list)
    source_scan: str = ""  # the assignment's, for the `submission_scan` fixture


@dataclass
class JudgeConfig:
    """What the parent tells the judge (on its standard input)."""

    assignment: str
    suite_dir: str
    test_paths: list[str]
    source: str
    module_name: str
    seed: int
    test_timeout: float
    import_timeout: float
    time_budget: float
    memory_mb: int
    uses_keras: bool
    runner_dir: str  # where the judge makes each runner's fresh directory
    hide: list[str]  # paths no runner may see (solutions, suites, the engine)
    forbidden_modules: list[str] = field(default_factory=list)
    source_scan: str = ""  # the assignment's, for the `submission_scan` fixture
    cell_lines: list[list[int]] = field(default_factory=list)  # see ingest.describe_line
    tasks: list[str] | None = None
    exclude_tasks: list[str] | None = None
    only: list[str] | None = None
    collect_only: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> JudgeConfig:
        return cls(**json.loads(text))


# ---------------------------------------------------------------- frames (judge <-> runner)


def write_frame(fd: int, message: dict, arrays: list[np.ndarray]) -> None:
    """One frame: header length, JSON header (with the arrays' layout), array bytes."""
    message = {**message, "arrays": [{"dtype": a.dtype.str, "shape": list(a.shape)} for a in arrays]}
    header = json.dumps(message, allow_nan=True).encode()
    chunks = [struct.pack(">Q", len(header)), header]
    chunks += [np.ascontiguousarray(a).tobytes() for a in arrays]
    data = b"".join(chunks)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def read_exact(read, n: int) -> bytes:
    """`read(k)` returns at most k bytes, b"" at end of stream."""
    parts, have = [], 0
    while have < n:
        chunk = read(n - have)
        if not chunk:
            raise EOFError("the other process closed the channel")
        parts.append(chunk)
        have += len(chunk)
    return b"".join(parts)


def read_frame(read) -> tuple[dict, list[np.ndarray]]:
    (size,) = struct.unpack(">Q", read_exact(read, 8))
    if size > MAX_HEADER_BYTES:
        raise ProtocolError(f"a frame header of {size:,} bytes is over the limit")
    try:
        message = json.loads(read_exact(read, size))
    except ValueError as exc:
        raise ProtocolError(f"a frame header is not JSON: {exc}") from None
    if not isinstance(message, dict) or not isinstance(message.get("arrays"), list):
        raise ProtocolError("a frame header is not an object with an array list")
    layouts, total = [], 0
    for spec in message.pop("arrays"):
        dtype, shape = _array_layout(spec)
        nbytes = dtype.itemsize * int(np.prod(shape, dtype=np.int64))
        total += nbytes
        if total > MAX_ARRAY_BYTES:
            raise ProtocolError("the arrays of one frame are over the size limit")
        layouts.append((dtype, shape, nbytes))
    arrays = [np.frombuffer(read_exact(read, n), dtype=d).reshape(s).copy() if n else np.zeros(s, d)
              for d, s, n in layouts]
    return message, arrays


def _array_layout(spec) -> tuple[np.dtype, tuple[int, ...]]:
    if not isinstance(spec, dict) or not isinstance(spec.get("dtype"), str) \
            or not isinstance(spec.get("shape"), list) or len(spec["shape"]) > 32:
        raise ProtocolError("an array description is malformed")
    try:
        dtype = np.dtype(spec["dtype"])
    except TypeError:
        raise ProtocolError(f"unknown dtype {cut(spec['dtype'], 40)!r}") from None
    if dtype.kind not in ALLOWED_DTYPE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ProtocolError(f"dtype {dtype.str} cannot be sent")
    shape = spec["shape"]
    if not all(type(n) is int and 0 <= n < 2**40 for n in shape):
        raise ProtocolError("an array shape is malformed")
    return dtype, tuple(shape)


# ---------------------------------------------------------------- values
#
# A value is JSON where every object is a tagged node {"$": kind, ...}:
#   tuple, list-like and dict nodes, "nd" (an array by its index in the frame,
#   "tensor": came from a TensorFlow tensor), "scalar" (a numpy scalar), "bytes",
#   "handle" (an object that stays in the runner: its id, type names and repr),
#   "float" (nan and infinities, which JSON lacks).


class Unsendable(TypeError):
    """A value that is not data (and the sender has no handle table for it)."""


def encode_value(value, arrays: list[np.ndarray], handle=None, _depth: int = 0):
    """`value` as a JSON tree; arrays go to `arrays`; `handle(obj)` encodes anything else."""
    if _depth > MAX_DEPTH:
        raise Unsendable("the value is nested too deeply to send")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and type(value) in (int, bool):
        return value
    if type(value) is float:
        return value if np.isfinite(value) else {"$": "float", "v": repr(value)}
    if type(value) is np.ndarray and value.dtype.kind in ALLOWED_DTYPE_KINDS:
        arrays.append(value)
        return {"$": "nd", "i": len(arrays) - 1}
    if isinstance(value, np.generic) and value.dtype.kind in ALLOWED_DTYPE_KINDS:
        arrays.append(np.asarray(value))
        return {"$": "scalar", "i": len(arrays) - 1}
    if type(value) in (list, tuple, set, frozenset):
        items = [encode_value(v, arrays, handle, _depth + 1) for v in value]
        if type(value) is list:
            return items
        return {"$": "tuple" if type(value) is tuple else "set", "v": items}
    if type(value) is dict:
        return {"$": "dict", "v": [[encode_value(k, arrays, handle, _depth + 1),
                                    encode_value(v, arrays, handle, _depth + 1)]
                                   for k, v in value.items()]}
    if type(value) is bytes:
        return {"$": "bytes", "v": base64.b64encode(value).decode()}
    if handle is not None:
        return handle(value)
    raise Unsendable(f"a {type(value).__name__} cannot be sent to the runner: pass data "
                     "(numbers, strings, numpy arrays, lists, tuples, dicts) or handles")


def decode_value(node, arrays: list[np.ndarray], handle=None, tensor=None):
    """Rebuild a value from `encode_value`'s tree, checking every node.

    `handle(node)` makes the object for a handle node (the judge's proxy);
    `tensor(array)` wraps an array that was a TensorFlow tensor.
    """
    budget = [MAX_ITEMS]

    def walk(n, depth):
        budget[0] -= 1
        if budget[0] < 0 or depth > MAX_DEPTH:
            raise ProtocolError("a value is too large or nested too deeply")
        if n is None or isinstance(n, (bool, int, float)):
            return n
        if isinstance(n, str):
            return n
        if isinstance(n, list):
            return [walk(v, depth + 1) for v in n]
        if not isinstance(n, dict) or not isinstance(n.get("$"), str):
            raise ProtocolError("a value node is malformed")
        kind = n["$"]
        if kind in ("nd", "scalar"):
            i = n.get("i")
            if type(i) is not int or not 0 <= i < len(arrays):
                raise ProtocolError("an array reference is out of range")
            if kind == "scalar":
                if arrays[i].ndim != 0:
                    raise ProtocolError("a scalar node refers to an array")
                return arrays[i][()]
            return tensor(arrays[i]) if n.get("tensor") and tensor is not None else arrays[i]
        if kind in ("tuple", "set"):
            items = _list_field(n)
            values = [walk(v, depth + 1) for v in items]
            if kind == "tuple":
                return tuple(values)
            try:
                return set(values)
            except TypeError:
                raise ProtocolError("a set holds unhashable items") from None
        if kind == "dict":
            out = {}
            for pair in _list_field(n):
                if not isinstance(pair, list) or len(pair) != 2:
                    raise ProtocolError("a dict item is not a pair")
                key = walk(pair[0], depth + 1)
                try:
                    out[key] = walk(pair[1], depth + 1)
                except TypeError:
                    raise ProtocolError("a dict key is unhashable") from None
            return out
        if kind == "float":
            if n.get("v") not in ("nan", "inf", "-inf"):
                raise ProtocolError("a float node is malformed")
            return float(n["v"])
        if kind == "bytes":
            try:
                return base64.b64decode(str(n.get("v", "")), validate=True)
            except ValueError:
                raise ProtocolError("a bytes node is malformed") from None
        if kind == "handle" and handle is not None:
            if type(n.get("id")) is not int or not isinstance(n.get("type"), list) \
                    or not all(isinstance(t, str) for t in n["type"]):
                raise ProtocolError("a handle node is malformed")
            return handle(n)
        raise ProtocolError(f"unknown value node {cut(kind, 40)!r}")

    return walk(node, 0)


def _list_field(node: dict) -> list:
    items = node.get("v")
    if not isinstance(items, list):
        raise ProtocolError("a container node has no item list")
    return items


# ---------------------------------------------------------------- requests (judge -> runner)

# op -> the fields it carries (besides "op")
REQUEST_FIELDS = {
    "prepare": ("config",),  # policies, frameworks and seeds (RunnerConfig as a dict)
    "start": (),  # import the submission
    "seed": ("seed",),  # seed random, numpy and Keras
    "getattr": ("target", "name"),  # target 0 is the submission module
    "setattr": ("target", "name", "value"),
    "hasattr": ("target", "name"),
    "call": ("target", "args", "kwargs"),
    "getitem": ("target", "key"),
    "len": ("target",),
    "list": ("target",),  # list(obj)
    "array": ("target",),  # np.asarray(obj)
    "keras_model": ("config", "weights"),  # a stock Keras model from its JSON and weights
    "keras_object": ("kind", "config"),  # keras.<kind>.get(config): optimizers, losses, ...
    "model_data": ("target",),  # a Keras model's JSON config and weights
    "keep": ("value",),  # the value, kept in the runner: answered with a handle
    "spy": ("target", "name"),  # record the arguments of each call of a method
    "spied": ("target", "name"),  # those arguments
}

# What an error answer says (the runner's view; the judge rebuilds a safe exception).
ERROR_FIELDS = ("type", "bases", "message", "function", "line", "in_submission")


# ---------------------------------------------------------------- events (judge -> parent)

MAX_EVENT_LINE = 4 * 2**20  # a figure event carries a PNG
MAX_EVENT_BYTES = 64 * 2**20  # everything one judge may send

_STR, _NUM, _BOOL, _OPT_STR, _OPT_INT = str, (int, float), bool, (str, type(None)), (int, type(None))
EVENT_FIELDS: dict[str, dict[str, type | tuple]] = {
    "collected": {"tests": list},
    "suite_error": {"message": _STR},
    "isolation": {"runner": dict, "judge": dict},
    "import_start": {},
    "import_done": {},
    "import_error": {"message": _STR, "student_function": _OPT_STR, "student_line": _OPT_INT,
                     "in_student_code": _BOOL},
    "start": {"nodeid": _STR},
    "result": {"nodeid": _STR, "outcome": _STR, "duration": _NUM, "message": _STR,
               "student_function": _OPT_STR, "student_line": _OPT_INT, "in_student_code": _BOOL,
               "reads": list},
    "figure": {"nodeid": _STR, "title": _STR, "task": _STR, "png": _STR},
    "budget_spent": {},
}
OPTIONAL_FIELDS = {"message", "student_function", "student_line", "in_student_code", "duration",
                   "reads"}
EVERY_NAME = "*"  # in a result's "reads": the test read the submission's whole source
SCAN_READ = "@source_scan"  # in a result's "reads": the test read the suite's scan of it
MAX_READS = 200  # names of the submission one test may report having read
MAX_NAME = 200
TEST_FIELDS = {"nodeid": str, "name": str, "task": str, "points": (int, float),
               "visibility": str, "timeout": (int, float)}
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


def reads_field(names: set[str]) -> list[str]:
    """A result's "reads": the names, or EVERY_NAME when there are too many to list."""
    if len(names) > MAX_READS or any(len(n) > MAX_NAME for n in names):
        return [EVERY_NAME]
    return sorted(names)


def event_line(kind: str, **data) -> bytes:
    return json.dumps({"event": kind, **data}, default=str).encode() + b"\n"


def parse_event(line: bytes) -> dict:
    """One event line as a checked dict; ProtocolError for anything off-schema."""
    if len(line) > MAX_EVENT_LINE:
        raise ProtocolError("an event line is over the size limit")
    try:
        event = json.loads(line)
    except ValueError:
        raise ProtocolError("an event line is not JSON") from None
    if not isinstance(event, dict) or event.get("event") not in EVENT_FIELDS:
        raise ProtocolError("an event of unknown kind")
    spec = EVENT_FIELDS[event["event"]]
    for name, kind in spec.items():
        if name not in event and name in OPTIONAL_FIELDS:
            continue
        if not isinstance(event.get(name), kind) or (kind is _NUM and isinstance(event[name], bool)):
            raise ProtocolError(f"event {event['event']!r} has a malformed field {name!r}")
    if event["event"] == "result" and event["outcome"] not in ("passed", "failed"):
        raise ProtocolError("a result event has an unknown outcome")
    if event["event"] == "result" and "reads" in event and (
            len(event["reads"]) > MAX_READS
            or not all(isinstance(n, str) and len(n) <= MAX_NAME for n in event["reads"])):
        raise ProtocolError("a result event has malformed reads")
    if event["event"] == "collected":
        for test in event["tests"]:
            if not isinstance(test, dict) or any(
                    not isinstance(test.get(k), t) or isinstance(test.get(k), bool)
                    for k, t in TEST_FIELDS.items()) or test["visibility"] not in VISIBILITIES:
                raise ProtocolError("a collected test is malformed")
    return {k: event[k] for k in ("event", *spec) if k in event}
