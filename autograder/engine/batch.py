"""Grade a folder of submissions: one per student, in parallel, resumable.

Each student is a file (`alice.ipynb`, `bob.py`) or a folder (`carol/...`) named
by the student id. Each result is written as `<out>/<student>.json` the moment it
is ready (atomically: a Ctrl-C never leaves half a file), and a rerun skips every
student whose submission (sha256), grader version and hidden suite (sha256 of its
files) already have a result.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autograder import __version__
from autograder.assignments import Assignment
from autograder.engine.cluster import executor, grade_payload, payload, unpack
from autograder.engine.collection import collect_tests, suite_digest
from autograder.engine.grader import sha256_of
from autograder.outputs.sinks import write_scores_csv
from autograder.result import Result

SUBMISSION_SUFFIXES = (".ipynb", ".py")


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path | None  # None: the student's folder holds nothing gradable


def find_submissions(path: Path, assignment: Assignment) -> list[Submission]:
    path = Path(path)
    if path.is_file():
        return [Submission(path.stem, path)]
    if not path.is_dir():
        raise FileNotFoundError(f"No submission or folder at {path}")
    found = []
    for entry in sorted(path.iterdir()):
        if entry.name.startswith((".", "_")) or entry.is_symlink():
            continue  # a link is never followed: it could point anywhere
        if entry.is_file() and entry.suffix in SUBMISSION_SUFFIXES:
            found.append(Submission(entry.stem, entry))
        elif entry.is_dir():
            found.append(Submission(entry.name, pick_file(entry, assignment)))
    return found


def pick_file(folder: Path, assignment: Assignment) -> Path | None:
    """The file to grade in a student's folder: <id>.ipynb or <id>.py, else any notebook."""
    candidates = [p for p in sorted(folder.rglob("*"))  # rglob does not enter linked folders
                  if p.suffix in SUBMISSION_SUFFIXES and ".ipynb_checkpoints" not in p.parts]
    preferred = [folder / f"{assignment.id}{s}" for s in SUBMISSION_SUFFIXES]
    for p in preferred + [p for p in candidates if p.suffix == ".ipynb"] + candidates:
        if p.is_file() and not p.is_symlink():
            return p
    return None


def result_path(out_dir: Path, student: str) -> Path:
    return out_dir / f"{student}.json"


def _existing(out_dir: Path, sub: Submission, assignment: Assignment) -> Result | None:
    """The result kept from an earlier run, if the submission, the grader and the
    suite are all unchanged since."""
    path = result_path(out_dir, sub.student)
    if sub.path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except ValueError:
        return None
    extra = data.get("extra_data", {})
    if extra.get("submission_sha256") == sha256_of(sub.path) and \
            extra.get("grader_version") == __version__ and \
            extra.get("suite_sha256") == suite_digest(assignment):
        return Result.from_gradescope(data)
    return None


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(".json.partial")
    tmp.write_text(text)
    os.replace(tmp, path)


def _nothing_submitted(assignment: Assignment) -> Result:
    tests = collect_tests(assignment)
    for t in tests:
        t.output = "no .ipynb or .py submission was found in this student's folder"
    return Result(assignment=assignment.id, tests=tests, error="no submission found",
                  output="No submission found.", extra_data={"grader_version": __version__})


def grade_batch(
    submissions: list[Submission],
    assignment: Assignment,
    out_dir: Path,
    workers: int = 1,
    on_done: Callable[[Submission, Result, bool], None] | None = None,
    backend: str = "local",
    scheduler: str | None = None,
) -> dict[str, Result]:
    """Grade every submission, writing each result as soon as it is ready.

    `backend` is "local" (a pool of `workers` processes, each grading one
    submission at a time) or "dask" (a Dask cluster at `scheduler`, or a LocalCluster of
    `workers` processes when no address is given); results are identical.

    `on_done(submission, result, reused)` is called in the calling thread as
    results arrive (for progress bars). Returns student -> Result.
    """
    report = None if on_done is None else (lambda _cohort, sub, result, reused:
                                           on_done(sub, result, reused))
    return grade_cohorts([Cohort(assignment, submissions, out_dir)], workers, report,
                         backend, scheduler)[0]


@dataclass(frozen=True)
class Cohort:
    """The submissions of one assignment and the folder their results go to."""
    assignment: Assignment
    submissions: list[Submission]
    out_dir: Path


def grade_cohorts(
    cohorts: list[Cohort],
    workers: int = 1,
    on_done: Callable[[Cohort, Submission, Result, bool], None] | None = None,
    backend: str = "local",
    scheduler: str | None = None,
) -> list[dict[str, Result]]:
    """`grade_batch` for several assignments at once, sharing one pool of workers
    (so none waits idle for another assignment's last submission)."""
    results: list[dict[str, Result]] = [{} for _ in cohorts]
    todo = []
    for k, cohort in enumerate(cohorts):
        cohort.out_dir.mkdir(parents=True, exist_ok=True)
        for sub in cohort.submissions:
            cached = _existing(cohort.out_dir, sub, cohort.assignment)
            if cached is not None:
                results[k][sub.student] = cached
                if on_done:
                    on_done(cohort, sub, cached, True)
            else:
                todo.append((k, sub))

    def finish(k: int, sub: Submission, result: Result) -> None:
        _write_atomically(result_path(cohorts[k].out_dir, sub.student), result.to_json())
        results[k][sub.student] = result
        if on_done:
            on_done(cohorts[k], sub, result, False)

    for k, sub in [(k, s) for k, s in todo if s.path is None]:
        finish(k, sub, _nothing_submitted(cohorts[k].assignment))
    # The assignments with the longest suites first, so that no worker is left grading a
    # long one alone at the end (a stable sort: within one, submissions keep their order).
    todo.sort(key=lambda item: -cohorts[item[0]].assignment.time_budget)
    with executor(backend, workers, scheduler) as (submit, completed, cancel_all):
        futures = {submit(grade_payload, payload(sub.path, cohorts[k].assignment)): (k, sub)
                   for k, sub in todo if sub.path is not None}
        try:
            for future in completed(futures):
                finish(*futures[future], unpack(future.result()))
        except BaseException:  # Ctrl-C included: stop every grading, write nothing half-done
            cancel_all(list(futures))
            raise
    for cohort, graded in zip(cohorts, results, strict=True):
        write_scores_csv(cohort.out_dir / "scores.csv", graded)
    return results
