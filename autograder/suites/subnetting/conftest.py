"""Fixtures shared by the public and hidden subnetting tests.

`sub` wraps the engine's fixture of the same name: when grading, a submission whose
source uses a forbidden module or a dynamic import (`guard.scan_source`, run by the
engine's `submission_scan` on the text, never executed) is refused in every test with a message that says why.
Where the submission runs, the runner has made those modules unimportable
(meta.toml's `forbidden_modules`), so a route the scan misses fails there too.

In a student's own kernel (the notebook's public checks) there is no submission
text to scan: the checks run on the notebook's namespace as it is.
"""

import pytest

from autograder.suites.subnetting import guard


@pytest.fixture
def sub(sub, request):
    """The submission, refused with a clear message if its source uses a forbidden module."""
    try:
        problems = request.getfixturevalue("submission_scan")  # meta.toml: guard.scan_source
    except pytest.FixtureLookupError:  # the notebook's public checks: nothing is graded
        return sub
    if problems:
        raise AssertionError(guard.source_message(problems))
    return sub
