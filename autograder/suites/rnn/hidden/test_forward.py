"""Hidden tests: one RNN step and the unrolled forward pass, against Keras SimpleRNN."""

import numpy as np

from autograder.checks import as_array, expect_raises_value_error, expect_shape, named
from autograder.marks import graded

FORWARD_TOL = 1e-5  # Keras computes in float32; a float64 numpy answer differs by ~1e-7


def draw(rng, batch, T, input_dim, units):
    """Inputs, state and weights at scales where every mistake shows (tanh not saturated)."""
    x = rng.normal(size=(batch, T, input_dim))
    h0 = rng.uniform(-0.9, 0.9, size=(batch, units))
    U = rng.normal(scale=0.6, size=(input_dim, units))
    W = rng.normal(scale=0.6, size=(units, units))
    b = rng.normal(scale=0.5, size=units)
    return x, h0, U, W, b


def keras_states(x, h0, U, W, b):
    """Every state of Keras SimpleRNN with kernel=U, recurrent_kernel=W, bias=b."""
    import keras

    layer = keras.layers.SimpleRNN(W.shape[0], return_sequences=True)
    layer.build((None, None, x.shape[-1]))
    layer.set_weights([U.astype("float32"), W.astype("float32"), b.astype("float32")])
    return np.asarray(layer(x.astype("float32"), initial_state=[h0.astype("float32")]), dtype=float)


def known_mistakes(x, h0, U, W, b):
    """What common mistakes compute, each with the question that points at the cause."""
    def unroll(step):
        h, out = h0, []
        for t in range(x.shape[1]):
            h = step(x[:, t], h)
            out.append(h)
        return np.stack(out, axis=1)

    mistakes = [
        ("is h_prev carried from the previous step? (every step used h0)",
         unroll(lambda xt, h: np.tanh(xt @ U + h0 @ W + b))),
        ("is h_prev carried from the previous step? (every step started from zeros)",
         unroll(lambda xt, h: np.tanh(xt @ U + b))),
        ("is tanh applied to x_t U + h_prev W + b?",
         unroll(lambda xt, h: xt @ U + h @ W + b)),
        ("is the bias b added inside the tanh?",
         unroll(lambda xt, h: np.tanh(xt @ U + h @ W))),
        ("is W applied as h_prev @ W (not W @ h_prev, i.e. h_prev @ W.T)?",
         unroll(lambda xt, h: np.tanh(xt @ U + h @ W.T + b))),
    ]
    if U.shape == W.shape:
        mistakes.append(("are U and W swapped? U multiplies the input x_t, W the previous state",
                         unroll(lambda xt, h: np.tanh(xt @ W + h @ U + b))))
    return mistakes


def diagnose(got, x, h0, U, W, b) -> str:
    for question, wrong in known_mistakes(x, h0, U, W, b):
        if wrong.shape == got.shape and np.allclose(got, wrong, atol=1e-4):
            return question
    return ""


def expect_states_match(got, want, x, h0, U, W, b, what="hs"):
    """Compare step by step and name the first step that differs, with a likely cause."""
    got = expect_shape(as_array(got, what, dtype=float), want.shape, what,
                       hint="hs has shape (batch, T, units), states stacked on axis 1")
    for t in range(want.shape[1]):
        diff = float(np.max(np.abs(got[:, t] - want[:, t])))
        if not diff <= FORWARD_TOL:
            cause = diagnose(got, x, h0, U, W, b)
            if not cause:
                cause = ("is h_prev carried from the previous step?" if t > 0 else
                         "step 0 should be tanh(x[:, 0] U + h0 W + b)")
            raise AssertionError(f"{what}[:, {t}] differs from Keras SimpleRNN by {diff:.2g}: {cause}")


# ---------------------------------------------------------------- one step


@graded(points=2, task="rnn_cell_forward")
def test_cell_matches_keras(sub, seed):
    """Does rnn_cell_forward equal one step of Keras SimpleRNN with kernel=U, recurrent_kernel=W?"""
    rng = np.random.default_rng(seed)
    x, h0, U, W, b = draw(rng, batch=5, T=1, input_dim=3, units=4)
    want = keras_states(x, h0, U, W, b)[:, 0]
    got = expect_shape(sub.rnn_cell_forward(x[:, 0], h0, U, W, b), (5, 4),
                       "rnn_cell_forward(x_t (5, 3), h_prev (5, 4), ...)", hint="h_t is (batch, units)")
    diff = float(np.max(np.abs(np.asarray(got, dtype=float) - want)))
    if not diff <= FORWARD_TOL:
        cause = diagnose(np.asarray(got, dtype=float)[:, None], x, h0, U, W, b)
        cause = cause or "h_t = tanh(x_t U + h_prev W + b)"
        raise AssertionError(f"h_t differs from Keras SimpleRNNCell by {diff:.2g}: {cause}")


