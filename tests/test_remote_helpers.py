"""The judge's data-only helpers on `sub`, through the real judge and runner:
`keep` (data that stays in the runner, to see changes made in place), `reseed`
(the runner's random state) and a function's name in check messages."""

from __future__ import annotations

import random
import textwrap
import types
from pathlib import Path

import numpy as np

from autograder.assignments import _load
from autograder.engine.grader import grade_submission
from autograder.engine.remote import LocalSubmission

SUITE = _load(Path(__file__).parent / "fixtures" / "helpers_suite")

CORRECT = """
import random

import numpy as np


def scale(x, k):
    return np.asarray(x) * k


def draw():
    return random.random()


def check(x):
    if x < 0:
        raise ValueError(f"Invalid value for argument `x`: {x}")
    return x
"""


def grade(tmp_path: Path, source: str):
    path = tmp_path / "helpers.py"
    path.write_text(textwrap.dedent(source))
    result = grade_submission(path, SUITE)
    return result, {t.task: t for t in result.tests}


def test_helpers_on_a_correct_submission(tmp_path):
    result, _ = grade(tmp_path, CORRECT)
    assert result.score == result.max_score == 3, [t.output for t in result.tests]


def test_changes_in_place_and_names_show(tmp_path):
    source = CORRECT.replace("    return np.asarray(x) * k", "    x *= k\n    return x")
    source = source.replace('raise ValueError(f"Invalid value for argument `x`: {x}")',
                            'raise TypeError("negative")')
    result, tests = grade(tmp_path, source)
    assert "the argument became [3. 6.]" in tests["scale"].output
    assert tests["check"].output.startswith("check(-1) should raise ValueError naming `x`")
    assert tests["draw"].passed


def test_submission_source_is_visible_to_inspect(tmp_path):
    """tf.function's AutoGraph reads a function's source with inspect: the runner has it."""
    source = CORRECT.replace("def scale(x, k):\n    return np.asarray(x) * k",
                             "def scale(x, k):\n    import inspect\n\n"
                             "    assert 'inspect.getsource' in inspect.getsource(scale)\n"
                             "    return np.asarray(x) * k")
    assert source != CORRECT
    _, tests = grade(tmp_path, source)
    assert tests["scale"].passed, tests["scale"].output


def test_local_submission_serves_the_same_helpers():
    module = types.SimpleNamespace(scale=lambda x, k: x.__imul__(k), draw=random.random)
    local = LocalSubmission(module)
    x = local.keep(np.array([1.0, 2.0]))
    local.scale(x, 3.0)
    assert np.array_equal(x, [3.0, 6.0])  # a change in place shows, as in the runner
    local.reseed(5)
    a = local.draw()
    local.reseed(5)
    assert local.draw() == a
