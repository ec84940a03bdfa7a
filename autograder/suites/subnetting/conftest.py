"""Fixtures shared by the public and hidden subnetting tests.

`sub` wraps the engine's fixture of the same name: before a test runs, the
submission must pass the forbidden-module checks of `guard` (a source scan, then
one watched call of every function); during the test, every student function
stays watched, so a forbidden module used on some inputs only is still caught.
"""

import pytest

from autograder.suites.subnetting import guard

# One ordinary call of each graded function: enough to see which modules it uses.
_TOPOLOGY = {
    "R1": {"interfaces": ["10.0.1.1/24", "10.0.12.1/30"], "routes": [("0.0.0.0/0", "10.0.12.2")]},
    "R2": {"interfaces": ["10.0.12.2/30", "10.0.2.1/24"], "routes": [("10.0.1.0/24", "10.0.12.1")]},
}
PROBE_CALLS = [
    ("ip_to_int", ("192.168.1.10",)), ("int_to_ip", (3232235786,)), ("to_binary", ("10.1.2.3",)),
    ("ip_class", ("172.16.5.4",)), ("default_mask", ("10.0.0.1",)), ("prefix_to_mask", (20,)),
    ("mask_to_prefix", ("255.255.240.0",)), ("wildcard_mask", (20,)), ("parse_cidr", ("10.0.0.0/8",)),
    ("network_address", ("172.16.5.4", 20)), ("broadcast_address", ("172.16.5.4", 20)),
    ("host_range", ("172.16.5.4", 20)), ("usable_hosts", (26,)),
    ("same_subnet", ("10.0.0.1", "10.0.0.200", 24)), ("split_network", ("192.168.0.0/24", 26)),
    ("prefix_for_subnets", ("10.0.0.0/8", 5)), ("prefix_for_hosts", (50,)),
    ("vlsm", ("192.168.1.0/24", [100, 50, 20])),
    ("summarize", (["10.0.0.0/25", "10.0.0.128/25", "10.0.2.0/24"],)),
    ("special_block", ("127.0.0.1",)),
    ("longest_prefix_match", ([("0.0.0.0/0", "a"), ("10.0.0.0/8", "b")], "10.1.1.1")),
    ("next_hop", ("10.0.0.5/24", "10.0.0.1", "8.8.8.8")),
    ("trace_route", (_TOPOLOGY, "R1", "10.0.2.9")),
]


class WatchedSubmission:
    """The student's module; every function call runs under guard.Monitor."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return guard.watched(name, getattr(self._inner, name))

    def has(self, name: str) -> bool:
        return self._inner.has(name)


@pytest.fixture
def sub(sub, submission_source):
    """The submission, refused with a clear message if it uses a forbidden module."""
    problems = guard.scan_source(submission_source)
    if problems:
        raise AssertionError(guard.source_message(problems))
    if not guard.STATE["probed"]:
        guard.STATE["probed"] = True
        guard.probe(lambda name: getattr(sub, name), PROBE_CALLS)
    if guard.STATE["violation"]:
        raise AssertionError(guard.STATE["violation"])
    return WatchedSubmission(sub)
