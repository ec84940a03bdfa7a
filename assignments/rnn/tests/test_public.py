"""Public checks for the rnn assignment (students receive this file)."""

import numpy as np

from autograder.checks import expect_close, expect_shape
from autograder.marks import graded


def weights(rng, input_dim=3, units=4):
    return (rng.normal(scale=0.5, size=(input_dim, units)), rng.normal(scale=0.5, size=(units, units)),
            rng.normal(scale=0.5, size=units))


@graded(points=1, task="rnn_cell_forward")
def test_cell_formula(sub):
    """Is rnn_cell_forward tanh(x_t U + h_prev W + b) with shape (batch, units)?"""
    rng = np.random.default_rng(0)
    U, W, b = weights(rng)
    x, h = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    got = expect_shape(sub.rnn_cell_forward(x, h, U, W, b), (2, 4), "h_t")
    expect_close(got, np.tanh(x @ U + h @ W + b), "h_t", rtol=1e-5, atol=1e-6)


@graded(points=1, task="rnn_forward")
def test_forward_last_state(sub):
    """Does rnn_forward return hs (batch, T, units) whose first state uses h0?"""
    rng = np.random.default_rng(1)
    U, W, b = weights(rng)
    x, h0 = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 4))
    hs, _ = sub.rnn_forward(x, h0, U, W, b)
    hs = expect_shape(hs, (2, 5, 4), "hs")
    expect_close(hs[:, 0], np.tanh(x[:, 0] @ U + h0 @ W + b), "hs[:, 0]", rtol=1e-5, atol=1e-6)
    expect_close(hs[:, 1], np.tanh(x[:, 1] @ U + hs[:, 0] @ W + b), "hs[:, 1]", rtol=1e-5,
                 atol=1e-6, hint="is h_prev carried from the previous step?")


@graded(points=1, task="rnn_backward")
def test_backward_keys_and_shapes(sub):
    """Does rnn_backward return dx, dh0, dU, dW, db with the shapes of x, h0, U, W, b?"""
    rng = np.random.default_rng(2)
    U, W, b = weights(rng)
    x, h0 = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 4))
    _, cache = sub.rnn_forward(x, h0, U, W, b)
    grads = sub.rnn_backward(rng.normal(size=(2, 5, 4)), cache)
    for key, like in (("dx", x), ("dh0", h0), ("dU", U), ("dW", W), ("db", b)):
        assert key in grads, f"rnn_backward's dict has no {key!r}"
        expect_shape(grads[key], like.shape, key)


@graded(points=1, task="clip_by_global_norm")
def test_clip_small_example(sub):
    """Does clip_by_global_norm([[3, 0], [[0], [4]]], 1) give [[0.6, 0], [[0], [0.8]]] and 5?"""
    grads = [np.array([3.0, 0.0]), np.array([[0.0], [4.0]])]
    clipped, global_norm = sub.clip_by_global_norm(grads, 1.0)
    assert len(clipped) == 2, f"expected a list of 2 arrays, got {len(clipped)}"
    expect_close(global_norm, 5.0, "global_norm", rtol=1e-6,
                 hint="sqrt of the sum of the squares of every entry of every array")
    expect_close(clipped[0], [0.6, 0.0], "clipped[0]", rtol=1e-5,
                 hint="every array is multiplied by clip_norm / global_norm = 0.2")
    expect_close(clipped[1], [[0.0], [0.8]], "clipped[1]", rtol=1e-5,
                 hint="every array is multiplied by clip_norm / global_norm = 0.2")


@graded(points=1, task="reber_sequences")
def test_reber_shape_of_strings(sub):
    """Are the strings wrapped as B T|P ... T|P E around an inner B...E string?"""
    for s in sub.reber_sequences(20, seed=0):
        assert isinstance(s, str) and s[0] == "B" and s[-1] == "E" and s[1] in "TP", \
            f"{s!r} does not start with BT/BP and end with E"
        assert s[-2] == s[1] and s[2] == "B" and s[-3] == "E", \
            f"{s!r}: the second-to-last symbol must repeat the second, around an inner B...E"


def expect_compiled_sequence_model(model):
    """A compiled model that maps (1, 5, 7) one-hot symbols to (1, 5, 7) predictions."""
    out = np.asarray(model.predict(np.eye(7, dtype="float32")[None, [0, 1, 0, 2, 4]], verbose=0))
    assert out.shape == (1, 5, 7), f"a (1, 5, 7) input gave output {out.shape}, expected " \
                                   "(1, 5, 7): use return_sequences=True"
    assert getattr(model, "optimizer", None) is not None and getattr(model, "loss", None), \
        "the model is not compiled: call model.compile(...) before returning it"


@graded(points=1, task="build_next_symbol_model")
def test_model_shapes(sub):
    """Does build_next_symbol_model give a compiled model from (batch, T, 7) to (batch, T, 7)?"""
    expect_compiled_sequence_model(sub.build_next_symbol_model())


@graded(points=1, task="build_lstm_model")
def test_lstm_model_shapes(sub):
    """Does build_lstm_model give a compiled model from (batch, T, 7) to (batch, T, 7)?"""
    expect_compiled_sequence_model(sub.build_lstm_model())
