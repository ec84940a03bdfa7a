"""The course notes as Jupyter notebooks.

Each `course/NN_topic/notes.py` is a script in the keras-io example format: a header
string (Title, Description, Prerequisites, Assignment), then prose in top-level string
blocks between short code blocks. This module turns one into a notebook, a markdown
cell per prose block and a code cell per code block, with each figure the code saves
shown by a markdown image cell right after it.

    python -m tools.notebooks            # write course/NN_topic/notes.ipynb for every topic
    python -m tools.notebooks --check    # exit 1 if a committed notebook is out of date

The committed notebooks carry no outputs; `tests/test_site.py` checks that they match
the notes, and the site build (`python -m tools.build_site`) executes the same cells.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO_ROOT = Path(__file__).resolve().parent.parent
COURSE = REPO_ROOT / "course"
HEADER_KEYS = ("Title", "Description", "Prerequisites", "Assignment")
FIGURE_SAVE = re.compile(r"""savefig\(\s*FIGURES\s*/\s*["']([^"']+\.png)["']""")
SUPTITLE = re.compile(r"""suptitle\(\s*r?(["'])(.+?)\1""")


@dataclass
class Notes:
    path: Path
    header: dict[str, str]
    blocks: list[tuple[str, str]]  # ("markdown" | "code", text), in file order

    @property
    def topic(self) -> str:
        return self.path.parent.name


def topics() -> list[Path]:
    return sorted(COURSE.glob("*/notes.py"))


def parse_header(text: str) -> dict[str, str]:
    """'Key: value' lines, a value continuing on the following lines until the next key."""
    header: dict[str, str] = {}
    key = None
    for line in text.strip().splitlines():
        match = re.match(r"^([A-Z][A-Za-z]*):\s*(.*)$", line)
        if match and match.group(1) in HEADER_KEYS:
            key = match.group(1)
            header[key] = match.group(2).strip()
        elif key is not None and line.strip():
            header[key] += " " + line.strip()
    missing = [k for k in ("Title", "Description") if k not in header]
    if missing:
        raise ValueError(f"the notes header lacks {', '.join(missing)}")
    return header


def parse_notes(path: Path) -> Notes:
    """Split a notes file into its header and alternating prose and code blocks."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    prose = [node for node in ast.parse(source).body
             if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
             and isinstance(node.value.value, str)]
    if not prose or prose[0].lineno != 1:
        raise ValueError(f"{path}: the notes must open with their header string")
    header = parse_header(prose[0].value.value)
    blocks: list[tuple[str, str]] = []
    previous_end = prose[0].end_lineno
    for node in [*prose[1:], None]:
        start = node.lineno if node is not None else len(lines) + 1
        code = "\n".join(lines[previous_end:start - 1]).strip("\n")
        if code.strip():
            blocks.append(("code", code))
        if node is not None:
            blocks.append(("markdown", node.value.value.strip("\n")))
            previous_end = node.end_lineno
    return Notes(path, header, blocks)


def _figure_cells(code: str) -> list[str]:
    """A markdown image for each figure this code block saves (alt text: the figure's
    suptitle when the block draws a single figure that has one)."""
    names = FIGURE_SAVE.findall(code)
    titles = [m.group(2) for m in SUPTITLE.finditer(code)]
    cells = []
    for name in names:
        alt = titles[0] if len(names) == len(titles) == 1 else name.removesuffix(".png").replace("_", " ")
        alt = alt.replace("[", "(").replace("]", ")").replace("$", "")
        cells.append(f"![{alt}](figures/{name})")
    return cells


def assignment_link(assignment: str, links: str) -> str:
    """Where the notes point for their assignment: the notebook in the repository, or the
    assignment's page on the course site."""
    if links == "repo":
        return f"../../assignments/{assignment}/{assignment}.ipynb"
    if links == "site":
        return f"../assignments/{assignment}.md"
    raise ValueError(f"links must be 'repo' or 'site', not {links!r}")


def notes_to_notebook(path: Path, links: str = "repo") -> nbformat.NotebookNode:
    """The notebook of one notes file. `links="repo"` points the assignment links at the
    notebooks in this repository; `links="site"` at the course site's assignment pages."""
    notes = parse_notes(path)
    header = notes.header
    intro = [f"# {header['Title']}", "", header["Description"]]
    if "Prerequisites" in header:
        intro += ["", f"**Prerequisites:** {header['Prerequisites']}"]
    assignment = header.get("Assignment")
    if assignment:
        target = assignment_link(assignment, links)
        intro += ["", f"**Assignment:** [`{assignment}`]({target})"]
    intro += ["", "*These notes are generated from `course/" + notes.topic + "/notes.py`; run the "
              "cells from the top. Figures are written to `figures/` beside the notebook.*"]
    cells = [new_markdown_cell("\n".join(intro))]
    for kind, text in notes.blocks:
        if kind == "markdown":
            cells.append(new_markdown_cell(text))
        else:
            cells.append(new_code_cell(text))
            cells.extend(new_markdown_cell(image) for image in _figure_cells(text))
    if assignment:
        cells.append(new_markdown_cell(
            "## Practise\n\n"
            f"Now solve the [`{assignment}` assignment]({assignment_link(assignment, links)}) "
            f"(`assignments/{assignment}/{assignment}.ipynb`) and check yourself with "
            f"`neurograde check assignments/{assignment}/{assignment}.ipynb`."))
    for i, cell in enumerate(cells):
        cell["id"] = f"{notes.topic}-{i:02d}"  # stable ids: regenerating changes nothing
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nb


def notebook_text(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def committed_path(notes: Path) -> Path:
    return notes.with_suffix(".ipynb")


def stale_notebooks() -> list[Path]:
    """Committed notebooks that differ from what their notes generate (or are missing)."""
    stale = []
    for notes in topics():
        target = committed_path(notes)
        expected = notebook_text(notes_to_notebook(notes, links="repo"))
        if not target.is_file() or target.read_text(encoding="utf-8") != expected:
            stale.append(target)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that are out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_notebooks()
        for path in stale:
            print(f"out of date: {path.relative_to(REPO_ROOT)} (run: python -m tools.notebooks)")
        return 1 if stale else 0
    for notes in topics():
        target = committed_path(notes)
        target.write_text(notebook_text(notes_to_notebook(notes, links="repo")), encoding="utf-8")
        print(f"wrote {target.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
