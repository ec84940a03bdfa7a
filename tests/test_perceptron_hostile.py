"""A perceptron submission that hangs, eats memory and exits, one function each,
still gets the points of its correct functions and a clear message for the rest."""

from __future__ import annotations

import pytest

from autograder.assignments import get_assignment
from autograder.engine.grader import grade_submission
from autograder.instructor.variants import reference_source

pytestmark = pytest.mark.slow


def test_hostile_functions_are_contained(tmp_path):
    assignment = get_assignment("perceptron")
    source = reference_source(assignment)
    hostile = {
        '''    if name == "not":\n        return np.array([[0], [1]]), np.array([1, 0])''':
            '''    while True:\n        pass''',
        '''    W1 = np.array([[1.0, -1.0], [1.0, -1.0]])''':
            '''    hog = [b"x" * 100_000_000 for _ in range(1000)]''',
        '''    return int(step(np.dot(''': '''    import os; os._exit(0); return int(step(np.dot(''',
    }
    for find, replace in hostile.items():
        assert source.count(find) == 1, find
        source = source.replace(find, replace)
    path = tmp_path / "perceptron.py"
    path.write_text(source)

    result = grade_submission(path, assignment)

    tasks = result.tasks()
    for task in ("step", "predict", "train_perceptron", "build_xor_mlp"):
        assert tasks[task][0] == tasks[task][1], (task, tasks[task])
    for task in ("mp_neuron", "logic_gate", "xor_by_hand"):
        assert tasks[task][0] == 0, (task, tasks[task])
    messages = {t.task: t.output for t in result.tests if not t.passed}
    assert "stopped after 10 s" in messages["logic_gate"] and "`logic_gate`" in \
        messages["logic_gate"]
    assert "MB of memory" in messages["xor_by_hand"]
    assert "exited with code 0" in messages["mp_neuron"]
