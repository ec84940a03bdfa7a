"""The course notes run, end to end, and draw their figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.assignments import REPO_ROOT

NOTES = sorted((REPO_ROOT / "course").glob("*/notes.py"))
BUDGET_SECONDS = 300


def test_there_are_notes():
    assert NOTES, "course/ has no notes.py"


@pytest.mark.slow
@pytest.mark.parametrize("notes", NOTES, ids=lambda p: p.parent.name)
def test_notes_run_and_draw(notes: Path, tmp_path):
    header = notes.read_text().split('"""')[1]
    assert "Title:" in header and "Description:" in header, "notes need a keras-io style header"
    env = {**os.environ, "NEUROGRADE_FIGURES": str(tmp_path), "MPLBACKEND": "Agg",
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run([sys.executable, str(notes)], cwd=notes.parent, env=env,
                          capture_output=True, text=True, timeout=BUDGET_SECONDS)
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = list(tmp_path.glob("*.png"))
    assert figures, f"{notes} drew no figure"
