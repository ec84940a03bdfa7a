"""Hidden tests: the perceptron learning rule and the XOR MLP."""

import numpy as np
import pytest

from autograder.checks import expect_close, expect_equal, expect_raises_value_error
from autograder.engine.remote import type_name
from autograder.marks import graded
from autograder.suites.perceptron.support import outputs, rebuilt, set_weights

TRUTH_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def rule(X, t, eta, max_epochs, w, b):
    """The grader's own online perceptron rule (w given, so no randomness)."""
    w, b, n_updates = np.array(w, dtype=float), float(b), 0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_i, t_i in zip(X, t):
            error = t_i - int(x_i @ w + b >= 0)
            if error:
                w, b = w + eta * error * x_i, b + eta * error
                n_updates, mistakes = n_updates + 1, mistakes + 1
        if not mistakes:
            return w, b, epoch, n_updates, True
    return w, b, max_epochs, n_updates, False


def separable(rng, n, d, margin):
    """Points with labels from a unit separator in (x, 1) space, all at least `margin` from it."""
    w_star = rng.normal(size=d + 1)
    w_star /= np.linalg.norm(w_star)
    X = np.empty((0, d))
    while len(X) < n:
        cand = rng.uniform(-1, 1, size=(4 * n, d))
        keep = np.abs(np.c_[cand, np.ones(len(cand))] @ w_star) >= margin
        X = np.vstack([X, cand[keep]])
    X = X[:n]
    return X, (np.c_[X, np.ones(n)] @ w_star > 0).astype(int)


