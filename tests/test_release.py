"""The student release: complete, leak-free, and installable with a working `check`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from autograder.assignments import all_assignments
from autograder.instructor import release as release_module
from autograder.instructor.leaks import SOLUTION_MARKERS, load_secrets, scan_for_leaks
from autograder.instructor.release import LeakFound, ReleaseError, build_release, public_closure

ASSIGNMENTS = all_assignments()
WITH_SOLUTION = [a for a in ASSIGNMENTS if (a.solutions_dir / f"{a.id}.ipynb").is_file()]


@pytest.fixture(scope="module")
def secrets():
    return load_secrets()


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return build_release(tmp_path_factory.mktemp("rel") / "release")


def _wheel_names(release) -> list[str]:
    with zipfile.ZipFile(release.wheel) as zf:
        return zf.namelist()


def test_release_has_no_leak(release, secrets):
    assert scan_for_leaks(release.dest, secrets) == []
    assert not any("/hidden/" in n for n in _wheel_names(release))


def test_release_covers_every_assignment(release):
    assert sorted(release.assignments + list(release.left_out)) == sorted(a.id for a in ASSIGNMENTS)
    names = set(_wheel_names(release))
    readme = (release.dest / "README.md").read_text()
    for a in ASSIGNMENTS:
        if a.id in release.left_out:
            continue
        assert (release.dest / a.id / f"{a.id}.ipynb").is_file()
        assert f"| `{a.id}` |" in readme
        for test in a.public_dir.glob("test_*.py"):  # what `neurograde check` runs
            assert f"autograder/suites/{a.id}/public/{test.name}" in names
            assert (release.dest / a.id / "tests" / test.name).is_file()
        assert f"autograder/suites/{a.id}/meta.toml" in names
    assert f"pip install {release.wheel.name}" in readme
    assert "autograder/suites/README.md" not in names  # the instructors' authoring guide


def test_public_closure_follows_imports(tmp_path):
    suite = tmp_path / "toy"
    (suite / "public").mkdir(parents=True)
    (suite / "public" / "test_public.py").write_text("from autograder.suites.toy import helpers\n")
    (suite / "helpers.py").write_text("from . import tables\n")
    (suite / "tables.py").write_text("X = 1\n")
    (suite / "oracle.py").write_text("SECRET = 2\n")  # only hidden tests use it
    (suite / "conftest.py").write_text("import pytest\n")
    assert public_closure(suite) == {"conftest.py", "helpers.py", "tables.py"}


def _plant(release, tmp_path: Path) -> Path:
    copy = tmp_path / "planted"
    shutil.copytree(release.dest, copy)
    return copy


def _whats(leaks) -> str:
    return "\n".join(str(leak) for leak in leaks)


@pytest.mark.parametrize("assignment", WITH_SOLUTION, ids=lambda a: a.id)
def test_planted_solution_line_is_found(release, secrets, assignment, tmp_path):
    mine = [line for line, src in secrets.solution_lines.items()
            if src == f"solutions/{assignment.id}/{assignment.id}.ipynb"]
    assert mine, f"no distinctive solution line was extracted for {assignment.id}"
    copy = _plant(release, tmp_path)
    # Deep inside an archive inside the release, with different indentation.
    with zipfile.ZipFile(copy / "extras.zip", "w") as zf:
        zf.writestr("notes/cheat.py", f"def f():\n        {mine[0]}\n")
    leaks = scan_for_leaks(copy, secrets)
    assert len(leaks) == 1 and "extras.zip!notes/cheat.py" in leaks[0].where
    assert "reference solution" in leaks[0].what and mine[0] in leaks[0].what


@pytest.mark.parametrize("assignment", WITH_SOLUTION, ids=lambda a: a.id)
def test_planted_source_notebook_is_found(release, secrets, assignment, tmp_path):
    copy = _plant(release, tmp_path)
    shutil.copy(assignment.solutions_dir / f"{assignment.id}.ipynb", copy / assignment.id / "x.ipynb")
    text = _whats(scan_for_leaks(copy, secrets))
    assert SOLUTION_MARKERS[0] in text and "reference solution" in text


@pytest.mark.parametrize("assignment", [a for a in ASSIGNMENTS if any(a.hidden_dir.glob("*.py"))],
                         ids=lambda a: a.id)
def test_planted_hidden_test_is_found_even_renamed(release, secrets, assignment, tmp_path):
    copy = _plant(release, tmp_path)
    hidden = sorted(assignment.hidden_dir.glob("test_*.py"))[0]
    shutil.copy(hidden, copy / assignment.id / "tests" / "test_more.py")
    leaks = scan_for_leaks(copy, secrets)
    assert any(f"hidden test {assignment.id}/hidden/{hidden.name}" in leak.what for leak in leaks)


def test_planted_hidden_path_and_mutants_in_wheel_are_found(release, secrets, tmp_path):
    copy = _plant(release, tmp_path)
    wheel = copy / release.wheel.name
    with zipfile.ZipFile(wheel, "a") as zf:
        zf.writestr("autograder/suites/perceptron/hidden/test_new.py", "def test_x(): pass\n")
        zf.writestr("autograder/mutants.toml", "[[mutant]]\n")
    text = _whats(scan_for_leaks(copy, secrets))
    assert "test_new.py: a file of a hidden test suite" in text
    assert "mutants.toml: buggy variants" in text


def test_marker_in_a_notebook_is_found(release, secrets, tmp_path):
    copy = _plant(release, tmp_path)
    nb = {"cells": [{"cell_type": "code", "source": [SOLUTION_MARKERS[1] + "\n", "x = 1\n"]}]}
    (copy / "stray.ipynb").write_text(json.dumps(nb))
    assert [leak.what for leak in scan_for_leaks(copy, secrets)] == [
        f"an nbgrader marker '{SOLUTION_MARKERS[1]}'"]


def test_leaky_release_is_never_written(tmp_path, monkeypatch):
    monkeypatch.setattr(release_module, "_student_filter", lambda: (lambda rel: True))
    dest = tmp_path / "release"
    with pytest.raises(LeakFound, match="hidden test"):
        build_release(dest)
    assert not dest.exists()


def test_release_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ReleaseError, match="expected an empty or new folder"):
        build_release(tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"


def _offline_venv(venv: Path) -> tuple[Path, dict]:
    """A fresh virtual environment in which the release's dependencies are already installed.

    That is what installing the wheel offline needs: the venv sees this interpreter's
    packages (--system-site-packages, plus a .pth naming the site-packages of the
    virtual environment these tests run in, if any). pip reads no configuration
    (PIP_CONFIG_FILE=/dev/null, --isolated) and no index, so nothing but the release
    folder can supply a package.
    """
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    if sys.prefix != sys.base_prefix:
        site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                               "['purelib'])"], capture_output=True, text=True, check=True)
        paths = sorted({sysconfig.get_paths()[k] for k in ("purelib", "platlib")})
        (Path(site.stdout.strip()) / "test-environment.pth").write_text("\n".join(paths) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHONPATH"))}
    env.update(PIP_CONFIG_FILE=os.devnull, TF_CPP_MIN_LOG_LEVEL="3", COLUMNS="200")
    return python, env


@pytest.mark.slow
def test_released_wheel_installs_and_checks_offline(release, tmp_path):
    """pip install --no-index into a fresh venv with the dependencies installed, then `check`."""
    python, env = _offline_venv(tmp_path / "venv")
    neurograde = python.parent / "neurograde"
    install = subprocess.run([str(python), "-m", "pip", "install", "--isolated", "--no-index",
                              "--disable-pip-version-check", release.wheel.name],
                             capture_output=True, text=True, cwd=release.dest, env=env)
    assert install.returncode == 0, install.stdout + install.stderr
    where = subprocess.run([str(python), "-c", "import autograder; print(autograder.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, check=True)
    installed = Path(where.stdout.strip()).parent
    assert installed.is_relative_to(tmp_path / "venv")  # the wheel, not the source checkout
    assert not list(installed.glob("suites/*/hidden"))

    stub = release.dest / "perceptron" / "perceptron.ipynb"
    check = subprocess.run([str(neurograde), "check", str(stub)], capture_output=True,
                           text=True, cwd=tmp_path, env=env, timeout=300)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "Some public tests fail." in check.stdout
    assert "not implemented yet" in check.stdout

    reference = WITH_SOLUTION[0].solutions_dir / f"{WITH_SOLUTION[0].id}.ipynb"
    ok = subprocess.run([str(neurograde), "check", str(reference)], capture_output=True,
                        text=True, cwd=tmp_path, env=env, timeout=300)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "All public tests pass." in ok.stdout
