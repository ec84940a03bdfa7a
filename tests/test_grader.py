"""The engine on a tiny suite: scoring, containment, restarts and messages."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from autograder.assignments import _load
from autograder.engine.grader import grade_submission

TOY = _load(Path(__file__).parent / "fixtures" / "toy_suite")

# After a blank first line, as the tests' line numbers expect.
CORRECT = "\n" + (Path(__file__).parent / "fixtures" / "toy_submission.py").read_text()


def submit(tmp_path: Path, source: str, name: str = "toy.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def by_task(result) -> dict[str, tuple[float, float]]:
    return result.tasks()


def outputs(result, task: str) -> list[str]:
    return [t.output for t in result.tests if t.task == task]


def test_correct_submission_full_marks(tmp_path):
    result = grade_submission(submit(tmp_path, CORRECT), TOY)
    assert (result.score, result.max_score) == (10, 10)
    assert all(t.status == "passed" and t.output == "" for t in result.tests)


def test_wrong_answer_keeps_other_points(tmp_path):
    result = grade_submission(submit(tmp_path, CORRECT.replace("a * b", "a + b")), TOY)
    assert by_task(result) == {"add": (3, 3), "mul": (0, 4), "neg": (3, 3)}
    assert outputs(result, "mul")[0] == "mul(4, 5): expected 20, got 9"


def test_each_result_says_which_names_its_test_read(tmp_path):
    """What `neurograde audit` narrows variants by; never part of the record."""
    result = grade_submission(submit(tmp_path, CORRECT.replace("a * b", "a + b")), TOY)
    assert {t.task: t.reads for t in result.tests} == {
        "add": ("add",), "mul": ("mul",), "neg": ("neg",)}
    assert "reads" not in result.to_json()


def test_missing_function_is_named(tmp_path):
    result = grade_submission(submit(tmp_path, CORRECT.replace("def neg", "def negate")), TOY)
    assert "does not define `neg`" in outputs(result, "neg")[0]


def test_infinite_loop_in_one_function(tmp_path):
    source = CORRECT.replace("    return a * b", "    while True:\n        pass")
    result = grade_submission(submit(tmp_path, source), TOY)
    assert by_task(result) == {"add": (3, 3), "mul": (0, 4), "neg": (3, 3)}
    first, second = outputs(result, "mul")
    assert "stopped after 3 s in test" in first and "`mul`" in first
    assert "line 7" in first or "line 8" in first
    assert second.startswith("not run: an earlier test of `mul` had to be stopped")


def test_os_exit_in_one_function(tmp_path):
    source = "import os\n" + CORRECT.replace("    return a * b", "    os._exit(3)")
    result = grade_submission(submit(tmp_path, source), TOY)
    assert by_task(result) == {"add": (3, 3), "mul": (0, 4), "neg": (3, 3)}
    assert all("exited with code 3" in o for o in outputs(result, "mul"))


def test_memory_blowup_in_one_function(tmp_path):
    source = CORRECT.replace("    return -a", "    hog = []\n    while True:\n"
                                             "        hog.append(b'x' * 50_000_000)")
    result = grade_submission(submit(tmp_path, source), TOY)
    assert by_task(result) == {"add": (3, 3), "mul": (4, 4), "neg": (0, 3)}
    assert "more than 600 MB of memory" in outputs(result, "neg")[0]


def test_exceptions_that_end_pytest_are_contained(tmp_path):
    source = CORRECT.replace("    return a * b", "    raise KeyboardInterrupt")
    source = source.replace("    return -a", "    raise SystemExit(0)")
    result = grade_submission(submit(tmp_path, source), TOY)
    assert by_task(result) == {"add": (3, 3), "mul": (0, 4), "neg": (0, 3)}
    assert "SystemExit" in outputs(result, "neg")[0]


def test_hang_at_import_fails_everything_with_reason(tmp_path):
    result = grade_submission(submit(tmp_path, CORRECT + "\nwhile True:\n    pass\n"), TOY)
    assert result.score == 0 and result.max_score == 10
    assert all("while your code was being loaded" in t.output for t in result.tests)


def test_error_at_import_is_reported(tmp_path):
    result = grade_submission(submit(tmp_path, CORRECT + "\n1 / 0\n"), TOY)
    assert result.score == 0
    assert all("ZeroDivisionError" in t.output and "line 13" in t.output
               for t in result.tests)


def test_printed_fake_results_change_nothing(tmp_path):
    fake = json.dumps({"event": "result", "nodeid": "x", "outcome": "passed"})
    source = CORRECT.replace("    return a * b", f"    print({fake!r}); print('10 passed')\n"
                                                "    return -1")
    result = grade_submission(submit(tmp_path, source), TOY)
    assert by_task(result)["mul"] == (0, 4)


def test_unreadable_notebook_is_a_result(tmp_path):
    path = tmp_path / "toy.ipynb"
    path.write_text("{ this is not json")
    result = grade_submission(path, TOY)
    assert result.score == 0 and result.max_score == 10
    assert result.error and "not a readable notebook" in result.error
    assert all("could not be read" in t.output for t in result.tests)


def test_empty_file_is_a_result(tmp_path):
    result = grade_submission(submit(tmp_path, ""), TOY)
    assert result.score == 0 and "empty" in result.error


def test_regrading_gives_the_same_record(tmp_path):
    path = submit(tmp_path, CORRECT.replace("a * b", "a * b + (a == 4 and b == 0)"))
    first = grade_submission(path, TOY).comparable()
    assert first == grade_submission(path, TOY).comparable()


def test_record_is_valid_gradescope_json(tmp_path):
    result = grade_submission(submit(tmp_path, CORRECT), TOY)
    record = json.loads(result.to_json())
    assert set(record) >= {"score", "max_score", "execution_time", "output", "tests",
                           "extra_data"}
    assert record["score"] == sum(t["score"] for t in record["tests"])
    for test in record["tests"]:
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
        assert set(test) >= {"name", "task", "score", "max_score", "output"}
    extra = record["extra_data"]
    assert len(extra["submission_sha256"]) == 64
    assert {"python", "numpy"} <= set(extra["versions"]) and extra["grader_version"]
    visibilities = {t["name"]: t["visibility"] for t in record["tests"]}
    assert visibilities["Does add(2, 3) give 5?"] == "visible"
    assert visibilities["Does mul(4, 5) give 20?"] == "after_published"


@pytest.mark.parametrize("public_only,expected", [(True, 1), (False, 10)])
def test_public_only(tmp_path, public_only, expected):
    result = grade_submission(submit(tmp_path, CORRECT), TOY, public_only=public_only)
    assert result.max_score == expected


def test_monkeypatching_numpy_changes_no_verdict(tmp_path):
    """numpy patched where the submission runs is not the numpy the judge checks with."""
    source = "import numpy\n" + CORRECT.replace(
        "    return a * b", "    numpy.array_equal = lambda *a, **k: True\n    return 0")
    result = grade_submission(submit(tmp_path, source), TOY)
    # mul's honest answer 0 is right for mul(4, 0) only; add and neg keep their points
    assert by_task(result) == {"add": (3, 3), "mul": (2, 4), "neg": (3, 3)}
    assert "expected 20, got 0" in outputs(result, "mul")[0]


def test_monkeypatching_at_import_changes_no_verdict(tmp_path):
    source = "import builtins\nbuiltins.abs = lambda x: 0\n" + CORRECT
    result = grade_submission(submit(tmp_path, source), TOY)
    assert result.score == result.max_score


def test_feedback_never_quotes_hidden_tests(tmp_path):
    """The runner cannot read the hidden suite, so its errors cannot carry it."""
    hidden = (TOY.hidden_dir / "test_hidden.py").as_posix()
    source = CORRECT.replace("    return a * b", f"    raise ValueError(open({hidden!r}).read())")
    result = grade_submission(submit(tmp_path, source), TOY)
    for text in outputs(result, "mul"):
        assert "assert sub.mul" not in text and "expect_equal" not in text
        if result.extra_data["isolation"]["runner"]["hidden_paths"]:
            assert "FileNotFoundError" in text


