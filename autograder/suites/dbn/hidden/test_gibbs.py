"""Hidden tests: gibbs_sample, graded against the exact distributions of a tiny RBM.

With 4 visible and 3 hidden units every state can be listed, so the grader knows the
exact marginal p(v) and the exact transition matrix of the Gibbs chain on visible
states, T[v, v'] = sum_h p(h | v) p(v' | h). Many chains run side by side; the
distribution of their states must be within sampling noise, in total variation, of
the exact one (after one step: row v0 of T; after many steps: p(v)).

At full size, the grader trains a 64x64 RBM on binarized digits with its own CD-1
(never the student's fit) and runs the student's gibbs_sample from digits and from
noise: the fantasies' per-pixel means must come close to the data's.
"""

import itertools

import numpy as np

from autograder.checks import expect_equal, expect_raises_value_error, expect_shape
from autograder.marks import graded

CHAINS = 20_000
LONG_STEPS = 50
TV_BAR = 0.05  # sampling noise on 20,000 chains stays below 0.02 (bench/thresholds_dbn.md)
GAP = 0.1  # every mistake the problem is drawn against lies this far from the truth


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def binary_states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


V, H = binary_states(4), binary_states(3)  # (16, 4), (8, 3)


def state_probs(p, states):
    """(m, n) unit probabilities -> (m, 2^n) probability of each listed binary state."""
    return np.prod(np.where(states[None] == 1, p[:, None, :], 1 - p[:, None, :]), axis=2)


def marginal(W, b, c):
    """Exact p(v) over the 16 visible states, from the free energy."""
    free = -V @ b - np.logaddexp(0.0, V @ W + c).sum(axis=1)
    return np.exp(-free - np.logaddexp.reduce(-free))


def transition(W, b, c):
    """T[v, v'] = sum_h p(h | v) p(v' | h): one Gibbs step on visible states."""
    return state_probs(sigmoid(V @ W + c), H) @ state_probs(sigmoid(H @ W.T + b), V)


def mean_field_transition(W, b, c):
    """The chain driven by hidden probabilities: v' ~ p(v | p(h | v))."""
    return state_probs(sigmoid(sigmoid(V @ W + c) @ W.T + b), V)


def total_variation(p, q):
    return 0.5 * float(np.abs(np.asarray(p) - np.asarray(q)).sum())


def tiny_problem(seed):
    """A 4x3 RBM and a start state on which the usual mistakes are at least GAP away.

    Redrawn until LONG_STEPS steps from the start state reach p(v) (within 1e-6), one
    step does not (so a chain that stops moving is caught), a chain driven by hidden
    probabilities or without the visible bias ends GAP away, both after one step and
    after LONG_STEPS.
    """
    rng = np.random.default_rng(seed)
    while True:
        W = rng.normal(0, 1.5, (4, 3))
        b, c = rng.normal(0, 1, 4), rng.normal(0, 1, 3)
        start = int(rng.integers(0, 16))
        p, T = marginal(W, b, c), transition(W, b, c)
        M, T_no_b = mean_field_transition(W, b, c), transition(W, np.zeros(4), c)
        long = {name: np.linalg.matrix_power(K, LONG_STEPS)[start]
                for name, K in (("T", T), ("M", M), ("T_no_b", T_no_b))}
        if (total_variation(long["T"], p) < 1e-6 and total_variation(T[start], p) > GAP
                and total_variation(M[start], T[start]) > GAP
                and total_variation(T_no_b[start], T[start]) > GAP
                and total_variation(long["M"], p) > GAP
                and total_variation(long["T_no_b"], p) > GAP):
            return W, b, c, V[start]


def make_rbm(sub, W, b, c, seed=0):
    rbm = sub.RBM(W.shape[0], W.shape[1], seed=seed)
    rbm.W, rbm.b, rbm.c = W.copy(), b.copy(), c.copy()
    return rbm


def binary_rows(samples, shape, what):
    """The samples as a float array of the given shape, checked to hold only 0 and 1."""
    arr = expect_shape(samples, shape, what,
                       hint="one row per chain: the visible state each chain ends in")
    values = np.asarray(arr, dtype=float)
    if not np.all((values == 0) | (values == 1)):
        raise AssertionError(f"{what} should hold only 0 and 1, got values like "
                             f"{np.unique(values)[:5]}: return sampled visible states, not the "
                             "probabilities p(v | h)")
    return values


def empirical(samples):
    """Fraction of rows in each of the 16 visible states (state index = row read in binary)."""
    index = (samples @ (2.0 ** np.arange(3, -1, -1))).astype(int)
    return np.bincount(index, minlength=16) / len(samples)


