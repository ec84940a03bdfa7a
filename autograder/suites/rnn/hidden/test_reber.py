"""Hidden tests: the embedded Reber generator and the next-symbol model trained on it.

The grammar is checked by the grader's own automaton (below), never by comparing
with the reference generator: any walk of the grammar with fair coin flips passes.
"""

import numpy as np

from autograder.checks import expect_raises_value_error, named, wants_integer_labels
from autograder.marks import graded
from autograder.suites.rnn.support import is_keras_layer, layer_configs

ALPHABET = "BTSXPVE"
REBER = {  # node -> {symbol: next node}; node 6 is the end of the inner string
    1: {"T": 2, "P": 3},
    2: {"S": 2, "X": 4},
    3: {"T": 3, "V": 5},
    4: {"X": 3, "S": 6},
    5: {"P": 4, "V": 6},
}


# ---------------------------------------------------------------- the automaton


def moves(state):
    """Legal symbols from an automaton state of the embedded grammar -> next state."""
    phase, node, branch = state
    if phase == "start":
        return {"B": ("open", 0, "")}
    if phase == "open":
        return {c: ("inner-begin", 0, c) for c in "TP"}
    if phase == "inner-begin":
        return {"B": ("inner", 1, branch)}
    if phase == "inner" and node == 6:
        return {"E": ("close", 0, branch)}
    if phase == "inner":
        return {symbol: ("inner", nxt, branch) for symbol, nxt in REBER[node].items()}
    if phase == "close":
        return {branch: ("end", 0, branch)}
    if phase == "end":
        return {"E": ("done", 0, "")}
    return {}


def walk(s):
    """(legal next symbols after each proper prefix, error message or None, edges used)."""
    state, legal, edges = ("start", 0, ""), [], []
    for i, symbol in enumerate(s):
        options = moves(state)
        if symbol not in options:
            allowed = "/".join(sorted(options)) or "nothing (the string should have ended)"
            where = f"after {s[:i]!r}" if i else "at the start"
            why = " (the second-to-last symbol repeats the second)" if state[0] == "close" else ""
            return legal, f"{where} the grammar allows {allowed}, got {symbol!r}{why}", edges
        edges.append((state[0], state[1], symbol))
        state = options[symbol]
        if i < len(s) - 1:
            legal.append(set(moves(state)))
    if state[0] != "done":
        return legal, f"the string stops early (after {s!r} the grammar expects " \
                      f"{'/'.join(sorted(moves(state)))})", edges
    return legal, None, edges


def invalid_reason(s):
    if not isinstance(s, str):
        return f"{s!r} is a {type(s).__name__}, not a str"
    return walk(s)[1]


def grader_strings(rng, n, max_len):
    """The grader's own embedded Reber strings (fair coin at every fork), at most max_len long."""
    out = []
    while len(out) < n:
        branch = "TP"[rng.integers(2)]
        symbols, node = ["B", branch, "B"], 1
        while node != 6:
            symbol = "TPSXTVXSPV"[2 * (node - 1) + rng.integers(2)]
            symbols.append(symbol)
            node = REBER[node][symbol]
        s = "".join(symbols) + "E" + branch + "E"
        if len(s) <= max_len:
            out.append(s)
    return out


def expected_length() -> float:
    """Mean length of an embedded Reber string: solve E[n] = 1 + (E[a] + E[b]) / 2, E[6] = 0."""
    A, rhs = np.eye(5), np.ones(5)
    for node, arrows in REBER.items():
        for nxt in arrows.values():
            if nxt != 6:
                A[node - 1, nxt - 1] -= 0.5
    inner_symbols = np.linalg.solve(A, rhs)[0]
    return float(inner_symbols) + 6  # B, branch, B ... E, branch, E


# ---------------------------------------------------------------- the generator


def generated(sub, n, seed):
    strings = sub.reber_sequences(n, seed=seed)
    assert isinstance(strings, list), \
        f"reber_sequences should return a list of str, got {type(strings).__name__}"
    assert len(strings) == n, f"reber_sequences({n}, seed=...) returned {len(strings)} strings"
    return strings


