"""Margins of the dbn suite's statistical and convergence tests, over 20 seeds.

For each bar in autograder/suites/dbn/hidden/ this runs the reference solution
(and the alternative, which uses Keras' default Adam) over 20 seeds and writes the
distribution to bench/thresholds_dbn.md, together with how far the buggy
conventions the CD test must reject lie from every accepted one.

    python bench/thresholds_dbn.py          # about 3 minutes on 2 cores
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
import types
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from autograder.assignments import REPO_ROOT, get_assignment  # noqa: E402
from autograder.instructor.variants import reference_source  # noqa: E402

SEEDS = range(20)
HIDDEN = REPO_ROOT / "autograder" / "suites" / "dbn" / "hidden"
OUT = Path(__file__).with_suffix(".md")


def load_file(path: Path, name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_reference() -> types.ModuleType:
    module = types.ModuleType("dbn_reference")
    exec(compile(reference_source(get_assignment("dbn")), "dbn_reference", "exec"),
         module.__dict__)
    return module


def summary(values) -> str:
    v = np.asarray(values, dtype=float)
    return f"min {v.min():.4f}, median {np.median(v):.4f}, max {v.max():.4f}"


def gap(cd, wrong, valid) -> float:
    """Smallest distance from any rejected expectation to any accepted one."""
    return min(cd.distance(bad, good) for bad in wrong for good in valid.values())


def cd_margins(cd, sub) -> list[str]:
    """Noise of the reference estimate vs the gaps to the conventions the test rejects."""
    noise, gaps = [], {"sign flipped": [], "hidden probabilities drive the chain": [],
                       "k ignored (CD-1 for k=3)": []}
    for seed in SEEDS:
        for k, offset in ((1, 0), (3, 1)):
            W, b, c, V0 = cd.tiny_problem(seed + offset, k=k)
            rbm = cd.make_rbm(sub, W, b, c, seed=seed, k=k)
            got = tuple(np.asarray(x) for x in rbm.contrastive_divergence(V0))
            valid = cd.expected_cd(W, b, c, V0, k)
            noise.append(min(cd.distance(got, w) for w in valid.values()))
            flipped = [tuple(-x for x in w) for w in valid.values()]
            gaps["sign flipped"].append(gap(cd, flipped, valid))
            gaps["hidden probabilities drive the chain"].append(
                gap(cd, cd.mean_field_hidden_cd(W, b, c, V0, k), valid))
            if k == 3:
                gaps["k ignored (CD-1 for k=3)"].append(
                    gap(cd, cd.expected_cd(W, b, c, V0, 1).values(), valid))
    lines = [f"- reference distance to the nearest accepted expectation (noise): "
             f"{summary(noise)}; tolerance {cd.TOLERANCE}"]
    lines += [f"- exact gap from an accepted convention, {name}: {summary(v)}"
              for name, v in gaps.items()]
    return lines


def cosines(cd, sub) -> list[float]:
    out = []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        W, b, c = rng.normal(0, 0.3, (5, 3)), rng.normal(0, 0.3, 5), rng.normal(0, 0.3, 3)
        data = cd.prototype_data(rng, 20_000)
        rbm = cd.make_rbm(sub, W, b, c, seed=seed, k=10)
        est = tuple(np.asarray(x) for x in rbm.contrastive_divergence(data))
        out.append(cd.cosine(est, cd.exact_gradient(W, b, c, data)))
    return out


def ll_gains(cd, sub) -> list[float]:
    out = []
    for seed in SEEDS:
        data = cd.prototype_data(np.random.default_rng(seed), 200)
        rbm = sub.RBM(5, 4, learning_rate=0.1, k=1, seed=seed)
        before = cd.log_likelihood(rbm.W, rbm.b, rbm.c, data)
        rbm.fit(data, epochs=30, batch_size=10)
        out.append(cd.log_likelihood(rbm.W, rbm.b, rbm.c, data) - before)
    return out


def reconstruction_ratios(cd, sub) -> list[float]:
    from sklearn.datasets import load_digits

    X = load_digits().data[:600] / 16.0
    out = []
    for seed in SEEDS:
        rbm = sub.RBM(64, 32, learning_rate=0.1, k=1, seed=seed)
        err = lambda r: float(np.mean((X - cd.sigmoid(cd.sigmoid(X @ r.W + r.c) @ r.W.T + r.b))  # noqa: E731
                                      ** 2))
        before = err(rbm)
        out.append(err(rbm.fit(X, epochs=5, batch_size=10)) / before)
    return out


def accuracies(sub) -> tuple[list[float], float]:
    import keras
    from sklearn.datasets import load_digits

    dbn_tests = load_file(HIDDEN / "test_dbn.py", "dbn_hidden_tests")
    data = load_digits()
    X, y = data.data / 16.0, data.target
    order = np.random.RandomState(0).permutation(len(X))
    train, test = order[:1200], order[1200:]
    out, start = [], time.perf_counter()
    for seed in SEEDS:
        keras.utils.set_random_seed(seed)
        model = sub.dbn_to_keras(sub.pretrain_dbn(X[train], [64], epochs=5, seed=seed), 10)
        targets = y[train] if dbn_tests.wants_integer_labels(model) else np.eye(10)[y[train]]
        model.fit(X[train].astype(np.float32), targets, epochs=dbn_tests.FINE_TUNE_EPOCHS,
                  batch_size=32, verbose=0)
        out.append(float(np.mean(model.predict(X[test], verbose=0).argmax(1) == y[test])))
    return out, (time.perf_counter() - start) / len(SEEDS)


def grading_seconds() -> tuple[float, str]:
    code = ("from autograder.engine.grader import grade_submission as g; "
            "r = g('solutions/dbn/dbn.ipynb'); print(r.score, r.max_score)")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                          text=True, check=True)
    return time.perf_counter() - start, proc.stdout.strip().splitlines()[-1]


def main() -> None:
    cd = load_file(HIDDEN / "test_cd.py", "dbn_cd_tests")
    dbn_tests = load_file(HIDDEN / "test_dbn.py", "dbn_hidden_tests")
    reference = load_reference()
    alternative = load_file(REPO_ROOT / "solutions/dbn/alternatives/hinton_style.py", "dbn_alt")
    lines = ["# dbn: margins of the statistical and convergence tests", "",
             "Produced by `python bench/thresholds_dbn.py` (seeds 0-19, 2 CPU cores). "
             "The reference writes CD with sampled visible reconstructions and compiles "
             "Adam(0.005); the alternative (solutions/dbn/alternatives/hinton_style.py) uses "
             "mean-field reconstructions, Glorot-uniform weights and Keras' default Adam "
             "(1e-3).", ""]
    for name, sub in (("reference", reference), ("alternative", alternative)):
        lines += [f"## {name}", "",
                  "CD estimate vs its exact expectation (test_cd1/test_cdk, 21,000 rows):"]
        lines += cd_margins(cd, sub)
        lines += ["", f"- cosine of CD-10 with the exact gradient: {summary(cosines(cd, sub))}; "
                      f"bar {cd.COSINE_BAR}",
                  f"- exact log-likelihood gain after 30 epochs (nats/row): "
                  f"{summary(ll_gains(cd, sub))}; bar {cd.LL_GAIN_BAR}",
                  f"- digits reconstruction error after/before 5 epochs: "
                  f"{summary(reconstruction_ratios(cd, sub))}; bar {cd.RECONSTRUCTION_BAR}"]
        accs, seconds = accuracies(sub)
        lines += [f"- held-out accuracy after pretraining and {dbn_tests.FINE_TUNE_EPOCHS} "
                  f"epochs of fine-tuning: {summary(accs)}; bar {dbn_tests.ACCURACY_BAR} "
                  f"({seconds:.1f} s per run)", ""]
        print("\n".join(lines[-8:]), flush=True)
    seconds, score = grading_seconds()
    lines += ["## grading time", "",
              f"`grade_submission('solutions/dbn/dbn.ipynb')` scored {score} in {seconds:.1f} s "
              "(wall clock, child process start and Keras import included; budget 45 s).", ""]
    OUT.write_text("\n".join(lines))
    print(OUT.read_text())


if __name__ == "__main__":
    main()
