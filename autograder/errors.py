"""The one family of errors the command line turns into exit codes.

Library code raises these (never `sys.exit`); `autograder.cli` prints the message
and exits with `exit_code`: 2 for a usage problem the user can fix, 1 for a
failure of the tool or of what it checked.
"""

from __future__ import annotations


class NeurogradeError(Exception):
    """Base of every error the command line reports as a message, not a traceback."""

    exit_code = 2
    label = "error"
