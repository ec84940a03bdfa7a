"""How much margin does the XOR-MLP budget leave? Tries and steps the solutions need, over seeds.

The hidden test builds the student's compiled model up to 8 times (fresh weights
each time), trains each for at most 512 steps of batch 4 (one `fit` epoch of 64
steps at a time, judged after each epoch on the grader's own copy of the weights),
and asks for all four XOR points right in one of them. This script runs that very
procedure (`xor_tries` from the hidden test, on a `LocalSubmission`) for the
reference `build_xor_mlp` and each alternative solution under 40 seeds, seeding
this process the way the runner is seeded before each test, and records how many
tries and steps each needed.

    python bench/thresholds_perceptron.py     # writes bench/thresholds_perceptron.md
"""

from __future__ import annotations

import importlib.util
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
from autograder.instructor.variants import reference_source  # noqa: E402

SEEDS = range(40)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
T = np.array([0, 1, 1, 0], dtype="float32")


def hidden_test():
    """The hidden test module (its XOR procedure and budget)."""
    path = get_assignment("perceptron").hidden_dir / "test_training.py"
    spec = importlib.util.spec_from_file_location("perceptron_hidden_training", path)
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


def main() -> None:
    tf.config.experimental.enable_op_determinism()  # as in the runner
    test = hidden_test()
    assignment = get_assignment("perceptron")
    solutions = {"reference": load("reference", reference_source(assignment))}
    for path in sorted((assignment.solutions_dir / "alternatives").glob("*.py")):
        solutions[f"alternatives/{path.name}"] = load(path.stem, path.read_text())
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
    for name, module in solutions.items():
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
    out = Path(__file__).with_suffix(".md")
    out.write_text("\n".join(lines) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
