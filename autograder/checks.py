"""Numerical checks shared by notebooks, public tests and hidden suites.

Every `expect_*` raises AssertionError with a message a student can act on:
what was checked, what was expected, what came back, and (optionally) what that
usually means. Suites run with `--assert=plain`, so this message is exactly the
feedback the student reads.
"""

from __future__ import annotations

import numpy as np


def fmt(value, limit: int = 6) -> str:
    """Short printable form of a value or array."""
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001  (anything a student may return)
        return repr(value)[:120]
    if arr.dtype == object:
        return repr(value)[:120]
    if arr.ndim == 0:
        return np.array2string(arr, precision=6)
    text = np.array2string(arr.ravel()[: limit * 2], precision=4, separator=", ",
                           threshold=limit * 2, edgeitems=limit)
    shape = "x".join(map(str, arr.shape))
    return text if arr.size <= limit * 2 else f"{text[:-1]}, ...] (shape {shape})"


def rel_error(x, y, eps: float = 1e-8) -> float:
    """max |x - y| / max(eps, |x| + |y|), as in cs231n's gradient checks."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return float(np.max(np.abs(x - y) / np.maximum(eps, np.abs(x) + np.abs(y)), initial=0.0))


def _fail(what: str, expected, got, detail: str = "", hint: str = "") -> None:
    message = f"{what}: expected {fmt(expected)}, got {fmt(got)}"
    if detail:
        message += f" ({detail})"
    if hint:
        message += f". {hint}"
    raise AssertionError(message)


def as_array(value, what: str, dtype=None) -> np.ndarray:
    try:
        return np.asarray(value, dtype=dtype)
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"{what} could not be turned into an array: {exc}") from None


def expect_shape(value, shape: tuple, what: str, hint: str = "") -> np.ndarray:
    arr = as_array(value, what)
    if arr.shape != tuple(shape):
        message = f"{what} has the wrong shape: expected {tuple(shape)}, got {arr.shape}"
        raise AssertionError(message + (f". {hint}" if hint else ""))
    return arr


def expect_equal(got, expected, what: str, hint: str = "") -> None:
    g, e = as_array(got, what), np.asarray(expected)
    if g.dtype == object and e.dtype != object:
        # An object array compares with the object's own __eq__, which may always agree.
        raise AssertionError(f"{what}: expected numbers, got {type(got).__name__} "
                             f"holding {type(g.flat[0]).__name__ if g.size else 'nothing'}")
    if g.shape != e.shape or not np.array_equal(g, e):
        detail = f"shape {g.shape} vs {e.shape}" if g.shape != e.shape else ""
        _fail(what, expected, got, detail, hint)


def expect_close(got, expected, what: str, rtol: float = 1e-6, atol: float = 1e-8,
                 hint: str = "") -> None:
    g = as_array(got, what, dtype=float)
    e = np.asarray(expected, dtype=float)
    if g.shape != e.shape:
        expect_shape(g, e.shape, what, hint)
    if not np.all(np.isfinite(g)) and np.all(np.isfinite(e)):
        _fail(what, expected, got, "contains NaN or inf", hint)
    if not np.allclose(g, e, rtol=rtol, atol=atol):
        diff = np.abs(g - e)
        idx = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
        detail = f"largest difference {float(diff.max()):.3g}"
        if idx:
            detail += f" at index {tuple(int(i) for i in idx)}"
        _fail(what, expected, got, detail, hint)


def expect_int_kind(value, what: str) -> np.ndarray:
    arr = as_array(value, what)
    if arr.dtype.kind not in "iu":
        raise AssertionError(f"{what} should hold integers (0 or 1), got dtype {arr.dtype}")
    return arr


def named(sub, name: str):
    """The student's function `name` as a grader-side callable that carries the name,
    so that messages read "rnn_forward(...) should raise ValueError" (a handle to the
    student's code has no __name__ of its own); each call runs in the runner."""
    function = getattr(sub, name)

    def call(*args, **kwargs):
        return function(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def expect_raises_value_error(func, *args, argument: str, **kwargs) -> None:
    """`func(*args)` must raise ValueError whose message names `argument`."""
    shown = [fmt(a) if isinstance(a, np.ndarray) else repr(a) for a in args]
    shown += [f"{k}={v!r}" for k, v in kwargs.items()]
    call = f"{getattr(func, '__name__', 'function')}({', '.join(shown)})"
    try:
        func(*args, **kwargs)
    except NotImplementedError:
        raise AssertionError(f"{call}: not implemented yet (it raises NotImplementedError)") from None
    except ValueError as exc:
        if argument not in str(exc):
            raise AssertionError(
                f"{call} raised ValueError, but its message does not name `{argument}`: "
                f"{str(exc)[:200]!r}"
            ) from None
        return
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(
            f"{call} should raise ValueError naming `{argument}`, "
            f"but raised {type(exc).__name__}: {str(exc)[:200]}"
        ) from None
    raise AssertionError(f"{call} should raise ValueError naming `{argument}`, but returned")


def wants_integer_labels(model) -> bool:
    """True when the compiled loss is a sparse one (integer labels), else one-hot.

    Graded training feeds labels the way the student compiled the model.
    """
    loss = model.loss
    if isinstance(loss, dict):
        loss = next(iter(loss.values()))
    if isinstance(loss, (list, tuple)):
        loss = loss[0]
    name = loss if isinstance(loss, str) else (getattr(loss, "name", None)
                                                or getattr(loss, "__name__", None)
                                                or type(loss).__name__)
    return "sparse" in str(name).lower()
