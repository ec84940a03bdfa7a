"""Turn a submission (.ipynb or .py) into one importable Python module.

From a notebook we keep the code an instructor means to grade: nbgrader solution
cells, the read-only setup cells the instructor provides (imports, helper
classes) and cells the student added; never autograder test cells and never
cells tagged `demo` (plots, long training runs shown in class). IPython-only
lines (`!pip ...`, `%matplotlib ...`) become `pass` so the module imports as plain
Python, and a cell that does not even parse is dropped with a warning instead of
taking every other function down with it.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import NeurogradeError

DEMO_TAGS = {"demo", "skip-grading"}
# Cell magics whose body is still Python; any other (%%bash, %%html...) drops the cell.
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun"}
IPYTHON_LINE = re.compile(r"^(\s*)([!%].*)$")


class SubmissionError(NeurogradeError, ValueError):
    """The submission cannot be read as Python at all (the message says why)."""


def describe_line(cell_lines, line: int) -> str:
    """A module line in the student's terms ("cell 4, line 2"), given the notebook's
    (first_line, last_line, cell_number) of each kept cell."""
    for first, last, cell in cell_lines:
        if first <= line <= last:
            return f"cell {cell}, line {line - first + 1}"
    return f"line {line}"


@dataclass
class Ingested:
    source: str
    kind: str  # "notebook" | "module"
    warnings: list[str] = field(default_factory=list)
    # (first_line, last_line, cell_number) of each kept cell, 1-based, for feedback.
    cell_lines: list[tuple[int, int, int]] = field(default_factory=list)
    assignment_hint: str | None = None

    def where(self, line: int) -> str:
        """Describe a module line in the student's terms ("cell 4, line 2")."""
        return describe_line(self.cell_lines, line)


def ingest(path: str | Path) -> Ingested:
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"Submission not found: {path}")
    raw = path.read_bytes()
    if not raw.strip():
        raise SubmissionError(f"{path.name} is empty: nothing to grade.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SubmissionError(f"{path.name} is not UTF-8 text ({exc}).") from None
    if path.suffix == ".ipynb":
        return ingest_notebook_text(text, name=path.name)
    if path.suffix == ".py":
        return ingest_module_text(text, name=path.name)
    raise SubmissionError(f"{path.name}: expected a .ipynb notebook or a .py module.")


def ingest_module_text(text: str, name: str = "submission.py") -> Ingested:
    warnings = []
    try:
        ast.parse(text)
    except SyntaxError as exc:
        # A .py has no cells to drop: keep it, the import step will report the error.
        warnings.append(f"{name} has a syntax error at line {exc.lineno}: {exc.msg}")
    return Ingested(source=text, kind="module", warnings=warnings,
                    assignment_hint=_hint_from_name(name))


def assignment_hint(path: Path) -> str | None:
    """The assignment a submission says it is for (notebook metadata, else its name),
    read without parsing its code."""
    path = Path(path)
    if path.suffix == ".ipynb":
        try:
            meta = json.loads(path.read_bytes()).get("metadata", {})
            hint = meta.get("neurograde", {}).get("assignment")
        except (ValueError, AttributeError, OSError):
            hint = None
        if isinstance(hint, str) and hint:
            return hint
    return _hint_from_name(path.name)


def read_notebook(text: str, name: str) -> dict:
    """The notebook as nbformat 4 JSON.

    Version 4 (every Jupyter since 2015) is read as plain JSON: importing nbformat
    costs about 2 s (its schema validator compiles a grammar at import), more than
    the rest of reading and checking a submission, and grading needs only the
    cells and the metadata. Older notebooks go through nbformat's converter.
    """
    try:
        nb = json.loads(text)
    except ValueError as exc:
        raise SubmissionError(f"{name} is not a readable notebook: {_first_line(exc)}") from None
    if not isinstance(nb, dict):
        raise SubmissionError(f"{name} is not a readable notebook: it is not a JSON object.")
    if nb.get("nbformat") != 4:
        import nbformat  # only for notebooks older than version 4

        try:
            nb = nbformat.reads(text, as_version=4)
        except Exception as exc:  # noqa: BLE001  (nbformat raises many kinds on bad input)
            raise SubmissionError(f"{name} is not a readable notebook: "
                                  f"{_first_line(exc)}") from None
    if not isinstance(nb.get("cells"), list) or \
            not all(isinstance(cell, dict) for cell in nb["cells"]):
        raise SubmissionError(f"{name} is not a readable notebook: it has no list of cells.")
    return nb


def ingest_notebook_text(text: str, name: str = "submission.ipynb") -> Ingested:
    nb = read_notebook(text, name)

    pieces: list[str] = []
    warnings: list[str] = []
    cell_lines: list[tuple[int, int, int]] = []
    line = 1
    for number, cell in enumerate(nb["cells"], start=1):
        if cell.get("cell_type") != "code" or not _is_graded_code(cell):
            continue
        code = _neutralise_ipython(_source(cell))
        if code is None or not code.strip():
            continue
        try:
            ast.parse(code)
        except SyntaxError as exc:
            warnings.append(
                f"cell {number} was skipped: syntax error at its line {exc.lineno}: {exc.msg}"
            )
            continue
        header = f"# --- cell {number} ---\n"
        body = code.rstrip("\n") + "\n\n"
        n_body = body.count("\n")
        cell_lines.append((line + 1, line + n_body, number))
        pieces.append(header + body)
        line += 1 + n_body
    if not pieces:
        raise SubmissionError(f"{name} has no code cells to grade.")
    hint = _mapping(_mapping(nb.get("metadata")).get("neurograde")).get("assignment")
    hint = hint if isinstance(hint, str) and hint else _hint_from_name(name)
    return Ingested(source="".join(pieces), kind="notebook", warnings=warnings,
                    cell_lines=cell_lines, assignment_hint=hint)


def _is_graded_code(cell) -> bool:
    meta = _mapping(cell.get("metadata"))
    tags = meta.get("tags")
    if isinstance(tags, list) and DEMO_TAGS & {t for t in tags if isinstance(t, str)}:
        return False
    nbg = _mapping(meta.get("nbgrader"))
    # Autograder test cells (grade without solution) hold tests, not student code.
    return not (nbg.get("grade") and not nbg.get("solution"))


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(map(str, src)) if isinstance(src, list) else str(src)


def _neutralise_ipython(code: str) -> str | None:
    lines = code.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split(maxsplit=1)[0] if lines[0].strip() != "%%" else ""
        if magic not in PYTHON_CELL_MAGICS:
            return None
        lines = lines[1:]
    out = []
    for text in lines:
        match = IPYTHON_LINE.match(text)
        out.append(f"{match.group(1)}pass  # IPython: {match.group(2)[:60]}" if match else text)
    return "\n".join(out)


def _hint_from_name(name: str) -> str | None:
    stem = Path(name).stem.lower()
    from autograder.assignments import COURSE_ORDER

    return next((a for a in COURSE_ORDER if a in stem), None)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
