"""Hidden tests: construction, conditional probabilities, sampling, energies and the
reconstruction error, each against its formula or an independent oracle."""

import itertools

import numpy as np

from autograder.checks import expect_close, expect_equal, expect_raises_value_error, expect_shape, named
from autograder.marks import graded


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def random_params(rng, n_visible, n_hidden, scale=1.0):
    return (rng.normal(0, scale, (n_visible, n_hidden)), rng.normal(0, scale, n_visible),
            rng.normal(0, scale, n_hidden))


def make_rbm(sub, W, b, c, seed=0, k=1, learning_rate=0.1):
    """The student's RBM with parameters chosen by the grader."""
    rbm = sub.RBM(W.shape[0], W.shape[1], learning_rate=learning_rate, k=k, seed=seed)
    rbm.W, rbm.b, rbm.c = W.copy(), b.copy(), c.copy()
    return rbm


def binary_states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


# ---------------------------------------------------------------- construction


@graded(points=1, task="init")
def test_parameter_shapes(sub):
    """Does RBM(7, 3) hold W (7, 3), b (7,) and c (3,)?"""
    rbm = sub.RBM(7, 3, seed=0)
    expect_shape(rbm.W, (7, 3), "RBM(7, 3).W", hint="W is (n_visible, n_hidden)")
    expect_shape(rbm.b, (7,), "RBM(7, 3).b", hint="b is the visible bias, one per visible unit")
    expect_shape(rbm.c, (3,), "RBM(7, 3).c", hint="c is the hidden bias, one per hidden unit")


@graded(points=1, task="init")
def test_seed_decides_initial_weights(sub):
    """Does the same seed give the same W, and are the weights random (not all equal)?"""
    first, second = np.asarray(sub.RBM(6, 4, seed=3).W), np.asarray(sub.RBM(6, 4, seed=3).W)
    expect_close(first, second, "W of two RBM(6, 4, seed=3)", rtol=0, atol=0,
                 hint="draw W from np.random.default_rng(seed)")
    assert np.ptp(first) > 0, \
        "all initial weights are equal: every hidden unit would learn the same feature; " \
        "start from small random weights (e.g. normal with std 0.01)"


@graded(points=1, task="init")
def test_invalid_arguments(sub):
    """Do n_hidden=0, learning_rate=0 and k=0 raise ValueError naming the argument?"""
    expect_raises_value_error(named(sub, "RBM"), 4, 0, argument="n_hidden")
    expect_raises_value_error(named(sub, "RBM"), 4, 3, learning_rate=0.0, argument="learning_rate")
    expect_raises_value_error(named(sub, "RBM"), 4, 3, k=0, argument="k")


# ---------------------------------------------------------------- probabilities


@graded(points=1, task="probabilities")
def test_hidden_probs_formula(sub, seed):
    """Does hidden_probs(v) equal sigmoid(v W + c) row by row?"""
    rng = np.random.default_rng(seed)
    W, b, c = random_params(rng, 6, 4)
    v = rng.integers(0, 2, (9, 6)).astype(float)
    got = make_rbm(sub, W, b, c).hidden_probs(v)
    expect_close(got, sigmoid(v @ W + c), "hidden_probs(v) for v (9, 6)", rtol=1e-6,
                 hint="p(h_j = 1 | v) = sigmoid(sum_i v_i W_ij + c_j): the hidden bias is c")


@graded(points=1, task="probabilities")
def test_visible_probs_formula(sub, seed):
    """Does visible_probs(h) equal sigmoid(h W^T + b) row by row?"""
    rng = np.random.default_rng(seed)
    W, b, c = random_params(rng, 6, 4)
    h = rng.integers(0, 2, (9, 4)).astype(float)
    got = make_rbm(sub, W, b, c).visible_probs(h)
    expect_close(got, sigmoid(h @ W.T + b), "visible_probs(h) for h (9, 4)", rtol=1e-6,
                 hint="p(v_i = 1 | h) = sigmoid(sum_j W_ij h_j + b_i): use W transposed and "
                      "the visible bias b")


@graded(points=2, task="probabilities")
def test_matches_sklearn_bernoulli_rbm(sub, seed):
    """Does hidden_probs agree with scikit-learn's BernoulliRBM.transform given the same weights?"""
    from sklearn.neural_network import BernoulliRBM

    rng = np.random.default_rng(seed)
    W, b, c = random_params(rng, 8, 5)
    v = rng.random((12, 8))  # real values in [0, 1], as for grey-level pixels
    oracle = BernoulliRBM(n_components=5)
    oracle.components_, oracle.intercept_hidden_, oracle.intercept_visible_ = W.T, c, b
    expect_close(make_rbm(sub, W, b, c).hidden_probs(v), oracle.transform(v),
                 "hidden_probs(v) vs BernoulliRBM.transform(v)", rtol=1e-6,
                 hint="BernoulliRBM stores W transposed (components_ is (n_hidden, n_visible)); "
                      "both must give sigmoid(v W + c), also for non-binary v")


