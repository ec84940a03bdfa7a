"""How much margin does the Reber next-symbol budget leave? Legal share per epoch, over seeds.

The hidden test (autograder/suites/rnn/hidden/test_reber.py) trains the student's
compiled `build_next_symbol_model()` on 2,000 of the grader's embedded Reber
strings (batch 32, padded targets masked with sample_weight) for at most 15
epochs, and passes as soon as the most likely next symbol is legal at >= 0.95 of
the positions of 500 held-out strings. This script runs that very procedure (the
hidden test's own functions) for the reference (Adam 1e-2), the alternative
solution (Keras-default Adam 1e-3, sparse loss) and two broken models, over seeds;
it records the epoch at which the bar is reached and the share one epoch later.

    python bench/thresholds_rnn.py     # rewrites its section of bench/thresholds_rnn.md

The LSTM part (`build_lstm_model`, autograder/suites/rnn/hidden/test_lstm.py) runs in
chunks of seeds, each appending one JSON line per (solution, seed) to
bench/thresholds_rnn_lstm.jsonl, then a report rewrites its section of the .md:

    python bench/thresholds_rnn.py lstm 0 5 [reference simple-rnn ...]   # seeds 0-4
    python bench/thresholds_rnn.py lstm-report
"""

from __future__ import annotations

import importlib.util
import json
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
from bench.sections import replace_between  # noqa: E402

SEEDS = range(20)
BROKEN_SEEDS = range(3)


def load(name: str, source: str):
    module = types.ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def grader_procedure(test_file: str = "test_reber.py"):
    path = get_assignment("rnn").hidden_dir / test_file
    spec = importlib.util.spec_from_file_location(f"rnn_{Path(test_file).stem}", path)
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
    write_section(NEXT_SYMBOL_SECTION, lines)


OUT = Path(__file__).with_suffix(".md")
NEXT_SYMBOL_SECTION = ("<!-- next-symbol: written by `python bench/thresholds_rnn.py` -->",
                       "<!-- /next-symbol -->")


def write_section(markers: tuple[str, str], lines: list[str]) -> None:
    """Rewrite the text between one pair of markers in the .md and keep everything else (the
    hand-written clipping and timing notes, the other generated section)."""
    OUT.write_text(replace_between(OUT.read_text() if OUT.exists() else "", markers, lines))
    print("wrote", OUT)


# ---------------------------------------------------------------- the LSTM part

LSTM_RESULTS = Path(__file__).with_name("thresholds_rnn_lstm.jsonl")
FIGURE_DATA = ROOT / "course" / "03_rnn" / "data" / "lstm_vs_simple_rnn.json"  # read by the notes
LSTM_SECTION = ("<!-- lstm: written by `python bench/thresholds_rnn.py lstm-report` -->",
                "<!-- /lstm -->")


def lstm_builders() -> dict[str, tuple[str, object]]:
    """name -> (description, build_lstm_model of that solution)."""
    assignment = get_assignment("rnn")
    source = reference_source(assignment)
    out = {"reference": ("reference (Adam 1e-2, functional)", load("reference", source).build_lstm_model)}
    for path in sorted((assignment.solutions_dir / "alternatives").glob("*.py")):
        out[path.stem] = (f"alternatives/{path.name}", load(path.stem, path.read_text()).build_lstm_model)
    mutant = next(m for m in load_mutants(assignment) if m.name == "lstm-is-simple-rnn")
    out["simple-rnn"] = ("mutant lstm-is-simple-rnn (SimpleRNN in place of the LSTM, Adam 1e-2)",
                         load("simple_rnn", mutant.apply(source)).build_lstm_model)
    return out


GAP_BINS = ((5, 8), (9, 12), (13, 16), (17, 26), (27, 40), (41, 60))  # steps from the T/P to its use


