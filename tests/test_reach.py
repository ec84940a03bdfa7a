"""Which tasks a variant's change can reach (the audit grades it on those only)."""

from __future__ import annotations

import textwrap

import pytest

from autograder.engine import protocol
from autograder.instructor.reach import changed_names, tasks_reaching
from autograder.result import Result, TestResult

REFERENCE = textwrap.dedent('''
    import numpy as np

    SCALE = 2.0
    history = []


    def helper(x):
        return SCALE * x


    def uses_helper(x):
        return helper(x) + 1


    def alone(x):
        return -x


    def remembers(x):
        history.append(x)
        return len(history)


    def recalls():
        return list(history)


    class Model:
        def fit(self, x):
            return alone(x)
''')


def change(old: str, new: str) -> set[str] | None:
    assert REFERENCE.count(old) == 1
    return changed_names(REFERENCE, REFERENCE.replace(old, new))


def test_a_change_inside_a_function_is_that_function():
    assert change("return -x", "return x") == {"alone"}
    assert change("return SCALE * x", "return SCALE + x") == {"helper"}
    assert change("return alone(x)", "return alone(x) + 1") == {"Model"}


def test_shared_state_the_changed_code_uses_counts_as_changed():
    assert change("history.append(x)", "history.append(2 * x)") == {"remembers", "history"}
    # a constant bound once to a literal cannot be changed in place
    assert change("return SCALE * x", "return SCALE * x * x") == {"helper"}


@pytest.mark.parametrize("old, new", [
    ("SCALE = 2.0", "SCALE = 3.0"),  # code that runs on import
    ("def alone(x):", "@staticmethod\ndef alone(x):"),  # a decorator runs on import
    ("def alone(x):", "def alone(x=print()):"),  # so does a default
    ("def alone(x):", "def lonely(x):"),  # a definition renamed
    ("return -x", "return globals()['helper'](x)"),  # names looked up at run time
    ("import numpy as np", "import numpy as np\nhistory = helper(1)"),  # called on import
])
def test_what_cannot_be_confined_reaches_everything(old, new):
    assert change(old, new) is None


def test_a_function_used_on_import_reaches_everything():
    source = REFERENCE + "\nDEFAULT = helper(1)\n"
    assert changed_names(source, source.replace("SCALE * x", "SCALE - x")) is None


def graded(reads: dict[str, tuple[str, ...]]) -> Result:
    return Result(assignment="x", tests=[
        TestResult(name=task, task=task, score=1, max_score=1, status="passed",
                   visibility="visible", reads=names) for task, names in reads.items()])


def test_tasks_reaching_follows_what_each_function_calls():
    reference = graded({"helper": ("helper",), "uses_helper": ("uses_helper",),
                        "alone": ("alone",), "model": ("Model",), "history": ("recalls",),
                        "source": (protocol.EVERY_NAME,), "nothing": ()})
    assert tasks_reaching(reference, REFERENCE, {"helper"}) == {"helper", "uses_helper", "source"}
    assert tasks_reaching(reference, REFERENCE, {"alone"}) == {"alone", "model", "source"}
    assert tasks_reaching(reference, REFERENCE, {"remembers", "history"}) == {"history",
                                                                              "source"}


def test_reads_are_checked_like_every_event_field():
    line = protocol.event_line("result", nodeid="t", outcome="passed", duration=0.1,
                               reads=["a", "b"])
    assert protocol.parse_event(line)["reads"] == ["a", "b"]
    for bad in ([1], ["x" * (protocol.MAX_NAME + 1)], ["n"] * (protocol.MAX_READS + 1), "ab"):
        with pytest.raises(protocol.ProtocolError):
            protocol.parse_event(protocol.event_line("result", nodeid="t", outcome="passed",
                                                     duration=0.1, reads=bad))
    assert protocol.reads_field({"b", "a"}) == ["a", "b"]
    assert protocol.reads_field({str(i) for i in range(protocol.MAX_READS + 1)}) == \
        [protocol.EVERY_NAME]


def test_a_variant_is_graded_on_what_it_reaches_and_names_and_never_on_what_it_skipped():
    from pathlib import Path

    from autograder.instructor.audit import Grading, narrowed
    from autograder.instructor.variants import Mutant

    reference = graded({"alone": ("alone",), "model": ("Model",), "helper": ("helper",),
                        "uses_helper": ("uses_helper",), "train": ("uses_helper",)})
    grading = Grading("variant", Path("variant.py"), "x", exclude_tasks=("train",))

    def mutant(patch, breaks):
        return Mutant(name="m", description="", breaks=breaks, local=True, patches=(patch,))

    assert set(narrowed(grading, mutant(("return -x", "return x"), ("alone",)), REFERENCE,
                        reference).exclude_tasks) == {"train", "helper", "uses_helper"}
    # a named task is graded even where the change cannot reach it: the audit then says so
    assert set(narrowed(grading, mutant(("return -x", "return x"), ("alone", "helper")),
                        REFERENCE, reference).exclude_tasks) == {"train", "uses_helper"}
    # a change that cannot be confined: graded as before
    assert narrowed(grading, mutant(("SCALE = 2.0", "SCALE = 3.0"), ("helper",)), REFERENCE,
                    reference) == grading


CACHED_RUN = '''
from autograder.marks import graded

_RUNS = {}


def run(sub):
    if "run" not in _RUNS:
        _RUNS["run"] = sub.train()
    return _RUNS["run"]


@graded(points=1, task="training")
def test_accuracy(sub):
    assert run(sub) > 0
'''
READS_THE_RUN = '''
from autograder.marks import graded
from course.suites.demo.hidden.test_training import run as the_run


@graded(points=1, task="{task}")
def test_samples(sub):
    assert the_run(sub) < 10
'''


@pytest.mark.parametrize("task, shared", [
    ("training", []),
    ("sampling", ["test_training.py's _RUNS: tasks sampling, training"]),
])
def test_state_shared_by_tests_of_two_tasks_is_found(tmp_path, task, shared):
    from autograder.instructor.reach import state_shared_across_tasks

    (tmp_path / "hidden").mkdir()
    (tmp_path / "hidden" / "test_training.py").write_text(CACHED_RUN)
    (tmp_path / "hidden" / "test_samples.py").write_text(READS_THE_RUN.format(task=task))
    assert state_shared_across_tasks(tmp_path) == shared


def test_a_variant_that_changes_what_the_suites_scan_finds_reaches_every_test_that_reads_it():
    from pathlib import Path

    from autograder.assignments import get_assignment
    from autograder.instructor.audit import Grading, narrowed
    from autograder.instructor.variants import Mutant, reference_source

    subnetting = get_assignment("subnetting")
    source = reference_source(subnetting)
    reference = graded({"to_binary": ("to_binary", protocol.SCAN_READ),
                        "ip_class": ("ip_class", protocol.SCAN_READ)})
    grading = Grading("variant", Path("variant.py"), "subnetting")
    body = "def to_binary(s):\n"
    assert source.count(body) == 1

    def tasks(replacement):
        mutant = Mutant(name="m", description="", breaks=("to_binary",), local=True,
                        patches=((body, body + replacement),))
        return {"to_binary", "ip_class"} - set(
            narrowed(grading, mutant, source, reference, subnetting).exclude_tasks)

    assert tasks("    assert s\n") == {"to_binary"}
    assert tasks("    import socket\n") == {"to_binary", "ip_class"}
