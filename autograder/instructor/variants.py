"""Buggy variants ("mutants") and alternative solutions of an assignment.

solutions/<id>/mutants.toml lists realistic mistakes as text patches on the
reference code (the module ingested from solutions/<id>/<id>.ipynb):

    [[mutant]]
    name = "step-strict-inequality"
    description = "step uses > instead of >=, so z = 0 gives 0"
    breaks = ["step"]        # tasks that must lose points
    local = true             # ...and no other task may (default true)
    [[mutant.patch]]
    find = "np.asarray(z) >= 0"   # must occur exactly once in the reference
    replace = "np.asarray(z) > 0"

solutions/<id>/alternatives/*.py are complete correct solutions written in
another style; each must get full marks.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import Assignment
from autograder.engine.ingest import ingest


@dataclass(frozen=True)
class Mutant:
    name: str
    description: str
    breaks: tuple[str, ...]
    local: bool
    patches: tuple[tuple[str, str], ...]

    def apply(self, source: str) -> str:
        for find, replace in self.patches:
            count = source.count(find)
            if count != 1:
                raise ValueError(
                    f"mutant {self.name!r}: patch text must occur once in the reference, "
                    f"found {count} times: {find[:80]!r}"
                )
            source = source.replace(find, replace)
        return source


def reference_source(assignment: Assignment) -> str:
    return ingest(assignment.solutions_dir / f"{assignment.id}.ipynb").source


def load_mutants(assignment: Assignment) -> list[Mutant]:
    path = assignment.solutions_dir / "mutants.toml"
    if not path.is_file():
        return []
    data = tomllib.loads(path.read_text())
    return [
        Mutant(name=m["name"], description=m.get("description", ""),
               breaks=tuple(m["breaks"]), local=m.get("local", True),
               patches=tuple((p["find"], p["replace"]) for p in m["patch"]))
        for m in data.get("mutant", [])
    ]


def write_mutant(assignment: Assignment, mutant: Mutant, dest: Path) -> Path:
    """Write the mutated reference as dest/<id>.py and return its path."""
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"{assignment.id}.py"
    path.write_text(mutant.apply(reference_source(assignment)))
    return path


def alternatives(assignment: Assignment) -> list[Path]:
    return sorted((assignment.solutions_dir / "alternatives").glob("*.py"))



def skipped_tasks_for(assignment: Assignment, mutant: Mutant) -> list[str]:
    """Expensive tasks (model training) a mutant does not touch: no need to grade them."""
    return [t for t in assignment.expensive_tasks if t not in mutant.breaks]
