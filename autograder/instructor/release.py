"""The student release: what students receive, verified to hold nothing they must not see.

    DEST/
      README.md                          how to install and check yourself
      neurograde-<version>-py3-none-any.whl
      <id>/<id>.ipynb, tests/, data/     one folder per assignment (from assignments/)

The wheel is the engine with the public tests only, so `neurograde check` works
offline on a student's laptop exactly as it does for the instructor. Of each
suite it carries meta.toml, public/, data/, and the suite-level modules that the
public tests and the suite's conftest.py import; hidden tests, and helpers only
hidden tests use (oracles), stay behind. Everything is assembled in a staging
folder and scanned by `autograder.instructor.leaks` (every file, every archive member)
before anything is written to DEST, so a leaky release is never written at all.
"""

from __future__ import annotations

import ast
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.assignments import SUITES_DIR, Assignment, all_assignments
from autograder.errors import NeurogradeError
from autograder.instructor.distribution import IGNORED, build_wheel
from autograder.instructor.leaks import Leak, load_secrets, scan_for_leaks

__all__ = ["Release", "ReleaseError", "LeakFound", "build_release", "scan_for_leaks"]


class ReleaseError(NeurogradeError, RuntimeError):
    """The release could not be written (destination not empty, nothing to release)."""


class LeakFound(ReleaseError):
    """The staged release holds something students must not see."""

    exit_code = 1

    def __init__(self, leaks: list[Leak]):
        self.leaks = leaks
        shown = "\n  ".join(str(leak) for leak in leaks[:20])
        more = f"\n  ... and {len(leaks) - 20} more" if len(leaks) > 20 else ""
        super().__init__(f"The student release would leak {len(leaks)} thing(s); nothing was "
                         f"written:\n  {shown}{more}")


@dataclass
class Release:
    dest: Path
    wheel: Path
    assignments: list[str]
    # assignment id -> why it is not in the release (no student folder yet...)
    left_out: dict[str, str] = field(default_factory=dict)


def public_closure(suite_dir: Path) -> set[str]:
    """Suite-level files the public tests need: conftest.py, __init__.py and what they import.

    Follows imports transitively; a name counts when a `<name>.py` sits at the
    suite's top level, which over-approximates safely (the leak scan still checks
    whatever is shipped).
    """
    roots = sorted((suite_dir / "public").rglob("*.py"))
    keep = {n for n in ("conftest.py", "__init__.py") if (suite_dir / n).is_file()}
    todo = roots + [suite_dir / n for n in keep]
    while todo:
        tree = ast.parse(todo.pop().read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [part for a in node.names for part in a.name.split(".")]
            elif isinstance(node, ast.ImportFrom):
                names = (node.module or "").split(".") + [a.name for a in node.names]
            for name in names:
                file = f"{name}.py"
                if file not in keep and (suite_dir / file).is_file():
                    keep.add(file)
                    todo.append(suite_dir / file)
    return keep


def _student_filter():
    closures = {p.name: public_closure(p) for p in SUITES_DIR.iterdir() if p.is_dir()}

    def keep(rel: PurePosixPath) -> bool:
        parts = rel.parts
        if len(parts) < 2:  # suites/README.md is the instructors' authoring guide
            return False
        inside = parts[1:]
        return inside[0] in ("public", "data") or inside == ("meta.toml",) or \
            (len(inside) == 1 and inside[0] in closures.get(parts[0], set()))

    return keep


def _readme(assignments: list[Assignment], wheel: str) -> str:
    rows = "\n".join(f"| `{a.id}` | {a.title} |" for a in assignments)
    return f"""# Assignments

| folder | topic |
| --- | --- |
{rows}

## Set up once

    pip install {wheel}

This installs the `neurograde` command with the public tests of every assignment.
It needs Python 3.11 or newer and works offline once installed.

## Work and check yourself

Open `<id>/<id>.ipynb` in Jupyter and fill in every `# YOUR CODE HERE`. The
notebook runs quick checks after each task. To run all public tests:

    neurograde check <id>/<id>.ipynb

`check` exits 0 when every public test passes. When you submit, hidden tests
check more properties of the same functions (shapes, identities, convergence
within a time budget), so passing the public tests is necessary, not sufficient.
"""


def build_release(dest_dir: str | Path, *, force: bool = False) -> Release:
    """Write the student release into `dest_dir` after scanning it for leaks.

    Args:
        dest_dir: destination folder; must be absent or empty unless `force`.
        force: replace whatever `dest_dir` holds.

    Raises:
        LeakFound: something students must not see would be shipped (nothing written).
        ReleaseError: `dest_dir` is not empty, or there is no assignment to release.
    """
    dest = Path(dest_dir)
    if dest.exists() and any(dest.iterdir()) and not force:
        raise ReleaseError(f"Invalid value for argument `dest_dir`: expected an empty or new "
                           f"folder. Received: dest_dir={str(dest)!r}, which holds files "
                           "(pass force=True, or --force on the command line, to replace them).")
    secrets = load_secrets()
    chosen, left_out = [], {}
    for a in all_assignments():
        if (a.student_dir / f"{a.id}.ipynb").is_file():
            chosen.append(a)
        else:
            left_out[a.id] = f"no student notebook at {a.student_dir / f'{a.id}.ipynb'} " \
                             "(run `python -m autograder.instructor.build`)"
    if not chosen:
        raise ReleaseError("No assignment has a student notebook in assignments/: "
                           "run `python -m autograder.instructor.build` first.")
    with tempfile.TemporaryDirectory(prefix="neurograde-release-") as tmp:
        staging = Path(tmp) / "release"
        staging.mkdir()
        for a in chosen:
            shutil.copytree(a.student_dir, staging / a.id, ignore=IGNORED)
        wheel = build_wheel(staging, keep=_student_filter())
        (staging / "README.md").write_text(_readme(chosen, wheel.name))
        leaks = scan_for_leaks(staging, secrets)
        if leaks:
            raise LeakFound(leaks)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(staging, dest)
    return Release(dest=dest, wheel=dest / wheel.name, assignments=[a.id for a in chosen],
                   left_out=left_out)
