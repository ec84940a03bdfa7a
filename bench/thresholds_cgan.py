"""Margins of the cgan suite's convergence and exact-step tests, over 20 seeds.

For the training bar in autograder/suites/cgan/hidden/test_training.py this trains
the reference solution (compiled train_step) and the alternative (plain eager
train_step, projection discriminator) over 20 seeds each, and a few broken
variants that must fall below the bar; for the one-step oracle of
test_train_step.py it records the reference's error against the exact step and
how far the named mistakes lie from it. Writes bench/thresholds_cgan.md.

    python bench/thresholds_cgan.py          # about 15 minutes on 2 cores
"""

from __future__ import annotations

import importlib.util
import os
import time
import types
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from autograder.assignments import REPO_ROOT, get_assignment  # noqa: E402
from autograder.engine.remote import LocalSubmission  # noqa: E402
from autograder.instructor.variants import load_mutants, reference_source  # noqa: E402

SEEDS = range(20)
BROKEN_SEEDS = range(5)
BROKEN = ("generator-ignores-labels", "generator-trained-on-discriminator-loss",
          "discriminator-ignores-labels", "generator-ignores-noise")
HIDDEN = REPO_ROOT / "autograder" / "suites" / "cgan" / "hidden"
ALTERNATIVE = REPO_ROOT / "solutions" / "cgan" / "alternatives" / "projection_eager.py"
OUT = Path(__file__).with_suffix(".md")


def load_file(path: Path, name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_source(source: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def local(module: types.ModuleType) -> LocalSubmission:
    """The tests' `sub` interface over a module loaded here (as in a student's kernel)."""
    return LocalSubmission(module)


def summary(values) -> str:
    v = np.asarray(values, dtype=float)
    return f"min {v.min():.4f}, median {np.median(v):.4f}, max {v.max():.4f}"


def training_runs(training, sub, seeds) -> tuple[list[float], list[float], float]:
    accuracies, spreads, start = [], [], time.perf_counter()
    for seed in seeds:
        generator, _, _ = training.train(sub, seed)
        accuracy, spread, _, _ = training.evaluate(generator, seed)
        accuracies.append(accuracy)
        spreads.append(spread)
        print(f"  seed {seed}: accuracy {accuracy:.3f}, spread {spread:.3f}", flush=True)
    return accuracies, spreads, (time.perf_counter() - start) / len(list(seeds))


def step_margins(step_tests, sub) -> list[str]:
    """Reference error against the exact one-step oracle, and the named mistakes' distance."""
    errors, gaps = [], {name: [] for name in step_tests.MISTAKES}
    for seed in SEEDS:
        toy = step_tests.ToyStep(seed)
        generator, discriminator = toy.models(sub)
        step_tests.run_step(sub, generator, discriminator, step_tests.sgd(sub, step_tests.LR),
                            step_tests.sgd(sub, step_tests.LR), toy.images, toy.labels,
                            toy.latent_dim)
        got = step_tests.observed(sub, generator, discriminator)
        want = toy.expected()[:3]
        rel = lambda a, b: float(np.max(np.abs(np.subtract(a, b)) /  # noqa: E731
                                        (2e-5 / 2e-3 + np.abs(b))))
        errors.append(max(rel(g, w) for g, w in zip(got, want)))
        for name in gaps:
            wrong = toy.expected(name)[:3]
            gaps[name].append(max(rel(w_, w) for w_, w in zip(wrong, want)))
    lines = [f"- reference, largest error relative to the exact step (|got - want| / "
             f"(0.01 + |want|)): largest {max(errors):.2g}; tolerance 2e-3"]
    lines += [f"- the same distance for the mistake \"{name}\": {summary(v)}"
              for name, v in gaps.items()]
    return lines


def grading_times(assignment) -> list[str]:
    """Wall time of grading the reference notebook and the alternative, whole suite."""
    from autograder.engine.grader import grade_submission

    lines = []
    for path in (assignment.solutions_dir / "cgan.ipynb", ALTERNATIVE):
        start = time.perf_counter()
        result = grade_submission(path, assignment)
        lines.append(f"- `grade_submission('{path.relative_to(REPO_ROOT)}')` scored "
                     f"{result.score:g} / {result.max_score:g} in "
                     f"{time.perf_counter() - start:.1f} s (child start and imports included)")
    return lines


def main() -> None:
    import keras

    keras.config.disable_interactive_logging()
    training = load_file(HIDDEN / "test_training.py", "cgan_training_tests")
    step_tests = load_file(HIDDEN / "test_train_step.py", "cgan_step_tests")
    assignment = get_assignment("cgan")
    reference = local(load_source(reference_source(assignment), "cgan_reference"))
    alternative = local(load_file(ALTERNATIVE, "cgan_alternative"))

    images, labels = training.digits()
    flat = images.reshape(len(images), -1)
    real_spread = min(float(flat[labels == k].std(axis=0).mean()) for k in range(10))
    classifier = training.NearestCentroid(images, labels)
    real_accuracy = float(np.mean(classifier.predict(images) == labels))

    lines = ["# cgan: margins of the convergence and exact-step tests", "",
             "Produced by `python bench/thresholds_cgan.py` (2 CPU cores). The grader trains "
             f"the student's models with the student's train_step for {training.STEPS} steps "
             f"of batch {training.BATCH}, Adam({training.LEARNING_RATE}, beta_1=0.5) for both "
             f"networks, then draws {training.SAMPLES_PER_LABEL} samples per label.", "",
             f"- the fixed classifier (nearest class mean of the real digits) is right on "
             f"{real_accuracy:.3f} of the real digits",
             f"- smallest per-label pixel spread of the real digits: {real_spread:.4f}", ""]

    for name, sub in (("reference (compiled train_step)", reference),
                      ("alternative (eager train_step, projection discriminator)", alternative)):
        print(name, flush=True)
        acc, spread, per_run = training_runs(training, sub, SEEDS)
        lines += [f"## {name}", "",
                  f"Seeds 0-{len(SEEDS) - 1}, {per_run:.1f} s per run (training and sampling).",
                  "",
                  f"- label recognised in the samples: {summary(acc)}; bar "
                  f"{training.ACCURACY_BAR}",
                  f"- smallest per-label pixel spread: {summary(spread)}; bar "
                  f"{training.SPREAD_BAR}", ""]

    mutants = {m.name: m for m in load_mutants(assignment)}
    lines += ["## broken variants (must fall below a bar)", ""]
    for name in BROKEN:
        print(name, flush=True)
        sub = local(load_source(mutants[name].apply(reference_source(assignment)), name))
        acc, spread, _ = training_runs(training, sub, BROKEN_SEEDS)
        lines.append(f"- {name} (seeds 0-{len(BROKEN_SEEDS) - 1}): label recognised "
                     f"{summary(acc)}; spread {summary(spread)}")
    lines += ["", "## one exact step (test_train_step.py)", "", *step_margins(step_tests,
                                                                               reference), ""]
    lines += ["## grading time (goal: under 45 s for the reference)", "",
              *grading_times(assignment), ""]
    OUT.write_text("\n".join(lines) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
