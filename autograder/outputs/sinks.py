"""Where results go besides the terminal and the JSON records: CSV and JUnit XML.

- `write_scores_csv`: the batch's scores.csv (student, score, max_score, one
  column per task), written beside the per-student JSON records.
- `write_lms_csv`: what a learning-management system imports as a grade column
  per task: student, points per task, total.
- `write_junit_xml`: JUnit XML for CI dashboards and LMS plugins that read it:
  one <testsuite> per submission, one <testcase> per test (classname = task),
  the feedback as the failure message.

Every file is written to a temporary name and renamed, so an interrupted run
never leaves half a gradebook behind.
"""

from __future__ import annotations

import csv
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from autograder.result import Result


def _task_columns(results: dict[str, Result]) -> list[str]:
    """Every task of every result, in first-seen order (stable across students)."""
    tasks: list[str] = []
    for student in sorted(results):
        tasks += [t for t in results[student].tasks() if t not in tasks]
    return tasks


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    os.replace(tmp, path)


def write_scores_csv(path: Path, results: dict[str, Result]) -> None:
    """scores.csv: student, score, max_score, then the points of each task."""
    tasks = _task_columns(results)
    rows = [["student", "score", "max_score", *tasks]]
    for student in sorted(results):
        r = results[student]
        per_task = r.tasks()
        rows.append([student, f"{r.score:g}", f"{r.max_score:g}",
                     *(f"{per_task.get(t, (0, 0))[0]:g}" for t in tasks)])
    _write_rows(path, rows)


def write_lms_csv(path: Path, results: dict[str, Result]) -> None:
    """An LMS grade import: student, points per task, total.

    The header names each task with its maximum ("train_perceptron (4)") so the
    LMS column can be set up with the right points possible.
    """
    tasks = _task_columns(results)
    maxima: dict[str, float] = {}
    for r in results.values():
        for task, (_, max_score) in r.tasks().items():
            maxima[task] = max(maxima.get(task, 0.0), max_score)
    total_max = max((r.max_score for r in results.values()), default=0.0)
    rows = [["student", *(f"{t} ({maxima[t]:g})" for t in tasks), f"total ({total_max:g})"]]
    for student in sorted(results):
        r = results[student]
        per_task = r.tasks()
        rows.append([student, *(f"{per_task.get(t, (0, 0))[0]:g}" for t in tasks),
                     f"{r.score:g}"])
    _write_rows(path, rows)


# Characters XML 1.0 cannot carry at all (student output may hold any of them).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def junit_tree(results: dict[str, Result]) -> ET.ElementTree:
    """<testsuites> with one <testsuite> per student and a <testcase> per test."""
    root = ET.Element("testsuites", name="neurograde")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for student in sorted(results):
        r = results[student]
        failures = sum(not t.passed for t in r.tests)
        suite = ET.SubElement(root, "testsuite", {
            "name": _xml(student), "tests": str(len(r.tests)), "failures": str(failures),
            "errors": "1" if r.error else "0", "skipped": "0",
            "time": f"{r.execution_time:.3f}"})
        props = ET.SubElement(suite, "properties")
        for name, value in (("assignment", r.assignment), ("score", f"{r.score:g}"),
                            ("max_score", f"{r.max_score:g}")):
            ET.SubElement(props, "property", name=name, value=value)
        for t in r.tests:
            case = ET.SubElement(suite, "testcase", {
                "classname": _xml(t.task), "name": _xml(t.name), "time": f"{t.duration:.3f}"})
            if not t.passed:
                message = _xml(t.output or "failed")
                failure = ET.SubElement(case, "failure", {
                    "message": message, "type": f"0 / {t.max_score:g} points"})
                failure.text = message
        if r.error:
            ET.SubElement(suite, "system-err").text = _xml(r.error)
        totals["tests"] += len(r.tests)
        totals["failures"] += failures
        totals["errors"] += bool(r.error)
    root.attrib.update({k: str(v) for k, v in totals.items()})
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit_xml(path: Path, results: dict[str, Result]) -> None:
    """JUnit XML for `results` (student -> Result), one testsuite per student."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    junit_tree(results).write(tmp, encoding="utf-8", xml_declaration=True)
    os.replace(tmp, path)