def index_of(v):
    """The index of binary state v in V (its bits read as a binary number)."""
    return int(np.asarray(v) @ 2.0 ** np.arange(3, -1, -1))


def after_steps(T, start, steps):
    """Exact distribution of a chain with transition matrix T, `steps` steps from start."""
    return np.linalg.matrix_power(T, steps)[index_of(start)]


def judge_distribution(got, W, b, c, start, steps, want, what):
    """Pass within TV_BAR of `want`; otherwise say which mistake the distribution looks like."""
    tv = total_variation(got, want)
    if tv < TV_BAR:
        return
    near = lambda dist: total_variation(got, dist) < TV_BAR  # noqa: E731
    T = transition(W, b, c)
    if near(after_steps(mean_field_transition(W, b, c), start, steps)):
        hint = ("it matches a chain driven by hidden probabilities: sample binary hidden "
                "states h ~ p(h | v) at every step")
    elif near(after_steps(transition(W, np.zeros(4), c), start, steps)):
        hint = "it matches a chain without the visible bias: p(v_i = 1 | h) = sigmoid((h W^T + b)_i)"
    elif near(np.eye(16)[index_of(start)]):
        hint = ("every chain is still in its start state: run n_steps full steps (h from v, "
                "then a new v from h)")
    elif steps > 1 and near(T[index_of(start)]):
        hint = "it is the distribution after one step: draw a new h from the new v at every step"
    else:
        hint = ("each step draws h ~ p(h | v) = sigmoid(v W + c), then v ~ p(v | h) = "
                "sigmoid(h W^T + b), with fresh random numbers for every unit of every chain")
    raise AssertionError(
        f"{what}: the distribution of the 16 visible states over {CHAINS} chains is "
        f"{tv:.3f} away (total variation) from the exact one; sampling noise stays below "
        f"{TV_BAR}. Exact {np.round(want, 3)}, got {np.round(got, 3)}: {hint}")


# ---------------------------------------------------------------- gibbs_sample


@graded(points=1, task="gibbs_sample")
def test_returns_binary_float_rows(sub, seed):
    """Does gibbs_sample(rbm, v0, n_steps) return a float (batch, n_visible) array of 0.0 and 1.0?"""
    rng = np.random.default_rng(seed)
    rbm = make_rbm(sub, rng.normal(0, 1, (6, 4)), rng.normal(0, 1, 6), rng.normal(0, 1, 4))
    out = sub.gibbs_sample(rbm, rng.integers(0, 2, (9, 6)).astype(float), 3)
    values = binary_rows(out, (9, 6), "gibbs_sample(rbm, v0 of shape (9, 6), 3)")
    assert np.issubdtype(np.asarray(out).dtype, np.floating), \
        f"gibbs_sample returned an array of dtype {np.asarray(out).dtype}, expected floats " \
        "(0.0 and 1.0, float32 or float64), as sample_visible gives"
    assert values.shape == (9, 6)


@graded(points=2, task="gibbs_sample")
def test_one_step_follows_the_transition(sub, seed):
    """With n_steps=1, are 20,000 chains from one v0 within total variation 0.05 of sum_h p(h|v0) p(v|h)?"""
    W, b, c, start = tiny_problem(seed)
    out = sub.gibbs_sample(make_rbm(sub, W, b, c, seed=seed), np.tile(start, (CHAINS, 1)), 1)
    got = empirical(binary_rows(out, (CHAINS, 4), "gibbs_sample(rbm, v0, 1)"))
    judge_distribution(got, W, b, c, start, 1, after_steps(transition(W, b, c), start, 1),
                       "after one step")


@graded(points=3, task="gibbs_sample")
def test_long_chains_reach_the_model_distribution(sub, seed):
    """After 50 steps, are 20,000 fantasies of a 4x3 RBM within total variation 0.05 of its exact p(v)?"""
    W, b, c, start = tiny_problem(seed + 1)
    out = sub.gibbs_sample(make_rbm(sub, W, b, c, seed=seed), np.tile(start, (CHAINS, 1)),
                           LONG_STEPS)
    got = empirical(binary_rows(out, (CHAINS, 4), f"gibbs_sample(rbm, v0, {LONG_STEPS})"))
    judge_distribution(got, W, b, c, start, LONG_STEPS, marginal(W, b, c),
                       f"after {LONG_STEPS} steps")


