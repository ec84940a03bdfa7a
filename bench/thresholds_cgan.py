"""Margins of the cgan suite's convergence and exact-step tests, over 20 seeds.

For the training bar in autograder/suites/cgan/hidden/test_training.py this trains
the reference solution (compiled train_step) and the alternative (plain eager
train_step, projection discriminator) over 20 seeds each, and a few broken
variants that must fall below the bar; for the one-step oracle of
test_train_step.py it records the reference's error against the exact step and
how far the named mistakes lie from it; for the d_steps noise probe of
test_train_step.py, over 20 seeds, the ratio that correct solutions and the variant
reusing one z reach against the bar; for the Fréchet distance tests of
test_fid.py (random inputs, fixed tolerances) it records, over 20 seeds, the
reference's and the alternatives' largest error as a share of the tolerance and which
tests each fid mutant fails on every seed. Writes bench/thresholds_cgan.md.

    python bench/thresholds_cgan.py          # about 15 minutes on 2 cores
    python bench/thresholds_cgan.py --fid    # only the Fréchet distance section (seconds)
    python bench/thresholds_cgan.py --d-steps  # only the d_steps noise probe (about 3 minutes)

The FID bar of test_training.py (the trained generator's Fréchet distance to the real
digits) runs in chunks, each appending one JSON line per (solution, seed) to
bench/thresholds_cgan_fid.jsonl; the report rewrites its section of the .md:

    python bench/thresholds_cgan.py fid-bar 0 20 [reference projection_eager ...]
    python bench/thresholds_cgan.py fid-bar-report
"""

from __future__ import annotations

import importlib.util
import json
import linecache
import os
import sys
import time
import types
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.sections

from autograder.assignments import REPO_ROOT, get_assignment  # noqa: E402
from autograder.engine.remote import LocalSubmission  # noqa: E402
from autograder.instructor.variants import load_mutants, reference_source  # noqa: E402
from bench.sections import replace_section  # noqa: E402

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
    """A module from source, whose source inspect can find (AutoGraph needs it), as the
    grader's runner loads a submission."""
    module = types.ModuleType(name)
    filename = f"<{name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), module.__dict__)
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


D_STEPS_SECTION = "## d_steps: fresh noise for each discriminator update (test_train_step.py)"


def d_steps_margins(assignment) -> list[str]:
    """The fresh-noise probe's ratio (squared move of D with d_steps=3 over d_steps=1) for
    correct solutions, and for the variant that reuses one z, over 20 seeds."""
    import keras

    step_tests = load_file(HIDDEN / "test_train_step.py", "cgan_step_tests")
    mutants = {m.name: m for m in load_mutants(assignment)}
    subjects = {"reference": local(load_source(reference_source(assignment), "cgan_reference"))}
    for path in sorted(ALTERNATIVES.glob("*.py")):
        subjects[f"alternative {path.stem}"] = local(load_file(path, f"cgan_{path.stem}"))
    subjects["mutant d-steps-same-noise"] = local(load_source(
        mutants["d-steps-same-noise"].apply(reference_source(assignment)), "cgan_same_noise"))
    lines = [D_STEPS_SECTION, "",
             f"Seeds 0-{len(SEEDS) - 1}. The probe's ratio is about {step_tests.K} when each of "
             f"the {step_tests.K} updates draws its own z and about {step_tests.K ** 2} when "
             f"one z is reused; the test passes below {step_tests.NOISE_BAR:.2f} "
             f"({step_tests.NOISE_CALLS} calls of each d_steps per seed).", ""]
    for name, sub in subjects.items():
        ratios = []
        for seed in SEEDS:
            keras.utils.set_random_seed(seed)
            moves = step_tests.squared_moves(sub, seed)
            ratios.append(moves[step_tests.K] / moves[1])
        print(f"  {name}: {summary(ratios)}", flush=True)
        lines.append(f"- {name}: ratio {summary(ratios)}")
    return lines + [""]


def update_section(lines: list[str]) -> None:
    """Rewrite one section of the report (a new one goes before the grading times)."""
    text = OUT.read_text() if OUT.exists() else ""
    OUT.write_text(replace_section(text, lines, before="## grading time"))
    print("wrote", OUT)


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


FID_SECTION = "## Fréchet distance (test_fid.py)"
ALTERNATIVES = REPO_ROOT / "solutions" / "cgan" / "alternatives"


