"""CSV and JUnit XML sinks: the numbers of the result records, readable by other tools."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

from autograder.outputs.sinks import write_junit_xml, write_lms_csv, write_scores_csv
from autograder.result import Result, TestResult


def _test(name, task, points, passed, output=""):
    return TestResult(name=name, task=task, score=points if passed else 0.0, max_score=points,
                      status="passed" if passed else "failed", visibility="visible",
                      output=output, duration=0.25)


def cohort() -> dict[str, Result]:
    return {
        "bob": Result("toy", [_test("test_add", "add", 3, True),
                              _test("test_mul", "mul", 4, False, "mul(4, 5) should be 20, got 9"),
                              _test("test_neg", "neg", 3, True)], execution_time=1.5),
        "alice": Result("toy", [_test("test_add", "add", 3, True), _test("test_mul", "mul", 4, True),
                                _test("test_neg", "neg", 3, True)]),
        "<eve>": Result("toy", [_test("test_add", "add", 3, False,
                                      "got <script>alert('x')</script> & \x1b[31m\x00 noise")],
                        error="your notebook is not valid JSON"),
    }


def _rows(path):
    return list(csv.reader(path.read_text().splitlines()))


def test_scores_csv_has_score_and_tasks(tmp_path):
    write_scores_csv(tmp_path / "scores.csv", cohort())
    rows = _rows(tmp_path / "scores.csv")
    assert rows[0] == ["student", "score", "max_score", "add", "mul", "neg"]
    assert rows[1:] == [["<eve>", "0", "3", "0", "0", "0"], ["alice", "10", "10", "3", "4", "3"],
                        ["bob", "6", "10", "3", "0", "3"]]
    assert not list(tmp_path.glob("*.partial"))


def test_lms_csv_is_student_tasks_total(tmp_path):
    write_lms_csv(tmp_path / "out" / "lms.csv", cohort())
    rows = _rows(tmp_path / "out" / "lms.csv")
    assert rows[0] == ["student", "add (3)", "mul (4)", "neg (3)", "total (10)"]
    assert rows[2] == ["alice", "3", "4", "3", "10"]
    assert rows[3] == ["bob", "3", "0", "3", "6"]
    for row in rows[1:]:  # the total is the sum of the task columns
        assert float(row[-1]) == sum(float(x) for x in row[1:-1])


def test_junit_has_a_suite_per_student_and_a_case_per_test(tmp_path):
    path = tmp_path / "junit.xml"
    write_junit_xml(path, cohort())
    root = ET.parse(path).getroot()  # parses: control characters were replaced
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("7", "2", "1")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert sorted(suites) == ["<eve>", "alice", "bob"]
    bob = suites["bob"]
    assert (bob.get("tests"), bob.get("failures"), bob.get("time")) == ("3", "1", "1.500")
    cases = bob.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("add", "test_add"), ("mul", "test_mul"), ("neg", "test_neg")]
    failure = cases[1].find("failure")
    assert failure.get("message") == failure.text == "mul(4, 5) should be 20, got 9"
    assert cases[0].find("failure") is None
    props = {p.get("name"): p.get("value") for p in bob.iter("property")}
    assert props == {"assignment": "toy", "score": "6", "max_score": "10"}
    eve = suites["<eve>"]
    message = eve.find("testcase/failure").get("message")
    assert message.startswith("got <script>alert('x')</script> & ")
    assert "\x00" not in message and "\x1b" not in message
    assert eve.find("system-err").text == "your notebook is not valid JSON"