@graded(points=2, task="reber_sequences")
def test_every_string_is_embedded_reber(sub, seed):
    """Does the grader's automaton accept every one of 300 generated strings?"""
    strings = generated(sub, 300, seed)
    for s in strings:
        reason = invalid_reason(s)
        assert reason is None, f"{s!r} is not an embedded Reber string: {reason}"


@graded(points=1, task="reber_sequences")
def test_seed_reproducible_and_varied(sub, seed):
    """Does the same seed give the same list, and another seed another list?"""
    a, b, c = generated(sub, 40, seed), generated(sub, 40, seed), generated(sub, 40, seed + 1)
    assert a == b, "two calls with the same seed gave different strings: draw every choice " \
                   "from np.random.default_rng(seed)"
    assert a != c, "seeds differ but the strings are the same: use the seed argument"
    assert len(set(a)) >= 10, \
        f"only {len(set(a))} distinct strings in 40: every fork of the grammar should be a fresh coin flip"


@graded(points=2, task="reber_sequences")
def test_every_arrow_used_fairly(sub, seed):
    """In 1,000 strings, is every arrow of the grammar taken, both wrappers about half the time?"""
    strings = generated(sub, 1000, seed)
    used = set()
    for s in strings:
        legal, reason, edges = walk(s)
        assert reason is None, f"{s!r} is not an embedded Reber string: {reason}"
        used.update((phase, node, symbol) for phase, node, symbol in edges if phase == "inner")
    missing = [f"node {node} --{symbol}-->" for node, arrows in REBER.items() for symbol in arrows
               if ("inner", node, symbol) not in used]
    assert not missing, f"1,000 strings never take these arrows of the Reber graph: {missing}"
    share_t = sum(s[1] == "T" for s in strings) / len(strings)
    assert 0.4 <= share_t <= 0.6, \
        f"{share_t:.2f} of the strings are wrapped in T (expected about 0.5): pick T or P with " \
        "probability 1/2"
    mean, want = np.mean([len(s) for s in strings]), expected_length()
    loops = "the loops (S at node 2, T at node 3)"
    assert abs(mean - want) <= 0.6, \
        f"mean string length {mean:.2f}, expected about {want:.2f} when every fork is taken with " \
        f"probability 1/2: check {loops}"


@graded(points=1, task="reber_sequences")
def test_edge_cases(sub, seed):
    """Does n = 0 give [], seed=None still give valid strings, and n = -1 raise ValueError?"""
    assert list(sub.reber_sequences(0, seed=seed)) == [], "reber_sequences(0) should be []"
    strings = sub.reber_sequences(5)
    assert len(strings) == 5 and all(invalid_reason(s) is None for s in strings), \
        f"reber_sequences(5) with seed=None should give 5 valid strings, got {strings!r}"
    expect_raises_value_error(named(sub, "reber_sequences"), -1, argument="n")


# ---------------------------------------------------------------- the model


def one_hot(codes, vocab_size=7):
    return np.eye(vocab_size, dtype="float32")[np.asarray(codes)]


def predict(model, X):
    return np.asarray(model.predict(X, verbose=0, batch_size=256), dtype=float)


@graded(points=1, task="build_next_symbol_model")
def test_model_output_shape_any_length(sub, seed):
    """Does a fresh model map (batch, T, 7) to (batch, T, 7) for T = 5 and for T = 13?"""
    rng = np.random.default_rng(seed)
    for batch, T in ((3, 5), (2, 13)):
        model = sub.build_next_symbol_model()
        out = predict(model, one_hot(rng.integers(7, size=(batch, T))))
        assert out.shape == (batch, T, 7), \
            f"input (batch={batch}, T={T}, 7) gave output {out.shape}, expected {(batch, T, 7)}: " \
            "use SimpleRNN(..., return_sequences=True) (one prediction per step) and an input " \
            "shape of (None, vocab_size)"