@graded(points=1, task="rnn_cell_forward")
def test_cell_square_weights_not_swapped(sub, seed):
    """With input_dim == units (U and W of one shape), are U and W used in their own places?"""
    rng = np.random.default_rng(seed)
    x, h0, U, W, b = draw(rng, batch=3, T=1, input_dim=4, units=4)
    want = keras_states(x, h0, U, W, b)[:, 0]
    got = as_array(sub.rnn_cell_forward(x[:, 0], h0, U, W, b), "h_t", dtype=float)
    if got.shape != want.shape or not np.allclose(got, want, atol=FORWARD_TOL):
        cause = diagnose(got.reshape(3, 1, -1), x, h0, U, W, b) if got.size == want.size else ""
        raise AssertionError(f"with U and W both (4, 4), h_t differs from Keras SimpleRNNCell: "
                             f"{cause or 'U multiplies x_t and W multiplies h_prev'}")


@graded(points=1, task="rnn_cell_forward")
def test_cell_single_example_and_range(sub, seed):
    """For batch 1 and large inputs, is h_t (1, units) and strictly inside (-1, 1) (tanh)?"""
    rng = np.random.default_rng(seed)
    x, h0, U, W, b = draw(rng, batch=1, T=1, input_dim=2, units=6)
    got = expect_shape(sub.rnn_cell_forward(40.0 * x[:, 0], h0, U, W, b), (1, 6),
                       "rnn_cell_forward for batch 1", hint="keep the batch axis")
    assert np.all(np.abs(np.asarray(got, dtype=float)) <= 1.0), \
        f"h_t should lie in [-1, 1] (tanh), got values up to {np.max(np.abs(got)):.3g}: apply tanh"


# ---------------------------------------------------------------- the unrolled layer


def unpack_forward(result):
    try:
        hs, cache = result
    except (TypeError, ValueError):
        raise AssertionError("rnn_forward should return a pair (hs, cache), "
                             f"got {type(result).__name__}") from None
    return hs, cache


@graded(points=3, task="rnn_forward")
def test_forward_matches_keras(sub, seed):
    """Does every state hs[:, t] equal Keras SimpleRNN(return_sequences=True) with initial_state=h0?"""
    rng = np.random.default_rng(seed)
    x, h0, U, W, b = draw(rng, batch=4, T=7, input_dim=3, units=5)
    hs, _ = unpack_forward(sub.rnn_forward(x, h0, U, W, b))
    expect_states_match(hs, keras_states(x, h0, U, W, b), x, h0, U, W, b)


@graded(points=1, task="rnn_forward")
def test_forward_square_weights(sub, seed):
    """With input_dim == units, does rnn_forward still match Keras (U and W not swapped)?"""
    rng = np.random.default_rng(seed)
    x, h0, U, W, b = draw(rng, batch=2, T=4, input_dim=3, units=3)
    hs, _ = unpack_forward(sub.rnn_forward(x, h0, U, W, b))
    expect_states_match(hs, keras_states(x, h0, U, W, b), x, h0, U, W, b)


@graded(points=1, task="rnn_forward")
def test_forward_starts_from_h0(sub, seed):
    """Does the first state depend on h0 (two different h0, same inputs, different hs[:, 0])?"""
    rng = np.random.default_rng(seed)
    x, h0, U, W, b = draw(rng, batch=2, T=3, input_dim=2, units=4)
    hs_a, _ = unpack_forward(sub.rnn_forward(x, h0, U, W, b))
    hs_b, _ = unpack_forward(sub.rnn_forward(x, np.zeros_like(h0), U, W, b))
    want_a = keras_states(x, h0, U, W, b)
    want_b = keras_states(x, np.zeros_like(h0), U, W, b)
    expect_states_match(hs_a, want_a, x, h0, U, W, b)
    expect_states_match(hs_b, want_b, x, np.zeros_like(h0), U, W, b, what="hs (h0 = 0)")


@graded(points=1, task="rnn_forward")
def test_forward_one_step_and_inputs_kept(sub, seed):
    """For T = 1 is hs (batch, 1, units), and are x and h0 left unchanged?"""
    rng = np.random.default_rng(seed)
    x, h0, U, W, b = draw(rng, batch=3, T=1, input_dim=2, units=4)
    copies = [a.copy() for a in (x, h0, U, W, b)]
    # The arguments stay in the runner, where the student's function receives them:
    # read back after the call, they show whether it changed them in place.
    kept = [sub.keep(a) for a in (x, h0, U, W, b)]
    hs, _ = unpack_forward(sub.rnn_forward(*kept))
    expect_states_match(hs, keras_states(*copies), *copies)
    for name, before, handle in zip(("x", "h0", "U", "W", "b"), copies, kept):
        after = as_array(handle, f"`{name}` after the call")
        assert after.shape == before.shape and np.array_equal(before, after), \
            f"rnn_forward changed its argument `{name}` in place: work on a copy"


@graded(points=1, task="rnn_forward")
def test_forward_invalid_shapes(sub, seed):
    """Do a 2-D x and an h0 of the wrong batch size raise ValueError naming them?"""
    rng = np.random.default_rng(seed)
    x, h0, U, W, b = draw(rng, batch=2, T=2, input_dim=1, units=2)
    rnn_forward = named(sub, "rnn_forward")
    expect_raises_value_error(rnn_forward, x[:, 0], h0, U, W, b, argument="x")
    expect_raises_value_error(rnn_forward, x, h0[:1], U, W, b, argument="h0")
