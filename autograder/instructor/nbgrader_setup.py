"""Register the course's assignments in nbgrader's gradebook (`neurograde nbgrader-setup`).

`nbgrader autograde` grades only notebooks the gradebook knows, with their grade,
solution and source cells; nbgrader records those while `generate_assignment`
writes the release folder. Here the release folder is the committed
assignments/<id>/, which also holds the public tests that generate_assignment
does not write (with --force it deletes them), so running it on this repository
is not safe.

`register_assignments` runs the real `nbgrader generate_assignment` in a throwaway
course directory on a copy of each solutions/<id>/<id>.ipynb, with the course's own
configuration (course/nbgrader_config.py: course id, gradebook, code stubs) and only
the folders moved. The course's gradebook then holds exactly what generate_assignment
would have recorded, and no file of the repository is written except the gradebook.
The notebook it generates is compared with the committed student notebook, which
must be the one students received.

Running it again is safe, also after submissions exist: unchanged notebooks are
recorded again in place. nbgrader refuses (and nothing changes) when cells were
added to or removed from a notebook that students have already submitted.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignments import REPO_ROOT, Assignment, all_assignments, get_assignment
from autograder.errors import NeurogradeError

COURSE_CONFIG = REPO_ROOT / "course" / "nbgrader_config.py"

# The throwaway course reads the real configuration, then moves only its folders.
_SCRATCH_CONFIG = """\
c = get_config()  # noqa: F821
load_subconfig({config!r})  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
"""


class NbgraderSetupError(NeurogradeError, RuntimeError):
    """nbgrader could not record the assignments in the gradebook."""

    exit_code = 1


@dataclass
class Registered:
    assignments: list[str]
    db_url: str
    # assignment id -> why its committed student notebook is not what nbgrader generates
    stale: dict[str, str] = field(default_factory=dict)


def course_db_url(config: Path = COURSE_CONFIG) -> str:
    """The gradebook URL that the course configuration names."""
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader(config.name, path=str(config.parent)).load_config()
    return cfg.CourseDirectory.db_url


def register_assignments(ids: list[str] | None = None, config: Path = COURSE_CONFIG) -> Registered:
    """Record assignments, notebooks and cells in the course's gradebook, as generate_assignment does.

    Args:
        ids: assignment ids; default every assignment with a source notebook in solutions/.
        config: the course's nbgrader_config.py.

    Raises:
        NbgraderSetupError: no source notebook, or nbgrader refused (its log says why).
    """
    chosen = [get_assignment(i) for i in ids] if ids else \
        [a for a in all_assignments() if _source(a).is_file()]
    missing = [a.id for a in chosen if not _source(a).is_file()]
    if missing or not chosen:
        raise NbgraderSetupError(
            "No source notebook to register: expected solutions/<id>/<id>.ipynb for "
            f"{', '.join(missing) or 'any assignment'}.")
    if not config.is_file():
        raise NbgraderSetupError(f"No nbgrader course configuration at {config}.")
    with tempfile.TemporaryDirectory(prefix="neurograde-nbgrader-setup-") as tmp:
        course = Path(tmp)
        (course / "nbgrader_config.py").write_text(
            _SCRATCH_CONFIG.format(config=str(config.resolve()), root=str(course)))
        for assignment in chosen:
            (course / "source" / assignment.id).mkdir(parents=True)
            shutil.copy(_source(assignment), course / "source" / assignment.id)
        # One nbgrader run for all of them ("*": every assignment under source/).
        proc = subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", "*", "--log-level=WARN"],
            cwd=course, capture_output=True, text=True)
        if proc.returncode != 0:
            raise NbgraderSetupError(
                f"nbgrader could not record {', '.join(a.id for a in chosen)} in the gradebook "
                f"(exit code {proc.returncode}):\n{(proc.stdout + proc.stderr)[-3000:]}")
        stale = {}
        for assignment in chosen:
            generated = course / "release" / assignment.id / f"{assignment.id}.ipynb"
            committed = assignment.student_dir / f"{assignment.id}.ipynb"
            if not committed.is_file():
                stale[assignment.id] = f"{committed} is missing"
            elif not generated.is_file() or generated.read_bytes() != committed.read_bytes():
                stale[assignment.id] = f"{committed} differs from what nbgrader generates " \
                                       f"from {_source(assignment)}"
    return Registered([a.id for a in chosen], course_db_url(config), stale)


def _source(assignment: Assignment) -> Path:
    return assignment.solutions_dir / f"{assignment.id}.ipynb"
