"""Each door, tried as README.md says, from a fresh clone: the same score as `neurograde grade`.

For every door the README's own command lines (tools.readme_commands.block_commands)
run as written, in one shell, in a fresh `git clone` of this checkout (with its
uncommitted changes applied, so what is tested is what is here), for the perceptron
assignment and a student's notebook saved as `alice.ipynb`: once a correct one,
once a buggy one (the reference with a mutant of solutions/perceptron/mutants.toml).
The score each door gives must equal what the README's
`neurograde grade submissions/ ...` line gives for the same notebook, and afterwards
`git status` may show nothing but the instructor's own new files.

The clone gets the commands the Quick start's `pip install -e .` would give it,
without touching this machine's installs: `neurograde` and `nbgrader` on PATH run
with the clone's `autograder`. pip runs with no configuration file (and the
README's own `--no-index`, or PIP_NO_INDEX=1 for Gradescope's setup.sh), so
nothing depends on this machine's pip setup.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.assignments import REPO_ROOT, all_assignments, get_assignment
from autograder.engine.collection import collect_tests
from autograder.instructor.gradescope import ROOT_ENV, VENV, VENV_OPTIONS_ENV
from autograder.instructor.variants import load_mutants
from autograder.outputs.gradebook import cell_scores
from autograder.result import Result
from tools.readme_commands import block_commands, quick_start_command

pytestmark = pytest.mark.slow

ASSIGNMENT = "perceptron"
MUTANT = "rule-sign-flipped"  # breaks train_perceptron, which a public test also checks
SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "gradescope_results.schema.json")
                    .read_text())
# A virtual environment made with --system-site-packages sees the installed
# dependencies only when they are installed in the base interpreter.
DEPS_IN_BASE = sys.prefix == sys.base_prefix


@dataclass
class Clone:
    root: Path
    env: dict
    baseline: set[str]  # `git status --porcelain` lines before any README command ran

    def new_files(self) -> set[str]:
        return _status(self.root) - self.baseline


def _status(root: Path) -> set[str]:
    out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=normal"],
                         cwd=root, capture_output=True, text=True, check=True).stdout
    return set(out.splitlines())


def _git(*args: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True, **kwargs)


def _instructor_env(tmp: Path, clone: Path) -> dict:
    """PATH and variables under which the clone works as if `pip install -e .` had run in it.

    `neurograde` and `nbgrader` import `autograder` from the clone (and so do the
    kernels and graders they start); `python` is the interpreter running these tests.
    Nothing else sees the clone, as nothing else sees an editable install once a
    virtual environment has its own copy.
    """
    shims = tmp / "bin"
    shims.mkdir()
    python = sys.executable
    commands = {"neurograde": f'PYTHONPATH="{clone}" exec "{python}" -m autograder.cli "$@"',
                "nbgrader": f'PYTHONPATH="{clone}" exec "{python}" -m nbgrader "$@"'}
    for name in ("python", "python3", "python3.11", "python3.12", "python3.13"):
        commands[name] = f'exec "{python}" "$@"'
    for name, line in commands.items():
        (shims / name).write_text(f"#!/usr/bin/env bash\n{line}\n")
        (shims / name).chmod(0o755)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "PYTHONPATH", "VIRTUAL_ENV", "NEUROGRADE_"))}
    env.update(PATH=f"{shims}{os.pathsep}{os.environ['PATH']}", PIP_CONFIG_FILE=os.devnull,
               PIP_DISABLE_PIP_VERSION_CHECK="1", TF_CPP_MIN_LOG_LEVEL="3", COLUMNS="200")
    return env


def fresh_clone(tmp: Path) -> Clone:
    """A fresh clone of this checkout in tmp/neurograde, its uncommitted changes applied."""
    if not (REPO_ROOT / ".git").exists():
        pytest.skip(f"{REPO_ROOT} is not a git checkout")
    root = tmp / "neurograde"
    _git("clone", "--quiet", str(REPO_ROOT), str(root), cwd=tmp)
    diff = _git("diff", "--binary", "HEAD", cwd=REPO_ROOT).stdout
    if diff.strip():
        _git("apply", "--whitespace=nowarn", "-", cwd=root, input=diff)
    untracked = _git("ls-files", "--others", "--exclude-standard", "-z", cwd=REPO_ROOT).stdout
    for name in filter(None, untracked.decode().split("\0")):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, root / name)
    return Clone(root, _instructor_env(tmp, root), _status(root))


@pytest.fixture
def clone(tmp_path) -> Clone:
    return fresh_clone(tmp_path)


def run(lines: list[str], clone: Clone, ok: tuple[int, ...] = (0,),
        timeout: float = 600) -> subprocess.CompletedProcess:
    """Run README command lines as written, in one bash, from the top of the clone."""
    script = "set -eo pipefail\n" + "\n".join(lines) + "\n"
    proc = subprocess.run(["bash", "-c", script], cwd=clone.root, env=clone.env,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode in ok, (f"exit code {proc.returncode} from:\n{script}\n"
                                   f"{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return proc


# --- the Quick start's main job -------------------------------------------------------------

@pytest.mark.slow
def test_quick_start_main_job(clone):
    """The README's first command, after its install: every example graded, references at
    full marks, untouched notebooks at 0, buggy ones in between, and a report to read."""
    line = quick_start_command("main")
    install = "pip install -e . && "
    assert line.startswith(install), f"the Quick start's main command changed: {line}"
    proc = run([line.removeprefix(install)], clone, timeout=1800)
    for assignment in all_assignments():
        folder = clone.root / "neurograde-out" / "demo" / assignment.id
        scores = {path.stem: json.loads(path.read_text()) for path in folder.glob("*.json")}
        (buggy,) = [record for student, record in scores.items() if student.startswith("buggy")]
        assert scores["reference"]["score"] == scores["reference"]["max_score"] > 0, assignment.id
        assert scores["stub"]["score"] == 0, assignment.id
        assert 0 < buggy["score"] < buggy["max_score"], assignment.id
        assert f"{assignment.id}: example submissions" in proc.stdout
    assert "what the student sees" in proc.stdout
    assert clone.new_files() == set(), "the demo's results are the only new files, and git ignores them"


# --- the student's notebook ---------------------------------------------------------------

def _solved_notebook() -> nbformat.NotebookNode:
    """The released notebook with every solution cell filled in as the reference does."""
    assignment = get_assignment(ASSIGNMENT)
    source = nbformat.read(str(assignment.solutions_dir / f"{ASSIGNMENT}.ipynb"), as_version=4)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(str(assignment.student_dir / f"{ASSIGNMENT}.ipynb"), as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = "\n".join(line for line in solutions.pop(grade_id).splitlines()
                                    if line.strip() not in ("### BEGIN SOLUTION",
                                                            "### END SOLUTION"))
    assert not solutions, f"solution cells missing from the student notebook: {solutions}"
    return nb


def _buggy_notebook() -> nbformat.NotebookNode:
    nb = _solved_notebook()
    mutant = next(m for m in load_mutants(get_assignment(ASSIGNMENT)) if m.name == MUTANT)
    for find, replace in mutant.patches:
        cells = [c for c in nb.cells if find in c.source]
        assert len(cells) == 1, find
        cells[0].source = cells[0].source.replace(find, replace)
    return nb


SUBMISSIONS = {"correct": _solved_notebook, "buggy": _buggy_notebook}


def save_alice(clone: Clone, which: str) -> Path:
    path = clone.root / "alice.ipynb"
    nbformat.write(SUBMISSIONS[which](), str(path))
    return path


# --- what `neurograde grade` gives ----------------------------------------------------------

def grade_folder_line() -> str:
    lines = [c for c in block_commands("For instructors") if c.startswith("neurograde grade submissions/")]
    assert len(lines) == 1, "README's 'For instructors' block lost its folder grade line"
    return lines[0]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, dict]:
    """What the README's `neurograde grade submissions/ ... --out report/` gives each submission.

    One notebook per student in submissions/, graded in parallel (`--workers 2`).
    """
    here = fresh_clone(tmp_path_factory.mktemp("reference"))
    (here.root / "submissions").mkdir()
    for which, make in SUBMISSIONS.items():
        nbformat.write(make(), str(here.root / "submissions" / f"{which}.ipynb"))
    line = grade_folder_line()
    run([line], here)
    report = here.root / line.split("--out")[1].split()[0]
    out = {which: json.loads((report / f"{which}.json").read_text()) for which in SUBMISSIONS}
    assert out["correct"]["score"] == out["correct"]["max_score"] > out["buggy"]["score"] > 0
    return out


def _tests(record: dict) -> list[tuple]:
    return [(t["name"], t["score"], t["max_score"], t["status"]) for t in record["tests"]]


# --- the doors ------------------------------------------------------------------------------

def test_nbgrader_door(clone, reference):
    commands = block_commands("The nbgrader door")
    source = clone.root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    hidden = [line.split("(")[0][4:] for path in get_assignment(ASSIGNMENT).hidden_dir.glob("*.py")
              for line in path.read_text().splitlines() if line.startswith("def test_")]
    for which in ("correct", "buggy"):  # the buggy one is a resubmission: all of it runs again
        save_alice(clone, which)
        run(commands, clone)
        with open(clone.root / "course" / "grades.csv", newline="") as f:
            rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(f)}
        row = rows[(ASSIGNMENT, "alice")]
        assert float(row["score"]) == reference[which]["score"], which
        assert float(row["max_score"]) == reference[which]["max_score"], which
        # Points per test cell: the engine's points for the cell's tasks.
        expected = cell_scores(Result.from_gradescope(reference[which]), source)
        with Gradebook(f"sqlite:///{clone.root / 'course' / 'gradebook.db'}") as gb:
            got = {cell: gb.find_grade(cell, ASSIGNMENT, ASSIGNMENT, "alice").auto_score
                   for cell in expected}
        assert got == expected, which
        feedback = (clone.root / "feedback" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert ("FAIL [train_perceptron]" in feedback) == (which == "buggy")  # the engine's words
        assert not [name for name in hidden if name in feedback], "hidden test source leaked"
    assert clone.new_files() == {"?? alice.ipynb"}


def _unzip(bundle: Path, dest: Path) -> None:
    """Unpack keeping the executable bits, as Gradescope does into /autograder/source."""
    with zipfile.ZipFile(bundle) as zf:
        for info in zf.infolist():
            zf.extract(info, dest)
            if info.external_attr >> 16:
                os.chmod(dest / info.filename, info.external_attr >> 16)


@pytest.mark.skipif(not DEPS_IN_BASE, reason="the tests run in a virtual environment, whose "
                    "packages a --system-site-packages venv (setup.sh's, offline) does not see")
def test_gradescope_door(clone, reference, tmp_path):
    run(block_commands("The Gradescope door"), clone)
    bundle = clone.root / "autograder.zip"
    # The container: /autograder/source holds the zip's contents; setup.sh runs there once.
    root = tmp_path / "autograder"
    _unzip(bundle, root / "source")
    env = {**clone.env, ROOT_ENV: str(root), VENV_OPTIONS_ENV: "--system-site-packages",
           "PIP_NO_INDEX": "1"}  # offline: the dependencies are the ones installed here
    setup = subprocess.run(["bash", "./setup.sh"], cwd=root / "source", env=env,
                           capture_output=True, text=True, timeout=900)
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    for which in ("correct", "buggy"):  # each submission in a fresh container
        for folder in ("submission", "results"):
            shutil.rmtree(root / folder, ignore_errors=True)
            (root / folder).mkdir()
        nbformat.write(SUBMISSIONS[which](), str(root / "submission" / f"{ASSIGNMENT}.ipynb"))
        proc = subprocess.run([str(root / "run_autograder")], cwd=root, env=env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        assert f"from {root / VENV}" in proc.stdout  # setup.sh's install graded it
        results = json.loads((root / "results" / "results.json").read_text())
        jsonschema.validate(results, SCHEMA)
        assert {"score", "execution_time", "output", "tests", "stdout_visibility"} <= set(results)
        for test in results["tests"]:
            assert {"name", "score", "max_score", "status", "visibility", "output"} <= set(test)
        assert results["score"] == reference[which]["score"], which
        assert _tests(results) == _tests(reference[which]), which
    assert clone.new_files() == {"?? autograder.zip"}


@functools.cache
def _public_names() -> frozenset[str]:
    return frozenset(t.name for t in collect_tests(get_assignment(ASSIGNMENT), public_only=True))


def _public_score(record: dict) -> tuple[float, float]:
    public = _public_names()
    tests = [t for t in record["tests"] if t["name"] in public]
    assert len(tests) == len(public)
    return sum(t["score"] for t in tests), sum(t["max_score"] for t in tests)


def _total(output: str) -> tuple[float, float]:
    found = re.findall(r"Total\s+([\d.]+) / ([\d.]+)", output)
    assert len(found) == 1, output
    return float(found[0][0]), float(found[0][1])


@pytest.mark.skipif(not DEPS_IN_BASE, reason="the tests run in a virtual environment, whose "
                    "packages a --system-site-packages venv does not see")
def test_student_door(clone, reference):
    *install, check = block_commands("The student release")
    run(install, clone)
    venv_python = clone.root / "student-env" / "bin" / "python"
    where = subprocess.run([str(venv_python), "-c", "import autograder; print(autograder.__file__)"],
                           cwd=clone.root.parent, env=clone.env, capture_output=True, text=True,
                           check=True).stdout.strip()
    installed = Path(where).parent
    assert installed.is_relative_to(clone.root / "student-env")  # the wheel, not the clone
    assert not list(installed.glob("suites/*/hidden"))

    notebook = clone.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    # The untouched notebook fails (tests/test_release.py checks that); the student fills it in.
    for which, code in (("correct", 0), ("buggy", 1)):
        nbformat.write(SUBMISSIONS[which](), str(notebook))
        proc = run([check], clone, ok=(code,))
        assert _total(proc.stdout) == _public_score(reference[which]), which
    assert clone.new_files() == {"?? release/", "?? student-env/"}
