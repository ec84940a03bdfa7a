"""Keep `ipaddress`, `socket`, `netaddr` and `ipcalc` out of subnetting submissions.

The assignment is the address arithmetic itself, so a submission that hands it to
one of these modules scores 0. Two layers, neither of which runs student code here:

- where the submission runs, the runner makes the modules of meta.toml's
  `forbidden_modules` unimportable before the submission loads (dropped from
  `sys.modules` with every reference to them, imports and reads of their files
  refused by an audit hook): whatever route a submission takes, the call fails,
  so the tasks that rely on one of them score 0;
- here, in the judge, the submission's source is scanned (`scan_source`): it must
  not import them, name them in a string (also when the string is built from
  pieces) or use the machinery that loads a module by a computed name
  (`__import__`, `importlib`, `exec`, `eval`, `sys.modules`, `getattr` with a
  computed name, ...). A submission the scan flags scores 0 on every task, with
  the reason, even on inputs where its forbidden route is never taken.
"""

from __future__ import annotations

import ast
import functools

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


# ---------------------------------------------------------------- static scan


def _root(module: str | None) -> str:
    """The top package, less leading underscores: `_socket` (socket's C half) is `socket`."""
    return (module or "").split(".")[0].lstrip("_")


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
    return list(_scan(source))


@functools.lru_cache(maxsize=4)  # every test of a submission asks about the same source
def _scan(source: str) -> tuple[str, ...]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ()  # the import step reports syntax errors
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
    return tuple(f"line {line}: {what}" for line, what in sorted(problems))


def source_message(problems: list[str]) -> str:
    shown = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
    return f"Your submission uses a forbidden module or a dynamic import ({shown}). {RULE}"
