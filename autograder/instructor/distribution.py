"""Build a neurograde wheel that carries only some of the suites.

Two products ship the engine to places the instructor does not control: the
Gradescope bundle (the engine plus the hidden suite of one assignment) and the
student release (the engine plus public tests only). Both are wheels built from
a staging copy of the package in which the suites that must not travel have
been removed, so what is left out is never in the archive at all, rather than
excluded by a packaging rule that could drift.

The staged pyproject.toml is the repository's own, so the wheel declares the
same dependencies as the package the instructor tested.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from autograder.assignments import REPO_ROOT
from autograder.errors import NeurogradeError

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the autograder package
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".ipynb_checkpoints",
                                 "*.partial", ".pytest_cache")


class DistributionError(NeurogradeError, RuntimeError):
    """The wheel could not be built (missing pyproject.toml, failed build)."""

    exit_code = 1


# keep(path relative to suites/, e.g. "perceptron/hidden/test_neuron.py") -> it travels.
SuiteFilter = Callable[[PurePosixPath], bool]


def stage_package(staging: Path, keep: SuiteFilter) -> Path:
    """Copy the package into `staging/autograder`, keeping only suite files `keep` accepts."""
    target = staging / "autograder"
    shutil.copytree(PACKAGE_DIR, target, ignore=IGNORED)
    suites = target / "suites"
    for path in sorted(suites.rglob("*"), reverse=True):  # files before their folders
        if path.is_file() and not keep(PurePosixPath(path.relative_to(suites).as_posix())):
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for suite in suites.iterdir():  # a suite with nothing left is not an assignment here
        if suite.is_dir() and not (suite / "meta.toml").is_file():
            shutil.rmtree(suite)
    return target


def build_wheel(dest_dir: Path, keep: SuiteFilter) -> Path:
    """Build a neurograde wheel into `dest_dir` whose suites hold only what `keep` accepts.

    Built offline (`pip wheel --no-deps --no-build-isolation`) with the setuptools
    already installed, so it works on a machine without network; where setuptools
    is not installed, pip builds in an isolated environment fetched from PyPI.
    """
    pyproject = REPO_ROOT / "pyproject.toml"
    if not pyproject.is_file():
        raise DistributionError(
            f"Cannot build a neurograde wheel: no pyproject.toml at {REPO_ROOT}. "
            "Run this from a source checkout of neurograde.")
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="neurograde-wheel-") as tmp:
        staging = Path(tmp) / "src"
        staging.mkdir()
        stage_package(staging, keep)
        shutil.copy(pyproject, staging / "pyproject.toml")
        readme = REPO_ROOT / "README.md"
        (staging / "README.md").write_text(readme.read_text() if readme.is_file() else "")
        out = Path(tmp) / "dist"
        # Offline with the setuptools already installed; without one, pip fetches it.
        isolation = [] if importlib.util.find_spec("setuptools") is None \
            else ["--no-build-isolation"]
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation,
             "--disable-pip-version-check", "-q", "-w", str(out), str(staging)],
            capture_output=True, text=True)
        wheels = sorted(out.glob("neurograde-*.whl"))
        if proc.returncode != 0 or len(wheels) != 1:
            raise DistributionError(
                f"Building the neurograde wheel failed (exit code {proc.returncode}):\n"
                f"{(proc.stdout + proc.stderr)[-3000:]}")
        final = dest_dir / wheels[0].name
        shutil.copy(wheels[0], final)
    return final
