"""The Gradescope bundle: layout per Gradescope's spec, and the same grade as the CLI.

The end-to-end test unpacks autograder.zip into a temp folder laid out like the
container (/autograder/source, submission, results), puts the bundle's own wheel
on the path in place of setup.sh's install (its dependencies are the ones already
installed here), runs run_autograder, and compares results.json with what
`neurograde grade` writes for the same notebook.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.assignments import all_assignments, get_assignment
from autograder.instructor.gradescope import ROOT_ENV, BundleError, build_gradescope_bundle, run_in_container
from autograder.result import Result

WITH_HIDDEN = [a for a in all_assignments() if any(a.hidden_dir.glob("test_*.py"))]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("bundles")
    return {a.id: build_gradescope_bundle(a.id, out / a.id / "autograder.zip")
            for a in WITH_HIDDEN}


def _wheel_names(bundle: Path) -> list[str]:
    with zipfile.ZipFile(bundle) as zf:
        wheel = next(n for n in zf.namelist() if n.endswith(".whl"))
        with zipfile.ZipFile(zf.open(wheel)) as wf:
            return wf.namelist()


def _unpack(bundle: Path, dest: Path) -> None:
    """Unzip keeping the executable bits, as Gradescope's image build does."""
    with zipfile.ZipFile(bundle) as zf:
        for info in zf.infolist():
            zf.extract(info, dest)
            mode = info.external_attr >> 16
            if mode:
                os.chmod(dest / info.filename, mode)


@pytest.mark.parametrize("assignment", WITH_HIDDEN, ids=lambda a: a.id)
def test_bundle_follows_gradescope_layout(bundles, assignment, tmp_path):
    bundle = bundles[assignment.id]
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        setup = zf.read("setup.sh").decode()
        run = zf.read("run_autograder").decode()
    assert {"setup.sh", "run_autograder"} <= set(names)  # at the root, not in a folder
    assert all("/" not in n for n in names)
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert run.startswith("#!/usr/bin/env bash\n") and setup.startswith("#!/usr/bin/env bash\n")
    assert f"--assignment {assignment.id}" in run
    wheel = next(n for n in names if n.endswith(".whl"))
    assert wheel.startswith("neurograde-") and f'"$SOURCE/{wheel}"' in setup
    for name, text in (("setup.sh", setup), ("run_autograder", run)):
        script = tmp_path / name
        script.write_text(text)
        check = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert check.returncode == 0, f"{name} is not valid bash: {check.stderr}"


@pytest.mark.parametrize("assignment", WITH_HIDDEN, ids=lambda a: a.id)
def test_bundle_carries_only_its_own_suite(bundles, assignment):
    names = _wheel_names(bundles[assignment.id])
    suites = {n.split("/")[2] for n in names if n.startswith("autograder/suites/")
              and n.count("/") >= 3}
    assert suites == {assignment.id}
    hidden = {Path(n).name for n in names if f"suites/{assignment.id}/hidden/" in n}
    assert hidden == {p.name for p in assignment.hidden_dir.glob("test_*.py")}
    assert not any("solutions/" in n or n.endswith("mutants.toml") for n in names)
    assert "autograder/engine/grader.py" in names and "autograder/instructor/gradescope.py" in names


def test_bundle_refuses_assignment_without_hidden_tests(tmp_path, monkeypatch):
    from autograder.instructor import gradescope

    perceptron = get_assignment("perceptron")
    fake = type(perceptron)(id="nohidden", title="t", suite_dir=tmp_path / "nohidden")
    monkeypatch.setattr(gradescope, "get_assignment", lambda _id: fake)
    with pytest.raises(BundleError, match="no hidden tests"):
        build_gradescope_bundle("nohidden", tmp_path / "a.zip")


def test_empty_submission_still_gets_a_readable_record(tmp_path):
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "notes.txt").write_text("forgot the notebook")
    record = run_in_container(tmp_path, "perceptron")
    assert record["score"] == 0 and "No .ipynb or .py file" in record["output"]
    assert json.loads((tmp_path / "results" / "results.json").read_text()) == record


def test_grader_failure_still_gets_a_readable_record(tmp_path):
    (tmp_path / "submission").mkdir()
    record = run_in_container(tmp_path, "no-such-assignment")
    assert record["score"] == 0 and "autograder itself failed" in record["output"]
    assert (tmp_path / "results" / "results.json").is_file()


@pytest.mark.slow
def test_run_autograder_grades_like_the_cli(bundles, tmp_path):
    reference = get_assignment("perceptron").solutions_dir / "perceptron.ipynb"
    if not reference.is_file():
        pytest.skip(f"no reference notebook at {reference}")
    root = tmp_path / "autograder"
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True)
    _unpack(bundles["perceptron"], root / "source")
    shutil.copy(reference, root / "submission" / "perceptron.ipynb")
    # setup.sh would pip-install the bundled wheel; unpacking it onto PYTHONPATH
    # makes this run use the bundle's engine and suite, with the deps installed here.
    site = tmp_path / "site"
    with zipfile.ZipFile(next((root / "source").glob("*.whl"))) as wf:
        wf.extractall(site)
    env = {**os.environ, ROOT_ENV: str(root), "NEUROGRADE_PYTHON": sys.executable,
           "PYTHONPATH": str(site), "TF_CPP_MIN_LOG_LEVEL": "3"}
    run = subprocess.run([str(root / "source" / "run_autograder")], env=env, cwd=root,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"from {site / 'autograder'}" in run.stdout  # the bundle's engine graded it
    gradescope = json.loads((root / "results" / "results.json").read_text())

    cli_json = tmp_path / "cli.json"
    cli = subprocess.run(["neurograde", "grade", str(root / "submission" / "perceptron.ipynb"),
                          "--assignment", "perceptron", "--json", str(cli_json)],
                         capture_output=True, text=True, timeout=600,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert cli.returncode == 0, cli.stdout[-3000:] + cli.stderr[-3000:]
    expected = Result.from_gradescope(json.loads(cli_json.read_text())).comparable()
    got = Result.from_gradescope(gradescope).comparable()
    assert got == expected
    assert got["score"] == got["max_score"] > 0  # the reference earns full marks
