"""Every topic has notes with a keras-io style header.

That the notes run end to end and draw every figure they show is tested by the one
site build in tests/test_site.py: it executes each notes notebook (the same code
cells as notes.py, checked there too) in a fresh folder, fails on any error, and its
link check fails on any figure the code did not draw.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.assignments import REPO_ROOT

NOTES = sorted((REPO_ROOT / "course").glob("*/notes.py"))


def test_there_are_notes():
    assert NOTES, "course/ has no notes.py"


@pytest.mark.parametrize("notes", NOTES, ids=lambda p: p.parent.name)
def test_notes_have_a_header(notes: Path):
    header = notes.read_text().split('"""')[1]
    assert "Title:" in header and "Description:" in header, "notes need a keras-io style header"
