"""Grading speed and reproducibility, measured on this machine, side by side.

    python bench/grading.py                   # every assignment with a reference
    python bench/grading.py --assignment perceptron --regrades 10

For each assignment: the reference notebook graded `--regrades` times (median and
spread of wall time; every record must be identical apart from times). Then the
engine's own overhead per submission on a trivial suite (no TensorFlow), and batch
throughput on `--batch` copies of the perceptron reference with 1 and 2 workers
(ratio taken in the same run). Writes bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.assignments import _load, all_assignments, get_assignment  # noqa: E402
from autograder.engine.batch import find_submissions, grade_batch  # noqa: E402
from autograder.engine.grader import grade_submission, versions  # noqa: E402
from autograder.instructor.variants import reference_source  # noqa: E402

GOALS = {"perceptron": 10, "subnetting": 10}  # seconds; 45 for the deep-learning ones
TOY_SOURCE = "def add(a, b):\n    return a + b\n\ndef mul(a, b):\n    return a * b\n\n" \
             "def neg(a):\n    return -a\n"


def machine() -> str:
    """This machine in a phrase: host, cores, CPU model, architecture."""
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        models = [line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")]
        cpu = models[0] if models else cpu
    return f"{platform.node() or 'this machine'}: {os.cpu_count()} cores, " + \
        ", ".join(dict.fromkeys(x for x in (cpu, platform.machine()) if x))


def time_grading(path: Path, assignment, runs: int) -> tuple[list[float], bool, object]:
    times, records, result = [], [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = grade_submission(path, assignment)
        times.append(time.perf_counter() - start)
        records.append(result.comparable())
    return times, all(r == records[0] for r in records), result


def time_nbgrader_autograde(assignment, runs: int) -> list[float]:
    """Seconds for `nbgrader autograde` of the reference in a fresh course directory."""
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            course = Path(tmp)
            flags = [f"--CourseDirectory.root={course}",
                     f"--CourseDirectory.db_url=sqlite:///{course / 'gradebook.db'}"]
            source = course / "source" / assignment.id
            source.mkdir(parents=True)
            notebook = assignment.solutions_dir / f"{assignment.id}.ipynb"
            shutil.copy(notebook, source)
            nbgrader = [sys.executable, "-m", "nbgrader"]
            subprocess.run([*nbgrader, "generate_assignment", assignment.id, *flags],
                           check=True, capture_output=True)
            submitted = course / "submitted" / "alice" / assignment.id
            submitted.mkdir(parents=True)
            shutil.copy(notebook, submitted)
            subprocess.run([*nbgrader, "db", "student", "add", "alice", *flags],
                           check=True, capture_output=True)
            start = time.perf_counter()
            subprocess.run([*nbgrader, "autograde", assignment.id, *flags], check=True,
                           capture_output=True)
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append")
    parser.add_argument("--regrades", type=int, default=3)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    chosen = [get_assignment(a) for a in args.assignment] if args.assignment else \
        [a for a in all_assignments() if (a.solutions_dir / f"{a.id}.ipynb").is_file()]

    medians: dict[str, float] = {}
    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {machine()}, "
        + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".",
        "Wall times in seconds; medians of the runs shown.",
        "",
        "## Grading a correct notebook",
        "",
        "| assignment | runs | median | min | max | goal | score | identical records |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for a in chosen:
        times, same, result = time_grading(a.solutions_dir / f"{a.id}.ipynb", a, args.regrades)
        goal = GOALS.get(a.id, 45)
        medians[a.id] = statistics.median(times)
        lines.append(f"| {a.id} | {len(times)} | {statistics.median(times):.1f} | "
                     f"{min(times):.1f} | {max(times):.1f} | <= {goal} | "
                     f"{result.score:g}/{result.max_score:g} | {'yes' if same else 'NO'} |")
        print(lines[-1], flush=True)

    lines += ["", f"Whole course: {sum(medians.values()):.0f} s for one correct submission of "
              f"each of the {len(medians)} assignments (goal <= 180 s).", ""]
    if "perceptron" in medians:
        nb_times = time_nbgrader_autograde(get_assignment("perceptron"), 2)
        ratio = medians["perceptron"] / statistics.median(nb_times)
        lines += ["## nbgrader autograde", "",
                  f"The perceptron reference through `nbgrader autograde` (the notebook runs, "
                  f"its test cells hand over to the engine): median "
                  f"{statistics.median(nb_times):.1f} s; `neurograde grade` takes "
                  f"{ratio:.2f}x that (goal <= 0.5x).", ""]
        print(lines[-2], flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        toy = _load(ROOT / "tests" / "fixtures" / "toy_suite")
        (tmp / "toy.py").write_text(TOY_SOURCE)
        overhead, _, _ = time_grading(tmp / "toy.py", toy, 5)
        lines += ["", "## Engine overhead", "",
                  "A trivial 5-test suite without TensorFlow (child start, pytest, "
                  f"events, record): median {statistics.median(overhead):.2f} s per "
                  "submission (goal <= 1 s).", ""]
        print(lines[-2], flush=True)

        perceptron = get_assignment("perceptron")
        cohort = tmp / "cohort"
        cohort.mkdir()
        source = reference_source(perceptron)
        for i in range(args.batch):
            (cohort / f"student{i:03d}.py").write_text(source + f"\n# student {i}\n")
        subs = find_submissions(cohort, perceptron)
        rates = {}
        for workers in (1, 2):
            start = time.perf_counter()
            grade_batch(subs, perceptron, tmp / f"out{workers}", workers=workers)
            rates[workers] = len(subs) / (time.perf_counter() - start)
        lines += ["## Batch throughput", "",
                  f"{args.batch} perceptron submissions: "
                  f"{rates[1] * 60:.1f} per minute with 1 worker, {rates[2] * 60:.1f} with 2 "
                  f"(ratio {rates[2] / rates[1]:.2f}x; goal >= 1.8x).", ""]
        print(lines[-2], flush=True)

    out = Path(__file__).with_name("RESULTS.md")
    out.write_text("\n".join(lines))
    print("wrote", out)


if __name__ == "__main__":
    main()
