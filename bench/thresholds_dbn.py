"""Margins of the dbn suite's statistical and convergence tests, over 20 seeds.

For each bar in autograder/suites/dbn/hidden/ this runs the reference solution
(and the alternative, which uses Keras' default Adam) over 20 seeds and writes the
distribution to bench/thresholds_dbn.md, together with how far the buggy
conventions the CD test must reject lie from every accepted one.

    python bench/thresholds_dbn.py          # about 3 minutes on 2 cores
    python bench/thresholds_dbn.py gibbs    # only the gibbs_sample section (about 1 minute)

The gibbs_sample part runs every gibbs_sample test (hidden and public) under the same
20 seeds on the reference, each alternative and each gibbs mutant: the correct ones
must pass on every seed with the distance to the exact distribution well under the
bar, and every mutant must lose points on every seed. For the digits test it also
records, per seed, how far the fantasies' pixel means lie from the digits' (from
digit starts and from noise starts), on the correct solutions and on each mutant.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.sections

from autograder.assignments import REPO_ROOT, get_assignment  # noqa: E402
from autograder.instructor.variants import reference_source  # noqa: E402
from bench.sections import replace_section  # noqa: E402

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


GIBBS_HEADING = "## gibbs_sample"


DIGIT_GAPS: list[tuple[float, float]] = []  # filled while the digits test runs


def recording(digit_fantasies):
    """digit_fantasies that also appends the (from digits, from noise) pixel-mean gaps."""

    def wrapper(sub, seed):
        out = digit_fantasies(sub, seed)
        X, fantasies, n = out[0], out[2], len(out[2]) // 2
        DIGIT_GAPS.append(tuple(float(np.abs(half.mean(axis=0) - X.mean(axis=0)).mean())
                                for half in (fantasies[:n], fantasies[n:])))
        return out

    return wrapper


class NoFigures:
    """The `figures` fixture, closing each figure instead of sending it."""

    def add(self, fig, title):
        import matplotlib.pyplot as plt

        plt.close(fig)


def gibbs_tests():
    """(name, function) of every test of gibbs_sample, hidden then public."""
    found = []
    for path in (HIDDEN / "test_gibbs.py", HIDDEN.parent / "public" / "test_public.py"):
        module = load_file(path, f"dbn_{path.parent.name}_{path.stem}")
        if hasattr(module, "digit_fantasies"):
            module.digit_fantasies = recording(module.digit_fantasies)
        found += [(f"{path.parent.name}/{name}", test) for name, test in vars(module).items()
                  if name.startswith("test_") and (path.parent.name == "hidden" or "gibbs" in name)]
    return found


def grade_gibbs(module, tests) -> dict:
    """test name -> (seeds on which it failed, seconds of each run); DIGIT_GAPS refilled."""
    import inspect

    import matplotlib

    from autograder.engine.remote import LocalSubmission

    matplotlib.use("Agg")
    DIGIT_GAPS.clear()
    sub, outcome = LocalSubmission(module), {}
    for name, test in tests:
        wanted = inspect.signature(test).parameters
        failed, seconds = set(), []
        for seed in SEEDS:
            np.random.seed(seed)
            started = time.perf_counter()
            try:
                fixtures = {"sub": sub, "seed": seed, "figures": NoFigures()}
                test(**{k: v for k, v in fixtures.items() if k in wanted})
            except Exception:  # noqa: BLE001  (a failed check, or a buggy variant's crash)
                failed.add(seed)
            seconds.append(time.perf_counter() - started)
        outcome[name] = (failed, seconds)
    return outcome


def gibbs_distances(gibbs, module) -> tuple[list[float], list[float]]:
    """Total variation of the one-step and the long-chain tests, one value per seed."""
    from autograder.engine.remote import LocalSubmission

    sub, one, long = LocalSubmission(module), [], []
    for seed in SEEDS:
        for out, offset, steps in ((one, 0, 1), (long, 1, gibbs.LONG_STEPS)):
            W, b, c, start = gibbs.tiny_problem(seed + offset)
            v = sub.gibbs_sample(gibbs.make_rbm(sub, W, b, c, seed=seed),
                                 np.tile(start, (gibbs.CHAINS, 1)), steps)
            want = (gibbs.after_steps(gibbs.transition(W, b, c), start, 1) if steps == 1
                    else gibbs.marginal(W, b, c))
            out.append(gibbs.total_variation(gibbs.empirical(np.asarray(v, float)), want))
    return one, long


def gibbs_gaps(gibbs) -> dict[str, list[float]]:
    """Exact distances, on the tiny problems, from the truth to what the usual mistakes give."""
    gaps = {"one step only (h drawn once), long test": [],
            "hidden probabilities drive the chain, one step": [],
            "hidden probabilities drive the chain, long test": [],
            "no visible bias, one step": [], "no visible bias, long test": []}
    for seed in SEEDS:
        for offset, steps in ((0, 1), (1, gibbs.LONG_STEPS)):
            W, b, c, start = gibbs.tiny_problem(seed + offset)
            T = gibbs.transition(W, b, c)
            want = T[gibbs.index_of(start)] if steps == 1 else gibbs.marginal(W, b, c)
            tag = "one step" if steps == 1 else "long test"
            for name, K in (("hidden probabilities drive the chain", gibbs.mean_field_transition(W, b, c)),
                            ("no visible bias", gibbs.transition(W, np.zeros(4), c))):
                gaps[f"{name}, {tag}"].append(
                    gibbs.total_variation(gibbs.after_steps(K, start, steps), want))
            if steps > 1:
                gaps["one step only (h drawn once), long test"].append(
                    gibbs.total_variation(T[gibbs.index_of(start)], want))
    return gaps


def gibbs_part() -> list[str]:
    from autograder.instructor.variants import load_mutants

    gibbs = load_file(HIDDEN / "test_gibbs.py", "dbn_gibbs_tests")
    assignment = get_assignment("dbn")
    tests = gibbs_tests()
    short = {name: f"T{i}" for i, (name, _) in enumerate(tests, start=1)}
    solutions = {"reference": load_reference()}
    for path in sorted((REPO_ROOT / "solutions/dbn/alternatives").glob("*.py")):
        solutions[f"alternatives/{path.name}"] = load_file(path, f"dbn_alt_{path.stem}")
    lines = [GIBBS_HEADING, "",
             f"Every test of `gibbs_sample` (hidden and public), seeds 0-19, on a `LocalSubmission` "
             f"(grader and solution in one process). The distribution tests run "
             f"{gibbs.CHAINS:,} chains on a 4x3 RBM and pass when the total variation from the "
             f"exact distribution is below {gibbs.TV_BAR}.", "",
             "| solution | tests passed on every seed | TV after 1 step (min / median / max) "
             f"| TV after {gibbs.LONG_STEPS} steps vs p(v) |", "| --- | --- | --- | --- |"]
    seconds, digit_rows, digit_seconds = [], [], []
    digit_test = next(name for name, _ in tests if name.endswith("digit_fantasies_match_pixel_means"))
    for name, module in solutions.items():
        outcome = grade_gibbs(module, tests)
        seconds += [s for _, took in outcome.values() for s in took]
        digit_seconds += outcome[digit_test][1]
        digit_rows.append(digit_row(name, outcome[digit_test][0]))
        one, long = gibbs_distances(gibbs, module)
        clean = sum(not failed for failed, _ in outcome.values())
        lines.append(f"| {name} | {clean}/{len(tests)} | {summary(one)} | {summary(long)} |")
        print(lines[-1], flush=True)
    lines += ["", f"Exact distances (no sampling) from the truth to what a mistake gives, on the "
              f"tiny problems of the same seeds; `tiny_problem` redraws until each is above "
              f"{gibbs.GAP}:", ""]
    lines += [f"- {name}: {summary(v)}" for name, v in gibbs_gaps(gibbs).items()]
    lines += ["", "The tests:", ""] + [f"- {short[name]}: `{name}`" for name, _ in tests]
    lines += ["", f"Seeds (of {len(SEEDS)}) on which each mutant lost the points of each test "
              "(- for none), and on how many it lost points in at least one:", "",
              "| mutant | " + " | ".join(short[name] for name, _ in tests) + " | caught |",
              "| --- | " + " | ".join("---" for _ in tests) + " | --- |"]
    reference = reference_source(assignment)
    for mutant in load_mutants(assignment):
        if "gibbs_sample" not in mutant.breaks:
            continue
        module = types.ModuleType(mutant.name)
        exec(compile(mutant.apply(reference), mutant.name, "exec"), module.__dict__)
        outcome = grade_gibbs(module, tests)
        digit_rows.append(digit_row(mutant.name, outcome[digit_test][0]))
        caught = set().union(*(failed for failed, _ in outcome.values()))
        lines.append(f"| {mutant.name} | " + " | ".join(
            str(len(outcome[name][0])) if outcome[name][0] else "-" for name, _ in tests)
            + f" | {len(caught)}/{len(SEEDS)} |")
        print(lines[-1], flush=True)
    lines += ["", f"Digits test (`{digit_test}`): an RBM trained by the grader's CD-1 on "
              f"binarized digits, {gibbs.DIGIT_CHAINS} chains from digits and "
              f"{gibbs.DIGIT_CHAINS} from noise, {gibbs.DIGIT_STEPS} steps; mean absolute "
              f"difference between the fantasies' and the digits' pixel means, bar "
              f"{gibbs.PIXEL_MEAN_BAR} for each start. A missing gap: the variant failed "
              "before any fantasy was measured (not binary).", "",
              "| solution or mutant | failed on seeds | gap from digit starts | "
              "gap from noise starts |", "| --- | --- | --- | --- |"] + digit_rows
    lines += ["", f"Seconds per test and seed on the correct solutions: median "
              f"{np.median(seconds):.3f}, slowest {max(seconds):.3f} (digits test: median "
              f"{np.median(digit_seconds):.3f}, slowest {max(digit_seconds):.3f}); on "
              f"{os.cpu_count()} cores with a load average of {os.getloadavg()[0]:.1f} when the "
              "run ended.", ""]
    return lines


def digit_row(name: str, failed: set) -> str:
    """One row of the digits table, from the gaps the last grade_gibbs recorded."""
    gaps = np.array(DIGIT_GAPS).reshape(-1, 2)
    cells = [summary(gaps[:, k]) if len(gaps) else "-" for k in (0, 1)]
    return f"| {name} | {len(failed)}/{len(SEEDS)} | {cells[0]} | {cells[1]} |"


def write_gibbs_section(lines: list[str]) -> None:
    """Replace the gibbs_sample section of the .md (up to the next '## ') with `lines`."""
    OUT.write_text(replace_section(OUT.read_text() if OUT.exists() else "", lines))
    print("wrote", OUT)


def main() -> None:
    if sys.argv[1:] == ["gibbs"]:
        write_gibbs_section(gibbs_part())
        return
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
    write_gibbs_section(gibbs_part())
    print(OUT.read_text())


if __name__ == "__main__":
    main()