def looped_strings(rng, n, min_len, max_len, loop=0.8):
    """Embedded Reber strings whose inner walk takes the two self-loops (S at node 2, T at
    node 3) with probability `loop` instead of 1/2: valid strings, with longer gaps."""
    from autograder.suites.rnn.reber import REBER

    out = []
    while len(out) < n:
        branch = "TP"[rng.integers(2)]
        symbols, node = ["B", branch, "B"], 1
        while node != 6:
            arrows = list(REBER[node].items())
            take = int(rng.random() >= loop) if node in (2, 3) else int(rng.integers(2))
            symbol, node = arrows[take]
            symbols.append(symbol)
        s = "".join(symbols) + "E" + branch + "E"
        if min_len <= len(s) <= max_len:
            out.append(s)
    return out


def recall_by_gap(model, seed, per_bin=100) -> list[float]:
    """Share of probe strings whose T/P after the inner E is the most likely symbol, per gap
    bin (gap = len(s) - 4 steps between reading the T/P and predicting it again)."""
    from autograder.suites.rnn.reber import ALPHABET, grader_strings, training_arrays

    rng = np.random.default_rng(10_000 + seed)
    shares = []
    for low, high in GAP_BINS:
        if high <= 26:  # fair coins, as the grader draws them
            strings = grader_strings(rng, per_bin, high + 4, low + 4)
        else:
            strings = looped_strings(rng, per_bin, low + 4, high + 4)
        probs = np.asarray(model.predict(training_arrays(strings, high + 3)[0], verbose=0, batch_size=256))
        shares.append(float(np.mean([ALPHABET[int(np.argmax(probs[i, len(s) - 3]))] == s[1]
                                     for i, s in enumerate(strings)])))
    return shares


def lstm_chunk(first: int, last: int, names: list[str]) -> None:
    """Run the hidden test's own procedure for seeds first..last-1; append one line each."""
    procedure = grader_procedure("test_lstm.py")
    builders = lstm_builders()
    for seed in range(first, last):
        for name in names or list(builders):
            keras.utils.set_random_seed(seed)
            start = time.perf_counter()
            model = builders[name][1]()
            history = procedure.train_and_recall(model, seed)
            seconds = round(time.perf_counter() - start, 1)
            record = {"solution": name, "seed": seed, "history": history,
                      "passed": any(procedure.passed(score) for score in history),
                      "seconds": seconds, "recall_by_gap": recall_by_gap(model, seed)}
            with LSTM_RESULTS.open("a") as f:
                f.write(json.dumps(record) + "\n")
            print(json.dumps(record), flush=True)


