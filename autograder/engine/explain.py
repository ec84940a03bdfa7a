"""What the student reads when a test fails for a reason other than an assertion:
a crash, a hang, memory, tampering, an import error; and the rule that feedback
never quotes the hidden suite or the reference solution.
"""

from __future__ import annotations

import functools
import re
import signal
from pathlib import Path

import nbformat

from autograder.assignments import Assignment
from autograder.engine.ingest import Ingested
from autograder.engine.sandbox import ChildRun
from autograder.result import Result

SECRET_MIN_LENGTH = 30
# A line that is only (part of) a string literal is message text, meant to be read.
STRING_LITERAL_LINE = re.compile(r"""^[rbfRBF]{0,2}("|')""")


@functools.lru_cache(maxsize=16)
def secret_lines(hidden_dir: Path, reference: Path) -> frozenset[str]:
    """Lines of hidden tests and reference solutions no feedback may quote."""
    texts = [p.read_text() for p in sorted(hidden_dir.glob("**/*.py"))]
    if reference.is_file():
        code = "\n".join(cell.source for cell in nbformat.read(str(reference), 4).cells
                         if cell.cell_type == "code")
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


def located_message(event: dict, ingested: Ingested) -> str:
    message = event.get("message") or "failed"
    func, line = event.get("student_function"), event.get("student_line")
    if event.get("in_student_code") and line and "not implemented yet" not in message:
        where = ingested.where(int(line))
        message += f" (raised in `{func}`, {where})" if func != "<module>" else f" ({where})"
    return message


def tamper_failure(run: ChildRun) -> str | None:
    for e in run.events:
        if e["event"] == "tampered":
            names = ", ".join(f"`{n}`" for n in e.get("names", [])[:5])
            return (f"not run: your code replaced {names}, which the grader relies on; "
                    "tests from that point on score 0")
    return None


def import_failure(run: ChildRun, ingested: Ingested, assignment: Assignment) -> str | None:
    kinds = [e["event"] for e in run.events]
    for e in run.events:
        if e["event"] == "import_error":
            msg = located_message(e, ingested)
            return f"your code raised an error when it was loaded, so no test could run: {msg}"
    if "import_start" in kinds and "import_done" not in kinds:
        return death_reason(run, "while your code was being loaded", assignment, ingested,
                             assignment.import_timeout)
    return None


def death_reason(run: ChildRun, doing: str, assignment: Assignment, ingested: Ingested,
                  timeout: float | None = None) -> str:
    where = hang_location(run.hang_traceback, ingested)
    if run.killed == "timeout":
        return f"stopped after {timeout or assignment.test_timeout:.0f} s {doing}{where}: " \
               "look for an infinite loop or far too much work."
    if run.killed == "memory":
        return f"stopped {doing}{where}: it used more than {assignment.memory_mb:,} MB of " \
               "memory."
    code = run.returncode
    if code is not None and code < 0:
        sig = signal.Signals(-code)
        if sig == signal.SIGXCPU:
            return f"stopped {doing}: it used up its CPU time."
        if sig == signal.SIGXFSZ:
            return f"stopped {doing}: it wrote too much output or too large a file."
        return f"the process was killed by {sig.name} {doing}."
    return (f"the process exited with code {code} {doing}: does your code call sys.exit(), "
            "os._exit() or quit()?")


_FAULTHANDLER_FRAME = re.compile(r'File "([^"]+)", line (\d+) in (\S+)')


def hang_location(traceback_text: str, ingested: Ingested) -> str:
    """' in `train_perceptron` (cell 5, line 3)' from a faulthandler dump, if it names one."""
    for match in _FAULTHANDLER_FRAME.finditer(traceback_text):  # innermost frame first
        filename, line, func = match.groups()
        if filename.endswith("_submission.py"):
            func_txt = f" in `{func}`" if func != "<module>" else ""
            return f"{func_txt} ({ingested.where(int(line))})"
    return ""


def summary(result: Result, ingested: Ingested) -> str:
    lines = [f"{result.assignment}: {result.score:g} / {result.max_score:g} points"]
    if result.error:
        lines.append(f"Your submission could not be read: {result.error}")
    lines += [f"warning: {w}" for w in ingested.warnings]
    return "\n".join(lines)
