"""The subnetting assignment refuses ipaddress, socket, netaddr and ipcalc, however disguised.

Two layers: the suite scans the submission's source in the judge
(`autograder.suites.subnetting.guard`), and the runner makes the modules of
meta.toml's `forbidden_modules` unimportable before the submission loads. Submissions
in solutions/subnetting/cheaters/ use `ipaddress` directly, through `__import__`
with a built name, and through a lookup the source scan cannot see; each must score 0
with a message that names the module. Below, the reference solution with one route
to `ipaddress` per task, all invisible to the scan, must score 0 on exactly those
tasks and keep every other point. The scan must not flag honest code; that the
clean alternatives keep full marks under both layers is the audit's check
(tests/test_audit.py grades them with the same grader).
"""

from __future__ import annotations

import ast
import re
import sys
import types
from pathlib import Path

import pytest

from autograder.assignments import REPO_ROOT, get_assignment
from autograder.engine.grader import grade_submission
from autograder.instructor.variants import alternatives, reference_source
from autograder.suites.subnetting import guard

CHEATERS = sorted((REPO_ROOT / "solutions" / "subnetting" / "cheaters").glob("*.py"))
REFUSED = re.compile(r"not allowed|may not be (used|read)")


def _defined(source: str) -> set[str]:
    return {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}


@pytest.mark.slow
@pytest.mark.parametrize("path", CHEATERS, ids=lambda p: p.stem)
def test_cheater_scores_zero_with_reason(path: Path):
    result = grade_submission(path, "subnetting")
    assert result.max_score > 0
    assert result.score == 0, [t.name for t in result.tests if t.passed]
    defined = _defined(path.read_text())
    for test in result.tests:
        if test.task in defined:  # the others say the function is missing
            assert "ipaddress" in test.output, test.output


def test_there_are_cheaters():
    assert {p.stem for p in CHEATERS} >= {"direct_import", "disguised_import", "runtime_only"}


@pytest.mark.slow
def test_import_time_use_is_refused_with_the_rule():
    """`import ipaddress` fails where the submission runs; every test says which module."""
    result = grade_submission(REPO_ROOT / "solutions/subnetting/cheaters/direct_import.py",
                              "subnetting")
    assert result.tests and all(REFUSED.search(t.output) and "ipaddress" in t.output
                                for t in result.tests), result.tests[0].output


# ---------------------------------------------------------------- enforcement where the code runs

# Ways to reach a forbidden module that the source scan does not see, one per function.
# Each returns the module; where the runner enforces forbidden_modules, each fails.
ROUTES_SOURCE = '''
import gc
import os
import sys
from operator import attrgetter

_NAME = "sserddapi"[::-1]  # built at run time: the source never spells it
_C_NAME = "tekcos_"[::-1]
_import = attrgetter("__imp" + "ort__")(len.__self__)  # builtins, reached from a builtin


def _via_runtime_name():
    return attrgetter("mod" + "ules")(sys)[_NAME]


def _via_dunder_import():
    return _import(_NAME)


def _via_import_module():
    return _import("import" + "lib").import_module(_NAME)


def _via_gc():
    return next(o for o in gc.get_objects() if type(o) is type(sys) and o.__name__ == _NAME)


def _via_sys_of_another_module():
    return attrgetter("sys.mod" + "ules")(os)[_NAME]


def _via_another_modules_globals():
    for module in list(attrgetter("mod" + "ules")(sys).values()):
        for value in list(attrgetter("__di" + "ct__")(module).values()):
            if type(value) is type(sys) and value.__name__ == _NAME:
                return value
    raise LookupError(_NAME)


def _via_import_after_setprofile_none():
    sys.setprofile(None)
    return _import(_NAME)


def _via_its_source_file():
    util = _import("import" + "lib.util", fromlist=["spec_from_file_location"])
    spec = util.spec_from_file_location("_copy", os.path.join(os.path.dirname(os.__file__),
                                                              _NAME + ".py"))
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _via_socket_c_half():
    return _import(_C_NAME)


def _cheat(honest, reach, name):
    def cheat(*args, **kwargs):
        attrgetter(name)(reach())  # use it, then answer as the reference does
        return honest(*args, **kwargs)
    return cheat
'''

# task (a function no other reference function calls) -> (route, what it uses)
ROUTES = {
    "to_binary": ("_via_runtime_name", "IPv4Address"),
    "default_mask": ("_via_dunder_import", "IPv4Network"),
    "mask_to_prefix": ("_via_import_module", "IPv4Network"),
    "wildcard_mask": ("_via_gc", "IPv4Network"),
    "host_range": ("_via_sys_of_another_module", "IPv4Network"),
    "same_subnet": ("_via_another_modules_globals", "IPv4Network"),
    "split_network": ("_via_import_after_setprofile_none", "IPv4Network"),
    "summarize": ("_via_its_source_file", "collapse_addresses"),
    "next_hop": ("_via_socket_c_half", "inet_aton"),
}


def _routed_reference() -> str:
    source = reference_source(get_assignment("subnetting"))
    lines = [source, ROUTES_SOURCE]
    lines += [f"{task} = _cheat({task}, {route}, {name!r})" for task, (route, name) in ROUTES.items()]
    return "\n".join(lines) + "\n"


def test_routes_are_leaves_of_the_reference():
    """A route costs only its own task: no other reference function calls that task's function."""
    tree = ast.parse(reference_source(get_assignment("subnetting")))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            calls = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - {node.name}
            assert not calls & set(ROUTES), (node.name, calls & set(ROUTES))


