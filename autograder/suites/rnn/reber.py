"""The grader's own embedded Reber grammar, shared by the rnn hidden tests.

An automaton that says which symbols are legal after every prefix (so strings are
checked by the grammar, never by comparing with a reference generator), the
grader's own strings, and the training loop that fits a student's next-symbol model
on them and scores it on held-out strings after every epoch.
"""

from __future__ import annotations

import numpy as np

from autograder.checks import wants_integer_labels
from autograder.suites.rnn.support import predict

ALPHABET = "BTSXPVE"
REBER = {  # node -> {symbol: next node}; node 6 is the end of the inner string
    1: {"T": 2, "P": 3},
    2: {"S": 2, "X": 4},
    3: {"T": 3, "V": 5},
    4: {"X": 3, "S": 6},
    5: {"P": 4, "V": 6},
}


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


def grader_strings(rng, n, max_len, min_len=0):
    """The grader's own embedded Reber strings (fair coin at every fork), between
    min_len and max_len symbols long (others are drawn and thrown away)."""
    out = []
    while len(out) < n:
        branch = "TP"[rng.integers(2)]
        symbols, node = ["B", branch, "B"], 1
        while node != 6:
            symbol = "TPSXTVXSPV"[2 * (node - 1) + rng.integers(2)]
            symbols.append(symbol)
            node = REBER[node][symbol]
        s = "".join(symbols) + "E" + branch + "E"
        if min_len <= len(s) <= max_len:
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


def train_epochs(model, train, held_out, length, max_epochs, batch, done, held_out_length=None):
    """Fit the student's compiled model on the strings `train`, padded to `length` steps,
    one epoch at a time (padding masked with sample_weight, labels as its loss wants them)
    and score `held_out` (padded to held_out_length, default `length`) after each epoch
    with legal_share; stop after max_epochs or once done(score) is true.

    Returns the history: (legal share, legal share after the inner E) per epoch."""
    X, codes, mask = training_arrays(train, length)
    Y = codes if wants_integer_labels(model) else np.eye(7, dtype="float32")[codes]
    X_held = training_arrays(held_out, held_out_length or length)[0]
    history = []
    for _ in range(max_epochs):
        model.fit(X, Y, sample_weight=mask, batch_size=batch, epochs=1, shuffle=True, verbose=0)
        probs = predict(model, X_held)
        if probs.shape[:2] != X_held.shape[:2]:
            raise AssertionError(f"the model's output has shape {probs.shape}, expected "
                                 f"{X_held.shape}")
        history.append(legal_share(probs, held_out))
        if done(history[-1]):
            break
    return history


def draw_history(history, legal_bar, recall_bar=None):
    """The two shares of a train_epochs history, epoch by epoch, with the bars graded."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2.6))
    epochs = np.arange(1, len(history) + 1)
    ax.plot(epochs, [h[0] for h in history], "o-", label="all positions")
    ax.plot(epochs, [h[1] for h in history], "s--", label="the T/P after the inner E")
    ax.axhline(legal_bar, color="gray", lw=0.8)
    if recall_bar is not None:
        ax.axhline(recall_bar, color="C1", lw=0.8, ls=":")
    ax.set(xlabel="epoch", ylabel="legal next-symbol share", ylim=(0, 1.02))
    ax.legend(fontsize=7)
    return fig
