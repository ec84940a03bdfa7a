"""The Gradescope bundle: layout per Gradescope's spec, and records per its results.json schema.

The bundle run end to end the way Gradescope runs it (unpacked into source/,
setup.sh, then run_autograder per submission, from the README's own command) is
tests/test_readme_doors.py::test_gradescope_door.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder.assignments import all_assignments, get_assignment
from autograder.instructor.gradescope import (
    PYTHON_ENV,
    ROOT_ENV,
    BundleError,
    build_gradescope_bundle,
    results_json,
    run_in_container,
)
from autograder.result import Result, TestResult

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


def _schema() -> dict:
    return json.loads((Path(__file__).parent / "fixtures" / "gradescope_results.schema.json")
                      .read_text())


def test_results_json_has_only_gradescope_fields():
    passed = TestResult(name="Does step fire at 0?", task="step", score=1.0, max_score=1.0,
                        status="passed", visibility="visible", nodeid="public/test_public.py::a")
    failed = TestResult(name="Does training converge?", task="train_perceptron", score=0.0,
                        max_score=3.0, status="failed", visibility="after_published",
                        output="AssertionError: no", nodeid="hidden/test_training.py::b")
    result = Result(assignment="perceptron", tests=[passed, failed], output="graded",
                    execution_time=12.5, extra_data={"seed": 0})
    record = results_json(result)
    jsonschema.validate(record, _schema())
    assert record["score"] == 1.0 and record["stdout_visibility"] == "hidden"
    assert record["extra_data"]["max_score"] == 4.0
    assert [t["extra_data"]["task"] for t in record["tests"]] == ["step", "train_perceptron"]
    assert record["tests"][1]["output"] == "AssertionError: no"


def test_failure_records_follow_the_schema(tmp_path):
    (tmp_path / "submission").mkdir()
    jsonschema.validate(run_in_container(tmp_path, "no-such-assignment"), _schema())
    jsonschema.validate(run_in_container(tmp_path, "perceptron"), _schema())  # nothing uploaded


def test_run_autograder_writes_a_record_when_python_cannot_start(bundles, tmp_path):
    root = tmp_path / "autograder"
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True)
    _unpack(bundles["perceptron"], root / "source")
    env = {**os.environ, ROOT_ENV: str(root), PYTHON_ENV: "/bin/false"}  # no Python that starts
    run = subprocess.run([str(root / "source" / "run_autograder")], env=env, cwd=root,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0
    record = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(record, _schema())
    assert record["score"] == 0 and "could not start" in record["output"]
