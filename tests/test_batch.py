"""Batch grading: one result per student, written as it finishes, resumable."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from autograder.assignments import _load
from autograder.engine.batch import find_submissions, grade_batch
from autograder.engine.sandbox import can_isolate_mounts, pid_namespace_prefix
from tests.test_grader import CORRECT, TOY
from tests.test_hostile import header

HOSTILE = Path(__file__).parent / "hostile"

# Hostile submissions leave traces a parallel test would see (sleeper processes,
# planted files): under pytest-xdist these tests share one worker.
pytestmark = pytest.mark.xdist_group("hostile-corpus")


def make_cohort(root: Path) -> Path:
    root.mkdir()
    (root / "alice.py").write_text(CORRECT)
    (root / "bob.py").write_text(CORRECT.replace("a * b", "a + b"))
    (root / "carol").mkdir()
    (root / "carol" / "toy.py").write_text("import os\nos._exit(1)\n")
    (root / "dave").mkdir()  # nothing submitted
    (root / ".DS_Store").write_text("")
    return root


def test_batch_grades_everyone_and_resumes(tmp_path):
    cohort = make_cohort(tmp_path / "cohort")
    out = tmp_path / "out"
    subs = find_submissions(cohort, TOY)
    assert [s.student for s in subs] == ["alice", "bob", "carol", "dave"]
    seen = []
    results = grade_batch(subs, TOY, out, workers=2,
                          on_done=lambda s, r, reused: seen.append((s.student, reused)))
    assert {k: r.score for k, r in results.items()} == {"alice": 10, "bob": 6, "carol": 0,
                                                        "dave": 0}
    assert results["dave"].error == "no submission found"
    assert sorted(p.name for p in out.glob("*.json")) == [
        "alice.json", "bob.json", "carol.json", "dave.json"]
    assert not list(out.glob("*.partial"))
    rows = list(csv.DictReader((out / "scores.csv").read_text().splitlines()))
    assert [(r["student"], r["score"], r["mul"]) for r in rows][:2] == [
        ("alice", "10", "4"), ("bob", "6", "0")]

    # Bob resubmits: only he is graded again.
    (cohort / "bob.py").write_text(CORRECT)
    seen.clear()
    results = grade_batch(find_submissions(cohort, TOY), TOY, out, workers=2,
                          on_done=lambda s, r, reused: seen.append((s.student, reused)))
    assert dict(seen) == {"alice": True, "bob": False, "carol": True, "dave": False}
    assert results["bob"].score == 10
    assert json.loads((out / "bob.json").read_text())["score"] == 10


def test_a_changed_suite_regrades_everyone(tmp_path):
    suite = tmp_path / "toy_suite"
    shutil.copytree(TOY.suite_dir, suite, ignore=shutil.ignore_patterns("__pycache__"))
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    (cohort / "alice.py").write_text(CORRECT)
    out = tmp_path / "out"
    seen = []
    record = lambda s, r, reused: seen.append(reused)  # noqa: E731
    grade_batch(find_submissions(cohort, TOY), _load(suite), out, on_done=record)
    grade_batch(find_submissions(cohort, TOY), _load(suite), out, on_done=record)
    hidden = suite / "hidden" / "test_hidden.py"
    hidden.write_text(hidden.read_text() + "\n# a fixed test\n")
    grade_batch(find_submissions(cohort, TOY), _load(suite), out, on_done=record)
    assert seen == [False, True, False]  # kept only while the suite was unchanged


def test_dask_local_cluster_gives_identical_results(tmp_path):
    cohort = make_cohort(tmp_path / "cohort")
    subs = find_submissions(cohort, TOY)
    local = grade_batch(subs, TOY, tmp_path / "local", workers=2)
    dask = grade_batch(subs, TOY, tmp_path / "dask", workers=2, backend="dask")
    assert set(dask) == set(local)
    for student in local:
        assert dask[student].comparable() == local[student].comparable(), student


@pytest.mark.slow
@pytest.mark.slow
def test_hostile_corpus_between_honest_submissions_gives_one_result_each(tmp_path):
    """Every hostile file, each between two honest students, plus links planted in the
    cohort folder: one result per student, honest ones full marks, each hostile one
    exactly what its header says, and no link followed."""
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    corpus = sorted(HOSTILE.glob("*.py"))
    for i, path in enumerate(corpus):
        (cohort / f"honest{i:02d}.py").write_text(CORRECT)
        shutil.copy(path, cohort / f"hostile_{path.stem}.py")
    (cohort / f"honest{len(corpus):02d}.py").write_text(CORRECT)
    (cohort / "linked.py").symlink_to("/etc/passwd")
    (cohort / "carol").mkdir()
    (cohort / "carol" / "toy.py").symlink_to(cohort / "honest00.py")
    results = grade_batch(find_submissions(cohort, TOY), TOY, tmp_path / "out", workers=2)
    assert "linked" not in results
    assert results["carol"].error == "no submission found"
    assert len(results) == 2 * len(corpus) + 2
    assert len(list((tmp_path / "out").glob("*.json"))) == len(results)
    assert all(results[f"honest{i:02d}"].score == 10 for i in range(len(corpus) + 1))
    for path in corpus:
        spec = header(path)
        if "requires" in spec and not (pid_namespace_prefix() and can_isolate_mounts()):
            continue
        expected = dict(item.split("=") for item in spec["expect"][0].split())
        got = {task: f"{score:g}" for task, (score, _) in results[f"hostile_{path.stem}"].tasks().items()}
        assert got == expected, path.stem


INTERRUPTED_BATCH = """
import signal
import sys
from pathlib import Path
# Ctrl-C as in a terminal, even where this test runs in the background (where a shell
# starts its jobs with SIGINT ignored, and Python keeps an ignored SIGINT ignored)
signal.signal(signal.SIGINT, signal.default_int_handler)
from autograder.assignments import _load
from autograder.engine.batch import find_submissions, grade_batch
from tests.test_grader import TOY

