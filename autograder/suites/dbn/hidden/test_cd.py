"""Hidden tests: contrastive divergence and fit, graded against exact enumeration.

On an RBM with 4 or 5 visible and 3 hidden units every state can be listed, so the
grader knows the exact log-likelihood gradient and the exact expected value of the
CD-k estimate (for each of the usual ways of writing it: sampled or mean-field
visible reconstructions). A student's estimate on a large batch must land within
sampling noise of one of those expectations.
"""

import itertools

import numpy as np

from autograder.checks import expect_shape
from autograder.marks import graded

TOLERANCE = 0.02  # max |estimate - expectation|; sampling noise on 21,000 rows is ~0.004


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def binary_states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def state_probs(p, states):
    """(m, n) unit probabilities -> (m, 2^n) probability of each listed binary state."""
    return np.prod(np.where(states[None] == 1, p[:, None, :], 1 - p[:, None, :]), axis=2)


def make_rbm(sub, W, b, c, seed=0, k=1, learning_rate=0.1):
    rbm = sub.RBM(W.shape[0], W.shape[1], learning_rate=learning_rate, k=k, seed=seed)
    rbm.W, rbm.b, rbm.c = W.copy(), b.copy(), c.copy()
    return rbm


def expected_cd(W, b, c, V0, k):
    """Exact expectations of the CD-k estimate on batch V0, one per accepted convention.

    The chain samples h0 ~ p(h | v0); each step makes a visible reconstruction either by
    sampling v ~ p(v | h) or by taking the mean-field p(v | h), then h ~ p(h | v). The
    negative statistics use p(h | v_k) (sampling h_k there has the same expectation).
    """
    V, H = binary_states(W.shape[0]), binary_states(W.shape[1])
    ph = lambda v: sigmoid(v @ W + c)  # noqa: E731
    pv = lambda h: sigmoid(h @ W.T + b)  # noqa: E731
    v_given_h = state_probs(pv(H), V)  # (2^nh, 2^nv)
    h_given_v = state_probs(ph(V), H)  # (2^nv, 2^nh)
    mean_field_v = pv(H)  # (2^nh, nv): the reconstruction each hidden state gives
    h_after_mean_field = state_probs(ph(mean_field_v), H)
    positive = (V0.T @ ph(V0), V0.sum(0), ph(V0).sum(0))
    h0 = state_probs(ph(V0), H)  # (n, 2^nh)
    chains = {
        "sampled reconstructions": (v_given_h @ h_given_v, "sample"),
        "mean-field reconstructions": (h_after_mean_field, "mean"),
        "sampled reconstructions, mean-field last step": (v_given_h @ h_given_v, "mean"),
    }
    out = {}
    for name, (step, last) in chains.items():
        dist = h0
        for _ in range(k - 1):
            dist = dist @ step  # distribution of h_{k-1}
        if last == "sample":
            dist_v = dist @ v_given_h  # (n, 2^nv)
            negative = (np.einsum("nv,vi,vj->ij", dist_v, V, ph(V)), (dist_v @ V).sum(0),
                        (dist_v @ ph(V)).sum(0))
        else:
            negative = (np.einsum("nh,hi,hj->ij", dist, mean_field_v, ph(mean_field_v)),
                        (dist @ mean_field_v).sum(0), (dist @ ph(mean_field_v)).sum(0))
        out[name] = tuple((p - q) / len(V0) for p, q in zip(positive, negative))
    return out


def mean_field_hidden_cd(W, b, c, V0, k):
    """Expected CD when the chain is driven by hidden probabilities instead of samples.

    Two versions: visible reconstructions sampled from p(v | p(h | v)), or also
    mean-field (then nothing is random).
    """
    V = binary_states(W.shape[0])
    ph = lambda v: sigmoid(v @ W + c)  # noqa: E731
    pv = lambda h: sigmoid(h @ W.T + b)  # noqa: E731
    positive = (V0.T @ ph(V0), V0.sum(0), ph(V0).sum(0))
    dist_v = state_probs(pv(ph(V0)), V)  # (n, 2^nv): v1 ~ p(v | p(h | v0))
    step = state_probs(pv(ph(V)), V)
    for _ in range(k - 1):
        dist_v = dist_v @ step
    sampled = (np.einsum("nv,vi,vj->ij", dist_v, V, ph(V)), (dist_v @ V).sum(0),
               (dist_v @ ph(V)).sum(0))
    v = V0
    for _ in range(k):
        v = pv(ph(v))
    deterministic = (v.T @ ph(v), v.sum(0), ph(v).sum(0))
    return [tuple((p - q) / len(V0) for p, q in zip(positive, negative))
            for negative in (sampled, deterministic)]


