"""What a notebook's check cells print for students, run in a real interpreter
whose __main__ holds the student's code (as a Jupyter kernel's does)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from autograder.assignments import get_assignment
from autograder.instructor.variants import reference_source

RUN = """
import sys
source = open(sys.argv[1]).read()
exec(compile(source, "notebook", "exec"), globals())
checker.check("step", "mp_neuron")
print("<stderr empty>" if not sys.stderr.getvalue() else "<stderr written>")
"""


def run_checks(tmp_path, source: str) -> str:
    module = tmp_path / "nb.py"
    module.write_text(source)
    script = "import io, sys\nsys.stderr = io.StringIO()\n" + RUN
    proc = subprocess.run([sys.executable, "-c", script, str(module)], capture_output=True,
                          text=True, timeout=120, env={"TF_CPP_MIN_LOG_LEVEL": "3",
                                                       "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.slow  # runs TensorFlow: the full test command covers it
def test_check_cell_reports_passes(tmp_path):
    out = run_checks(tmp_path, reference_source(get_assignment("perceptron")))
    assert "ok   [step]" in out and "ok   [mp_neuron]" in out
    assert "All public checks pass" in out and "<stderr empty>" in out


@pytest.mark.slow  # runs TensorFlow: the full test command covers it
def test_check_cell_reports_failures_without_raising(tmp_path):
    source = reference_source(get_assignment("perceptron")).replace(
        "return (np.asarray(z) >= 0).astype(int)", "return (np.asarray(z) > 0).astype(int)")
    out = run_checks(tmp_path, source)
    assert "FAIL [step]" in out and "expected [0, 1, 1], got [0, 0, 1]" in out
    assert "All public checks pass" not in out