@graded(points=1, task="probabilities")
def test_probs_stay_finite_for_large_activations(sub):
    """Are probabilities finite and in [0, 1] when |v W + c| is in the thousands?"""
    W = np.array([[900.0, -900.0], [800.0, -800.0]])
    rbm = make_rbm(sub, W, np.array([-1000.0, 1000.0]), np.array([5.0, -5.0]))
    ph = np.asarray(rbm.hidden_probs(np.array([[1.0, 1.0], [0.0, 0.0]])), dtype=float)
    pv = np.asarray(rbm.visible_probs(np.array([[1.0, 0.0], [0.0, 1.0]])), dtype=float)
    for name, p in (("hidden_probs", ph), ("visible_probs", pv)):
        assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1)), \
            f"{name} gave {p.ravel()} for activations around +-1000: 1 / (1 + exp(-x)) overflows; " \
            "write the sigmoid as 0.5 * (1 + tanh(x / 2)) or clip x"


# ---------------------------------------------------------------- sampling


@graded(points=1, task="sampling")
def test_samples_are_binary(sub, seed):
    """Do sample_hidden and sample_visible return 0/1 arrays of the right shapes?"""
    rng = np.random.default_rng(seed)
    rbm = make_rbm(sub, *random_params(rng, 6, 4))
    h = expect_shape(rbm.sample_hidden(rng.integers(0, 2, (10, 6))), (10, 4), "sample_hidden(v)")
    v = expect_shape(rbm.sample_visible(rng.integers(0, 2, (10, 4))), (10, 6), "sample_visible(h)")
    for name, s in (("sample_hidden", h), ("sample_visible", v)):
        assert np.all((s == 0) | (s == 1)), \
            f"{name} should hold only 0 and 1, got values like {np.unique(s)[:5]}: " \
            "sample with (rng.random(p.shape) < p), do not return the probabilities"


@graded(points=2, task="sampling")
def test_sample_frequencies_match_probabilities(sub, seed):
    """Over 20,000 draws, does each unit fire as often as its probability says?"""
    rng = np.random.default_rng(seed)
    W, b, c = random_params(rng, 5, 3)
    rbm = make_rbm(sub, W, b, c, seed=seed)
    v, h = np.array([[1.0, 0.0, 1.0, 1.0, 0.0]]), np.array([[0.0, 1.0, 1.0]])
    n = 20_000
    freq_h = np.asarray(rbm.sample_hidden(np.repeat(v, n, axis=0)), dtype=float).mean(axis=0)
    freq_v = np.asarray(rbm.sample_visible(np.repeat(h, n, axis=0)), dtype=float).mean(axis=0)
    expect_close(freq_h, sigmoid(v @ W + c)[0], "firing frequency of hidden units", atol=0.02,
                 rtol=0, hint="a unit must be 1 with probability p, e.g. rng.random(p.shape) < p; "
                              "thresholding p at 0.5 or comparing with > the wrong way skews it")
    expect_close(freq_v, sigmoid(h @ W.T + b)[0], "firing frequency of visible units", atol=0.02,
                 rtol=0, hint="a unit must be 1 with probability p, e.g. rng.random(p.shape) < p")


@graded(points=1, task="sampling")
def test_samples_reproducible_from_seed(sub, seed):
    """Do two RBMs built with the same seed draw the same samples?"""
    rng = np.random.default_rng(seed)
    W, b, c = random_params(rng, 6, 5)
    v = rng.integers(0, 2, (30, 6)).astype(float)
    draws = [np.asarray(make_rbm(sub, W, b, c, seed=11).sample_hidden(v)) for _ in range(2)]
    expect_equal(draws[0], draws[1], "sample_hidden(v) from two RBMs built with seed=11",
                 hint="draw from a generator made once in __init__ from `seed`")


# ---------------------------------------------------------------- energies


@graded(points=2, task="energy")
def test_energy_formula(sub, seed):
    """Does energy(v, h) equal -v W h^T - b.v - c.h for every row?"""
    rng = np.random.default_rng(seed)
    W, b, c = random_params(rng, 5, 3)
    v, h = rng.integers(0, 2, (8, 5)).astype(float), rng.integers(0, 2, (8, 3)).astype(float)
    want = -np.einsum("ni,ij,nj->n", v, W, h) - v @ b - h @ c
    got = expect_shape(make_rbm(sub, W, b, c).energy(v, h), (8,), "energy(v, h) for 8 rows",
                       hint="one energy per row: sum over units, not over the batch")
    if np.allclose(np.asarray(got, dtype=float), -want):
        raise AssertionError(f"energy(v, h) has the opposite sign: expected {want[:3].round(4)}, "
                             f"got {np.asarray(got)[:3].round(4)}. E(v, h) = -v W h^T - b.v - c.h: "
                             "low energy means high probability")
    expect_close(got, want, "energy(v, h)", rtol=1e-6,
                 hint="E(v, h) = -v W h^T - b.v - c.h: check which bias goes with v and which "
                      "with h")


