"""Hidden tests: the embedded Reber generator and the next-symbol model trained on it.

The grammar is checked by the grader's own automaton (autograder/suites/rnn/reber.py),
never by comparing with the reference generator: any walk of the grammar with fair coin
flips passes.
"""

import numpy as np

from autograder.checks import expect_raises_value_error, named
from autograder.marks import graded
from autograder.suites.rnn.reber import (
    REBER,
    draw_history,
    expected_length,
    grader_strings,
    invalid_reason,
    train_epochs,
    walk,
)
from autograder.suites.rnn.support import (
    expect_causal,
    expect_compiled,
    expect_probabilities,
    expect_recurrent_layer,
    expect_step_per_input,
    one_hot,
    predict,
)

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


@graded(points=1, task="build_next_symbol_model")
def test_model_output_shape_any_length(sub, seed):
    """Does a fresh model map (batch, T, 7) to (batch, T, 7) for T = 5 and for T = 13?"""
    expect_step_per_input(sub.build_next_symbol_model, np.random.default_rng(seed), "SimpleRNN")


@graded(points=1, task="build_next_symbol_model")
def test_model_outputs_probabilities(sub, seed):
    """Is every output step a probability distribution (entries in [0, 1] summing to 1)?"""
    expect_probabilities(sub.build_next_symbol_model(), np.random.default_rng(seed))


@graded(points=1, task="build_next_symbol_model")
def test_model_has_sequence_returning_simple_rnn(sub):
    """Does the model contain a SimpleRNN of `units` units with return_sequences=True?"""
    expect_recurrent_layer(sub.build_next_symbol_model(7, 12), "build_next_symbol_model(7, units=12)",
                           "SimpleRNN", 12)


@graded(points=1, task="build_next_symbol_model")
def test_model_vocab_size(sub, seed):
    """Does vocab_size=5 give a model from (batch, T, 5) to (batch, T, 5)?"""
    model = sub.build_next_symbol_model(5, 8)
    out = predict(model, one_hot(np.random.default_rng(seed).integers(5, size=(2, 4)), 5))
    assert out.shape == (2, 4, 5), f"vocab_size=5: expected output (2, 4, 5), got {out.shape}"


@graded(points=1, task="build_next_symbol_model")
def test_model_does_not_see_the_future(sub, seed):
    """Are the predictions up to step t unchanged when only inputs after t change?"""
    expect_causal(sub.build_next_symbol_model(), np.random.default_rng(seed))


@graded(points=1, task="build_next_symbol_model")
def test_model_compiled_and_arguments_checked(sub):
    """Is the model compiled, and does units=0 raise ValueError naming `units`?"""
    expect_compiled(sub.build_next_symbol_model())
    expect_raises_value_error(named(sub, "build_next_symbol_model"), 7, 0, argument="units")


# ---------------------------------------------------------------- training on the grammar

MAX_LEN = 30  # symbols; the grader's strings are at most this long (98% of them are)
TRAIN, HELD_OUT = 2000, 500
BATCH, MAX_EPOCHS = 32, 15  # 63 steps an epoch, 945 steps at most
LEARNING_RATES = "Adam 1e-3 to 1e-2 works"
LEGAL_BAR = 0.95  # 20 seeds each: reference there in <= 2 epochs, Adam 1e-3 in <= 6 (bench/)


def train_and_score(model, seed, stop_at_bar=True):
    """Fit on the grader's strings epoch by epoch; stop once past the bar (unless told not to).

    Returns the history: (legal share, legal share after the inner E) per epoch."""
    strings = grader_strings(np.random.default_rng(seed), TRAIN + HELD_OUT, MAX_LEN)
    return train_epochs(model, strings[:TRAIN], strings[TRAIN:], MAX_LEN - 1, MAX_EPOCHS, BATCH,
                        lambda score: stop_at_bar and score[0] >= LEGAL_BAR)


@graded(points=5, task="build_next_symbol_model", timeout=90)
def test_trained_model_predicts_legal_symbols(sub, seed, figures):
    """Within 15 epochs, is the most likely next symbol legal at >= 95% of held-out positions?"""
    history = train_and_score(sub.build_next_symbol_model(), seed)
    figures.add(draw_history(history, LEGAL_BAR), "Your model on held-out Reber strings, epoch by epoch")
    best = max(h[0] for h in history)
    assert best >= LEGAL_BAR, \
        f"after {len(history)} epochs ({len(history) * -(-TRAIN // BATCH)} steps of batch {BATCH}) " \
        f"the most likely next symbol was legal at {best:.3f} of held-out positions, expected at " \
        f"least {LEGAL_BAR} (a model that only sees the current symbol reaches about 0.5). Check " \
        "the softmax output, a loss for probabilities (categorical cross-entropy), that the " \
        f"SimpleRNN returns sequences, and the learning rate ({LEARNING_RATES})"
