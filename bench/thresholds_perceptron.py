"""How much margin does the XOR-MLP budget leave? Steps the reference needs, over seeds.

The hidden test builds the student's compiled model up to 8 times (fresh weights
each time), trains each for at most 512 steps of batch 4, and asks for all four
XOR points right in one of them. This script runs the reference `build_xor_mlp(4)`
(and each alternative solution) through that procedure under 40 seeds and records
how many tries and steps each needed.

    python bench/thresholds_perceptron.py     # writes bench/thresholds_perceptron.md
"""

from __future__ import annotations

import os
import sys
import time
import types
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.assignments import get_assignment  # noqa: E402
from autograder.instructor.variants import reference_source  # noqa: E402

BUDGET = 512
ATTEMPTS = 8
SEEDS = range(40)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
T = np.array([0, 1, 1, 0], dtype="float32")


def load(name: str, source: str):
    module = types.ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def steps_to_solve(build, seed: int, check_every: int = 16) -> int | None:
    keras.utils.set_random_seed(seed)
    model = build(4)
    solved = {"step": None}

    class Watch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            step = self.epoch * 64 + batch + 1
            if step % check_every or solved["step"] is not None:
                return
            if np.array_equal((self.model(X).numpy().ravel() > 0.5).astype(int), T):
                solved["step"] = step
                self.model.stop_training = True

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

    model.fit(np.tile(X, (64, 1)), np.tile(T, 64).reshape(-1, 1), batch_size=4,
              epochs=BUDGET // 64, verbose=0, callbacks=[Watch()])
    return solved["step"]


def tries_and_steps(build, seed: int) -> tuple[int, int] | None:
    for attempt in range(ATTEMPTS):
        steps = steps_to_solve(build, seed + 1000 * attempt)
        if steps is not None:
            return attempt + 1, steps
    return None


def main() -> None:
    assignment = get_assignment("perceptron")
    solutions = {"reference": load("reference", reference_source(assignment))}
    for path in sorted((assignment.solutions_dir / "alternatives").glob("*.py")):
        solutions[f"alternatives/{path.name}"] = load(path.stem, path.read_text())
    lines = [
        "# XOR MLP: tries and steps to 100% on XOR, over seeds",
        "",
        f"Budget in the hidden test: {ATTEMPTS} fresh models, {BUDGET} steps of batch 4 each.",
        "Checked every 16 steps.",
        f"Measured {time.strftime('%Y-%m-%d')} with keras {keras.__version__}, "
        f"{len(SEEDS)} seeds each.",
        "",
        "| solution | passed | tries: median | tries: max | steps in the try that passed: "
        "median | max | max / budget |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, module in solutions.items():
        runs = [tries_and_steps(module.build_xor_mlp, s) for s in SEEDS]
        done = [r for r in runs if r is not None]
        tries, steps = [a for a, _ in done], [s for _, s in done]
        lines.append(
            f"| {name} | {len(done)}/{len(runs)} | {int(np.median(tries))} | {max(tries)} | "
            f"{int(np.median(steps))} | {max(steps)} | {max(steps) / BUDGET:.2f} |")
        print(lines[-1], flush=True)
    out = Path(__file__).with_suffix(".md")
    out.write_text("\n".join(lines) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
