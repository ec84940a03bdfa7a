"""Warm judges against cold ones, in one run: a cohort graded by `grade_batch`.

    python bench/warm_judges.py                                  # perceptron and rnn, 3 rounds
    python bench/warm_judges.py --assignment cgan --size 8 --rounds 2

A cohort is the reference notebook, the untouched student notebook and the
assignment's buggy variants, `--size` submissions in all. Each round grades it
twice with 2 workers, once with judges forked from a warm starter and once with
every judge a new interpreter (NEUROGRADE_WARM=0), alternating which goes first,
each in a fresh process; ratios are taken round by round and their median reported.
Every submission must get the same score both ways. Writes bench/WARM_JUDGES.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.assignments import get_assignment  # noqa: E402
from autograder.instructor.variants import load_mutants, write_mutant  # noqa: E402

GRADE = """
import json, sys
from pathlib import Path
from autograder.assignments import get_assignment
from autograder.engine.batch import find_submissions, grade_batch
assignment = get_assignment(sys.argv[2])
results = grade_batch(find_submissions(Path(sys.argv[1]), assignment), assignment,
                      Path(sys.argv[3]), workers=2)
print(json.dumps({student: r.score for student, r in sorted(results.items())}))
"""


def cohort(assignment_id: str, size: int, folder: Path) -> Path:
    assignment = get_assignment(assignment_id)
    folder.mkdir(parents=True)
    notebook = f"{assignment_id}.ipynb"
    (folder / "reference.ipynb").write_bytes((assignment.solutions_dir / notebook).read_bytes())
    (folder / "untouched.ipynb").write_bytes((assignment.student_dir / notebook).read_bytes())
    for mutant in load_mutants(assignment)[:size - 2]:
        write_mutant(assignment, mutant, folder / f"buggy-{mutant.name}")  # a folder per student
    return folder


def grade(folder: Path, assignment_id: str, warm: bool) -> tuple[float, dict]:
    return grade_cohort(folder, assignment_id, {"NEUROGRADE_WARM": "1" if warm else "0"})


def grade_cohort(folder: Path, assignment_id: str, settings: dict[str, str]) -> tuple[float, dict]:
    """Seconds and scores of grading the cohort in a fresh process, 2 workers."""
    env = {**os.environ, **settings}
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-c", GRADE, str(folder), assignment_id, out],
                             capture_output=True, text=True, cwd=ROOT, env=env, check=True)
        seconds = time.perf_counter() - start
    return seconds, json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append")
    parser.add_argument("--size", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "WARM_JUDGES.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for assignment_id in args.assignment or ["perceptron", "rnn"]:
            folder = cohort(assignment_id, args.size, Path(tmp) / assignment_id)
            n = len(list(folder.iterdir()))
            times = {True: [], False: []}
            for k in range(args.rounds):
                scores = {}
                for warm in (k % 2 == 0, k % 2 == 1):
                    seconds, scores[warm] = grade(folder, assignment_id, warm)
                    times[warm].append(seconds)
                    print(f"{assignment_id} round {k + 1} {'warm' if warm else 'cold'}: "
                          f"{seconds:.1f} s", flush=True)
                assert scores[True] == scores[False], f"scores differ: {scores}"
            ratios = [w / c for w, c in zip(times[True], times[False], strict=True)]
            rows.append((assignment_id, n, statistics.median(times[False]),
                         statistics.median(times[True]), statistics.median(ratios), times))
    lines = [
        "# Warm judges: a cohort graded with judges forked from a starter vs new interpreters",
        "",
        "Written by `python bench/warm_judges.py`. Each cohort (reference notebook, untouched",
        "notebook, buggy variants) is graded by `grade_batch` with 2 workers, warm and cold",
        f"alternating over {args.rounds} rounds in fresh processes; the ratio is taken round by",
        "round (median shown). Scores were identical both ways in every round.",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, load average at the end "
        f"{os.getloadavg()[0]:.1f}.",
        "",
        "| assignment | submissions | cold (median) | warm (median) | warm / cold | per submission saved |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for assignment_id, n, cold, warm, ratio, _ in rows:
        lines.append(f"| {assignment_id} | {n} | {cold:.1f} s | {warm:.1f} s | {ratio:.2f}x | "
                     f"{(cold - warm) / n:.1f} s |")
    lines += ["", "Raw times (s):", ""]
    for assignment_id, _, _, _, _, times in rows:
        lines.append(f"- {assignment_id}: cold {[round(t, 1) for t in times[False]]}, "
                     f"warm {[round(t, 1) for t in times[True]]}")
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