def fid_margins(assignment) -> list[str]:
    """Errors of correct solutions as a share of the tolerance, and mutants' failures."""
    import inspect

    fid = load_file(HIDDEN / "test_fid.py", "cgan_fid_tests")
    tests = {name: f for name, f in vars(fid).items() if name.startswith("test_")}

    def failures(sub, seed) -> set[str]:
        failed = set()
        for name, test in tests.items():
            kwargs = {"sub": sub}
            if "seed" in inspect.signature(test).parameters:
                kwargs["seed"] = seed
            try:
                test(**kwargs)
            except Exception:  # noqa: BLE001 - any failure loses the test's points
                failed.add(name)
        return failed

    def worst_share(sub) -> tuple[float, float]:
        """Largest |got - oracle| / tolerance on the full and on the singular covariances."""
        full, singular = 0.0, 0.0
        for seed in SEEDS:
            rng = np.random.default_rng(seed)
            for d in (2, 3, 4, 6):
                mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
                s1, s2 = fid.covariance(rng, d), fid.covariance(rng, d)
                err = abs(float(sub.frechet_distance(mu1, s1, mu2, s2))
                          - fid.fd_oracle(mu1, s1, mu2, s2))
                full = max(full, err / (fid.TOL * fid.scale(mu1, s1, mu2, s2)))
            rng = np.random.default_rng(seed)
            for d in (3, 4, 5):
                u, v = rng.normal(size=d), rng.normal(size=d)
                mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
                s1, s2 = np.outer(u, u), np.outer(v, v)
                want = float(np.sum((mu1 - mu2) ** 2) + u @ u + v @ v - 2 * abs(u @ v))
                err = abs(float(sub.frechet_distance(mu1, s1, mu2, s2)) - want)
                singular = max(singular, err / (fid.TOL_SINGULAR * fid.scale(mu1, s1, mu2, s2)))
        return full, singular

    correct = {"reference": local(load_source(reference_source(assignment), "cgan_reference"))}
    for path in sorted(ALTERNATIVES.glob("*.py")):
        correct[f"alternative {path.stem}"] = local(load_file(path, f"cgan_{path.stem}"))
    lines = [FID_SECTION, "",
             f"Seeds 0-{len(SEEDS) - 1}. Tolerances: {fid.TOL:g} of the scale "
             "||mu1 - mu2||^2 + Tr s1 + Tr s2 (full covariances), "
             f"{fid.TOL_SINGULAR:g} (rank-1 covariances); the oracle is scipy.linalg.sqrtm "
             "(full) and the closed form |u.v| (rank 1).", ""]
    for name, sub in correct.items():
        failed = set().union(*(failures(sub, seed) for seed in SEEDS))
        full, singular = worst_share(sub)
        lines.append(f"- {name}: largest error {full:.2e} of the tolerance (full), "
                     f"{singular:.2e} (rank 1); tests failed on any seed: "
                     f"{', '.join(sorted(failed)) or 'none'}")
    lines.append("")
    for mutant in load_mutants(assignment):
        if not mutant.name.startswith("fid-"):
            continue
        sub = local(load_source(mutant.apply(reference_source(assignment)), mutant.name))
        per_seed = [failures(sub, seed) for seed in SEEDS]
        always = set.intersection(*per_seed)
        lines.append(f"- mutant {mutant.name}: fails on every seed "
                     f"{', '.join(sorted(always)) or 'NOTHING'}")
    return lines + [""]


def update_fid_section(assignment) -> None:
    """Rewrite only the Fréchet distance section of the existing report."""
    update_section(fid_margins(assignment))


FID_BAR_SECTION = "## FID of the trained generator (test_training.py)"
FID_BAR_RESULTS = Path(__file__).with_name("thresholds_cgan_fid.jsonl")
FID_FIGURE_DATA = REPO_ROOT / "course" / "05_gan" / "data" / "fid_by_generator.json"  # the notes'
SHORT_STEPS = 50  # a generator trained a tenth as long: poor, not broken


def fid_bar_subjects(assignment) -> dict[str, tuple[str, LocalSubmission, int]]:
    """name -> (description, submission, training steps): every correct solution at the
    grader's budget, then poor generators that must land above the bar."""
    source = reference_source(assignment)
    mutants = {m.name: m for m in load_mutants(assignment)}
    steps = load_file(HIDDEN / "test_training.py", "cgan_training_tests").STEPS
    out = {"reference": ("reference (compiled train_step)",
                         local(load_source(source, "cgan_reference")), steps)}
    for path in sorted(ALTERNATIVES.glob("*.py")):
        out[path.stem] = (f"alternatives/{path.name}", local(load_file(path, f"cgan_{path.stem}")),
                          steps)
    out["short-training"] = (f"reference trained {SHORT_STEPS} steps instead of {steps}",
                             out["reference"][1], SHORT_STEPS)
    for name in BROKEN:
        out[name] = (f"mutant {name}", local(load_source(mutants[name].apply(source), name)), steps)
    return out