def test_routes_are_invisible_to_the_scan():
    """So the grade below measures what the runner enforces, not the scan (if the scan learns
    one of these routes, give that route another disguise)."""
    assert guard.scan_source(_routed_reference()) == []


def test_routes_reach_the_module_where_nothing_forbids_it():
    module = types.ModuleType("routed")
    exec(compile(_routed_reference(), "routed", "exec"), module.__dict__)
    profile = sys.getprofile()
    try:
        for task, (route, name) in ROUTES.items():
            reached = getattr(module, route)()
            assert hasattr(reached, name), (task, route, reached)
            assert reached.__name__ in ("ipaddress", "_copy", "_socket"), (route, reached)
    finally:
        sys.setprofile(profile)


@pytest.mark.slow
def test_each_route_scores_zero_on_its_task_only(tmp_path):
    path = tmp_path / "subnetting.py"
    path.write_text(_routed_reference())
    result = grade_submission(path, "subnetting")
    tasks = result.tasks()
    leaked = {t: tasks[t] for t in ROUTES if tasks[t][0] != 0}
    assert not leaked, f"these routes reached a forbidden module: " \
                       f"{ {t: ROUTES[t][0] for t in leaked} }"
    lost = {t: v for t, v in tasks.items() if t not in ROUTES and v[0] != v[1]}
    assert not lost, lost
    for test in result.tests:
        if test.task in ROUTES:
            assert not test.passed
    messages = " ".join(t.output for t in result.tests if t.task in ("default_mask", "summarize"))
    assert REFUSED.search(messages), messages  # the import and the file read say why


# A fresh interpreter started by the submission is not bound by the runner's audit hook.
CHILD_ROUTE = '''
import os
import sys
from operator import attrgetter

_NAME = "sserddapi"[::-1]
_run = attrgetter("po" + "pen")(os)
_TABLE = {}


def wildcard_mask(p):
    if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p <= 32:
        raise ValueError(f"Invalid value for argument `p`: expected an integer in [0, 32]. Received: p={p!r}")
    if not _TABLE:
        code = f"import {_NAME} as m; print(*(m.IPv4Network((0, q)).hostmask for q in range(33)))"
        _TABLE.update(enumerate(_run(f"{sys.executable} -I -c '{code}'").read().split()))
    return _TABLE[p]
'''


def test_child_route_works_where_nothing_forbids_it():
    assert guard.scan_source(CHILD_ROUTE) == []
    module = types.ModuleType("child_route")
    exec(compile(CHILD_ROUTE, "child_route", "exec"), module.__dict__)
    assert [module.wildcard_mask(p) for p in (0, 20, 32)] == ["255.255.255.255", "0.0.15.255",
                                                              "0.0.0.0"]


@pytest.mark.slow
def test_a_child_interpreter_cannot_use_a_forbidden_module(tmp_path):
    # The module's files are not in the runner's file system, so a fresh interpreter
    # the submission starts finds nothing to import either.
    path = tmp_path / "subnetting.py"
    path.write_text(CHILD_ROUTE)
    result = grade_submission(path, "subnetting", tasks=["wildcard_mask"])
    # Only the argument check, which needs no table, keeps its point.
    earned = [t.name for t in result.tests if t.passed]
    assert earned == ["Do p = -1 and p = 33 raise ValueError naming `p`?"], earned


# ---------------------------------------------------------------- the source scan


@pytest.mark.parametrize("snippet", [
    "import ipaddress",
    "import ipaddress as ip",
    "from ipaddress import ip_network",
    "import socket",
    "from socket import inet_aton",
    "import _socket",
    "import netaddr",
    "import ipcalc",
    "m = __import__('ip' + 'address')",
    "import importlib\nm = importlib.import_module(name)",
    "from importlib import import_module",
    "exec(code)",
    "f = eval('lambda: 1')",
    "import sys\nm = sys.modules[name]",
    "from sys import modules",
    "import builtins\nf = getattr(builtins, name)",
    "f = getattr(__builtins__, '__im' + 'port__')",
    "name = ''.join(['ipad', 'dress'])",
    "name = 'IPADDRESS'.lower()",
    "g = f.__globals__",
    "subs = object.__subclasses__()",
])
def test_scan_flags(snippet):
    assert guard.scan_source(snippet), f"not flagged: {snippet!r}"


@pytest.mark.parametrize("snippet", [
    '"""Unlike the ipaddress module, we parse by hand."""\nx = 1',
    'def f():\n    """No socket here."""\n    raise ValueError("Invalid IP address: " + "address")',
    "import re\nQUAD = re.compile(r'[0-9]+')",
    "from itertools import product\nx = getattr(obj, 'name')",
    "msg = f'expected an IP' + 'address'",
])
def test_scan_leaves_honest_code_alone(snippet):
    assert guard.scan_source(snippet) == []


def test_scan_passes_the_reference_and_alternatives():
    assignment = get_assignment("subnetting")
    assert guard.scan_source(reference_source(assignment)) == []
    for path in alternatives(assignment):
        assert guard.scan_source(path.read_text()) == [], path.name


def test_the_runner_forbids_what_the_scan_names():
    """meta.toml's forbidden_modules covers every module the scan refuses (and socket's C half)."""
    assert set(get_assignment("subnetting").forbidden_modules) >= set(guard.FORBIDDEN) | {"_socket"}
