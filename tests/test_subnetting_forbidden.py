"""The subnetting suite refuses ipaddress, socket, netaddr and ipcalc, however disguised.

Submissions in solutions/subnetting/cheaters/ use `ipaddress` directly, through
`__import__` with a built name, and through a lookup the source scan cannot see;
each must score 0 with a message that says why. The scan must not flag honest code.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

from autograder.assignments import REPO_ROOT
from autograder.engine.grader import grade_submission
from autograder.instructor.variants import alternatives, reference_source
from autograder.suites.subnetting import guard

CHEATERS = sorted((REPO_ROOT / "solutions" / "subnetting" / "cheaters").glob("*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("path", CHEATERS, ids=lambda p: p.stem)
def test_cheater_scores_zero_with_reason(path: Path):
    result = grade_submission(path, "subnetting")
    assert result.max_score > 0
    assert result.score == 0, [t.name for t in result.tests if t.passed]
    for test in result.tests:
        assert "not allowed" in test.output and "ipaddress" in test.output, test.output


def test_there_are_cheaters():
    assert {p.stem for p in CHEATERS} >= {"direct_import", "disguised_import", "runtime_only"}


@pytest.mark.parametrize("snippet", [
    "import ipaddress",
    "import ipaddress as ip",
    "from ipaddress import ip_network",
    "import socket",
    "from socket import inet_aton",
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
    from autograder.assignments import get_assignment

    assignment = get_assignment("subnetting")
    assert guard.scan_source(reference_source(assignment)) == []
    for path in alternatives(assignment):
        assert guard.scan_source(path.read_text()) == [], path.name


@pytest.fixture
def clean_state():
    saved = dict(guard.STATE)
    yield
    guard.STATE.update(saved)


@pytest.mark.parametrize("call", [
    lambda: int(ipaddress.IPv4Address("10.0.0.1")),
    lambda: socket.inet_aton("10.0.0.1"),
], ids=["ipaddress", "socket"])
def test_runtime_watch_sees_forbidden_calls(call, clean_state):
    with pytest.raises(guard.ForbiddenModuleUsed, match="not allowed"):
        guard.watched("ip_to_int", call)()
    assert guard.STATE["violation"]


def test_runtime_watch_lets_plain_code_run(clean_state):
    guard.STATE["violation"] = None
    assert guard.watched("ip_to_int", lambda: int("10") * 256)() == 2560
    assert guard.STATE["violation"] is None