def fid_bar_chunk(first: int, last: int, names: list[str]) -> None:
    """Train, sample and score as test_training.py does, for seeds first..last-1."""
    import keras

    keras.config.disable_interactive_logging()
    training = load_file(HIDDEN / "test_training.py", "cgan_training_tests")
    subjects = fid_bar_subjects(get_assignment("cgan"))
    for seed in range(first, last):
        for name in names or list(subjects):
            _, sub, steps = subjects[name]
            start = time.perf_counter()
            generator, _, _ = training.train(sub, seed, steps=steps)
            accuracy, spread, fakes, _ = training.evaluate(generator, seed)
            record = {"solution": name, "seed": seed, "steps": steps,
                      "fid": training.sample_fid(fakes), "accuracy": accuracy, "spread": spread,
                      "seconds": round(time.perf_counter() - start, 1)}
            with FID_BAR_RESULTS.open("a") as f:
                f.write(json.dumps(record) + "\n")
            print(json.dumps(record), flush=True)


def is_correct(name: str) -> bool:
    """Whether a subject of fid_bar_subjects is a correct solution at the grader's budget."""
    return name not in BROKEN and name != "short-training"


def fid_bar_report() -> None:
    """The FID section of the .md and the notes' figure data, from the stored runs."""
    training = load_file(HIDDEN / "test_training.py", "cgan_training_tests")
    records = [json.loads(line) for line in FID_BAR_RESULTS.read_text().splitlines() if line]
    latest = {(r["solution"], r["seed"]): r for r in records}  # a rerun of a seed replaces it
    descriptions = {name: subject[0]
                    for name, subject in fid_bar_subjects(get_assignment("cgan")).items()}
    runs = {name: [r for (solution, _), r in sorted(latest.items()) if solution == name]
            for name in descriptions}
    runs = {name: found for name, found in runs.items() if found}  # in the subjects' order
    bar = training.FID_BAR
    lines = [FID_BAR_SECTION, "",
             f"The FID of {10 * training.SAMPLES_PER_LABEL} samples to the 1,797 real digits, in "
             "the fixed classifier's features (distances to the 10 class means), after training "
             f"as the hidden test does; bar: below {bar}. Raw runs: "
             "bench/thresholds_cgan_fid.jsonl.", "",
             "| solution | seeds | FID: min / median / max | above the bar | label recognised: "
             "min | seconds: median |", "| --- | --- | --- | --- | --- | --- |"]
    for name, found in runs.items():
        fid = np.array([r["fid"] for r in found], dtype=float)
        lines.append(f"| {descriptions[name]} | {len(found)} | {np.nanmin(fid):.2f} / "
                     f"{np.nanmedian(fid):.2f} / {np.nanmax(fid):.2f} | "
                     f"{int(np.sum(~(fid < bar)))}/{len(found)} | "
                     f"{min(r['accuracy'] for r in found):.3f} | "
                     f"{np.median([r['seconds'] for r in found]):.0f} |")
    worst = max(r["fid"] for name, found in runs.items() if is_correct(name) for r in found)
    lowest = {name: min(r["fid"] for r in runs[name])
              for name in ("short-training", "generator-ignores-noise",
                           "generator-trained-on-discriminator-loss") if name in runs}
    lines += ["", f"Why {bar}: the worst correct run is {worst:.2f} ({bar / worst:.2f}x below the "
              "bar), and the lowest FID of the poor generators that the bar is for is "
              + ", ".join(f"{v:.2f} ({name})" for name, v in lowest.items())
              + f", each above it: the bar sits near the geometric mean of {worst:.2f} and the "
              "smallest of these. The two label mistakes are the label test's to catch: a "
              "discriminator that ignores labels lets G draw good digits of the wrong "
              "labels (FID like a correct run's), and a generator that ignores labels lands "
              "just above the bar. Grading uses one fixed training seed; these seeds show the "
              "bar does not depend on it."]
    update_section(lines)
    figure = {"source": "python bench/thresholds_cgan.py fid-bar-report "
                        "(from bench/thresholds_cgan_fid.jsonl)",
              "bar": bar, "steps": training.STEPS,
              "generators": [{"name": name, "description": descriptions[name],
                              "kind": "correct" if is_correct(name) else "poor",
                              "seeds": [r["seed"] for r in found],
                              "fid": [round(r["fid"], 3) for r in found]}
                             for name, found in runs.items()]}
    FID_FIGURE_DATA.parent.mkdir(parents=True, exist_ok=True)
    FID_FIGURE_DATA.write_text(json.dumps(figure, indent=1) + "\n")


def main() -> None:
    if sys.argv[1:2] == ["fid-bar"]:
        fid_bar_chunk(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:])
        return
    if sys.argv[1:2] == ["fid-bar-report"]:
        fid_bar_report()
        return
    if "--fid" in sys.argv[1:]:
        update_fid_section(get_assignment("cgan"))
        return
    if "--d-steps" in sys.argv[1:]:
        update_section(d_steps_margins(get_assignment("cgan")))
        return
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
    lines += d_steps_margins(assignment)
    lines += fid_margins(assignment)
    lines += ["## grading time (goal: under 45 s for the reference)", "",
              *grading_times(assignment), ""]
    OUT.write_text("\n".join(lines) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
