"""How much margin does the Reber next-symbol budget leave? Legal share per epoch, over seeds.

The hidden test (autograder/suites/rnn/hidden/test_reber.py) trains the student's
compiled `build_next_symbol_model()` on 2,000 of the grader's embedded Reber
strings (batch 32, padded targets masked with sample_weight) for at most 15
epochs, and passes as soon as the most likely next symbol is legal at >= 0.95 of
the positions of 500 held-out strings. This script runs that very procedure (the
hidden test's own functions) for the reference (Adam 1e-2), the alternative
solution (Keras-default Adam 1e-3, sparse loss) and two broken models, over seeds;
it records the epoch at which the bar is reached and the share one epoch later.

    python bench/thresholds_rnn.py     # writes bench/thresholds_rnn.md
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

SEEDS = range(20)
BROKEN_SEEDS = range(3)


def load(name: str, source: str):
    module = types.ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def grader_procedure():
    path = get_assignment("rnn").hidden_dir / "test_reber.py"
    spec = importlib.util.spec_from_file_location("rnn_test_reber", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def memoryless_model(vocab_size=7, units=32):
    """A broken model that sees only the current symbol (no recurrence)."""
    model = keras.Sequential([
        keras.Input(shape=(None, vocab_size)),
        keras.layers.Dense(units, activation="tanh"),
        keras.layers.Dense(vocab_size, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy")
    return model


def curves(build, seeds, procedure) -> list[list[tuple[float, float]]]:
    """Per seed: (legal share, share after the inner E) per epoch, up to one epoch past
    the bar (all epochs when the bar is never reached)."""
    out = []
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        model = build()
        history = procedure.train_and_score(model, seed)
        if history[-1][0] >= procedure.LEGAL_BAR:
            procedure.MAX_EPOCHS, budget = 1, procedure.MAX_EPOCHS
            history += procedure.train_and_score(model, seed, stop_at_bar=False)
            procedure.MAX_EPOCHS = budget
        out.append(history)
        print(f"  seed {seed}: {[round(h[0], 3) for h in history]}", flush=True)
    return out


def main() -> None:
    procedure = grader_procedure()
    bar, epochs = procedure.LEGAL_BAR, procedure.MAX_EPOCHS
    assignment = get_assignment("rnn")
    reference = load("reference", reference_source(assignment))
    alternative = load("alternative", (assignment.solutions_dir / "alternatives" /
                                       "einsum_functional.py").read_text())
    no_softmax = next(m for m in load_mutants(assignment) if m.name == "model-without-softmax")
    broken = load("no_softmax", no_softmax.apply(reference_source(assignment)))
    runs = [
        ("reference (Adam 1e-2)", reference.build_next_symbol_model, SEEDS),
        ("alternatives/einsum_functional.py (default Adam 1e-3, sparse loss)",
         alternative.build_next_symbol_model, SEEDS),
        ("broken: no recurrence (Dense on the current symbol)", memoryless_model, BROKEN_SEEDS),
        ("broken: mutant model-without-softmax", broken.build_next_symbol_model, BROKEN_SEEDS),
    ]
    lines = [
        "# Reber next-symbol model: legal next-symbol share on held-out strings, over seeds",
        "",
        f"Budget in the hidden test: at most {epochs} epochs of {procedure.TRAIN} strings, batch "
        f"{procedure.BATCH}; pass when the share of held-out positions whose most likely next "
        f"symbol is legal reaches {bar}. Each run stops one epoch after reaching the bar "
        "(or after the whole budget).",
        f"Measured {time.strftime('%Y-%m-%d')} with keras {keras.__version__}.",
        "Reference points: predicting from the current symbol alone reaches about 0.5; a",
        "perfect automaton that forgets the second symbol (coin flip after the inner E) about",
        "0.955; a trigram table 0.955.",
        "",
        "| solution | seeds | reached the bar | epochs to bar: median / max (budget "
        f"{epochs}) | share at the bar epoch: min | one epoch later: min / median | "
        "after the inner E, one epoch later: min / median | best share if never reached |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, build, seeds in runs:
        print(name, flush=True)
        runs_ = curves(build, seeds, procedure)
        done = [h for h in runs_ if h[-1][0] >= bar or (len(h) > 1 and h[-2][0] >= bar)]
        failed = [h for h in runs_ if h not in done]
        if done:
            to_bar = [len(h) - 1 for h in done]
            at_bar = min(h[-2][0] for h in done)
            later, long_later = [h[-1][0] for h in done], [h[-1][1] for h in done]
            row = (f"{int(np.median(to_bar))} / {max(to_bar)} | {at_bar:.3f} | "
                   f"{min(later):.3f} / {np.median(later):.3f} | "
                   f"{min(long_later):.3f} / {np.median(long_later):.3f}")
        else:
            row = "- | - | - | -"
        best = f"{max(max(s for s, _ in h) for h in failed):.3f}" if failed else "-"
        lines.append(f"| {name} | {len(seeds)} | {len(done)}/{len(seeds)} | {row} | {best} |")
        print(lines[-1], flush=True)
    lines += [
        "",
        f"Why {bar}: every seed of both correct solutions reaches it, the Keras-default one",
        f"within {epochs // 2} epochs (less than half the budget); broken models stay far below",
        "(no recurrence about 0.55, no softmax under 0.45). The bar is just under what a",
        "perfect automaton without the long memory gets (0.955): it grades that the grammar",
        "was learned at nearly every position. The long-range memory (the T/P after the",
        "inner E) is reported in the feedback figure but not required: with Adam 1e-3 it",
        "is only half learned within the budget.",
        "",
    ]
    out = Path(__file__).with_suffix(".md")
    out.write_text("\n".join(lines) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
