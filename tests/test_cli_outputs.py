"""The command line's output doors: release, gradescope, and grade's --out/--junit/--csv."""

from __future__ import annotations

import csv
import json
import shutil
import xml.etree.ElementTree as ET
import zipfile

import pytest

from autograder.assignments import get_assignment
from autograder.cli import main

PERCEPTRON = get_assignment("perceptron")
REFERENCE = PERCEPTRON.solutions_dir / "perceptron.ipynb"
STUB = PERCEPTRON.student_dir / "perceptron.ipynb"


def test_release_writes_bundle_and_refuses_to_overwrite(tmp_path, capsys):
    dest = tmp_path / "release"
    assert main(["release", str(dest)]) == 0
    assert "no leak found" in " ".join(capsys.readouterr().out.split())
    assert list(dest.glob("neurograde-*.whl")) and (dest / "perceptron" / "perceptron.ipynb").is_file()
    assert main(["release", str(dest)]) == 2
    assert "expected an empty or new folder" in capsys.readouterr().out
    assert main(["release", str(dest), "--force"]) == 0


def test_gradescope_writes_zip(tmp_path, capsys):
    out = tmp_path / "gs" / "autograder.zip"
    assert main(["gradescope", "perceptron", "-o", str(out)]) == 0
    assert str(out) in " ".join(capsys.readouterr().out.split())
    assert {"setup.sh", "run_autograder"} <= set(zipfile.ZipFile(out).namelist())
    assert main(["gradescope", "nope", "-o", str(out)]) == 2
    assert "Invalid value for argument `assignment`" in capsys.readouterr().out


@pytest.mark.slow
def test_grade_one_with_out_junit_and_csv(tmp_path, capsys):
    sub = tmp_path / "alice.ipynb"
    shutil.copy(STUB, sub)
    out = tmp_path / "out"
    assert main(["grade", str(sub), "--assignment", "perceptron", "--out", str(out),
                 "--junit", str(tmp_path / "junit.xml"), "--csv", str(tmp_path / "lms.csv")]) == 0
    record = json.loads((out / "alice.json").read_text())
    assert record["score"] == 0 < record["max_score"]
    page = (out / "alice.html").read_text()
    assert "Feedback for alice" in page and "not implemented yet" in page
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite.get("name") == "alice" and suite.get("failures") == suite.get("tests")
    rows = list(csv.reader((tmp_path / "lms.csv").read_text().splitlines()))
    assert rows[0][0] == "student" and rows[0][-1] == f"total ({record['max_score']:g})"
    assert rows[1][0] == "alice" and rows[1][-1] == "0"


@pytest.mark.slow
def test_grade_folder_writes_a_page_per_student(tmp_path, capsys):
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    shutil.copy(REFERENCE, cohort / "alice.ipynb")
    shutil.copy(STUB, cohort / "bob.ipynb")
    out = tmp_path / "out"
    argv = ["grade", str(cohort), "--assignment", "perceptron", "--out", str(out), "--workers", "2",
            "--junit", str(out / "junit.xml"), "--csv", str(out / "lms.csv")]
    assert main(argv) == 0
    pages = {p.stem: p.read_text() for p in out.glob("*.html")}
    assert set(pages) == {"alice", "bob"}
    assert "Every test passed" in pages["alice"] and "data:image/png;base64," in pages["alice"]
    assert "not implemented yet" in pages["bob"]
    root = ET.parse(out / "junit.xml").getroot()
    assert [s.get("name") for s in root.findall("testsuite")] == ["alice", "bob"]
    lms = list(csv.reader((out / "lms.csv").read_text().splitlines()))
    assert [r[0] for r in lms] == ["student", "alice", "bob"]

    # A rerun keeps the unchanged results and their pages (which hold the pictures).
    before = (out / "alice.html").stat().st_mtime_ns
    assert main(argv) == 0
    assert (out / "alice.html").stat().st_mtime_ns == before
