"""Grade the corpus of hostile submissions (tests/hostile/) and hold the grader to
what each file's header says it must make of it."""

from __future__ import annotations

import base64
import dataclasses
import re
import time
from pathlib import Path

import psutil
import pytest

from autograder.engine import warm
from autograder.engine.grader import grade_submission
from autograder.engine.sandbox import can_isolate_mounts, pid_namespace_prefix
from tests.test_grader import TOY

# Hostile submissions leave traces a parallel test would see (sleeper processes,
# planted files): under pytest-xdist these tests share one worker.
pytestmark = pytest.mark.xdist_group("hostile-corpus")

CORPUS = sorted((Path(__file__).parent / "hostile").glob("*.py"))
# Lines of the hidden suite no feedback may carry, in any encoding.
HIDDEN_LINES = [line.strip() for line in (TOY.hidden_dir / "test_hidden.py").read_text().splitlines()
                if len(line.strip()) >= 20]
PLANTED = [Path("/tmp/results.json"), Path("/dev/shm/results.json")]


def header(path: Path) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        match = re.match(r"# (expect|message|requires): (.*)", line)
        if match:
            fields.setdefault(match.group(1), []).append(match.group(2).strip())
    return fields


def sleepers() -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if "neurograde-hostile-sleeper" in " ".join(proc.info["cmdline"] or []):
            found.append(proc)
    return found


def test_corpus_is_there():
    assert len(CORPUS) >= 15


@pytest.fixture(scope="module", params=["cold", pytest.param("warm", marks=pytest.mark.slow)])
def assignment(request):
    """The toy suite graded as today's suites are: with judge and runners started as new
    interpreters, and (as for a Keras assignment in a batch) both forked warm, where
    the runner's memory starts with the frameworks loaded (hence the larger limit)."""
    if request.param == "cold":
        yield TOY
        return
    warm.enable()
    yield dataclasses.replace(TOY, uses_keras=True, memory_mb=TOY.memory_mb + 650)
    warm.disable()


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_hostile_submission(path, assignment, tmp_path):
    spec = header(path)
    if "pid-namespace" in spec.get("requires", []) and not pid_namespace_prefix():
        pytest.skip("the sandbox has no PID namespace on this machine")
    if "mount-namespace" in spec.get("requires", []) and not can_isolate_mounts():
        pytest.skip("the sandbox cannot give the runner its own file system on this machine")
    for planted in PLANTED:
        planted.unlink(missing_ok=True)

    result = grade_submission(path, assignment)

    expected = dict(item.split("=") for item in spec["expect"][0].split())
    got = {task: f"{score:g}" for task, (score, _) in result.tasks().items()}
    assert got == expected, [(t.task, t.output) for t in result.tests if not t.passed]
    for message in spec.get("message", []):
        task, text = message.split(": ", 1)
        outputs = " | ".join(t.output for t in result.tests if t.task == task)
        assert text in outputs, f"{task}: {text!r} not in {outputs!r}"
    assert result.max_score == 10
    feedback = " ".join(t.output for t in result.tests)
    for line in HIDDEN_LINES:
        assert line not in feedback and base64.b64encode(line.encode()).decode() not in feedback
    for planted in PLANTED:
        assert not planted.exists(), f"the submission wrote {planted}"
    deadline = time.monotonic() + 5
    while sleepers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not sleepers(), "a process the submission started outlived its grading"
