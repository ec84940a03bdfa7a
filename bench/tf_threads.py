"""One thread for TensorFlow and BLAS in every grading process, against the libraries' own
choice (a thread per core), in one run.

    python bench/tf_threads.py                       # 2 rounds: bench/TF_THREADS.md
    python bench/tf_threads.py --rounds 1 --out /tmp/TF_THREADS.md

Two workloads, each graded both ways in every round (alternating which goes first), each
in a fresh process, NEUROGRADE_THREADS=1 against
NEUROGRADE_THREADS=auto (the default):
  single  `neurograde grade` of the alexnet and cgan reference notebooks, as commands,
          each into a fresh folder (one grading alone on the machine);
  cohort  a perceptron and a cgan cohort (reference, untouched notebook, buggy variants)
          graded by `grade_batch` with 2 workers, as a batch, the demo and an audit do.
Every grading must score the same both ways. Ratios are taken round by round.
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

from bench.warm_judges import cohort, grade_cohort  # noqa: E402

SETTINGS = {"one thread": {"NEUROGRADE_THREADS": "1"}, "auto": {"NEUROGRADE_THREADS": "auto"}}


def grade_command(assignment_id: str, settings: dict[str, str]) -> tuple[float, float]:
    """Seconds and score of `neurograde grade` of the reference notebook, as a command."""
    notebook = ROOT / "solutions" / assignment_id / f"{assignment_id}.ipynb"
    with tempfile.TemporaryDirectory() as out:
        record = Path(out) / "record.json"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(notebook),
                        "--out", str(Path(out) / "results"), "--json", str(record)],
                       cwd=ROOT, env={**os.environ, **settings}, check=True, capture_output=True)
        seconds = time.perf_counter() - start
        return seconds, json.loads(record.read_text())["score"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--size", type=int, default=6, help="submissions in a cohort")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "TF_THREADS.md")
    args = parser.parse_args()
    times: dict[tuple[str, str], dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        jobs = [("single", a, lambda s, a=a: grade_command(a, s)) for a in ("alexnet", "cgan")]
        for a in ("perceptron", "cgan"):
            folder = cohort(a, args.size, Path(tmp) / a)
            jobs.append((f"cohort of {args.size}", a, lambda s, a=a, f=folder: grade_cohort(f, a, s)))
        for k in range(args.rounds):
            for workload, assignment_id, run in jobs:
                order = list(SETTINGS) if k % 2 == 0 else list(SETTINGS)[::-1]
                scores = {}
                for name in order:
                    seconds, scores[name] = run(SETTINGS[name])
                    times.setdefault((workload, assignment_id), {}).setdefault(name, []).append(seconds)
                    print(f"round {k + 1} {workload} {assignment_id} {name}: {seconds:.1f} s", flush=True)
                assert len({json.dumps(v, sort_keys=True) for v in scores.values()}) == 1, scores
    lines = [
        "# One thread for TensorFlow and BLAS in grading processes, against a thread per core",
        "",
        "Written by `python bench/tf_threads.py`: each workload graded with NEUROGRADE_THREADS=1",
        "and NEUROGRADE_THREADS=auto (the default: the libraries choose), alternating",
        f"over {args.rounds} rounds, each in a fresh process; same scores both ways every time.",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, load average at the end {os.getloadavg()[0]:.1f}.",
        "",
        "| workload | assignment | one thread (median) | auto (median) | one / auto |",
        "| --- | --- | --- | --- | --- |",
    ]
    for (workload, assignment_id), by in times.items():
        ratio = statistics.median(o / a for o, a in zip(by["one thread"], by["auto"], strict=True))
        lines.append(f"| {workload} | {assignment_id} | {statistics.median(by['one thread']):.1f} s | "
                     f"{statistics.median(by['auto']):.1f} s | {ratio:.2f}x |")
    lines += ["", "Raw times (s):", ""]
    for (workload, assignment_id), by in times.items():
        lines.append(f"- {workload} {assignment_id}: " + ", ".join(
            f"{name} {[round(t, 1) for t in ts]}" for name, ts in by.items()))
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
