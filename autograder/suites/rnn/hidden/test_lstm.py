"""Hidden tests: the LSTM next-symbol model and the long-range dependency it learns.

The structural checks are the ones build_next_symbol_model is graded by
(autograder/suites/rnn/support.py). The training test scores the model on held-out
embedded Reber strings longer than any it was trained on, so that the wrapping T/P
must be carried farther than training ever asked, and grades the prediction at exactly
the position where that memory is needed: after the inner E.
"""

import numpy as np

from autograder.checks import expect_raises_value_error, named
from autograder.marks import graded
from autograder.suites.rnn.reber import draw_history, grader_strings, train_epochs
from autograder.suites.rnn.support import (
    expect_causal,
    expect_compiled,
    expect_probabilities,
    expect_recurrent_layer,
    expect_step_per_input,
)

# ---------------------------------------------------------------- the model


@graded(points=1, task="build_lstm_model")
def test_lstm_output_shape_any_length(sub, seed):
    """Does a fresh LSTM model map (batch, T, 7) to (batch, T, 7) for T = 5 and for T = 13?"""
    expect_step_per_input(sub.build_lstm_model, np.random.default_rng(seed), "LSTM")


@graded(points=1, task="build_lstm_model")
def test_lstm_outputs_probabilities(sub, seed):
    """Is every output step of the LSTM model a probability distribution?"""
    expect_probabilities(sub.build_lstm_model(), np.random.default_rng(seed))


@graded(points=1, task="build_lstm_model")
def test_lstm_model_has_sequence_returning_lstm(sub):
    """Does the model contain a keras.layers.LSTM of `units` units with return_sequences=True?"""
    expect_recurrent_layer(sub.build_lstm_model(7, 12), "build_lstm_model(7, units=12)", "LSTM", 12)


@graded(points=1, task="build_lstm_model")
def test_lstm_does_not_see_the_future(sub, seed):
    """Are the LSTM model's predictions up to step t unchanged when only inputs after t change?"""
    expect_causal(sub.build_lstm_model(), np.random.default_rng(seed))


@graded(points=1, task="build_lstm_model")
def test_lstm_compiled_and_arguments_checked(sub):
    """Is the LSTM model compiled, and does units=0 raise ValueError naming `units`?"""
    expect_compiled(sub.build_lstm_model())
    expect_raises_value_error(named(sub, "build_lstm_model"), 7, 0, argument="units")


# ---------------------------------------------------------------- the long-range dependency

TRAIN_MAX_LEN = 20  # symbols: in training the T/P is carried at most 16 steps
HELD_OUT_LEN = (21, 30)  # symbols: held out, it must be carried 17 to 26 steps
TRAIN, HELD_OUT = 2000, 300
BATCH, MAX_EPOCHS = 32, 30  # 63 steps an epoch, 1,890 steps at most: a Keras-default
# Adam took up to 20 epochs over 20 seeds (bench/thresholds_rnn.md)
LEGAL_BAR = 0.95  # share of held-out positions whose most likely next symbol is legal
RECALL_BAR = 0.90  # share of held-out strings whose T/P after the inner E is right (chance: 0.5)


def passed(score) -> bool:
    legal, recall = score
    return legal >= LEGAL_BAR and recall >= RECALL_BAR


def train_and_recall(model, seed, stop_at_bar=True):
    """Fit on the grader's strings of at most TRAIN_MAX_LEN symbols epoch by epoch, score
    held-out strings longer than any of them; stop once past both bars (unless told not to).

    Returns the history: (legal share, share right after the inner E) per epoch."""
    rng = np.random.default_rng(seed)
    train = grader_strings(rng, TRAIN, TRAIN_MAX_LEN)
    held_out = grader_strings(rng, HELD_OUT, HELD_OUT_LEN[1], HELD_OUT_LEN[0])
    return train_epochs(model, train, held_out, TRAIN_MAX_LEN - 1, MAX_EPOCHS, BATCH,
                        lambda score: stop_at_bar and passed(score), held_out_length=HELD_OUT_LEN[1] - 1)


@graded(points=5, task="build_lstm_model", timeout=150)
def test_trained_lstm_remembers_the_wrapper(sub, seed, figures):
    """Within 30 epochs, is the T/P after the inner E right in >= 90% of longer held-out strings, 95% legal?

    Trained on strings of at most 20 symbols, held out 21 to 30; "95% legal": the most likely
    next symbol is legal at >= 95% of the held-out positions."""
    history = train_and_recall(sub.build_lstm_model(), seed)
    figures.add(draw_history(history, LEGAL_BAR, RECALL_BAR),
                "Your LSTM model on long held-out Reber strings, epoch by epoch")
    if any(passed(score) for score in history):
        return
    legal, recall = max(history, key=lambda score: min(score[0] / LEGAL_BAR, score[1] / RECALL_BAR))
    raise AssertionError(
        f"after {len(history)} epochs ({len(history) * -(-TRAIN // BATCH)} steps of batch {BATCH}) "
        f"on strings of at most {TRAIN_MAX_LEN} symbols, the best epoch predicted the T/P after "
        f"the inner E of {recall:.3f} of the held-out strings of {HELD_OUT_LEN[0]}-{HELD_OUT_LEN[1]} "
        f"symbols (expected at least {RECALL_BAR}; a model that forgets it scores about 0.5), with "
        f"the next symbol legal at {legal:.3f} of their positions (expected at least {LEGAL_BAR}). "
        "Check that the recurrent layer is an LSTM that returns sequences, the softmax output "
        "with a loss for probabilities, and the learning rate (Adam 1e-3 to 1e-2 works)")
