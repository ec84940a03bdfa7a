"""Public checks for the dbn assignment (students receive this file)."""

import numpy as np

from autograder.checks import expect_close, expect_shape
from autograder.marks import graded

W = np.array([[1.0, -2.0], [0.5, 0.0], [-1.0, 1.0]])  # 3 visible, 2 hidden
B = np.array([0.1, -0.2, 0.3])
C = np.array([-0.5, 0.25])


def small_rbm(sub, **kwargs):
    rbm = sub.RBM(3, 2, seed=0, **kwargs)
    rbm.W, rbm.b, rbm.c = W.copy(), B.copy(), C.copy()
    return rbm


@graded(points=1, task="probabilities")
def test_hidden_probs_one_row(sub):
    """Does hidden_probs([[1, 0, 1]]) equal sigmoid(v W + c)?"""
    got = small_rbm(sub).hidden_probs(np.array([[1.0, 0.0, 1.0]]))
    expect_close(got, 1 / (1 + np.exp(-(np.array([[0.0, -1.0]]) + C))), "hidden_probs([[1, 0, 1]])")


@graded(points=1, task="energy")
def test_energy_one_pair(sub):
    """Is the energy of v = (1, 0, 1), h = (1, 1) equal to -v W h^T - b.v - c.h?"""
    got = small_rbm(sub).energy(np.array([[1.0, 0.0, 1.0]]), np.array([[1.0, 1.0]]))
    expect_close(got, [0.85], "energy(v, h)")  # -(-1) - 0.4 - (-0.25)


@graded(points=1, task="free_energy")
def test_free_energy_of_zero_vector(sub):
    """Is F(0) = -sum_j log(1 + exp(c_j))?"""
    got = small_rbm(sub).free_energy(np.zeros((1, 3)))
    expect_close(got, [-np.sum(np.log1p(np.exp(C)))], "free_energy(zeros)")


@graded(points=1, task="contrastive_divergence")
def test_cd_shapes_and_no_side_effect(sub):
    """Does contrastive_divergence return (dW, db, dc) and leave W unchanged?"""
    rbm = small_rbm(sub)
    dW, db, dc = rbm.contrastive_divergence(np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]))
    expect_shape(dW, (3, 2), "dW")
    expect_shape(db, (3,), "db")
    expect_shape(dc, (2,), "dc")
    assert np.array_equal(rbm.W, W), "contrastive_divergence must not change W"


@graded(points=1, task="fit")
def test_fit_returns_self(sub):
    """Does fit return the RBM itself?"""
    rbm = sub.RBM(3, 2, seed=0)
    assert rbm.fit(np.array([[1.0, 0.0, 1.0]] * 4), epochs=1, batch_size=2) is rbm, \
        "fit should end with `return self`"


@graded(points=1, task="pretrain_dbn")
def test_pretrain_two_layers(sub):
    """Does pretrain_dbn(X, [4, 2]) return two RBMs with W (6, 4) and (4, 2)?"""
    X = np.random.default_rng(0).integers(0, 2, (20, 6)).astype(float)
    rbms = sub.pretrain_dbn(X, [4, 2], epochs=1, seed=0)
    assert [np.shape(r.W) for r in rbms] == [(6, 4), (4, 2)], \
        f"got W shapes {[np.shape(r.W) for r in rbms]}"


@graded(points=1, task="dbn_to_keras")
def test_keras_model_shapes(sub):
    """Does dbn_to_keras give a compiled model mapping (batch, 3) to (batch, 4)?"""
    model = sub.dbn_to_keras([small_rbm(sub)], 4)
    assert tuple(model.output_shape) == (None, 4), f"output shape {model.output_shape}"
    assert getattr(model, "optimizer", None) is not None, "compile the model before returning it"


@graded(points=1, task="gibbs_sample")
def test_gibbs_sample_shape(sub):
    """Does gibbs_sample(rbm, v0, 2) return 0/1 rows of shape (5, 3) and leave v0 unchanged?"""
    v0 = np.array([[1.0, 0.0, 1.0]] * 5)
    got = expect_shape(sub.gibbs_sample(small_rbm(sub), v0, 2), (5, 3), "gibbs_sample(rbm, v0, 2)")
    assert np.all((got == 0) | (got == 1)), f"expected only 0.0 and 1.0, got {np.unique(got)}"
    assert np.array_equal(v0, [[1.0, 0.0, 1.0]] * 5), "gibbs_sample must not change v0"
