"""The README's commands, read from README.md itself.

CI and the tests run exactly these lines, so the README cannot drift from what works:

    python -m tools.readme_commands test     # prints the "install and run the tests" line
    python -m tools.readme_commands main     # prints the "install and run the main job" line
    python -m tools.readme_commands block "The Gradescope door"   # a heading's commands
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


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def block_commands(heading: str, readme: Path = README) -> list[str]:
    """The command lines of the first code block in the section under `heading`.

    The section runs from the Markdown heading whose text is `heading` to the next
    heading of the same or a higher level. A code block is fenced (``` or ~~~) or
    indented by 4 spaces; its non-blank lines are returned as written (without the
    indentation), comments included, to be run one after another in one shell.
    """
    lines = readme.read_text().splitlines()
    starts = [i for i, line in enumerate(lines)
              if (m := _HEADING.match(line)) and m.group(2) == heading]
    if len(starts) != 1:
        raise ValueError(f"README.md has {len(starts)} headings {heading!r}, expected one")
    level = len(_HEADING.match(lines[starts[0]]).group(1))
    section = []
    in_fence = False
    for line in lines[starts[0] + 1:]:
        if _FENCE.match(line):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if m and len(m.group(1)) <= level:
            break
        section.append(line)
    block: list[str] = []
    fenced = False
    previous_blank = True
    for line in section:
        if _FENCE.match(line):
            if fenced:
                break
            fenced = True
            continue
        if fenced:
            block.append(line)
        elif line.startswith("    ") and line.strip() and (block or previous_blank):
            block.append(line[4:])
        elif block and line.strip():
            break
        previous_blank = not line.strip()
    commands = [line for line in block if line.strip()]
    if not commands:
        raise ValueError(f"README.md has no code block under the heading {heading!r}")
    return commands


if __name__ == "__main__":
    if sys.argv[1] == "block":
        print("\n".join(block_commands(sys.argv[2])))
    else:
        print(quick_start_command(sys.argv[1]))