def distance(got, want):
    return max(float(np.max(np.abs(np.asarray(g, dtype=float) - w))) for g, w in zip(got, want))


def unpack(estimate, n_visible, n_hidden):
    try:
        dW, db, dc = estimate
    except (TypeError, ValueError):
        raise AssertionError("contrastive_divergence should return a tuple (dW, db, dc), got "
                             f"{type(estimate).__name__}") from None
    dW = expect_shape(dW, (n_visible, n_hidden), "dW")
    db = expect_shape(db, (n_visible,), "db",
                      hint="the visible bias gradient is mean(v0 - vk) over the batch: one entry "
                           "per visible unit")
    dc = expect_shape(dc, (n_hidden,), "dc",
                      hint="the hidden bias gradient is mean(p(h|v0) - p(h|vk)): one entry per "
                           "hidden unit")
    return np.asarray(dW, float), np.asarray(db, float), np.asarray(dc, float)


def rejected_expectations(W, b, c, V0, k):
    """Expected estimates of the mistakes the CD tests name (sign, mean-field chain, k)."""
    valid = expected_cd(W, b, c, V0, k).values()
    wrong = [tuple(-x for x in w) for w in valid] + mean_field_hidden_cd(W, b, c, V0, k)
    if k > 1:
        wrong += list(expected_cd(W, b, c, V0, 1).values())
    return wrong


GAP = 0.05  # every rejected expectation lies at least this far from every accepted one


def tiny_problem(seed, k=1):
    """A 4x3 RBM and a batch of 21,000 rows (3 patterns) on which the accepted and the
    rejected conventions differ by at least GAP (parameters redrawn until they do)."""
    rng = np.random.default_rng(seed)
    patterns = binary_states(4)[[3, 9, 14]]  # expectations are the same on one copy of each
    while True:
        W = rng.normal(0, 1.5, (4, 3))
        b, c = rng.normal(0, 1, 4), rng.normal(0, 1, 3)
        valid = expected_cd(W, b, c, patterns, k).values()
        if min(distance(bad, good) for bad in rejected_expectations(W, b, c, patterns, k)
               for good in valid) > GAP:
            return W, b, c, np.repeat(patterns, 7000, axis=0)


def judge_estimate(got, W, b, c, V0, k, what):
    """Accept an estimate within noise of a valid convention; otherwise say what it looks like."""
    valid = expected_cd(W, b, c, V0, k)
    if min(distance(got, want) for want in valid.values()) < TOLERANCE:
        return
    nearest = min(valid, key=lambda name: distance(got, valid[name]))
    reference = valid[nearest]
    if distance(got, tuple(-x for x in reference)) < TOLERANCE:
        raise AssertionError(f"{what} is the expected CD estimate with its sign flipped: your "
                             "gradient points the wrong way: you may have swapped the positive "
                             "(data) and negative (reconstruction) phase")
    if min(distance(got, x) for x in mean_field_hidden_cd(W, b, c, V0, k)) < TOLERANCE:
        raise AssertionError(f"{what} matches a chain driven by hidden probabilities: sample "
                             "binary hidden states (h ~ p(h|v)) before each reconstruction, or the "
                             "hidden units pass on more information than they can")
    if k > 1 and min(distance(got, w) for w in expected_cd(W, b, c, V0, 1).values()) < TOLERANCE:
        raise AssertionError(f"{what} is what CD-1 gives, but this RBM has k={k}: run k Gibbs "
                             "steps (h -> v -> h) before the negative statistics")
    names = ("dW", "db", "dc")
    worst = max(range(3), key=lambda i: np.max(np.abs(got[i] - reference[i])))
    raise AssertionError(
        f"{what}: {names[worst]} is off by {np.max(np.abs(got[worst] - reference[worst])):.3f} "
        f"from the exact expected CD-{k} estimate (sampling noise here is below {TOLERANCE}); "
        f"expected {np.round(reference[worst].ravel()[:4], 3)}, got "
        f"{np.round(got[worst].ravel()[:4], 3)}. The estimate is mean(v0^T p(h|v0)) - "
        "mean(vk^T p(h|vk)), mean(v0 - vk) and mean(p(h|v0) - p(h|vk))")