@graded(points=1, task="gibbs_sample")
def test_same_seed_same_fantasies(sub, seed):
    """Do two RBMs with the same seed and parameters give the same fantasies?"""
    rng = np.random.default_rng(seed)
    W, b, c = rng.normal(0, 1, (6, 4)), rng.normal(0, 1, 6), rng.normal(0, 1, 4)
    v0 = rng.integers(0, 2, (50, 6)).astype(float)
    runs = [np.asarray(sub.gibbs_sample(make_rbm(sub, W, b, c, seed=5), v0, 10))
            for _ in range(2)]
    expect_equal(runs[0], runs[1], "gibbs_sample from two RBMs built with seed=5",
                 hint="draw every random number from the RBM's generator (rbm.rng, or "
                      "rbm.sample_hidden and rbm.sample_visible)")


@graded(points=1, task="gibbs_sample")
def test_second_call_draws_fresh_samples(sub, seed):
    """Does a second call on the same RBM draw new random numbers (not repeat the first call)?"""
    rng = np.random.default_rng(seed)
    rbm = make_rbm(sub, rng.normal(0, 0.5, (6, 4)), rng.normal(0, 0.5, 6),
                   rng.normal(0, 0.5, 4), seed=seed)
    v0 = rng.integers(0, 2, (100, 6)).astype(float)
    first, second = (np.asarray(sub.gibbs_sample(rbm, v0, 5)) for _ in range(2))
    assert not np.array_equal(first, second), \
        "two calls of gibbs_sample on the same RBM gave exactly the same 100 fantasies: the " \
        "random numbers are repeated; draw from the RBM's own generator (rbm.rng), which " \
        "moves on, instead of making a new generator with a fixed seed in each call"


@graded(points=1, task="gibbs_sample")
def test_inputs_left_unchanged(sub, seed):
    """Are v0, W, b and c left unchanged by gibbs_sample?"""
    rng = np.random.default_rng(seed)
    W, b, c = rng.normal(0, 1, (5, 3)), rng.normal(0, 1, 5), rng.normal(0, 1, 3)
    rbm = make_rbm(sub, W, b, c, seed=seed)
    v0 = rng.integers(0, 2, (20, 5)).astype(float)
    kept = sub.keep(v0)
    sub.gibbs_sample(rbm, kept, 4)
    for name, now, then in (("v0", kept, v0), ("W", rbm.W, W), ("b", rbm.b, b), ("c", rbm.c, c)):
        assert np.array_equal(np.asarray(now), then), \
            f"gibbs_sample changed {name}: work on a copy of v0 (np.array(v0, dtype=float)) " \
            "and never write into the RBM's parameters"


@graded(points=1, task="gibbs_sample")
def test_invalid_arguments(sub):
    """Do n_steps=0, n_steps=2.5 and v0 with too few columns raise ValueError naming the argument?"""
    rbm = make_rbm(sub, np.zeros((4, 3)), np.zeros(4), np.zeros(3))
    v0 = np.zeros((5, 4))
    expect_raises_value_error(sub.gibbs_sample, rbm, v0, 0, argument="n_steps")
    expect_raises_value_error(sub.gibbs_sample, rbm, v0, 2.5, argument="n_steps")
    expect_raises_value_error(sub.gibbs_sample, rbm, np.zeros((5, 3)), 2, argument="v0")


# ---------------------------------------------------------------- gibbs_sample on digits

DIGIT_CHAINS = 300  # from digits, and as many from noise
DIGIT_STEPS = 100
PIXEL_MEAN_BAR = 0.1  # correct: 0.019-0.073, no visible bias >= 0.25, shared random numbers
# >= 0.14, from either start, 20 seeds (bench/thresholds_dbn.md)


def binarized_digits():
    """sklearn's 1,797 digits as (1797, 64) pixels of 0.0 and 1.0 (on above half intensity)."""
    from sklearn.datasets import load_digits

    return (load_digits().data / 16.0 > 0.5).astype(float)


def grader_digits_rbm(X, seed, n_hidden=64, epochs=10, learning_rate=0.05, batch_size=20):
    """(W, b, c) of an RBM trained on X by the grader's own CD-1 (never the student's fit).

    The visible bias starts at the log-odds of each pixel's mean, as Hinton's guide
    advises, so training spends its steps on W.
    """
    rng = np.random.default_rng(seed)
    mean = X.mean(axis=0).clip(0.01, 0.99)
    W = rng.normal(0.0, 0.01, (X.shape[1], n_hidden))
    b, c = np.log(mean / (1 - mean)), np.zeros(n_hidden)
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            v0 = X[order[start:start + batch_size]]
            ph0 = sigmoid(v0 @ W + c)
            h0 = (rng.random(ph0.shape) < ph0).astype(float)
            v1 = (rng.random(v0.shape) < sigmoid(h0 @ W.T + b)).astype(float)
            ph1 = sigmoid(v1 @ W + c)
            W += learning_rate * (v0.T @ ph0 - v1.T @ ph1) / len(v0)
            b += learning_rate * (v0 - v1).mean(axis=0)
            c += learning_rate * (ph0 - ph1).mean(axis=0)
    return W, b, c


