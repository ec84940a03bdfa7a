"""Find what students must never receive in a folder, a file or an archive.

The student release is checked by opening every file, and every member of every
wheel, zip or tarball inside it (recursively), for:

- hidden test files: a path under `suites/<id>/hidden/`, or the exact content of
  any file in a hidden suite, whatever it was renamed to;
- nbgrader's solution and hidden-test markers (a source notebook shipped by
  mistake), anywhere but in the engine's own modules, which document the format;
- the reference solutions themselves: every distinctive line of code between
  the solution markers of solutions/<id>/<id>.ipynb and of the alternative
  solutions in solutions/<id>/alternatives/, unless the student notebook, the
  public tests or the engine's own modules already hold that line (a signature,
  a provided import, a `raise ValueError(` any code has);
- buggy variants: any file named mutants.toml.

Matching is by whole stripped lines, so a solution line found inside a notebook,
a Python file or a text file is caught alike.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder.assignments import REPO_ROOT, SUITES_DIR
from autograder.errors import NeurogradeError

# Built from halves so that this module, which ships to students, holds no marker.
_B, _E = "### BEGIN ", "### END "
SOLUTION_MARKERS = (_B + "SOLUTION", _B + "HIDDEN TESTS", _E + "SOLUTION", _E + "HIDDEN TESTS")
MIN_LINE = 16  # shorter lines ("return w, b") are too common to mean anything
ARCHIVE_SUFFIXES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar")
_HIDDEN_PATH = re.compile(r"(^|/)suites/[^/]+/hidden/")
_ENGINE_MODULE = re.compile(r"(^|/)autograder/((engine|outputs|instructor)/)?[^/]+\.py$")


class LeakScanError(NeurogradeError, RuntimeError):
    """The scanner cannot know what to look for (no solutions/ folder)."""


@dataclass(frozen=True)
class Leak:
    where: str  # "release/x.whl!autograder/suites/perceptron/hidden/test_neuron.py"
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass(frozen=True)
class Secrets:
    """What the scanner looks for, from the instructor's source tree."""

    hidden_digests: dict[str, str]  # sha256 -> path of the hidden file
    solution_lines: dict[str, str]  # stripped line -> "solutions/<id>/..." it comes from


def _cells(notebook_text: str) -> list[str]:
    try:
        nb = json.loads(notebook_text)
    except ValueError:
        return []
    if not isinstance(nb, dict):
        return []
    return ["".join(c.get("source", "")) if isinstance(c.get("source"), list)
            else str(c.get("source", "")) for c in nb.get("cells", []) if isinstance(c, dict)]


def _between_markers(text: str) -> list[str]:
    """Lines strictly between the solution markers of a source cell."""
    out, inside = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == SOLUTION_MARKERS[0]:
            inside = True
        elif stripped == SOLUTION_MARKERS[2]:
            inside = False
        elif inside:
            out.append(stripped)
    return out


def _distinctive(line: str) -> bool:
    return len(line) >= MIN_LINE and not line.startswith("#")


def load_secrets(repo_root: Path = REPO_ROOT, suites_dir: Path = SUITES_DIR) -> Secrets:
    """Hidden test digests and distinctive solution lines of every assignment."""
    solutions = repo_root / "solutions"
    if not solutions.is_dir():
        raise LeakScanError(f"Cannot scan for leaks: no solutions/ folder at {repo_root}. "
                            "Run this from a source checkout of neurograde.")
    digests = {hashlib.sha256(p.read_bytes()).hexdigest(): str(p.relative_to(suites_dir))
               for p in sorted(suites_dir.glob("*/hidden/**/*")) if p.is_file()
               and "__pycache__" not in p.parts}
    lines: dict[str, str] = {}
    for folder in sorted(p for p in solutions.iterdir() if p.is_dir()):
        rel = f"solutions/{folder.name}"
        source = folder / f"{folder.name}.ipynb"
        if source.is_file():
            for cell in _cells(source.read_text()):
                for line in _between_markers(cell):
                    lines.setdefault(line, f"{rel}/{source.name}")
        for alt in sorted((folder / "alternatives").glob("*.py")):
            for line in alt.read_text().splitlines():
                lines.setdefault(line.strip(), f"{rel}/alternatives/{alt.name}")
    public = _public_lines(repo_root, suites_dir)
    lines = {k: v for k, v in lines.items() if _distinctive(k) and k not in public}
    return Secrets(hidden_digests=digests, solution_lines=lines)


