"""The command line: exit codes, messages and files, on the perceptron assignment."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from autograder.assignments import get_assignment
from autograder.cli import main

PERCEPTRON = get_assignment("perceptron")
REFERENCE = PERCEPTRON.solutions_dir / "perceptron.ipynb"
STUB = PERCEPTRON.student_dir / "perceptron.ipynb"


@pytest.mark.slow  # runs TensorFlow: the full test command covers it
def test_check_passes_reference_and_fails_stub(capsys):
    assert main(["check", str(REFERENCE)]) == 0
    assert "All public tests pass" in capsys.readouterr().out
    assert main(["check", str(STUB)]) == 1
    out = capsys.readouterr().out
    assert "not implemented yet" in out and "Some public tests fail" in out


def test_grade_one_writes_json(tmp_path, capsys):
    out = tmp_path / "alice.json"
    assert main(["grade", str(REFERENCE), "--json", str(out)]) == 0
    record = json.loads(out.read_text())
    assert record["score"] == record["max_score"] > 0
    assert record["extra_data"]["assignment"] == "perceptron"
    assert "Total" in capsys.readouterr().out


@pytest.mark.slow
def test_grade_folder_and_csv(tmp_path, capsys):
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    shutil.copy(REFERENCE, cohort / "alice.ipynb")
    shutil.copy(STUB, cohort / "bob.ipynb")
    out = tmp_path / "out"
    assert main(["grade", str(cohort), "--assignment", "perceptron", "--out", str(out),
                 "--workers", "2"]) == 0
    assert {p.name for p in out.glob("*.json")} == {"alice.json", "bob.json"}
    rows = (out / "scores.csv").read_text().splitlines()
    assert rows[0].startswith("student,score,max_score") and rows[2].startswith("bob,0,")


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["grade", str(tmp_path), "--assignment", "nope"]) == 2
    assert "Invalid value for argument `assignment`" in capsys.readouterr().out
    assert main(["grade", str(tmp_path)]) == 2
    assert "needs --assignment" in capsys.readouterr().out
    assert main(["check", str(tmp_path / "missing.ipynb"), "--assignment", "perceptron"]) == 2
    (tmp_path / "notes.py").write_text("x = 1\n")
    assert main(["check", str(tmp_path / "notes.py")]) == 2
    assert "pass --assignment" in capsys.readouterr().out


def test_list_shows_points(capsys):
    from autograder.engine.collection import collect_tests

    tests = collect_tests(PERCEPTRON)
    assert main(["list"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "perceptron" in line)
    cells = [cell.strip() for cell in row.split("│")]
    assert cells[3:5] == [str(len(tests)), f"{sum(t.max_score for t in tests):g}"], row


def test_extra_suites_folder(tmp_path, monkeypatch, capsys):
    """$NEUROGRADE_SUITES adds suites graded by id (a benchmark's), never shadowing the course's."""
    fixtures = Path(__file__).parent / "fixtures"
    (tmp_path / "toy.py").write_text("def add(a, b):\n    return a + b\n\ndef mul(a, b):\n"
                                     "    return a * b\n\ndef neg(a):\n    return -a\n")
    assert main(["grade", str(tmp_path / "toy.py"), "--assignment", "toy_suite"]) == 2
    capsys.readouterr()
    shadow = tmp_path / "suites" / "perceptron"
    shadow.mkdir(parents=True)
    (shadow / "meta.toml").write_text('title = "not the course\'s"\n')
    monkeypatch.setenv("NEUROGRADE_SUITES", f"{tmp_path / 'suites'}{os.pathsep}{fixtures}")
    assert get_assignment("perceptron").suite_dir == PERCEPTRON.suite_dir
    out = tmp_path / "toy.json"
    assert main(["grade", str(tmp_path / "toy.py"), "--assignment", "toy_suite",
                 "--json", str(out), "--out", str(tmp_path / "out")]) == 0
    record = json.loads(out.read_text())
    assert record["score"] == record["max_score"] == 10
    for path_like in ("../fixtures/toy_suite", "fixtures/toy_suite", ".."):
        assert main(["grade", str(tmp_path / "toy.py"), "--assignment", path_like]) == 2