@graded(points=1, task="build_next_symbol_model")
def test_model_outputs_probabilities(sub, seed):
    """Is every output step a probability distribution (entries in [0, 1] summing to 1)?"""
    model = sub.build_next_symbol_model()
    out = predict(model, 3.0 * one_hot(np.random.default_rng(seed).integers(7, size=(4, 6))))
    assert out.ndim == 3, f"expected output (batch, T, 7), got shape {out.shape}"
    sums = out.sum(axis=-1)
    assert np.all(out >= -1e-6) and np.all(out <= 1 + 1e-6) and np.allclose(sums, 1, atol=1e-4), \
        f"outputs should be probabilities over the next symbol; got values in " \
        f"[{out.min():.3g}, {out.max():.3g}] with sums per step in [{sums.min():.3g}, " \
        f"{sums.max():.3g}]: end with Dense(vocab_size, activation='softmax')"


@graded(points=1, task="build_next_symbol_model")
def test_model_has_sequence_returning_simple_rnn(sub):
    """Does the model contain a SimpleRNN of `units` units with return_sequences=True?"""
    model = sub.build_next_symbol_model(7, 12)
    # Read from the model's configuration (data), not from the runner's objects.
    rnns = [node["config"] for node in layer_configs(model, "build_next_symbol_model(7, 12)")
            if is_keras_layer(node, "SimpleRNN")]
    assert rnns, "the model has no keras.layers.SimpleRNN layer"
    if not any(layer.get("return_sequences") is True for layer in rnns):
        raise AssertionError("the SimpleRNN needs return_sequences=True: the model predicts at every step")
    sizes = [layer.get("units") for layer in rnns]
    assert 12 in sizes, f"build_next_symbol_model(7, units=12) has SimpleRNN sizes {sizes}: " \
                        "use the `units` argument"


@graded(points=1, task="build_next_symbol_model")
def test_model_vocab_size(sub, seed):
    """Does vocab_size=5 give a model from (batch, T, 5) to (batch, T, 5)?"""
    model = sub.build_next_symbol_model(5, 8)
    out = predict(model, one_hot(np.random.default_rng(seed).integers(5, size=(2, 4)), 5))
    assert out.shape == (2, 4, 5), f"vocab_size=5: expected output (2, 4, 5), got {out.shape}"


@graded(points=1, task="build_next_symbol_model")
def test_model_does_not_see_the_future(sub, seed):
    """Are the predictions up to step t unchanged when only inputs after t change?"""
    rng = np.random.default_rng(seed)
    model = sub.build_next_symbol_model()
    a = one_hot(rng.integers(7, size=(2, 9)))
    b = a.copy()
    b[:, 5:] = one_hot(rng.integers(7, size=(2, 4)))
    pa, pb = predict(model, a), predict(model, b)
    diff = float(np.max(np.abs(pa[:, :5] - pb[:, :5])))
    assert diff <= 1e-5, \
        f"changing only the inputs at steps 5-8 changed the predictions at steps 0-4 by " \
        f"{diff:.2g}: the next-symbol model may only read the past (no Bidirectional, no " \
        "go_backwards)"


@graded(points=1, task="build_next_symbol_model")
def test_model_compiled_and_arguments_checked(sub):
    """Is the model compiled, and does units=0 raise ValueError naming `units`?"""
    model = sub.build_next_symbol_model()
    if getattr(model, "optimizer", None) is None or not getattr(model, "loss", None):
        raise AssertionError("the model is not compiled: call model.compile(optimizer=..., loss=...)")
    expect_raises_value_error(named(sub, "build_next_symbol_model"), 7, 0, argument="units")


# ---------------------------------------------------------------- training on the grammar

MAX_LEN = 30  # symbols; the grader's strings are at most this long (98% of them are)
TRAIN, HELD_OUT = 2000, 500
BATCH, MAX_EPOCHS = 32, 15  # 63 steps an epoch, 945 steps at most
LEARNING_RATES = "Adam 1e-3 to 1e-2 works"
LEGAL_BAR = 0.95  # 20 seeds each: reference there in <= 2 epochs, Adam 1e-3 in <= 6 (bench/)


