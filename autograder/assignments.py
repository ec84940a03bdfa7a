"""The registry of assignments: one folder per id under autograder/suites/.

Each suite folder holds `meta.toml` (title, budgets, which frameworks the suite
needs), `public/` (tests students also receive) and `hidden/` (tests they never
see). Solutions, buggy variants and alternative solutions live in the repository's
solutions/<id>/ folder, which is not part of the installed package.

$NEUROGRADE_SUITES names more folders of suites (separated by os.pathsep), laid out
the same way, for grading with a suite that is not part of the course (a benchmark's
trivial suite, an instructor's draft): `get_assignment` finds them by id after the
course's own, which they cannot shadow; the course listing (`all_assignments`:
list, demo, audit, release, nbgrader-setup) holds only the course's six.
"""

from __future__ import annotations

import importlib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import NeurogradeError

SUITES_DIR = Path(__file__).parent / "suites"
SUITES_ENV = "NEUROGRADE_SUITES"  # more folders of suites, os.pathsep-separated
REPO_ROOT = Path(__file__).resolve().parent.parent
COURSE_ORDER = ("perceptron", "alexnet", "rnn", "dbn", "cgan", "subnetting")


class UnknownAssignment(NeurogradeError, ValueError):
    """Raised for an assignment id that has no suite."""


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    suite_dir: Path
    uses_keras: bool = False
    test_timeout: float = 30.0
    import_timeout: float = 60.0
    time_budget: float = 120.0
    memory_mb: int = 4096
    expensive_tasks: tuple[str, ...] = ()
    forbidden_modules: tuple[str, ...] = ()  # unimportable where the submission runs
    # "module:function" that tests may ask about the submission's text through
    # (`submission_scan`), when they need no more of it; see autograder/suites/README.md
    source_scan: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def public_dir(self) -> Path:
        return self.suite_dir / "public"

    @property
    def hidden_dir(self) -> Path:
        return self.suite_dir / "hidden"

    @property
    def solutions_dir(self) -> Path:
        """The instructor's folder in a source checkout (absent from an installed wheel)."""
        return REPO_ROOT / "solutions" / self.id

    @property
    def student_dir(self) -> Path:
        return REPO_ROOT / "assignments" / self.id

    def scan_source(self, source: str):
        """What the suite's `source_scan` finds in this source text."""
        return scan_with(self.source_scan, source)


def scan_with(source_scan: str, source: str):
    """Call the "module:function" a suite names as its `source_scan` on a source text."""
    module, _, function = source_scan.partition(":")
    if not function:
        raise ValueError(f"source_scan should be 'module:function', got {source_scan!r}")
    return getattr(importlib.import_module(module), function)(source)


def _load(suite_dir: Path) -> Assignment:
    meta = tomllib.loads((suite_dir / "meta.toml").read_text())
    known = {f for f in Assignment.__dataclass_fields__ if f not in ("id", "suite_dir", "extra")}
    kwargs = {k: v for k, v in meta.items() if k in known}
    for name in ("expensive_tasks", "forbidden_modules"):
        if name in kwargs:
            kwargs[name] = tuple(kwargs[name])
    extra = {k: v for k, v in meta.items() if k not in known}
    return Assignment(id=suite_dir.name, suite_dir=suite_dir, extra=extra, **kwargs)


def all_assignments() -> list[Assignment]:
    """Every assignment with a suite, in course order."""
    found = {p.name: _load(p) for p in SUITES_DIR.iterdir() if (p / "meta.toml").is_file()}
    order = {name: i for i, name in enumerate(COURSE_ORDER)}
    return [found[k] for k in sorted(found, key=lambda k: (order.get(k, 99), k))]


def _suite_roots() -> list[Path]:
    """The course's suites folder, then each folder named by $NEUROGRADE_SUITES."""
    extra = os.environ.get(SUITES_ENV, "")
    return [SUITES_DIR, *(Path(p) for p in extra.split(os.pathsep) if p)]


def get_assignment(assignment_id: str) -> Assignment:
    plain = bool(assignment_id) and Path(assignment_id).name == assignment_id \
        and assignment_id not in (".", "..")  # an id, never a path
    for root in _suite_roots() if plain else []:
        if (root / assignment_id / "meta.toml").is_file():
            return _load(root / assignment_id)
    known = ", ".join(a.id for a in all_assignments())
    raise UnknownAssignment(
        f"Invalid value for argument `assignment`: expected one of {known}. "
        f"Received: assignment={assignment_id!r}"
    )
