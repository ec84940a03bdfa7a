"""The rule that feedback never quotes the hidden suite or the reference solution,
and the summary line of a result. (Messages for crashes, hangs and import errors
are written by the judge, which saw them happen.)
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from autograder.assignments import Assignment
from autograder.result import Result

SECRET_MIN_LENGTH = 30
# A line that is only (part of) a string literal is message text, meant to be read.
STRING_LITERAL_LINE = re.compile(r"""^[rbfRBF]{0,2}("|')""")


@functools.lru_cache(maxsize=16)
def secret_lines(hidden_dir: Path, reference: Path) -> frozenset[str]:
    """Lines of hidden tests and reference solutions no feedback may quote."""
    texts = [p.read_text() for p in sorted(hidden_dir.glob("**/*.py"))]
    if reference.is_file():  # our own notebook: plain JSON is enough (nbformat validates, slowly)
        cells = json.loads(reference.read_text())["cells"]
        code = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
        texts += re.findall(r"(?s)### BEGIN SOLUTION(.*?)### END SOLUTION", code)
    lines = set()
    for text in texts:
        for line in text.splitlines():
            line = line.strip()
            if len(line) >= SECRET_MIN_LENGTH and not line.startswith(("import ", "from ")) \
                    and not STRING_LITERAL_LINE.match(line):
                lines.add(line)
    return frozenset(lines)


def withhold_secrets(result: Result, assignment: Assignment) -> None:
    secrets = secret_lines(assignment.hidden_dir,
                            assignment.solutions_dir / f"{assignment.id}.ipynb")
    for test in result.tests:
        if test.output and any(line in test.output for line in secrets):
            test.output = ("this failure's message quoted the grader's own code, so it is "
                           "withheld; the test checks: " + test.name)


def summary(result: Result, ingested) -> str:
    lines = [f"{result.assignment}: {result.score:g} / {result.max_score:g} points"]
    if result.error:
        lines.append(f"Your submission could not be read: {result.error}")
    lines += [f"warning: {w}" for w in ingested.warnings]
    return "\n".join(lines)