def digit_fantasies(sub, seed):
    """(data, starts, fantasies, W, b, c): the student's chains on the grader's digits RBM.

    The first DIGIT_CHAINS chains start from digits, the next DIGIT_CHAINS from noise
    (every pixel a fair coin); all run DIGIT_STEPS steps in one call.
    """
    X = binarized_digits()
    W, b, c = grader_digits_rbm(X, seed)
    rng = np.random.default_rng(seed + 1)
    starts = np.vstack([X[rng.choice(len(X), DIGIT_CHAINS, replace=False)],
                        (rng.random((DIGIT_CHAINS, X.shape[1])) < 0.5).astype(float)])
    out = sub.gibbs_sample(make_rbm(sub, W, b, c, seed=seed), starts, DIGIT_STEPS)
    fantasies = binary_rows(out, starts.shape, f"gibbs_sample(rbm, v0 of shape {starts.shape}, "
                                               f"{DIGIT_STEPS})")
    return X, starts, fantasies, W, b, c


def montage(images, per_row=12):
    """Up to per_row 8x8 images side by side, one blank column between them: (8, 9 * n - 1)."""
    tiles = [np.pad(np.asarray(image).reshape(8, 8), ((0, 0), (0, 1)), constant_values=np.nan)
             for image in images[:per_row]]
    return np.hstack(tiles)[:, :-1]


def draw_fantasies(X, starts, fantasies):
    """Digits, fantasies from digits and from noise; the pixel means of data and fantasies."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(9, 5.4))
    grid = fig.add_gridspec(4, 3, height_ratios=[1, 1, 1, 3.2], hspace=0.45)
    rows = (("digits (the first starts)", starts), ("fantasies from those digits", fantasies),
            ("fantasies from noise", fantasies[DIGIT_CHAINS:]))
    for r, (label, images) in enumerate(rows):
        ax = fig.add_subplot(grid[r, :])
        ax.imshow(montage(images), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(label, loc="left", fontsize=8)
        ax.axis("off")
    data_mean, fantasy_mean = X.mean(axis=0), fantasies.mean(axis=0)
    panels = (("pixel means of the digits", data_mean, "gray_r"),
              ("pixel means of your fantasies", fantasy_mean, "gray_r"),
              (f"|difference|, mean {np.abs(fantasy_mean - data_mean).mean():.3f}",
               np.abs(fantasy_mean - data_mean), "Reds"))
    for k, (title, image, cmap) in enumerate(panels):
        ax = fig.add_subplot(grid[3, k])
        ax.imshow(image.reshape(8, 8), cmap=cmap, vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
        ax.axis("off")
    return fig


@graded(points=2, task="gibbs_sample")
def test_digit_fantasies_match_pixel_means(sub, seed, figures):
    """Do 100-step fantasies of a digits RBM, from digits and noise, match digit pixel means within 0.1?"""
    X, starts, fantasies, W, b, c = digit_fantasies(sub, seed)
    figures.add(draw_fantasies(X, starts, fantasies),
                "Your gibbs_sample on an RBM trained on digits")
    data_mean = X.mean(axis=0)
    for half, start in ((fantasies[:DIGIT_CHAINS], "digits"), (fantasies[DIGIT_CHAINS:], "noise")):
        gap = float(np.abs(half.mean(axis=0) - data_mean).mean())
        if gap < PIXEL_MEAN_BAR:
            continue
        blank = data_mean < 0.01  # pixels (mostly the border) never on in the digits
        if half[:, blank].mean() > 0.1:
            hint = (f"the pixels that are (almost) never on in the digits are on "
                    f"{half[:, blank].mean():.0%} of the time in your fantasies, while the "
                    "visible bias b keeps them off: p(v_i = 1 | h) = sigmoid((h W^T + b)_i)")
        else:
            hint = ("each step draws binary h ~ p(h | v) = sigmoid(v W + c), then binary "
                    "v ~ p(v | h) = sigmoid(h W^T + b), with fresh random numbers from the "
                    "RBM's generator")
        raise AssertionError(
            f"an RBM (64 visible, 64 hidden units) trained on binarized digits, "
            f"{DIGIT_CHAINS} chains started from {start}, {DIGIT_STEPS} steps: the pixel means "
            f"of your fantasies differ from the digits' by {gap:.3f} on average over the 64 "
            f"pixels, expected below {PIXEL_MEAN_BAR} (correct sampling stays below 0.075; the "
            f"figure shows both): {hint}")
