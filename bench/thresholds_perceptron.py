"""How much margin does the XOR-MLP budget leave? Tries and steps the solutions need, over seeds.

The hidden test builds the student's compiled model up to 8 times (fresh weights
each time), trains each for at most 512 steps of batch 4 (one `fit` epoch of 64
steps at a time, judged after each epoch on the grader's own copy of the weights),
and asks for all four XOR points right in one of them. This script runs that very
procedure (`xor_tries` from the hidden test, on a `LocalSubmission`) for the
reference `build_xor_mlp` and each alternative solution under 40 seeds, seeding
this process the way the runner is seeded before each test, and records how many
tries and steps each needed.

The pocket tests (hidden/test_pocket.py) have no bar to clear: a correct pocket keeps
its promise on any data, exactly, since the data have small integer coordinates. What
their random data decide is whether a buggy pocket is caught. The second part runs every
pocket test (hidden and public) under 20 seeds on the reference, each alternative and
each mutant of train_pocket in solutions/perceptron/mutants.toml, and records how often
each one loses points, and how long a test takes.

    python bench/thresholds_perceptron.py            # both parts
    python bench/thresholds_perceptron.py pocket     # one part: xor or pocket
    # each part rewrites its own section of bench/thresholds_perceptron.md
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import random
import sys
import time
import types
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.assignments import get_assignment  # noqa: E402
from autograder.engine.remote import LocalSubmission  # noqa: E402
from autograder.instructor.variants import load_mutants, reference_source  # noqa: E402
from bench.sections import replace_section  # noqa: E402

SEEDS = range(40)
POCKET_SEEDS = range(20)  # 14 tests x 11 solutions and mutants a seed: about 15 s each
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
T = np.array([0, 1, 1, 0], dtype="float32")


def hidden_test(path=None):
    """The hidden test module (its XOR procedure and budget), or the module at `path`."""
    path = path or get_assignment("perceptron").hidden_dir / "test_training.py"
    spec = importlib.util.spec_from_file_location(f"perceptron_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(name: str, source: str):
    module = types.ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def seed_like_the_runner(seed: int) -> None:
    """What the runner does before each test (autograder.engine.runner._seed)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    keras.utils.set_random_seed(seed % 2**32)


def solutions(assignment) -> dict:
    found = {"reference": load("reference", reference_source(assignment))}
    for path in sorted((assignment.solutions_dir / "alternatives").glob("*.py")):
        found[f"alternatives/{path.name}"] = load(path.stem, path.read_text())
    return found


def write_section(lines: list[str]) -> None:
    """Put this part's section (from its '# ' heading to the next) into the .md file; the
    part is known by its heading's text before the colon."""
    out = Path(__file__).with_suffix(".md")
    text = out.read_text() if out.exists() else ""
    out.write_text(replace_section(text, lines, key=lines[0].split(":")[0]))
    print("wrote", out)