def draw_boundary(X, t, w, b, gate):
    """The student's learned line w.x + b = 0 over the truth table."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2.6, 2.6))
    grid = np.linspace(-0.5, 1.5, 200)
    gx, gy = np.meshgrid(grid, grid)
    ax.contourf(gx, gy, (np.c_[gx.ravel(), gy.ravel()] @ w + b >= 0).reshape(gx.shape),
                levels=[-0.5, 0.5, 1.5], colors=["#f4d6d6", "#d6e8f4"])
    ax.scatter(X[:, 0], X[:, 1], c=["#c0392b" if v == 0 else "#2471a3" for v in t], s=80,
               edgecolors="black")
    ax.set(title=f"{gate.upper()}: w={np.round(w, 2)}, b={b:.2f}", xlim=(-0.5, 1.5),
           ylim=(-0.5, 1.5), xlabel="x1", ylabel="x2")
    ax.title.set_fontsize(8)
    return fig


def unpack(res):
    try:
        w, b, epochs, n_updates, converged = res
    except (TypeError, ValueError):
        raise AssertionError(
            f"train_perceptron should return PerceptronResult(w, b, epochs, n_updates, converged), "
            f"got {type_name(res)}"
        ) from None
    return np.asarray(w, dtype=float), float(b), int(epochs), int(n_updates), bool(converged)


@graded(points=3, task="train_perceptron")
def test_single_update_matches_rule(sub):
    """Does one misclassified sample change w and b exactly by eta (t - o) x and eta (t - o)?"""
    x = np.array([[2.0, -1.0, 0.5]])
    w0 = np.array([-1.0, 0.5, 0.25])  # x.w0 + b0 < 0, so o = 0 while t = 1
    w, b, epochs, n_updates, _ = unpack(sub.train_perceptron(x, np.array([1]), eta=0.25,
                                                              max_epochs=1, w_init=w0, b_init=-0.5))
    expect_close(w, w0 + 0.25 * x[0], "w after one update", rtol=1e-12,
                 hint="the rule is w <- w + eta * (t - o) * x")
    expect_close(b, -0.5 + 0.25, "b after one update", rtol=1e-12,
                 hint="the bias moves by eta * (t - o)")
    assert n_updates == 1, f"one sample was misclassified, so n_updates should be 1, got {n_updates}"
    assert epochs == 1, f"max_epochs=1 allows one pass, got epochs={epochs}"


@graded(points=3, task="train_perceptron")
def test_trace_matches_online_rule(sub, seed):
    """Given w_init, does training end exactly where the online rule (given sample order) ends?"""
    rng = np.random.default_rng(seed)
    for trial in range(6):
        X = rng.integers(-3, 4, size=(12, 3)).astype(float)
        t = rng.integers(0, 2, size=12)
        w0 = rng.integers(-2, 3, size=3).astype(float)
        want = rule(X, t, 0.5, 7, w0, 1.0)
        got = unpack(sub.train_perceptron(X, t, eta=0.5, max_epochs=7, w_init=w0, b_init=1.0))
        what = f"trial {trial}: (epochs, n_updates, converged)"
        expect_equal(got[2:], want[2:], what,
                     hint="update after each sample, in the given order, and count a pass "
                          "even when it makes no mistake")
        expect_close(got[0], want[0], f"trial {trial}: final w", rtol=1e-12)
        expect_close(got[1], want[1], f"trial {trial}: final b", rtol=1e-12)


@graded(points=2, task="train_perceptron")
def test_stops_after_first_clean_pass(sub):
    """With weights that already classify everything, is it one pass, no update, converged?"""
    t = np.array([0, 0, 0, 1])
    res = unpack(sub.train_perceptron(TRUTH_X, t, w_init=np.array([1.0, 1.0]), b_init=-1.5))
    expect_equal(res[2:], (1, 0, True), "(epochs, n_updates, converged) for a solved problem",
                 hint="epochs counts passes made, including the pass with no mistake")


@graded(points=1, task="train_perceptron")
@pytest.mark.parametrize("gate", ["and", "or", "nand", "nor", "not"])
def test_gate_converges(sub, gate, figures):
    """Does the perceptron learn this linearly separable gate from random initial weights?"""
    tables = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0], "nor": [1, 0, 0, 0]}
    X, t = (np.array([[0.0], [1.0]]), np.array([1, 0])) if gate == "not" else \
        (TRUTH_X, np.array(tables[gate]))
    w, b, epochs, _, converged = unpack(sub.train_perceptron(X, t, eta=0.1, max_epochs=100,
                                                             seed=0))
    if gate != "not":
        figures.add(draw_boundary(X, t, w, b, gate), f"Your perceptron on {gate.upper()}")
    assert converged, f"{gate.upper()} is linearly separable, but training did not converge " \
                      f"in {epochs} epochs"
    expect_equal((X @ w + b >= 0).astype(int), t, f"predictions on {gate.upper()} after training")


@graded(points=2, task="train_perceptron")
def test_xor_never_converges(sub):
    """On XOR, does training run all max_epochs and report converged=False?"""
    X, t = TRUTH_X, np.array([0, 1, 1, 0])
    _, _, epochs, n_updates, converged = unpack(sub.train_perceptron(X, t, max_epochs=25, seed=1))
    assert not converged, "XOR is not linearly separable: converged must be False"
    assert epochs == 25, f"training should use all max_epochs=25 passes, got epochs={epochs}"
    assert n_updates >= 25, f"every pass over XOR makes a mistake, yet n_updates={n_updates}"


@graded(points=1, task="train_perceptron")
def test_novikoff_bound(sub, seed):
    """On separable data with margin gamma, are there at most (R / gamma)^2 updates?"""
    rng = np.random.default_rng(seed)
    X, t = separable(rng, n=60, d=2, margin=0.1)
    radius = np.max(np.linalg.norm(np.c_[X, np.ones(len(X))], axis=1))
    bound = (radius / 0.1) ** 2
    _, _, epochs, n_updates, converged = unpack(
        sub.train_perceptron(X, t, eta=1.0, max_epochs=1000, w_init=np.zeros(2)))
    assert converged, f"separable data (margin 0.1) should converge, not after {epochs} epochs"
    assert n_updates <= bound, f"Novikoff: n_updates <= (R/gamma)^2 = {bound:.0f}, got {n_updates}"


@graded(points=1, task="train_perceptron")
def test_eta_scales_zero_start(sub, seed):
    """From zero weights, does eta = 1 vs eta = 1/4 give the same run with w scaled by 4?"""
    X, t = separable(np.random.default_rng(seed + 1), n=30, d=3, margin=0.05)
    big = unpack(sub.train_perceptron(X, t, eta=1.0, max_epochs=200, w_init=np.zeros(3)))
    small = unpack(sub.train_perceptron(X, t, eta=0.25, max_epochs=200, w_init=np.zeros(3)))
    expect_equal(small[2:], big[2:], "(epochs, n_updates, converged) with eta=1/4 vs eta=1",
                 hint="from w = 0, b = 0 the learning rate only scales w and b")
    expect_close(4 * small[0], big[0], "4 * w(eta=1/4) vs w(eta=1)", rtol=1e-12)


@graded(points=1, task="train_perceptron")
def test_inputs_not_modified(sub):
    """Are X, t and w_init left unchanged by training?"""
    # Kept where the student's code runs (an array sent as data would be a fresh copy),
    # then read back after the call.
    X, t, w0 = (sub.keep(a) for a in (TRUTH_X.copy(), np.array([0, 1, 1, 1]),
                                       np.array([-1.0, -1.0])))
    sub.train_perceptron(X, t, eta=0.5, w_init=w0, b_init=0.0)
    expect_equal(np.asarray(X), TRUTH_X, "X after training")
    expect_equal(np.asarray(t), [0, 1, 1, 1], "t after training")
    expect_equal(np.asarray(w0), [-1.0, -1.0], "w_init after training",
                 hint="copy w_init (np.array(w_init, dtype=float)) before updating it in place")


@graded(points=1, task="train_perceptron")
def test_seed_decides_initial_weights(sub):
    """With w_init=None, does the same seed give the same result twice?"""
    X, t = TRUTH_X, np.array([0, 1, 1, 0])
    a = unpack(sub.train_perceptron(X, t, max_epochs=3, seed=7))
    b = unpack(sub.train_perceptron(X, t, max_epochs=3, seed=7))
    expect_close(a[0], b[0], "w from two runs with seed=7", rtol=0,
                 hint="draw the initial weights from np.random.default_rng(seed)")


@graded(points=1, task="train_perceptron")
def test_invalid_arguments(sub):
    """Do a non-positive eta, max_epochs < 1 and mismatched t raise ValueError naming them?"""
    t = np.array([0, 0, 0, 1])
    expect_raises_value_error(sub.train_perceptron, TRUTH_X, t, eta=0.0, argument="eta")
    expect_raises_value_error(sub.train_perceptron, TRUTH_X, t, max_epochs=0,
                              argument="max_epochs")
    expect_raises_value_error(sub.train_perceptron, TRUTH_X, t[:3], argument="t")


# ---------------------------------------------------------------- the XOR MLP

# The budget the notebook promises: up to 8 fresh models, 512 steps of batch 4 each.
# A 2-4-1 network can start in a basin it never leaves (a ReLU one on almost half of
# its starts), so several fresh starts are fairer than one long run; bench/ shows margins.
XOR_ATTEMPTS, XOR_STEPS = 8, 512
REPEATS = 64  # 64 copies of the truth table = 64 steps an epoch


def train_xor(sub, model, X, t) -> tuple[int | None, np.ndarray]:
    """Train the student's compiled model one epoch (64 steps) at a time, up to XOR_STEPS,
    and judge it after each epoch on the grader's own copy of its current weights.

    Returns (steps after which all four points were right, or None; the last outputs).
    """
    copy, _ = rebuilt(sub, model, "the model build_xor_mlp(4) returned")
    inputs, targets = np.tile(X, (REPEATS, 1)), np.tile(t, REPEATS).reshape(-1, 1)
    out = np.full(len(X), np.nan)
    for epoch in range(1, XOR_STEPS // REPEATS + 1):
        model.fit(inputs, targets, batch_size=4, epochs=1, verbose=0)
        set_weights(copy, model.get_weights(), "the model build_xor_mlp(4) returned")
        out = outputs(copy, X)
        if np.array_equal((out > 0.5).astype(int), t):
            return epoch * REPEATS, out
    return None, out


def xor_tries(sub, X, t) -> tuple[int | None, int | None, list]:
    """Fresh models until one learns XOR: (tries used, its steps, outputs of the failed tries).

    The models are drawn one after the other from the runner's random state, which the
    grader seeds with the test's seed, so a regrade trains the very same models.
    """
    failed = []
    for attempt in range(1, XOR_ATTEMPTS + 1):
        steps, out = train_xor(sub, sub.build_xor_mlp(4), X, t)
        if steps is not None:
            return attempt, steps, failed
        failed.append(np.round(out, 3).tolist())
    return None, None, failed


@graded(points=1, task="build_xor_mlp")
def test_mlp_hidden_units(sub):
    """Does hidden_units set the hidden width (4h + 1 parameters for 2-h-1)?"""
    for h in (3, 8):
        copy, _ = rebuilt(sub, sub.build_xor_mlp(h), f"the model build_xor_mlp({h}) returned")
        count = copy.count_params()
        assert count == 4 * h + 1, \
            f"build_xor_mlp({h}) has {count} parameters, a 2-{h}-1 MLP has {4 * h + 1}"


@graded(points=1, task="build_xor_mlp")
def test_mlp_output_is_probability(sub):
    """Are outputs in [0, 1] even for large inputs (a sigmoid output)?"""
    copy, _ = rebuilt(sub, sub.build_xor_mlp(4), "the model build_xor_mlp(4) returned")
    out = outputs(copy, np.array([[50.0, -80.0], [-300.0, 400.0]]))
    assert np.all((out >= 0) & (out <= 1)), \
        f"outputs should be probabilities in [0, 1], got {out}: end with a sigmoid"


@graded(points=1, task="build_xor_mlp")
def test_mlp_invalid_width(sub):
    """Does hidden_units=0 raise ValueError naming `hidden_units`?"""
    expect_raises_value_error(sub.build_xor_mlp, 0, argument="hidden_units")


# Last of its task: if it has to be stopped at its time limit, the tests above have run.
@graded(points=5, task="build_xor_mlp", timeout=40)
def test_mlp_learns_xor(sub):
    """Does a fresh compiled model reach 100% on XOR within 512 steps, in one of 8 tries?"""
    X, t = TRUTH_X.astype("float32"), np.array([0, 1, 1, 0], dtype="float32")
    tries, _, failed = xor_tries(sub, X, t)
    if tries is None:
        raise AssertionError(
            f"after {XOR_ATTEMPTS} fresh models trained {XOR_STEPS} steps each, none got all four "
            f"XOR points right (outputs per try: {failed}). A larger learning rate "
            "(e.g. Adam(0.05)) or tanh hidden units usually fix this.")
