"""Hidden tests: step, the M-P neuron, predict, the gates and XOR by hand."""

import numpy as np

from autograder.checks import expect_equal, expect_int_kind, expect_raises_value_error, expect_shape
from autograder.marks import graded

TRUTH_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def heaviside(z):
    return (np.asarray(z, dtype=float) >= 0).astype(int)


@graded(points=1, task="step")
def test_step_keeps_shape_and_gives_ints(sub):
    """Does step keep a 2-D shape and return integers?"""
    z = np.array([[-1.5, 0.0, 2.0], [1e-12, -1e-12, 7.0]])
    out = expect_shape(sub.step(z), (2, 3), "step(z) for z of shape (2, 3)")
    expect_int_kind(out, "step(z)")
    expect_equal(out, [[0, 1, 1], [1, 0, 1]], "step(z)")


@graded(points=1, task="step")
def test_step_at_zero(sub):
    """Does step fire at exactly 0 (and at -0.0) but not just below?"""
    out = np.asarray(sub.step(np.array([0.0, -0.0, -1e-300, 1e-300])))
    expect_equal(out, [1, 1, 0, 1], "step([0.0, -0.0, -1e-300, 1e-300])",
                 hint="step(z) is 1 for z >= 0: use >=, not >")


@graded(points=1, task="step")
def test_step_scalar_and_list(sub):
    """Does step accept a plain number and a list?"""
    assert int(np.asarray(sub.step(-3))) == 0 and int(np.asarray(sub.step(2.5))) == 1, \
        "step(-3) should be 0 and step(2.5) should be 1"
    expect_equal(np.asarray(sub.step([-1, 0, 1])), [0, 1, 1], "step([-1, 0, 1])")


@graded(points=1, task="mp_neuron")
def test_mp_neuron_or_and_not(sub):
    """Do M-P neurons with the textbook weights compute OR and NOT?"""
    outs = [int(sub.mp_neuron(x, np.array([1, 1]), 1)) for x in TRUTH_X]
    expect_equal(outs, [0, 1, 1, 1], "OR neuron (w=[1, 1], theta=1)")
    outs = [int(sub.mp_neuron(np.array([x]), np.array([-1]), 0)) for x in (0, 1)]
    expect_equal(outs, [1, 0], "NOT neuron (w=[-1], theta=0)")


@graded(points=1, task="mp_neuron")
def test_mp_neuron_fires_at_threshold(sub):
    """Does the neuron fire when the weighted sum equals the threshold exactly?"""
    out = int(sub.mp_neuron(np.array([1.0, 1.0, 0.0]), np.array([0.5, 0.25, 4.0]), 0.75))
    assert out == 1, f"w . x == theta should fire (output 1), got {out}: compare with >=, not >"


@graded(points=1, task="mp_neuron")
def test_mp_neuron_matches_formula(sub, seed):
    """Does mp_neuron equal step(w . x - theta) on random inputs?"""
    rng = np.random.default_rng(seed)
    for _ in range(50):
        x, w = rng.normal(size=5), rng.normal(size=5)
        theta = rng.normal()
        got = sub.mp_neuron(x, w, theta)
        want = int(heaviside(w @ x - theta))
        assert int(got) == want and np.asarray(got).size == 1, \
            f"mp_neuron(x={x.round(3)}, w={w.round(3)}, theta={theta:.3f}) gave {got}, expected {want}"


@graded(points=1, task="predict")
def test_predict_matches_formula(sub, seed):
    """Does predict equal step(X @ w + b) row by row?"""
    rng = np.random.default_rng(seed)
    X, w, b = rng.normal(size=(40, 3)), rng.normal(size=3), rng.normal()
    expect_equal(np.asarray(sub.predict(X, w, b)), heaviside(X @ w + b), "predict(X, w, b)")


@graded(points=1, task="predict")
def test_predict_on_the_boundary(sub):
    """Is a point exactly on the decision boundary classified as 1?"""
    X = np.array([[1.0, 1.0], [0.5, 0.0]])
    expect_equal(np.asarray(sub.predict(X, np.array([1.0, 0.5]), -1.5)), [1, 0],
                 "predict on and off the boundary x.w + b = 0")


@graded(points=1, task="predict")
def test_predict_returns_int_vector(sub):
    """Does predict return an int array of shape (n,), also for n = 1?"""
    out = expect_shape(sub.predict(np.array([[2.0, -1.0]]), np.array([1.0, 1.0]), 0.0), (1,),
                       "predict for a single row")
    expect_int_kind(out, "predict(...)")


TABLES = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
}


@graded(points=1, task="logic_gate")
def test_two_input_gates(sub):
    """Do the and/nand/nor/xor tables list inputs in counting order with the right outputs?"""
    for name in ("and", "nand", "nor", "xor"):
        X, t = sub.logic_gate(name)
        expect_equal(np.asarray(X), TRUTH_X, f"X for {name!r}")
        expect_equal(np.asarray(t), TABLES[name], f"t for {name!r}")


@graded(points=1, task="logic_gate")
def test_not_gate(sub):
    """Does 'not' have one input column and invert it?"""
    X, t = sub.logic_gate("not")
    expect_equal(np.asarray(X), [[0], [1]], "X for 'not' (shape (2, 1))")
    expect_equal(np.asarray(t), [1, 0], "t for 'not'")


@graded(points=1, task="logic_gate")
def test_unknown_gate(sub):
    """Does an unknown gate name raise ValueError naming `name`?"""
    expect_raises_value_error(sub.logic_gate, "xnand", argument="name")


def _xor_net(params):
    W1, b1, W2, b2 = (np.asarray(p, dtype=float) for p in params)
    hidden = heaviside(TRUTH_X @ W1 + b1)
    return hidden, heaviside(hidden @ W2 + b2).ravel()


@graded(points=2, task="xor_by_hand")
def test_xor_hidden_layer_has_two_units(sub):
    """Is the hidden layer two step units (W1 (2, 2), b1 (2,))?"""
    W1, b1, W2, b2 = sub.xor_by_hand()
    expect_shape(W1, (2, 2), "W1")
    expect_shape(b1, (2,), "b1")
    assert np.asarray(W2, dtype=float).size == 2, f"W2 should hold 2 weights, got {np.asarray(W2).shape}"
    assert np.asarray(b2, dtype=float).size == 1, "b2 should be one number"


@graded(points=2, task="xor_by_hand")
def test_xor_exact_on_all_inputs(sub):
    """Does step(step(X W1 + b1) W2 + b2) equal XOR on all four inputs?"""
    _, out = _xor_net(sub.xor_by_hand())
    expect_equal(out, [0, 1, 1, 0], "network outputs on (00, 01, 10, 11)",
                 hint="try OR and NAND in the hidden layer and AND at the output")