# ---------------------------------------------------------------- contrastive divergence


@graded(points=1, task="contrastive_divergence")
def test_estimate_shapes(sub, seed):
    """Does contrastive_divergence return dW (n_visible, n_hidden), db (n_visible,), dc (n_hidden,)?"""
    rng = np.random.default_rng(seed)
    rbm = make_rbm(sub, rng.normal(0, 0.5, (7, 3)), rng.normal(0, 0.5, 7), rng.normal(0, 0.5, 3))
    unpack(rbm.contrastive_divergence(rng.integers(0, 2, (10, 7)).astype(float)), 7, 3)


@graded(points=2, task="contrastive_divergence")
def test_estimate_leaves_parameters_unchanged(sub, seed):
    """Are W, b, c and the batch exactly as before after contrastive_divergence?"""
    rng = np.random.default_rng(seed)
    W, b, c = rng.normal(0, 0.5, (6, 4)), rng.normal(0, 0.5, 6), rng.normal(0, 0.5, 4)
    rbm = make_rbm(sub, W, b, c, k=2)
    v = rng.integers(0, 2, (12, 6)).astype(float)
    before = v.copy()
    rbm.contrastive_divergence(v)
    for name, now, then in (("W", rbm.W, W), ("b", rbm.b, b), ("c", rbm.c, c), ("v", v, before)):
        assert np.array_equal(np.asarray(now), then), \
            f"contrastive_divergence changed {name}: it must only return the estimate " \
            "(fit applies it); compute with new arrays instead of +=/-= on the parameters"


@graded(points=3, task="contrastive_divergence")
def test_cd1_estimate_matches_its_expectation(sub, seed):
    """With k=1 on 21,000 rows, is the estimate within noise of the exact expected CD-1 estimate?"""
    W, b, c, V0 = tiny_problem(seed)
    rbm = make_rbm(sub, W, b, c, seed=seed, k=1)
    got = unpack(rbm.contrastive_divergence(V0), 4, 3)
    judge_estimate(got, W, b, c, V0, 1, "the CD-1 estimate")


@graded(points=2, task="contrastive_divergence")
def test_cdk_estimate_matches_its_expectation(sub, seed):
    """With k=3, is the estimate within noise of the exact expected CD-3 estimate?"""
    W, b, c, V0 = tiny_problem(seed + 1, k=3)
    rbm = make_rbm(sub, W, b, c, seed=seed, k=3)
    got = unpack(rbm.contrastive_divergence(V0), 4, 3)
    judge_estimate(got, W, b, c, V0, 3, "the CD-3 estimate")


def exact_gradient(W, b, c, data):
    """Gradient of the mean log-likelihood of `data` (rows) by enumerating all (v, h)."""
    V, H = binary_states(W.shape[0]), binary_states(W.shape[1])
    log_weight = V @ W @ H.T + (V @ b)[:, None] + (H @ c)[None, :]  # -E(v, h), (2^nv, 2^nh)
    p = np.exp(log_weight - log_weight.max())
    p /= p.sum()
    ph = sigmoid(data @ W + c)
    return (data.T @ ph / len(data) - V.T @ p @ H, data.mean(0) - p.sum(1) @ V,
            ph.mean(0) - p.sum(0) @ H)


def cosine(x, y):
    x, y = np.concatenate([a.ravel() for a in x]), np.concatenate([a.ravel() for a in y])
    return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))


def prototype_data(rng, n, noise=0.1):
    """Rows near one of two 5-bit prototypes, each bit flipped with probability `noise`."""
    prototypes = np.array([[1, 1, 0, 0, 1], [0, 0, 1, 1, 0]], dtype=float)
    rows = prototypes[rng.integers(0, 2, n)]
    return np.abs(rows - (rng.random(rows.shape) < noise))


COSINE_BAR = 0.5  # reference 0.998+, mean-field reconstructions 0.82+ (bench/thresholds_dbn.md)


