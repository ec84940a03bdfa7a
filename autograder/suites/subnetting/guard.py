"""Keep `ipaddress`, `socket`, `netaddr` and `ipcalc` out of subnetting submissions.

The assignment is the address arithmetic itself, so a submission that hands it to
one of these modules scores 0 on every task. We cannot block the imports (pytest,
hypothesis and the hidden tests import `ipaddress` themselves), so we look twice:

- statically: the submission's source, parsed with `ast`, must not import them, name
  them in a string (also when the string is built from pieces) or use the machinery
  that loads a module by a computed name (`__import__`, `importlib`, `exec`, `eval`,
  `sys.modules`, `getattr` with a computed name, ...);
- at run time: while a student function runs, a profiler hook records every call
  into the code of these modules, so a route the source scan missed is still seen.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib.util
import os
import signal
import sys

FORBIDDEN = ("ipaddress", "socket", "netaddr", "ipcalc")
# Modules whose only use here would be to load or run code by a computed name.
LOADERS = ("importlib", "builtins", "runpy", "pkgutil", "imp", "zipimport", "ctypes",
           "subprocess", "pickle", "marshal", "code", "codeop")
DYNAMIC_NAMES = ("__import__", "exec", "eval", "compile", "globals", "vars", "locals",
                 "__builtins__", "__loader__", "__spec__")
DYNAMIC_ATTRIBUTES = ("modules", "__import__", "__builtins__", "__globals__", "__dict__",
                      "__subclasses__", "__getattribute__", "__loader__", "__spec__",
                      "system", "popen", "execv", "execve", "execl", "spawnv", "spawnl")
ATTRIBUTE_GETTERS = ("getattr", "setattr", "hasattr", "delattr")

RULE = ("This assignment asks you to do the address arithmetic yourself: ipaddress, socket, "
        "netaddr and ipcalc are not allowed, and neither are dynamic imports (__import__, "
        "importlib, exec/eval, sys.modules, getattr with a computed name) that could load them. "
        "Every task scores 0 until this is removed.")


class ForbiddenModuleUsed(BaseException):  # noqa: N818  (reads as the student's feedback)
    """Raised from a test when a student call ran forbidden code (not an Exception, so
    neither the student's code nor a test helper can swallow it)."""


# ---------------------------------------------------------------- static scan


def _root(module: str | None) -> str:
    return (module or "").split(".")[0]


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of every string constant, docstrings left out, in source order."""
    docstrings = _docstring_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes) \
                and id(node) not in docstrings:
            text = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
            found.append((node.lineno, node.col_offset, text))
    found.sort()
    return [(line, text) for line, _, text in found]


def _mentions(text: str) -> str | None:
    lowered = text.lower()
    return next((name for name in FORBIDDEN if name in lowered), None)


def _is_piece(text: str) -> bool:
    """A fragment of a module name ("ip", "add" + "ress"), not a sentence."""
    return 0 < len(text) < 12 and all(ch.isalnum() or ch in "_." for ch in text)


def scan_source(source: str) -> list[str]:
    """Every forbidden use found in the source, as 'line N: what' (empty when clean)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # the import step reports syntax errors
    problems: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for module in modules:
                if _root(module) in FORBIDDEN:
                    problems.add((line, f"imports `{module}`"))
                elif _root(module) in LOADERS:
                    problems.add((line, f"imports `{module}`, which loads modules by name"))
            if isinstance(node, ast.ImportFrom) and _root(node.module) in ("sys", "os"):
                for alias in node.names:
                    if alias.name in DYNAMIC_ATTRIBUTES:
                        problems.add((line, f"imports `{node.module}.{alias.name}`"))
        elif isinstance(node, ast.Name) and node.id in DYNAMIC_NAMES:
            problems.add((line, f"uses `{node.id}`"))
        elif isinstance(node, ast.Attribute) and node.attr in DYNAMIC_ATTRIBUTES:
            problems.add((line, f"uses `.{node.attr}`"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ATTRIBUTE_GETTERS and len(node.args) >= 2:
            name = node.args[1]
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                problems.add((line, f"calls `{node.func.id}` with a computed name"))
            elif name.value in DYNAMIC_ATTRIBUTES:
                problems.add((line, f"calls `{node.func.id}(..., {name.value!r})`"))
    strings = _strings(tree)
    for line, text in strings:
        if (name := _mentions(text)) is not None:
            problems.add((line, f"names `{name}` in a string"))
    # A name glued from fragments ("ip" + "address", "".join(["ipadd", "ress"])).
    for i, (line, text) in enumerate(strings):
        glued = text
        for _, piece in strings[i + 1:i + 4]:
            if not (_is_piece(text) and _is_piece(piece)):
                break
            glued += piece
            if (name := _mentions(glued)) is not None:
                problems.add((line, f"builds the name `{name}` from pieces of strings"))
                break
    return [f"line {line}: {what}" for line, what in sorted(problems)]


def source_message(problems: list[str]) -> str:
    shown = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
    return f"Your submission uses a forbidden module or a dynamic import ({shown}). {RULE}"


# ---------------------------------------------------------------- run time


def _forbidden_locations() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(files, folders) holding the code of the forbidden modules that are installed."""
    files, folders = [], []
    for name in FORBIDDEN:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            continue
        if spec.submodule_search_locations:
            folders += [os.path.join(p, "") for p in spec.submodule_search_locations]
        elif spec.origin:
            files.append(spec.origin)
    return tuple(files), tuple(folders)


FORBIDDEN_FILES, FORBIDDEN_FOLDERS = _forbidden_locations()
C_MODULES = {"_socket", "socket"}


def _module_of_code(filename: str) -> str | None:
    if filename in FORBIDDEN_FILES or filename.startswith(FORBIDDEN_FOLDERS):
        base = os.path.basename(filename.rstrip(os.sep))
        return next((n for n in FORBIDDEN if n in filename), base)
    return None


class Monitor:
    """Records forbidden code that runs while it is active (sys.setprofile)."""

    def __init__(self):
        self.seen: list[str] = []

    def _profile(self, frame, event, arg):
        if event == "call":
            module = _module_of_code(frame.f_code.co_filename)
            if module is not None:
                self.seen.append(f"{module}.{frame.f_code.co_name}")
        elif event == "c_call":
            owner = getattr(arg, "__module__", None) or getattr(getattr(arg, "__self__", None),
                                                                "__name__", None)
            if owner in C_MODULES:
                self.seen.append(f"{owner}.{getattr(arg, '__name__', '?')}")

    def __enter__(self):
        self._previous = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(self._previous)
        return False


STATE: dict = {"violation": None, "probed": False}


def runtime_message(function: str, seen: list[str]) -> str:
    calls = ", ".join(sorted(set(seen))[:3])
    return f"While `{function}` ran, your code called into a forbidden module ({calls}). {RULE}"


def watched(name: str, func):
    """func, but any call into a forbidden module raises ForbiddenModuleUsed."""
    if not callable(func):
        return func

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with Monitor() as monitor:
            try:
                return func(*args, **kwargs)
            finally:
                if monitor.seen:
                    STATE["violation"] = runtime_message(name, monitor.seen)
                    raise ForbiddenModuleUsed(STATE["violation"])

    return wrapper


class _ProbeTimeout(BaseException):
    pass


def probe(get, calls, budget_seconds: float = 2.0) -> None:
    """Call each student function once on ordinary inputs while watching for forbidden
    code, so that every test (not only the one that happens to trigger it) knows.
    `get(name)` returns the student function or raises."""
    def stop(signum, frame):
        raise _ProbeTimeout

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, budget_seconds)
    try:
        for name, args in calls:
            try:
                func = get(name)
            except Exception:  # noqa: BLE001  (a missing name is reported by the tests)
                continue
            # Wrong answers and exceptions are the tests' business, not the probe's.
            with Monitor() as monitor, contextlib.suppress(Exception):
                func(*args)
            if monitor.seen:
                STATE["violation"] = runtime_message(name, monitor.seen)
                return
    except _ProbeTimeout:
        return
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
