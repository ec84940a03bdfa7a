"""How much margin does the mini-AlexNet budget leave? Held-out accuracy per epoch, over seeds.

The hidden test (autograder/suites/alexnet/hidden/test_mini_alexnet.py) trains the
student's compiled `build_mini_alexnet()` on 1,297 of the bundled digits (enlarged
to 32x32x1) for at most 8 epochs of batch 32 and passes as soon as the accuracy on
500 held-out digits reaches the bar. This script runs that procedure (the hidden
test's own data, split and label encoding) for the reference (Adam 1e-3, sparse
loss), the alternative solution (Adam 1e-3, one-hot loss) and the two buggy
variants that touch training, over seeds, for all 8 epochs without stopping early;
then it times the grading of the reference notebook.

    python bench/thresholds_alexnet.py     # writes bench/thresholds_alexnet.md
"""

from __future__ import annotations

import importlib.util
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
from autograder.instructor.variants import load_mutants, reference_source  # noqa: E402

SEEDS = range(24)
BROKEN_SEEDS = range(3)
BROKEN = ("mini-sgd-tiny-lr", "mini-logits-with-probability-loss")


def load(name: str, source: str):
    module = types.ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def grader_procedure():
    path = get_assignment("alexnet").hidden_dir / "test_mini_alexnet.py"
    spec = importlib.util.spec_from_file_location("alexnet_test_mini", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def accuracy_per_epoch(build, seed: int, grader) -> tuple[list[float], float]:
    """The hidden test's training loop, run for every epoch; (accuracies, seconds per step)."""
    images, labels = grader.digits_32()
    order = np.random.default_rng(seed).permutation(len(labels))
    train, held_out = order[:grader.TRAIN], order[grader.TRAIN:grader.TRAIN + grader.HELD_OUT]
    keras.utils.set_random_seed(seed)
    model = build()
    targets = labels if grader.wants_integer_labels(model) else np.eye(10, dtype="float32")[labels]
    history, fit_seconds = [], 0.0
    for _ in range(grader.MAX_EPOCHS):
        start = time.perf_counter()
        model.fit(images[train], targets[train], batch_size=grader.BATCH, epochs=1, shuffle=True,
                  verbose=0)
        fit_seconds += time.perf_counter() - start
        probs = np.asarray(model.predict(images[held_out], verbose=0, batch_size=256))
        history.append(float(np.mean(probs.argmax(axis=1) == labels[held_out])))
    steps = grader.MAX_EPOCHS * -(-grader.TRAIN // grader.BATCH)
    return history, fit_seconds / steps


def first_epoch_at(history: list[float], bar: float) -> int | None:
    return next((i + 1 for i, acc in enumerate(history) if acc >= bar), None)


def summarise(name: str, runs: dict[int, tuple[list[float], float]], bar: float) -> list[str]:
    lines = [f"### {name}", "",
             "| seed | accuracy after epochs 1..8 | first epoch >= bar | best | ms/step |",
             "| --- | --- | --- | --- | --- |"]
    for seed, (history, per_step) in runs.items():
        first = first_epoch_at(history, bar)
        lines.append(f"| {seed} | {' '.join(f'{a:.3f}' for a in history)} | "
                     f"{first if first else 'never'} | {max(history):.3f} | {1000 * per_step:.0f} |")
    bests = [max(h) for h, _ in runs.values()]
    firsts = [first_epoch_at(h, bar) for h, _ in runs.values()]
    reached = [f for f in firsts if f]
    lines += ["", f"- best accuracy: min {min(bests):.3f}, median {np.median(bests):.3f}, "
                  f"max {max(bests):.3f}",
              f"- reached the bar {bar}: {len(reached)} of {len(firsts)} seeds" +
              (f", by epoch {max(reached)} at the latest (median {np.median(reached):.0f})"
               if reached else ""),
              f"- accuracy after epoch 3: min {min(h[2] for h, _ in runs.values()):.3f}", ""]
    return lines


def main() -> None:
    grader = grader_procedure()
    assignment = get_assignment("alexnet")
    source = reference_source(assignment)
    reference = load("alexnet_reference", source)
    alternative = load("alexnet_towers",
                       (assignment.solutions_dir / "alternatives" / "towers.py").read_text())
    mutants = {m.name: m for m in load_mutants(assignment)}
    candidates = [("reference (Adam 1e-3, sparse labels)", reference.build_mini_alexnet, SEEDS),
                  ("alternative towers.py (Adam 1e-3, one-hot labels)",
                   alternative.build_mini_alexnet, SEEDS)]
    candidates += [(f"buggy variant `{name}`",
                    load(name, mutants[name].apply(source)).build_mini_alexnet, BROKEN_SEEDS)
                   for name in BROKEN]
    bar = grader.ACCURACY_BAR
    out = ["# Mini-AlexNet on 32x32 digits: accuracy margins over seeds", "",
           "Produced by `python bench/thresholds_alexnet.py`. The hidden test trains the "
           f"student's compiled model on {grader.TRAIN} digits for at most {grader.MAX_EPOCHS} "
           f"epochs of batch {grader.BATCH} and passes once held-out accuracy "
           f"({grader.HELD_OUT} digits) reaches {bar}. Here every run goes all "
           f"{grader.MAX_EPOCHS} epochs. ms/step is wall time on this 2-core machine, "
           "shared with other jobs while it ran.", ""]
    for name, build, seeds in candidates:
        runs = {}
        for seed in seeds:
            runs[seed] = accuracy_per_epoch(build, seed, grader)
            print(name, seed, np.round(runs[seed][0], 3), flush=True)
        out += summarise(name, runs, bar)
    out += grading_time(assignment)
    out += DETERMINISTIC
    (ROOT / "bench" / "thresholds_alexnet.md").write_text("\n".join(out) + "\n")


DETERMINISTIC = [
    "## Deterministic tasks", "",
    "conv_output_size, conv_params, conv_macs, layer_memory and conv_input_size are integer "
    "arithmetic, graded exactly against hand-checked AlexNet figures and Keras or numpy "
    "oracles on seeded random settings: no threshold, so no margin to prove.", ""]


def grading_time(assignment) -> list[str]:
    """Wall time of grading the reference notebook (every test, training included)."""
    from autograder.engine.grader import grade_submission

    start = time.perf_counter()
    result = grade_submission(assignment.solutions_dir / "alexnet.ipynb", assignment)
    seconds = time.perf_counter() - start
    return ["## Grading time", "",
            f"Grading the reference notebook: {result.score:g} / {result.max_score:g} in "
            f"{seconds:.1f} s wall time (budget: 45 s on 2 cores).", ""]


if __name__ == "__main__":
    main()
