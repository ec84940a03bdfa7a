"""How a test declares what it is worth.

Every graded test carries points, the task it belongs to (usually the student
function it exercises) and a visibility, as a pytest marker:

    @graded(points=2, task="train_perceptron")
    def test_and_gate_converges(sub): ...

Visibility uses Gradescope's words: "visible" (public tests), "after_published"
(hidden tests: the student sees the feedback once grades are published),
"after_due_date" or "hidden".
"""

from __future__ import annotations

import pytest

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


def graded(points: float, task: str, visibility: str | None = None, timeout: float | None = None):
    """Mark a test as worth `points` towards `task`.

    Args:
        points: points earned when the test passes (0 when it fails).
        task: the task (student function or exercise) the test grades.
        visibility: Gradescope visibility; defaults to "visible" for tests under
            a suite's public/ folder and "after_published" for hidden ones.
        timeout: wall-clock seconds this test may take; defaults to the
            assignment's `test_timeout`.
    """
    if points < 0:
        raise ValueError(f"Invalid value for argument `points`: expected >= 0. Received: {points}")
    if visibility is not None and visibility not in VISIBILITIES:
        raise ValueError(
            f"Invalid value for argument `visibility`: expected one of {VISIBILITIES}. "
            f"Received: visibility={visibility!r}"
        )
    return pytest.mark.graded(points=points, task=task, visibility=visibility, timeout=timeout)
