"""Public checks for the perceptron assignment (students receive this file)."""

import numpy as np

from autograder.checks import expect_equal
from autograder.marks import graded
from autograder.suites.perceptron.support import rebuilt


@graded(points=1, task="step")
def test_step_basics(sub):
    """Does step give 1 at and above zero and 0 below?"""
    expect_equal(np.asarray(sub.step(np.array([-2.0, 0.0, 3.0]))), [0, 1, 1],
                 "step([-2, 0, 3])")


@graded(points=1, task="mp_neuron")
def test_mp_neuron_and(sub):
    """Does an M-P neuron with weights (1, 1) and threshold 2 compute AND?"""
    outs = [int(sub.mp_neuron(np.array(x), np.array([1, 1]), 2))
            for x in ([0, 0], [0, 1], [1, 0], [1, 1])]
    expect_equal(outs, [0, 0, 0, 1], "AND neuron outputs over the truth table")


@graded(points=1, task="predict")
def test_predict_shape(sub):
    """Does predict return one 0/1 output per row?"""
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, -3.0]])
    expect_equal(np.asarray(sub.predict(X, np.array([1.0, 1.0]), -1.5)), [0, 1, 0],
                 "predict(X, w=[1, 1], b=-1.5)")


@graded(points=2, task="train_perceptron")
def test_and_converges(sub):
    """Does training on AND converge to weights that classify every input?"""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = np.array([0, 0, 0, 1])
    res = sub.train_perceptron(X, t, eta=0.5, w_init=np.zeros(2))
    assert res.converged, "training on AND should converge (it is linearly separable)"
    expect_equal(np.asarray(sub.predict(X, res.w, res.b)), t, "predictions after training")


@graded(points=1, task="logic_gate")
def test_or_table(sub):
    """Does logic_gate('or') give the OR truth table?"""
    X, t = sub.logic_gate("or")
    expect_equal(np.asarray(X), [[0, 0], [0, 1], [1, 0], [1, 1]], "X for 'or'")
    expect_equal(np.asarray(t), [0, 1, 1, 1], "t for 'or'")


@graded(points=1, task="xor_by_hand")
def test_xor_by_hand_outputs(sub):
    """Does the hand-built network output XOR?"""
    W1, b1, W2, b2 = sub.xor_by_hand()
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    hidden = (X @ np.asarray(W1, float) + np.asarray(b1, float) >= 0).astype(float)
    out = (hidden @ np.asarray(W2, float) + np.asarray(b2, float) >= 0).astype(int)
    expect_equal(out.ravel(), [0, 1, 1, 0], "network outputs on (00, 01, 10, 11)")


@graded(points=1, task="train_pocket")
def test_pocket_on_and(sub):
    """On AND from zero weights, does train_pocket converge with a pocket of zero errors?"""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = np.array([0, 0, 0, 1])
    res = sub.train_pocket(X, t, eta=1.0, w_init=np.zeros(2))
    assert res.converged and res.errors == 0, \
        f"AND is separable: expected converged=True, errors=0, got {res.converged}, {res.errors}"
    expect_equal((X @ np.asarray(res.w, dtype=float) + float(res.b) >= 0).astype(int), t,
                 "predictions of the pocket, step(X @ w + b)")


@graded(points=1, task="train_pocket")
def test_pocket_on_xor(sub):
    """On XOR, does train_pocket run all max_epochs and count the pocket's errors right?"""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = np.array([0, 1, 1, 0])
    res = sub.train_pocket(X, t, eta=1.0, max_epochs=10, w_init=np.zeros(2))
    assert not res.converged and res.epochs == 10, \
        f"XOR never converges: expected converged=False after 10 epochs, got " \
        f"{res.converged} after {res.epochs}"
    wrong = int(np.sum((X @ np.asarray(res.w, dtype=float) + float(res.b) >= 0) != t))
    assert res.errors == wrong, \
        f"errors={res.errors}, but the returned (w, b) get {wrong} of the 4 points wrong"


@graded(points=1, task="build_xor_mlp")
def test_mlp_shapes(sub):
    """Does build_xor_mlp return a compiled model mapping (batch, 2) to (batch, 1)?"""
    model, compile_config = rebuilt(sub, sub.build_xor_mlp(4), "the model build_xor_mlp(4) returned")
    assert tuple(model.input_shape) == (None, 2), \
        f"input shape should be (None, 2), got {model.input_shape}"
    assert tuple(model.output_shape) == (None, 1), \
        f"output shape should be (None, 1), got {model.output_shape}"
    assert compile_config is not None and compile_config.get("optimizer") is not None \
        and compile_config.get("loss"), \
        "the model is not compiled: call model.compile(...) before returning it"
