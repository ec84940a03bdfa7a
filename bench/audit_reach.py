"""Audits with each variant graded on the tasks its change can reach, against every task.

    python bench/audit_reach.py                          # every assignment, 1 round
    python bench/audit_reach.py cgan perceptron --rounds 2

Each round audits the assignment twice (`--seeds 2`, as CI does), once narrowed (the
default) and once with `--every-task`, alternating which goes first, each in a fresh
process. The two must agree on every check's verdict and on which variants each test
catches: the narrowing may only leave out gradings whose results were known. Wall time
and the CPU time of the audit and its workers are recorded; ratios are taken round by
round. Writes bench/AUDIT_REACH.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.assignments import all_assignments  # noqa: E402

AUDIT = """
import json, resource, sys
from autograder.assignments import get_assignment
from autograder.instructor.audit import audit
report = audit(get_assignment(sys.argv[1]), seeds=2, every_task=sys.argv[2] == "every")
cpu = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF,
          resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))
print(json.dumps({"ok": report.ok, "cpu": cpu, "narrowed": len(report.narrowed),
                  "checks": sorted((c.what, c.ok) for c in report.checks),
                  "catches": {t: sorted(v) for t, v in report.catches.items()}}))
"""


HEADER = ("| assignment | variants narrowed | every task: wall | narrowed: wall | ratio "
          "| every task: CPU | narrowed: CPU | ratio | same verdicts |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")


def run(assignment: str, mode: str) -> dict:
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", AUDIT, assignment, mode], cwd=ROOT, check=True,
                         capture_output=True, text=True,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}).stdout
    return {**json.loads(out.strip().splitlines()[-1]), "wall": time.monotonic() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*",
                        default=[a.id for a in all_assignments()])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    rows, raw = [], []
    for assignment in args.assignments:
        runs = {"narrowed": [], "every": []}
        for round_ in range(args.rounds):
            modes = ["narrowed", "every"] if round_ % 2 == 0 else ["every", "narrowed"]
            for mode in modes:
                runs[mode].append(run(assignment, mode))
                print(assignment, mode, f"{runs[mode][-1]['wall']:.0f} s", flush=True)
        same = all(n["checks"] == e["checks"] and n["catches"] == e["catches"]
                   for n, e in zip(runs["narrowed"], runs["every"], strict=True))
        if not same:
            raise SystemExit(f"{assignment}: the narrowed audit disagrees with the full one")

        def median(mode, key, runs=runs):
            return statistics.median(r[key] for r in runs[mode])

        wall_ratio = statistics.median(n["wall"] / e["wall"] for n, e in
                                       zip(runs["narrowed"], runs["every"], strict=True))
        cpu_ratio = statistics.median(n["cpu"] / e["cpu"] for n, e in
                                      zip(runs["narrowed"], runs["every"], strict=True))
        rows.append(f"| {assignment} | {runs['narrowed'][0]['narrowed']} | "
                    f"{median('every', 'wall'):.0f} s | {median('narrowed', 'wall'):.0f} s | "
                    f"{wall_ratio:.2f}x | {median('every', 'cpu'):.0f} s | "
                    f"{median('narrowed', 'cpu'):.0f} s | {cpu_ratio:.2f}x | "
                    f"{'yes' if same else 'NO'} |")
        raw.append(f"- {assignment}: every task wall "
                   f"{[round(r['wall']) for r in runs['every']]} cpu "
                   f"{[round(r['cpu']) for r in runs['every']]}; narrowed wall "
                   f"{[round(r['wall']) for r in runs['narrowed']]} cpu "
                   f"{[round(r['cpu']) for r in runs['narrowed']]}")
    load = os.getloadavg()[0]
    text = f"""# Audits: variants graded on the tasks their change can reach, against every task

Written by `python bench/audit_reach.py {' '.join(sys.argv[1:])}`. Each assignment is
audited with `--seeds 2` (as CI does), narrowed and with `--every-task`, alternating over
{args.rounds} round(s), each in a fresh process with 2 workers. CPU is user + system time
of the audit and its workers. Both ways must give every check the same verdict and every
test the same caught variants ("same verdicts"), or the script stops.

Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()},
load average at the end {load:.1f}.

""" + HEADER + "\n".join(rows) + "\n\nRaw figures (s):\n\n" + "\n".join(raw) + "\n"
    (ROOT / "bench" / "AUDIT_REACH.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