@graded(points=3, task="contrastive_divergence")
def test_estimate_points_along_the_exact_gradient(sub, seed):
    """Does the CD-10 estimate point the same way as the exact log-likelihood gradient?"""
    rng = np.random.default_rng(seed)
    W, b, c = rng.normal(0, 0.3, (5, 3)), rng.normal(0, 0.3, 5), rng.normal(0, 0.3, 3)
    data = prototype_data(rng, 20_000)
    rbm = make_rbm(sub, W, b, c, seed=seed, k=10)
    got = unpack(rbm.contrastive_divergence(data), 5, 3)
    cos = cosine(got, exact_gradient(W, b, c, data))
    if cos < -0.5:
        raise AssertionError(f"cosine between your CD estimate and the exact gradient is "
                             f"{cos:.2f}: your gradient points the wrong way: you may have "
                             "swapped the positive and negative phase (data minus "
                             "reconstruction, not the reverse)")
    assert cos > COSINE_BAR, \
        f"cosine between your CD-10 estimate and the exact log-likelihood gradient is {cos:.2f}, " \
        f"expected above {COSINE_BAR}: check each term (dW from v0^T p(h|v0) - vk^T p(h|vk), db " \
        "from v0 - vk, dc from p(h|v0) - p(h|vk), all averaged over the batch)"


# ---------------------------------------------------------------- fit


@graded(points=1, task="fit")
def test_fit_returns_self(sub, seed):
    """Does fit return the RBM itself, so that RBM(...).fit(X) can be chained?"""
    rbm = sub.RBM(5, 3, seed=seed)
    out = rbm.fit(np.random.default_rng(seed).integers(0, 2, (20, 5)), epochs=1, batch_size=5)
    assert out is rbm, f"fit returned {type(out).__name__}, expected the RBM itself: end fit " \
                       "with `return self` (the scikit-learn convention)"


@graded(points=3, task="fit")
def test_one_step_follows_the_estimate(sub, seed):
    """With one batch and one epoch, does fit move W, b, c by learning_rate times the CD estimate?"""
    W, b, c, V0 = tiny_problem(seed + 2)
    rate = 0.5
    rbm = make_rbm(sub, W, b, c, seed=seed, learning_rate=rate)
    rbm.fit(V0, epochs=1, batch_size=len(V0))
    step = tuple((np.asarray(new, dtype=float) - old) / rate
                 for new, old in ((rbm.W, W), (rbm.b, b), (rbm.c, c)))
    valid = expected_cd(W, b, c, V0, 1)
    if min(distance(step, want) for want in valid.values()) < TOLERANCE:
        return
    reference = next(iter(valid.values()))
    if min(distance(tuple(-s for s in step), want) for want in valid.values()) < TOLERANCE:
        raise AssertionError("fit moved the parameters against the CD estimate: the estimate is "
                             "a log-likelihood gradient, so ascend it (W += learning_rate * dW)")
    ratio = float(np.sum(step[0] * reference[0]) / np.sum(reference[0] ** 2))
    raise AssertionError(
        f"one fit step of a batch of {len(V0)} rows changed W by {ratio:.2f} x learning_rate x "
        "the expected CD estimate (expected 1.00): take exactly one step of learning_rate times "
        "(dW, db, dc) per batch, with the learning_rate given to __init__")