cohort, out = Path(sys.argv[1]), Path(sys.argv[2])
try:
    grade_batch(find_submissions(cohort, TOY), TOY, out, workers=2,
                on_done=lambda s, r, reused: print("done", s.student, flush=True))
except KeyboardInterrupt:
    sys.exit(130)
"""


def grading_processes(root: Path) -> list[psutil.Process]:
    """Processes of a batch whose temporary folder is `root`: judges and runners work
    in folders there, and the runner's path is one."""
    found = []
    for proc in psutil.process_iter(["cmdline", "cwd"]):
        line = " ".join(proc.info["cmdline"] or [])
        if str(root) in line or str(proc.info["cwd"] or "").startswith(str(root)):
            found.append(proc)
    return found


@pytest.mark.slow
def test_ctrl_c_leaves_no_orphans_and_no_half_results(tmp_path):
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    (cohort / "fast.py").write_text(CORRECT)
    for i in range(8):  # each spends 3 s in a hang: the batch cannot end before Ctrl-C
        shutil.copy(HOSTILE / "loop_in_function.py", cohort / f"slow{i}.py")
    out = tmp_path / "out"
    scratch = tmp_path / "scratch"  # the batch's temporary folders, to find its processes
    scratch.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", INTERRUPTED_BATCH, str(cohort), str(out)],
                            cwd=Path(__file__).parent.parent, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(scratch)})
    assert proc.stdout.readline().startswith("done")  # one result is in
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    deadline = time.monotonic() + 10  # killed processes take a moment to go on a busy machine
    while grading_processes(scratch) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not grading_processes(scratch), "a grading process outlived the interrupted batch"
    assert not list(out.glob("*.partial"))
    written = list(out.glob("*.json"))
    assert 1 <= len(written) < 9
    for path in written:
        json.loads(path.read_text())  # complete records only
    # The rerun resumes: finished students are kept, the rest are graded.
    rerun = grade_batch(find_submissions(cohort, TOY), TOY, out, workers=2)
    assert len(rerun) == 9