def xor_part() -> None:
    tf.config.experimental.enable_op_determinism()  # as in the runner
    test = hidden_test()
    assignment = get_assignment("perceptron")
    lines = [
        "# XOR MLP: tries and steps to 100% on XOR, over seeds",
        "",
        f"Budget in the hidden test: {test.XOR_ATTEMPTS} fresh models, {test.XOR_STEPS} steps "
        "of batch 4 each,",
        f"trained one epoch ({test.REPEATS} steps) per `fit` call and judged after each epoch",
        "(so steps are multiples of 64). Measured with the hidden test's own procedure",
        "(`xor_tries`), each seed as the runner's seed for the test.",
        f"Measured {time.strftime('%Y-%m-%d')} with keras {keras.__version__}, "
        f"{len(SEEDS)} seeds each.",
        "",
        "| solution | passed | tries: median | tries: max | steps in the try that passed: "
        "median | max | max / budget | seconds per seed: median | max |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, module in solutions(assignment).items():
        sub = LocalSubmission(module)
        runs, seconds = [], []
        for seed in SEEDS:
            seed_like_the_runner(seed)
            started = time.perf_counter()
            tries, steps, _ = test.xor_tries(sub, X, T)
            seconds.append(time.perf_counter() - started)
            runs.append(None if tries is None else (tries, steps))
            print(name, seed, runs[-1], f"{seconds[-1]:.1f} s", flush=True)
        done = [r for r in runs if r is not None]
        tries, steps = [a for a, _ in done], [s for _, s in done]
        lines.append(
            f"| {name} | {len(done)}/{len(runs)} | {int(np.median(tries))} | {max(tries)} | "
            f"{int(np.median(steps))} | {max(steps)} | {max(steps) / test.XOR_STEPS:.2f} | "
            f"{np.median(seconds):.1f} | {max(seconds):.1f} |")
        print(lines[-1], flush=True)
    lines += ["", f"Seconds are wall-clock for the whole procedure of one seed, on {os.cpu_count()} "
              f"cores with a load average of {os.getloadavg()[0]:.1f} when the run ended."]
    write_section(lines)


def pocket_tests(assignment) -> list:
    """(name, function) of every test of train_pocket, hidden then public."""
    found = []
    for path in (assignment.hidden_dir / "test_pocket.py",
                 assignment.suite_dir / "public" / "test_public.py"):
        module = hidden_test(path)
        found += [(f"{path.parent.name}/{name}", test) for name, test in vars(module).items()
                  if name.startswith("test_") and (path.parent.name == "hidden" or "pocket" in name)]
    return found


def grade_pocket(module, tests) -> dict:
    """test name -> (the seeds on which it failed: a set, seconds of each run: a list)."""
    sub, outcome = LocalSubmission(module), {}
    for name, test in tests:
        wanted = inspect.signature(test).parameters
        failed, seconds = set(), []
        for seed in POCKET_SEEDS:
            seed_like_the_runner(seed)
            started = time.perf_counter()
            try:
                test(**{k: v for k, v in {"sub": sub, "seed": seed}.items() if k in wanted})
            except Exception:  # noqa: BLE001  (a failed check, or a buggy variant's crash)
                failed.add(seed)
            seconds.append(time.perf_counter() - started)
        outcome[name] = (failed, seconds)
    return outcome


def pocket_part() -> None:
    assignment = get_assignment("perceptron")
    tests = pocket_tests(assignment)
    short = {name: f"T{i}" for i, (name, _) in enumerate(tests, start=1)}
    mutants = [m for m in load_mutants(assignment) if "train_pocket" in m.breaks]
    reference = reference_source(assignment)
    lines = [
        "# Pocket: correct pockets always pass, buggy ones are caught, over seeds",
        "",
        f"Every test of `train_pocket` (hidden and public), {len(POCKET_SEEDS)} seeds each (the value "
        "of the seed fixture), run in one process on a `LocalSubmission`.",
        "The tests grade a promise that holds exactly on any data (integer inputs, eta 1 or "
        "1/2): there is no bar, so there is no margin to measure for a correct solution.",
        "What the seeded data decide is whether a buggy pocket is caught: the second table "
        "counts, for each mutant of `train_pocket` and each test, the seeds on which it lost "
        f"the points. Each test draws its data from its seed, so a regrade gives the same "
        f"result. Measured {time.strftime('%Y-%m-%d')}.",
        "",
        "| solution | tests passed on every seed | seeds with any failure |",
        "| --- | --- | --- |",
    ]
    seconds = {name: [] for name, _ in tests}
    for name, module in solutions(assignment).items():
        outcome = grade_pocket(module, tests)
        for test, (_, took) in outcome.items():
            seconds[test] += took
        clean = sum(not failed for failed, _ in outcome.values())
        failing = set().union(*(failed for failed, _ in outcome.values()))
        lines.append(f"| {name} | {clean}/{len(tests)} | {len(failing)} |")
        print(lines[-1], flush=True)
    lines += ["", "The tests:", ""] + [f"- {short[name]}: `{name}`" for name, _ in tests]
    lines += ["", f"Seeds (of {len(POCKET_SEEDS)}) on which each mutant lost the points of each test "
              "(- for none), and on how many seeds it lost points in at least one test:", "",
              "| mutant | " + " | ".join(short[name] for name, _ in tests) + " | caught |",
              "| --- | " + " | ".join("---" for _ in tests) + " | --- |"]
    for mutant in mutants:
        outcome = grade_pocket(load(mutant.name, mutant.apply(reference)), tests)
        caught = set().union(*(failed for failed, _ in outcome.values()))
        lines.append(f"| {mutant.name} | " + " | ".join(
            str(len(outcome[name][0])) if outcome[name][0] else "-" for name, _ in tests) +
            f" | {len(caught)}/{len(POCKET_SEEDS)} |")
        print(lines[-1], flush=True)
    every = sum(seconds.values(), [])
    slowest = max(seconds, key=lambda name: max(seconds[name]))
    lines += ["", f"Seconds per test and seed on the correct solutions (the grader's side and the "
              f"solution in one process): median {np.median(every):.3f}, slowest "
              f"{max(seconds[slowest]):.3f} ({short[slowest]}); on {os.cpu_count()} cores with "
              f"a load average of {os.getloadavg()[0]:.1f} when the run ended."]
    write_section(lines)


def main() -> None:
    parts = sys.argv[1:] or ["xor", "pocket"]
    for part in parts:
        {"xor": xor_part, "pocket": pocket_part}[part]()


if __name__ == "__main__":
    main()