def batch_argument(args, kwargs):
    """The batch of one recorded call of contrastive_divergence(v), as a float array."""
    if args:
        value = args[0]
    elif kwargs:
        value = kwargs.get("v", next(iter(kwargs.values())))
    else:
        raise AssertionError("fit called contrastive_divergence without a batch")
    try:
        return np.atleast_2d(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        raise AssertionError("fit passed contrastive_divergence something that is not an array "
                             "of rows") from None


ROW_TOLERANCE = 1e-3  # rows of X differ by at least 0.5 in every column; float32 rounds by 3e-6


@graded(points=1, task="fit")
def test_epochs_visit_every_row_in_batches(sub, seed):
    """Does each epoch pass every row once to contrastive_divergence, in batches of at most batch_size?"""
    rng = np.random.default_rng(seed)
    X = rng.random((23, 4)) * 0.5 + np.arange(23)[:, None]  # row i lies in [i, i + 0.5)
    rbm = sub.RBM(4, 2, seed=seed)
    sub.spy(rbm, "contrastive_divergence")
    rbm.fit(X, epochs=2, batch_size=5)
    seen = [batch_argument(args, kwargs)
            for args, kwargs in sub.spied(rbm, "contrastive_divergence")]
    assert seen, "fit never called self.contrastive_divergence: get each step's estimate from it"
    sizes = [len(batch) for batch in seen]
    if any(batch.shape[1:] != (4,) for batch in seen):
        raise AssertionError(f"fit passed contrastive_divergence batches of shapes "
                             f"{sorted({batch.shape for batch in seen})}, expected (rows, 4): "
                             "pass whole rows of X")
    assert min(sizes) >= 1 and max(sizes) <= 5, \
        f"23 rows with batch_size=5 should make batches of 1 to 5 rows, got batch sizes {sizes}"
    assert sum(sizes) == 2 * 23, \
        f"23 rows and epochs=2 should pass 46 rows in all to contrastive_divergence, got " \
        f"{sum(sizes)} in {len(seen)} batches of sizes {sizes}: every row once per epoch"
    rows = np.vstack(seen)
    which = np.floor(rows[:, 0]).astype(int).clip(0, 22)  # the row of X each one must be
    if np.max(np.abs(rows - X[which])) > ROW_TOLERANCE:
        raise AssertionError("fit passed contrastive_divergence rows that are not rows of X: pass "
                             "the rows themselves (shuffled or not), not transformed or sampled "
                             "versions of them")
    start = 0
    for epoch in range(2):
        counted, end = 0, start
        while counted < 23:
            counted += sizes[end]
            end += 1
        visited = np.sort(which[sum(sizes[:start]):sum(sizes[:end])])
        assert counted == 23 and np.array_equal(visited, np.arange(23)), \
            f"epoch {epoch + 1} did not pass every row of X exactly once (shuffling is fine, " \
            "skipping or repeating rows is not; keep the last, smaller batch)"
        start = end


def log_likelihood(W, b, c, data):
    """Mean exact log p(v) over the rows of data (enumerating all visible states)."""
    W, b, c = (np.asarray(x, dtype=float) for x in (W, b, c))
    free = lambda v: -v @ b - np.sum(np.logaddexp(0, v @ W + c), axis=1)  # noqa: E731
    log_z = np.logaddexp.reduce(-free(binary_states(W.shape[0])))
    return float(np.mean(-free(data)) - log_z)


LL_GAIN_BAR = 0.4  # nats per row; the reference gains 0.93-1.35 (bench/thresholds_dbn.md)


@graded(points=3, task="fit")
def test_training_raises_exact_log_likelihood(sub, seed):
    """After 30 epochs of CD-1, is the exact log-likelihood of the data at least 0.4 nats higher?"""
    rng = np.random.default_rng(seed)
    data = prototype_data(rng, 200)
    rbm = sub.RBM(5, 4, learning_rate=0.1, k=1, seed=seed)
    before = log_likelihood(rbm.W, rbm.b, rbm.c, data)
    rbm.fit(data, epochs=30, batch_size=10)
    after = log_likelihood(rbm.W, rbm.b, rbm.c, data)
    assert after - before > LL_GAIN_BAR, \
        f"exact mean log-likelihood went from {before:.3f} to {after:.3f} (gain " \
        f"{after - before:.3f}, expected above {LL_GAIN_BAR}): a fall means the update climbs " \
        "the wrong way (sign of the CD estimate or of the step); a tiny gain means the step is " \
        "too small or not applied"


RECONSTRUCTION_BAR = 0.7  # error after / before; reference 0.39-0.41, alternative 0.15-0.18


@graded(points=2, task="fit")
def test_training_lowers_reconstruction_error_on_digits(sub, seed):
    """On 600 digits, do 5 epochs of fit cut the reconstruction error by at least 30%?"""
    from sklearn.datasets import load_digits

    X = load_digits().data[:600] / 16.0
    rbm = sub.RBM(64, 32, learning_rate=0.1, k=1, seed=seed)

    def error(model):
        W, b, c = (np.asarray(x, dtype=float) for x in (model.W, model.b, model.c))
        return float(np.mean((X - sigmoid(sigmoid(X @ W + c) @ W.T + b)) ** 2))

    before = error(rbm)
    rbm.fit(X, epochs=5, batch_size=10)
    after = error(rbm)
    assert after < RECONSTRUCTION_BAR * before, \
        f"reconstruction error went from {before:.4f} to {after:.4f} (ratio " \
        f"{after / before:.2f}, expected below {RECONSTRUCTION_BAR}): check the direction of " \
        "the update and that every batch updates W, b and c"
