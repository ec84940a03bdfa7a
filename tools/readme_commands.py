"""The README's quick-start commands, read from README.md itself.

CI and the tests run exactly these lines, so the README cannot drift from what works:

    python -m tools.readme_commands test     # prints the "install and run the tests" line
    python -m tools.readme_commands main     # prints the "install and run the main job" line
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
# The sentence that introduces each command in the Quick start section.
INTRODUCED_BY = {"main": "Install and run the main job", "test": "Install and run the tests"}


def quick_start_command(which: str, readme: Path = README) -> str:
    """The indented command line that follows the sentence introducing `which`."""
    text = readme.read_text()
    start = text.index(INTRODUCED_BY[which])
    match = re.compile(r"^ {4}(\S.*)$", re.MULTILINE).search(text, start)
    if match is None:
        raise ValueError(f"README.md has no indented command after {INTRODUCED_BY[which]!r}")
    return match.group(1).strip()


if __name__ == "__main__":
    print(quick_start_command(sys.argv[1]))