def training_arrays(strings, length):
    """Zero-padded one-hot inputs s[:-1], next-symbol codes s[1:] and the mask of real targets."""
    X = np.zeros((len(strings), length, 7), dtype="float32")
    codes = np.zeros((len(strings), length), dtype="int64")
    mask = np.zeros((len(strings), length), dtype="float32")
    for i, s in enumerate(strings):
        ids = [ALPHABET.index(c) for c in s]
        X[i, np.arange(len(s) - 1), ids[:-1]] = 1.0
        codes[i, : len(s) - 1] = ids[1:]
        mask[i, : len(s) - 1] = 1.0
    return X, codes, mask


def legal_share(probs, strings):
    """Share of positions whose most likely next symbol is legal, and that share at the
    position after the inner E (which needs the memory of the second symbol)."""
    hits = total = long_hits = 0
    for i, s in enumerate(strings):
        legal = walk(s)[0]
        for t, allowed in enumerate(legal):
            ok = ALPHABET[int(np.argmax(probs[i, t]))] in allowed
            hits, total = hits + ok, total + 1
            long_hits += ok and t == len(s) - 3
    return hits / total, long_hits / len(strings)


def train_and_score(model, seed, stop_at_bar=True):
    """Fit on the grader's strings epoch by epoch; stop once past the bar (unless told not to).

    Returns the history: (legal share, legal share after the inner E) per epoch."""
    strings = grader_strings(np.random.default_rng(seed), TRAIN + HELD_OUT, MAX_LEN)
    X, codes, mask = training_arrays(strings, MAX_LEN - 1)
    Y = codes if wants_integer_labels(model) else np.eye(7, dtype="float32")[codes]
    history = []
    for _ in range(MAX_EPOCHS):
        model.fit(X[:TRAIN], Y[:TRAIN], sample_weight=mask[:TRAIN], batch_size=BATCH, epochs=1,
                  shuffle=True, verbose=0)
        probs = predict(model, X[TRAIN:])
        if probs.shape[:2] != (HELD_OUT, MAX_LEN - 1):
            raise AssertionError(f"the model's output has shape {probs.shape}, expected "
                                 f"{(HELD_OUT, MAX_LEN - 1, 7)}")
        history.append(legal_share(probs, strings[TRAIN:]))
        if stop_at_bar and history[-1][0] >= LEGAL_BAR:
            break
    return history


def draw_history(history):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2.6))
    epochs = np.arange(1, len(history) + 1)
    ax.plot(epochs, [h[0] for h in history], "o-", label="all positions")
    ax.plot(epochs, [h[1] for h in history], "s--", label="the T/P after the inner E")
    ax.axhline(LEGAL_BAR, color="gray", lw=0.8)
    ax.set(xlabel="epoch", ylabel="legal next-symbol share", ylim=(0, 1.02))
    ax.legend(fontsize=7)
    return fig


@graded(points=5, task="build_next_symbol_model", timeout=90)
def test_trained_model_predicts_legal_symbols(sub, seed, figures):
    """Within 15 epochs, is the most likely next symbol legal at >= 95% of held-out positions?"""
    history = train_and_score(sub.build_next_symbol_model(), seed)
    figures.add(draw_history(history), "Your model on held-out Reber strings, epoch by epoch")
    best = max(h[0] for h in history)
    assert best >= LEGAL_BAR, \
        f"after {len(history)} epochs ({len(history) * -(-TRAIN // BATCH)} steps of batch {BATCH}) " \
        f"the most likely next symbol was legal at {best:.3f} of held-out positions, expected at " \
        f"least {LEGAL_BAR} (a model that only sees the current symbol reaches about 0.5). Check " \
        "the softmax output, a loss for probabilities (categorical cross-entropy), that the " \
        f"SimpleRNN returns sequences, and the learning rate ({LEARNING_RATES})"
