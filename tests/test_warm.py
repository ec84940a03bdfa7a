"""Warm judges (autograder.engine.warm): the same results as cold ones, nothing kept
between gradings, and no grading lost when the starter is."""

from __future__ import annotations

import dataclasses
import os
import threading
import time

import psutil
import pytest

from autograder.engine import warm
from autograder.engine.grader import grade_submission
from tests.test_grader import CORRECT, TOY, submit

# The toy suite, as a Keras assignment would be graded: judges warm, runners with Keras.
KERAS_TOY = dataclasses.replace(TOY, uses_keras=True, memory_mb=4096)
WRONG = CORRECT.replace("a * b", "a + b")
HANGS = CORRECT.replace("    return a * b", "    while True:\n        pass")

pytestmark = pytest.mark.slow  # each grading imports TensorFlow in its runner


def record(result) -> dict:
    data = result.to_gradescope()
    data.pop("execution_time", None)
    return data


@pytest.fixture
def warm_judges():
    warm.enable()
    yield
    warm.disable()


def outcomes(result) -> list[tuple]:
    """Each test's points and status, and its message up to where a hang was seen (the
    line a stopped loop was on differs from run to run)."""
    return [(t.name, t.score, t.status, t.output.split(" (line")[0]) for t in result.tests]


def test_warm_judges_grade_exactly_as_cold_ones(tmp_path):
    wrong, hangs = submit(tmp_path, WRONG, "wrong.py"), submit(tmp_path, HANGS, "hangs.py")
    cold = record(grade_submission(wrong, KERAS_TOY)), outcomes(grade_submission(hangs, KERAS_TOY))
    warm.enable()
    try:
        starter = warm.starter_for(True)
        assert record(grade_submission(wrong, KERAS_TOY)) == cold[0]
        assert outcomes(grade_submission(hangs, KERAS_TOY)) == cold[1]
        assert warm.starter_for(True) is starter, "one starter serves every grading"
        assert warm.starter_for(False) is None, "suites without Keras start their judges cold"
    finally:
        warm.disable()
    assert cold[0]["score"] == 6 and any("stopped after 3 s" in o[3] for o in cold[1])


def test_the_starter_keeps_nothing_of_a_grading(tmp_path, warm_judges):
    starter = warm.starter_for(True)
    first = grade_submission(submit(tmp_path, CORRECT), KERAS_TOY)
    assert first.score == 10
    process = psutil.Process(starter.pid)
    descriptors = sorted(os.listdir(f"/proc/{starter.pid}/fd"))
    assert process.children() == [], "every judge is gone once its grading ends"
    assert grade_submission(submit(tmp_path, WRONG), KERAS_TOY).score == 6
    assert sorted(os.listdir(f"/proc/{starter.pid}/fd")) == descriptors, \
        "no descriptor of a grading stays open in the starter"
    assert process.children() == []


def test_a_lost_starter_loses_no_other_grading(tmp_path, warm_judges):
    correct = submit(tmp_path, CORRECT)
    first = warm.starter_for(True)
    first.close()  # gone between two gradings: the next one starts a new starter
    assert grade_submission(correct, KERAS_TOY).score == 10
    second = warm.starter_for(True)
    assert second is not first

    def kill_starter_soon():
        time.sleep(2.0)
        psutil.Process(second.pid).kill()

    killer = threading.Thread(target=kill_starter_soon)
    killer.start()
    grade_submission(submit(tmp_path, HANGS, "hangs.py"), KERAS_TOY)  # whatever it gets
    killer.join()
    assert grade_submission(correct, KERAS_TOY).score == 10
