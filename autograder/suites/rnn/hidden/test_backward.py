"""Hidden tests: backpropagation through time, against tf.GradientTape and finite differences."""

import numpy as np

from autograder.checks import as_array
from autograder.marks import graded

KEYS = ("dx", "dh0", "dU", "dW", "db")
GRAD_TOL = 1e-4  # largest error relative to the largest gradient entry; bugs give 0.1 or more

HINTS = {
    "dx": "dx[:, t] = a_t U^T with a_t = (dhs[:, t] + the gradient from step t+1) * (1 - h_t^2)",
    "dh0": "dh0 is what flows out of the first step: a_1 W^T (the last value of dh_next)",
    "dU": "dU sums x_t^T a_t over every step",
    "dW": "dW sums h_{t-1}^T a_t over every step, with h0 before the first step",
    "db": "db sums a_t over the batch and over every step",
}
SHAPES = {"dx": "x", "dh0": "h0", "dU": "U", "dW": "W", "db": "b"}


def draw(rng, batch=3, T=6, input_dim=2, units=4):
    x = rng.normal(size=(batch, T, input_dim))
    h0 = rng.uniform(-0.9, 0.9, size=(batch, units))
    U = rng.normal(scale=0.7, size=(input_dim, units))
    W = rng.normal(scale=0.7, size=(units, units))
    b = rng.normal(scale=0.5, size=units)
    dhs = rng.normal(size=(batch, T, units))
    return (x, h0, U, W, b), dhs


def tape_gradients(params, dhs) -> dict:
    """The oracle: tf.GradientTape through h_t = tanh(x_t U + h_{t-1} W + b), float64."""
    import tensorflow as tf

    variables = [tf.Variable(p) for p in params]
    x, h0, U, W, b = variables
    with tf.GradientTape() as tape:
        h, states = h0, []
        for t in range(dhs.shape[1]):
            h = tf.tanh(x[:, t] @ U + h @ W + b)
            states.append(h)
        loss = tf.reduce_sum(tf.stack(states, axis=1) * dhs)
    return {k: g.numpy() for k, g in zip(KEYS, tape.gradient(loss, variables))}


def no_recurrent_term(params, dhs) -> dict:
    """What BPTT gives when the gradient from step t+1 is never added (a common bug)."""
    x, h0 = params[:2]
    hs = list(np.moveaxis(states(params), 1, 0))
    da = [dhs[:, t] * (1 - hs[t] ** 2) for t in range(x.shape[1])]
    prev = [h0, *hs[:-1]]
    return {"dU": sum(x[:, t].T @ da[t] for t in range(len(da))),
            "dW": sum(prev[t].T @ da[t] for t in range(len(da)))}


def states(params):
    x, h0, U, W, b = params
    h, out = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ U + h @ W + b)
        out.append(h)
    return np.stack(out, axis=1)


def student_gradients(sub, params, dhs) -> dict:
    """The student's BPTT on the student's own cache, once their forward pass is right."""
    result = sub.rnn_forward(*[p.copy() for p in params])
    try:
        hs, cache = result
    except (TypeError, ValueError):
        raise AssertionError("rnn_forward should return a pair (hs, cache)") from None
    hs = np.asarray(hs, dtype=float)
    want = states(params)
    if hs.shape != want.shape or not np.allclose(hs, want, atol=1e-5):
        raise AssertionError("rnn_backward is checked on the cache of your rnn_forward, whose " \
                             "states are not tanh(x_t U + h_{t-1} W + b) yet: fix rnn_forward " \
                             "first (see its tests)")
    grads = sub.rnn_backward(dhs.copy(), cache)
    if not isinstance(grads, dict):
        raise AssertionError(f"rnn_backward should return a dict with keys {list(KEYS)}, "
                             f"got {type(grads).__name__}")
    missing = [k for k in KEYS if k not in grads]
    assert not missing, f"rnn_backward's dict lacks {missing} (it has {sorted(grads)})"
    return grads


def scaled_error(got, want) -> float:
    return float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-12))