def _public_lines(repo_root: Path, suites_dir: Path) -> set[str]:
    """Lines students may see: student notebooks, public tests, the engine's modules
    (every module of the package outside the suites, which ship in the student wheel)."""
    seen: set[str] = set()
    for path in sorted(suites_dir.parent.rglob("*.py")):
        if suites_dir not in path.parents:
            seen.update(line.strip() for line in path.read_text().splitlines())
    for path in sorted((repo_root / "assignments").rglob("*")):
        if path.suffix == ".ipynb":
            seen.update(line.strip() for c in _cells(path.read_text()) for line in c.splitlines())
        elif path.suffix == ".py":
            seen.update(line.strip() for line in path.read_text().splitlines())
    for path in sorted(suites_dir.glob("*/public/**/*.py")):
        seen.update(line.strip() for line in path.read_text().splitlines())
    return seen


def scan_for_leaks(path: str | Path, secrets: Secrets | None = None) -> list[Leak]:
    """Every leak in `path` (a folder, a file or an archive); empty when it is clean."""
    secrets = secrets or load_secrets()
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"Nothing to scan at {path}")
    leaks: list[Leak] = []
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        name = f"{path.name}/{file.relative_to(path).as_posix()}" if path.is_dir() else file.name
        _scan_bytes(name, name, file.read_bytes(), secrets, leaks, depth=0)
    return leaks


def _scan_bytes(where: str, name: str, data: bytes, secrets: Secrets, leaks: list[Leak],
                depth: int) -> None:
    found = lambda what: leaks.append(Leak(where, what))  # noqa: E731
    posix = PurePosixPath(name).as_posix()
    if _HIDDEN_PATH.search(posix):
        found("a file of a hidden test suite")
    digest = hashlib.sha256(data).hexdigest()
    if digest in secrets.hidden_digests and data.strip():
        found(f"the content of the hidden test {secrets.hidden_digests[digest]}")
    if PurePosixPath(posix).name == "mutants.toml":
        found("buggy variants (mutants.toml)")
    if depth < 4 and posix.endswith(ARCHIVE_SUFFIXES):
        for member, content in _members(data):
            _scan_bytes(f"{where}!{member}", member, content, secrets, leaks, depth + 1)
        return
    text = data.decode("utf-8", errors="ignore")
    if not _ENGINE_MODULE.search(posix):
        for marker in SOLUTION_MARKERS[:2]:
            if marker in text:
                found(f"an nbgrader marker '{marker}'")
    lines = [line.strip() for c in _cells(text) for line in c.splitlines()] \
        if posix.endswith(".ipynb") else []
    lines += [line.strip() for line in text.splitlines()]
    for line in dict.fromkeys(lines):
        if line in secrets.solution_lines:
            found(f"a line of the reference solution {secrets.solution_lines[line]}: {line!r}")


def _members(data: bytes) -> list[tuple[str, bytes]]:
    """(name, bytes) of every file in a zip or tar archive; [] when it is neither."""
    buffer = io.BytesIO(data)
    if zipfile.is_zipfile(buffer):
        with zipfile.ZipFile(buffer) as zf:
            return [(i.filename, zf.read(i)) for i in zf.infolist() if not i.is_dir()]
    buffer.seek(0)
    try:
        with tarfile.open(fileobj=buffer) as tf:
            return [(m.name, tf.extractfile(m).read()) for m in tf.getmembers() if m.isfile()]
    except tarfile.TarError:
        return []
