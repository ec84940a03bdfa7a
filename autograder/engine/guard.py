"""Notice when a submission changes the tools the grader relies on.

Inside the grading child, student code shares the interpreter with the tests, so
it could replace `numpy.allclose`, `builtins.abs`, a pytest report class or our
own checks with something that always agrees. Before the submission is imported
we record the identity of every function and class in those modules (and of the
attributes of their classes); after the import and after every test we compare.
Any difference is reported by name, and the parent scores every test from that
point on as 0. This raises the bar; it is no proof against code that also
rewrites this guard, which is why the parent, not the child, owns the score.
"""

from __future__ import annotations

import sys
import types

GUARDED_MODULES = (
    "builtins", "math", "random", "os", "json", "operator", "functools",
    "numpy", "numpy.linalg", "numpy.random", "numpy.testing",
    "pytest", "_pytest.*", "pluggy.*",
    "autograder.*",
    "keras", "keras.ops", "keras.utils", "keras.callbacks", "tensorflow",
)


def _modules() -> list[tuple[str, types.ModuleType]]:
    found = []
    for pattern in GUARDED_MODULES:
        if pattern.endswith(".*"):
            prefix = pattern[:-2]
            found += [(n, m) for n, m in list(sys.modules.items())
                      if (n == prefix or n.startswith(prefix + ".")) and m is not None]
        elif pattern in sys.modules and sys.modules[pattern] is not None:
            found.append((pattern, sys.modules[pattern]))
    return found


def _interesting(value) -> bool:
    return callable(value) or isinstance(value, type | property | staticmethod | classmethod)


def snapshot() -> dict[str, int]:
    """name -> id of every guarded function, class and class attribute (and, per
    class, a hash of its attribute names)."""
    ids: dict[str, int] = {}
    for mod_name, module in _modules():
        try:
            items = list(vars(module).items())
        except TypeError:
            continue
        for name, value in items:
            if not _interesting(value):
                continue
            ids[f"{mod_name}.{name}"] = id(value)
            if isinstance(value, type) and getattr(value, "__module__", "") == mod_name:
                members = list(vars(value).items())
                # The attribute names too: a new one can shadow an inherited method.
                ids[f"{mod_name}.{name}.__dict__"] = hash(tuple(sorted(k for k, _ in members)))
                for attr, member in members:
                    if _interesting(member):
                        ids[f"{mod_name}.{name}.{attr}"] = id(member)
    return ids


def changed(before: dict[str, int]) -> list[str]:
    """Names whose object was replaced or deleted since `before` (new names are fine:
    modules load lazily)."""
    now = snapshot()
    return sorted(name for name, ident in before.items() if now.get(name, ident) != ident
                  or name not in now)