def expect_gradient(grads, key, want, params, dhs):
    got = as_array(grads[key], key, dtype=float)
    if got.shape != want.shape:
        extra = ""
        if key == "db" and got.shape == (dhs.shape[0], want.shape[0]):
            extra = ": sum over the batch too"
        elif key == "db" and got.ndim == 2:
            extra = ": sum over batch and time"
        raise AssertionError(f"{key} has shape {got.shape}, expected {want.shape} (the shape of "
                             f"{SHAPES[key]}){extra}")
    err = scaled_error(got, want)
    if err <= GRAD_TOL:
        return
    cause = HINTS[key]
    if key in ("dU", "dW") and scaled_error(got, no_recurrent_term(params, dhs)[key]) <= GRAD_TOL:
        cause = ("this is BPTT without the recurrent term: the gradient reaching h_t "
                 "from step t+1 (da_{t+1} W^T) must be added to dhs[:, t]")
    if key == "db" and scaled_error(got, want / dhs.shape[0]) <= GRAD_TOL:
        cause = "db looks averaged over the batch: the loss is a sum, so sum, do not average"
    raise AssertionError(f"{key} differs from tf.GradientTape's gradient by {err:.2g} of its "
                         f"largest entry: {cause}")


@graded(points=3, task="rnn_backward")
def test_parameter_gradients_match_tape(sub, seed):
    """Do dU, dW and db equal tf.GradientTape's gradients of sum(hs * dhs)?"""
    params, dhs = draw(np.random.default_rng(seed))
    want, grads = tape_gradients(params, dhs), student_gradients(sub, params, dhs)
    for key in ("dU", "dW", "db"):
        expect_gradient(grads, key, want[key], params, dhs)


@graded(points=2, task="rnn_backward")
def test_input_gradients_match_tape(sub, seed):
    """Do dx and dh0 equal tf.GradientTape's gradients of sum(hs * dhs)?"""
    params, dhs = draw(np.random.default_rng(seed))
    want, grads = tape_gradients(params, dhs), student_gradients(sub, params, dhs)
    for key in ("dx", "dh0"):
        expect_gradient(grads, key, want[key], params, dhs)


@graded(points=2, task="rnn_backward")
def test_gradient_flows_back_from_last_step(sub, seed):
    """With dhs nonzero only at the last step, does the gradient still reach x at step 0 and h0?"""
    params, dhs = draw(np.random.default_rng(seed), T=5)
    dhs[:, :-1] = 0.0
    grads = student_gradients(sub, params, dhs)
    dx = as_array(grads["dx"], "dx", dtype=float)
    if dx.shape == params[0].shape and np.allclose(dx[:, 0], 0.0) and np.allclose(grads["dh0"], 0.0):
        raise AssertionError("with dhs nonzero only at the last step, dx[:, 0] and dh0 are zero, " \
                             "but the last state depends on both through the recurrence: carry " \
                             "the gradient backwards (dh_next = a_t W^T) and add it at step t-1")
    want = tape_gradients(params, dhs)
    for key in KEYS:
        expect_gradient(grads, key, want[key], params, dhs)


def numeric_gradient(f, array, eps=1e-3):
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = array[index]
        array[index] = old + eps
        up = f()
        array[index] = old - eps
        down = f()
        array[index] = old
        grad[index] = (up - down) / (2 * eps)
    return grad


@graded(points=2, task="rnn_backward")
def test_gradients_match_finite_differences(sub, seed):
    """Does every gradient agree with central finite differences of your own rnn_forward?"""
    params, dhs = draw(np.random.default_rng(seed), batch=2, T=4, input_dim=2, units=3)
    params = [p.copy() for p in params]
    grads = student_gradients(sub, params, dhs)

    def loss():
        hs, _ = sub.rnn_forward(*[p.copy() for p in params])
        return float(np.sum(np.asarray(hs, dtype=float) * dhs))

    for key, array in zip(KEYS, params):
        want = numeric_gradient(loss, array)
        got = as_array(grads[key], key, dtype=float)
        if got.shape != want.shape:
            raise AssertionError(f"{key} has shape {got.shape}, expected {want.shape}")
        err = scaled_error(got, want)
        assert err <= 1e-3, \
            f"{key} differs from finite differences of sum(rnn_forward(...)[0] * dhs) by " \
            f"{err:.2g} of its largest entry (expect below 1e-6): {HINTS[key]}"


@graded(points=1, task="rnn_backward")
def test_backward_single_step(sub, seed):
    """For T = 1, is BPTT just the backward pass of one tanh layer?"""
    params, dhs = draw(np.random.default_rng(seed), batch=4, T=1, input_dim=3, units=2)
    want, grads = tape_gradients(params, dhs), student_gradients(sub, params, dhs)
    for key in KEYS:
        expect_gradient(grads, key, want[key], params, dhs)