@graded(points=1, task="energy")
def test_energy_prefers_aligned_states(sub):
    """Does a positive weight make the state with both units on the lowest-energy one?"""
    rbm = make_rbm(sub, np.array([[2.0]]), np.array([0.0]), np.array([0.0]))
    states = [np.array([[x]], dtype=float) for x in (0, 1)]
    energies = {(int(v[0, 0]), int(h[0, 0])): float(np.asarray(rbm.energy(v, h)).ravel()[0])
                for v in states for h in states}
    want = {(0, 0): 0.0, (0, 1): 0.0, (1, 0): 0.0, (1, 1): -2.0}
    for key, value in want.items():
        assert abs(energies[key] - value) < 1e-9, \
            f"with W = [[2]] and zero biases, E(v={key[0]}, h={key[1]}) should be {value}, " \
            f"got {energies[key]}: a positive weight lowers the energy of (1, 1)"


@graded(points=1, task="free_energy")
def test_free_energy_formula(sub, seed):
    """Does free_energy(v) equal -b.v - sum_j log(1 + exp((v W + c)_j)) for every row?"""
    rng = np.random.default_rng(seed)
    W, b, c = random_params(rng, 6, 4)
    v = rng.random((7, 6))
    want = -v @ b - np.sum(np.logaddexp(0.0, v @ W + c), axis=1)
    got = expect_shape(make_rbm(sub, W, b, c).free_energy(v), (7,), "free_energy(v) for 7 rows")
    expect_close(got, want, "free_energy(v)", rtol=1e-6,
                 hint="F(v) = -b.v - sum_j log(1 + exp(v W_:j + c_j)); the log1p term is what "
                      "summing out the hidden units leaves")


@graded(points=3, task="free_energy")
def test_free_energy_sums_out_the_hidden_units(sub, seed):
    """On a 4x3 RBM, is -free_energy(v) the log of sum over all h of exp(-energy(v, h))?"""
    rng = np.random.default_rng(seed)
    W, b, c = random_params(rng, 4, 3)
    V, H = binary_states(4), binary_states(3)
    energies = -(V @ W @ H.T) - (V @ b)[:, None] - (H @ c)[None, :]  # (16, 8), every (v, h)
    want = -np.log(np.sum(np.exp(-energies), axis=1))
    got = np.asarray(make_rbm(sub, W, b, c).free_energy(V), dtype=float)
    expect_close(got, want, "free_energy(v) for all 16 visible states vs "
                 "-log sum_h exp(-E(v, h)) by enumeration of the 8 hidden states", rtol=1e-6,
                 hint="p(v) = exp(-F(v)) / Z needs F(v) = -b.v - sum_j log(1 + exp(c_j + v W_:j))")


@graded(points=1, task="free_energy")
def test_free_energy_stays_finite(sub):
    """Is free_energy finite and right when v W + c is around +-1000?"""
    W = np.array([[1000.0, -1000.0, 3.0]])
    rbm = make_rbm(sub, W, np.array([0.5]), np.array([0.0, 0.0, -1.0]))
    got = np.asarray(rbm.free_energy(np.array([[1.0], [0.0]])), dtype=float)
    want = np.array([-0.5 - 1000.0 - np.logaddexp(0, 2.0), -2 * np.log(2.0) - np.logaddexp(0, -1)])
    expect_close(got, want, "free_energy for activations of +-1000", rtol=1e-9,
                 hint="log(1 + exp(x)) overflows for x > 709: use np.logaddexp(0, x)")


# ---------------------------------------------------------------- reconstruction


@graded(points=2, task="reconstruction_error")
def test_reconstruction_error_formula(sub, seed):
    """Is reconstruction_error(X) the mean of (X - visible_probs(hidden_probs(X)))^2?"""
    rng = np.random.default_rng(seed)
    W, b, c = random_params(rng, 6, 4)
    X = rng.random((15, 6))
    want = float(np.mean((X - sigmoid(sigmoid(X @ W + c) @ W.T + b)) ** 2))
    got = make_rbm(sub, W, b, c).reconstruction_error(X)
    expect_close(got, want, "reconstruction_error(X)", rtol=1e-6,
                 hint="use probabilities both ways (no sampling, so the number is "
                      "deterministic) and average over rows and pixels")


@graded(points=1, task="reconstruction_error")
def test_reconstruction_error_is_a_float(sub, seed):
    """Does reconstruction_error return one number, the same on every call?"""
    rng = np.random.default_rng(seed)
    rbm = make_rbm(sub, *random_params(rng, 5, 3))
    X = rng.random((10, 5))
    first, second = rbm.reconstruction_error(X), rbm.reconstruction_error(X)
    assert np.ndim(first) == 0, f"reconstruction_error should return a float, got shape " \
                                f"{np.shape(first)}: average over rows and pixels"
    assert float(first) == float(second), \
        f"two calls gave {float(first)} and {float(second)}: the error must not depend on " \
        "random samples"
