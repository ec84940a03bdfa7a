"""The price of trust: today's engine (judge and runner in separate processes) side by
side with the previous one (tests and student code in one process), in one run.

    python bench/engine_split.py                          # every assignment, 3 rounds
    python bench/engine_split.py --assignment perceptron --rounds 5

The previous engine is taken from git (`--baseline`, default the last commit before
the split) into a temporary folder. Each round grades each assignment's reference
notebook once with each engine, alternating, each in a fresh process (as
`neurograde grade` does), so both see the same machine load; ratios are taken
round by round and their median reported. The trivial suite (tests/fixtures/toy_suite,
no TensorFlow) gives the engine's own overhead per submission.
Goals: at most 1.25x per assignment, overhead at most 0.6 s. Writes bench/ENGINE_SPLIT.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "3ecc7bf"  # the package regrouped, the engine not yet split
ASSIGNMENTS = ("perceptron", "alexnet", "rnn", "dbn", "cgan", "subnetting")
TOY = (ROOT / "tests" / "fixtures" / "toy_submission.py").read_text()

GRADE = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from autograder.assignments import _load, get_assignment
from autograder.engine.grader import grade_submission
target = sys.argv[3]
assignment = _load(Path(target)) if "/" in target else get_assignment(target)
start = time.perf_counter()
result = grade_submission(sys.argv[2], assignment)
print(json.dumps({"seconds": time.perf_counter() - start, "score": result.score,
                  "max": result.max_score}))
"""


def grade(tree: Path, submission: Path, target: str) -> dict:
    """Grade in a fresh interpreter with `tree`'s engine; wall time of the whole command."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", GRADE, str(tree), str(submission), target],
                         capture_output=True, text=True, cwd=tree, check=True)
    record = json.loads(out.stdout.strip().splitlines()[-1])
    record["command_seconds"] = time.perf_counter() - start
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", choices=ASSIGNMENTS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE)
    args = parser.parse_args()
    chosen = args.assignment or list(ASSIGNMENTS)

    with tempfile.TemporaryDirectory(prefix="neurograde-baseline-") as tmp:
        old = Path(tmp) / "old"
        old.mkdir()
        archive = subprocess.run(["git", "archive", args.baseline], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        toy = Path(tmp) / "toy.py"
        toy.write_text(TOY)
        targets = {a: (ROOT / "solutions" / a / f"{a}.ipynb", old / "solutions" / a / f"{a}.ipynb", a)
                   for a in chosen}
        targets["trivial suite"] = (toy, toy, None)
        rows = {name: {"new": [], "old": [], "ratio": [], "scores": set()} for name in targets}
        for round_ in range(args.rounds):
            for name, (new_sub, old_sub, assignment) in targets.items():
                suite_new = assignment or str(ROOT / "tests/fixtures/toy_suite")
                suite_old = assignment or str(old / "tests/fixtures/toy_suite")
                new = grade(ROOT, new_sub, suite_new)
                oldr = grade(old, old_sub, suite_old)
                rows[name]["new"].append(new["seconds"])
                rows[name]["old"].append(oldr["seconds"])
                rows[name]["ratio"].append(new["seconds"] / oldr["seconds"])
                rows[name]["scores"].add((new["score"], new["max"], oldr["score"], oldr["max"]))
                print(f"round {round_ + 1} {name}: split {new['seconds']:.1f} s, "
                      f"one process {oldr['seconds']:.1f} s", flush=True)

    lines = [
        "# The engine split: judge and runner vs one process",
        "",
        f"`python bench/engine_split.py --rounds {args.rounds}` on {platform.node()} "
        f"({platform.processor() or platform.machine()}, Python {platform.python_version()}), "
        f"{time.strftime('%Y-%m-%d')}. Baseline: `{args.baseline}`. Each figure is the grading "
        "of the reference in a fresh process (`grade_submission`, collection, imports and all), "
        "median over rounds; the ratio is the median of per-round ratios (same load for both).",
        "",
        "| submission | split (s) | one process (s) | ratio | goal | scores (split / one process) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in rows.items():
        ratio = statistics.median(row["ratio"])
        if name == "trivial suite":
            overhead = statistics.median(row["new"]) - statistics.median(row["old"])
            goal = f"overhead {overhead:+.2f} s (goal <= 0.6 s)"
        else:
            goal = "<= 1.25x " + ("met" if ratio <= 1.25 else "NOT met")
        scores = "; ".join(f"{a:g}/{b:g} vs {c:g}/{d:g}" for a, b, c, d in sorted(row["scores"]))
        lines.append(f"| {name} | {statistics.median(row['new']):.1f} | "
                     f"{statistics.median(row['old']):.1f} | {ratio:.2f}x | {goal} | {scores} |")
    out = Path(__file__).with_name("ENGINE_SPLIT.md")
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