def lstm_report() -> None:
    procedure = grader_procedure("test_lstm.py")
    records = [json.loads(line) for line in LSTM_RESULTS.read_text().splitlines() if line.strip()]
    latest = {(r["solution"], r["seed"]): r for r in records}  # a rerun of a seed replaces it
    builders = lstm_builders()
    lines = [
        "## LSTM: the T/P after the inner E on strings longer than any trained on",
        "",
        f"Budget in the hidden test (test_lstm.py): {procedure.TRAIN} strings of at most "
        f"{procedure.TRAIN_MAX_LEN} symbols, batch {procedure.BATCH}, at most "
        f"{procedure.MAX_EPOCHS} epochs; after each epoch, {procedure.HELD_OUT} held-out strings "
        f"of {procedure.HELD_OUT_LEN[0]}-{procedure.HELD_OUT_LEN[1]} symbols. Pass when the T/P "
        f"after the inner E is right for >= {procedure.RECALL_BAR} of them and the most likely "
        f"next symbol is legal at >= {procedure.LEGAL_BAR} of their positions; the run stops "
        "there. Raw runs: bench/thresholds_rnn_lstm.jsonl.",
        f"Measured {time.strftime('%Y-%m-%d')} with keras {keras.__version__} on the shared "
        "2-core machine.",
        "",
        "| solution | seeds | passed | epochs to pass: median / max | T/P right at the pass epoch: "
        "min / median | legal share there: min | best T/P share if it never passed | seconds: "
        "median / max |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, (description, _) in builders.items():
        runs = [r for (solution, _), r in sorted(latest.items()) if solution == name]
        if not runs:
            continue
        done = [r for r in runs if r["passed"]]
        failed = [r for r in runs if not r["passed"]]
        epochs = [len(r["history"]) for r in done]
        recall = [r["history"][-1][1] for r in done]
        legal = [r["history"][-1][0] for r in done]
        seconds = [r["seconds"] for r in runs]
        row = (f"{int(np.median(epochs))} / {max(epochs)} | {min(recall):.3f} / {np.median(recall):.3f} | "
               f"{min(legal):.3f}" if done else "- | - | -")
        best = f"{max(max(h[1] for h in r['history']) for r in failed):.3f}" if failed else "-"
        lines.append(f"| {description} | {len(runs)} | {len(done)}/{len(runs)} | {row} | {best} | "
                     f"{np.median(seconds):.0f} / {max(seconds):.0f} |")
    simple = [r for (solution, _), r in sorted(latest.items()) if solution == "simple-rnn"]
    reference = [r for (solution, _), r in sorted(latest.items()) if solution == "reference"]
    lines += [
        "",
        "Gaps of the probe strings (bench only, for the notes' figure): "
        + ", ".join(f"{low}-{high}" for low, high in GAP_BINS) + " steps; mean share of T/P right "
        "after training, LSTM reference / SimpleRNN mutant: "
        + ", ".join(f"{np.mean([r['recall_by_gap'][k] for r in reference]):.2f} / "
                    f"{np.mean([r['recall_by_gap'][k] for r in simple]):.2f}"
                    for k in range(len(GAP_BINS))) + "." if reference and simple else "",
        "",
        f"Why {procedure.RECALL_BAR} and {procedure.LEGAL_BAR}: a model that forgot the T/P scores "
        "about 0.5 at that position, and one that knows the grammar but not the T/P about 0.98 "
        "legal overall (one position in about 25), so the recall bar is the one that grades the "
        "memory; every correct run above passes it within the budget, the Keras-default Adam "
        "(einsum_functional.py) being the slowest.",
        "",
        "The SimpleRNN mutant is not failed by this training test: with Adam at 1e-2 and Keras's",
        "orthogonal recurrent initialisation, a SimpleRNN trained on strings with gaps of 5-16",
        "steps also learns to carry the T/P, and carries it over the 17-26 steps of the held-out",
        "strings. A short exploration (2-3 seeds a setting) found no budget on this grammar that",
        "fails it while an LSTM passes: trained on all lengths up to 30, both reached 1.0 in 3-4",
        "epochs; trained on long strings only (gaps >= 10), the LSTM stayed at chance for 15",
        "epochs; tested on far longer gaps (80-250 steps, loops taken more often), the SimpleRNN",
        "seed tried held as well as the LSTMs. The mutant loses its points deterministically in",
        "`test_lstm_model_has_sequence_returning_lstm` (no keras.layers.LSTM in the model).",
    ]
    figure = {"source": "python bench/thresholds_rnn.py lstm-report (from bench/thresholds_rnn_lstm.jsonl)",
              "gap_bins": [list(b) for b in GAP_BINS], "held_out_len": list(procedure.HELD_OUT_LEN),
              "train_max_len": procedure.TRAIN_MAX_LEN}
    for name, label in (("reference", "LSTM"), ("simple-rnn", "SimpleRNN")):
        runs = [r for (solution, _), r in sorted(latest.items()) if solution == name]
        figure[label] = {"seeds": [r["seed"] for r in runs], "epochs": [len(r["history"]) for r in runs],
                         "passed": [r["passed"] for r in runs],
                         "recall_by_gap": [[round(x, 3) for x in r["recall_by_gap"]] for r in runs]}
    FIGURE_DATA.parent.mkdir(parents=True, exist_ok=True)
    FIGURE_DATA.write_text(json.dumps(figure, indent=1) + "\n")
    write_section(LSTM_SECTION, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1:2] == ["lstm"]:
        lstm_chunk(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:])
    elif sys.argv[1:2] == ["lstm-report"]:
        lstm_report()
    else:
        main()
