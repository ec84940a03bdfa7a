"""Hidden tests: the optimal discriminator, the Jensen-Shannon divergence, V(D, G)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from autograder.checks import expect_close, expect_raises_value_error, named
from autograder.marks import graded
from autograder.suites.cgan.support import derandomized

LOG4 = np.log(4.0)


def js_oracle(p, q) -> float:
    p, q = np.asarray(p, float), np.asarray(q, float)
    m = 0.5 * (p + q)
    kl = lambda a: float(np.sum(a[a > 0] * np.log(a[a > 0] / m[a > 0])))  # noqa: E731
    return 0.5 * kl(p) + 0.5 * kl(q)


def value_at_optimum(p_data, p_g, d_star) -> float:
    """V(D, G) as an expectation over a discrete space, skipping terms with zero weight."""
    d_star = np.asarray(d_star, float)
    real = p_data > 0
    fake = p_g > 0
    return float(np.sum(p_data[real] * np.log(d_star[real]))
                 + np.sum(p_g[fake] * np.log(1.0 - d_star[fake])))


def counts_strategy(size_min=2, size_max=8):
    """Pairs of integer count vectors (data, generator) over the same support, some zeros."""
    return st.integers(size_min, size_max).flatmap(lambda n: st.tuples(
        st.lists(st.integers(0, 6), min_size=n, max_size=n).filter(lambda c: sum(c) > 0),
        st.lists(st.integers(0, 6), min_size=n, max_size=n).filter(lambda c: sum(c) > 0)))


def as_distributions(counts):
    a, b = (np.asarray(c, float) for c in counts)
    return a / a.sum(), b / b.sum()


# ---------------------------------------------------------------- optimal_discriminator


@graded(points=2, task="optimal_discriminator")
def test_optimal_discriminator_formula(sub, seed):
    """Is D*(x) = p_data / (p_data + p_g), elementwise, keeping the shape?"""
    rng = np.random.default_rng(seed)
    p_data, p_g = rng.random((3, 5)) + 0.01, rng.random((3, 5)) + 0.01
    got = sub.optimal_discriminator(p_data, p_g)
    want = p_data / (p_data + p_g)
    if np.shape(got) == want.shape and np.allclose(got, 1 - want, rtol=1e-9):
        raise AssertionError("optimal_discriminator gives p_g / (p_data + p_g), the probability "
                             "that x is fake: D*(x) is the probability that x is REAL, so p_data " \
                             "goes on top")
    expect_close(got, want, "optimal_discriminator(p_data, p_g)", rtol=1e-9)


@graded(points=1, task="optimal_discriminator")
def test_optimal_discriminator_at_equilibrium(sub):
    """Where p_g = p_data, is D* = 1/2 everywhere; where only one is 0, is D* 0 or 1?"""
    p = np.array([0.1, 0.2, 0.3, 0.4])
    expect_close(sub.optimal_discriminator(p, p), np.full(4, 0.5), "D* when p_g = p_data",
                 rtol=1e-12, hint="at equilibrium the best discriminator can only guess")
    expect_close(sub.optimal_discriminator(np.array([0.5, 0.0]), np.array([0.0, 0.5])),
                 [1.0, 0.0], "D* where only p_data (then only p_g) is positive", rtol=1e-12)


@graded(points=2, task="optimal_discriminator")
@derandomized(60)
@given(counts=counts_strategy(), trial=st.floats(0.01, 0.99))
def test_optimal_discriminator_maximises_value(sub, counts, trial):
    """Does D* maximise V(D, G) = E log D(x) + E log(1 - D(G(z))), reaching -log 4 + 2 JSD?"""
    p_data, p_g = as_distributions(counts)
    both = (p_data > 0) | (p_g > 0)
    p_data, p_g = p_data[both], p_g[both]
    d_star = np.asarray(sub.optimal_discriminator(p_data, p_g), float)
    best = value_at_optimum(p_data, p_g, d_star)
    expect_close(best, -LOG4 + 2 * js_oracle(p_data, p_g),
                 f"V(D*, G) for p_data={np.round(p_data, 3)}, p_g={np.round(p_g, 3)}",
                 rtol=1e-9, atol=1e-12, hint="V(D*, G) = -log 4 + 2 JSD(p_data || p_g)")
    other = np.full(len(p_data), trial)
    assert value_at_optimum(p_data, p_g, other) <= best + 1e-12, \
        f"a constant discriminator D = {trial:.3f} beats your D* on V(D, G): D* should be the " \
        "maximiser, p_data / " \
        "(p_data + p_g)"


# ---------------------------------------------------------------- js_divergence


@graded(points=1, task="js_divergence")
def test_js_known_values(sub):
    """Is JSD 0 for identical distributions and log 2 (natural log) for disjoint ones?"""
    p = np.array([0.25, 0.25, 0.5])
    expect_close(sub.js_divergence(p, p), 0.0, "js_divergence(p, p)", atol=1e-12,
                 hint="compare each distribution with the mixture m = (p + q) / 2")
    got = float(np.asarray(sub.js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0]))))
    if abs(got - 1.0) < 1e-9:
        raise AssertionError("js_divergence of disjoint distributions is 1.0: that is log base 2. "
                             "The GAN identity uses the natural log (np.log), giving log 2 = 0.693")
    expect_close(got, np.log(2.0), "js_divergence([1, 0], [0, 1])", rtol=1e-9,
                 hint="the maximum of JSD is log 2: use the mixture m = (p + q) / 2 and np.log")


@graded(points=2, task="js_divergence")
@derandomized(80)
@given(counts=counts_strategy(2, 10))
def test_js_matches_definition(sub, counts):
    """Is JSD(p, q) = KL(p || m) / 2 + KL(q || m) / 2 with m = (p + q) / 2, zeros included?"""
    p, q = as_distributions(counts)
    got = sub.js_divergence(p, q)
    expect_close(got, js_oracle(p, q), f"js_divergence({np.round(p, 3)}, {np.round(q, 3)})",
                 rtol=1e-9, atol=1e-12,
                 hint="terms with p_i = 0 contribute 0 (0 log 0 = 0); NaN means they were not "
                      "skipped")
    expect_close(sub.js_divergence(q, p), got, "js_divergence(q, p) vs js_divergence(p, q)",
                 rtol=1e-9, atol=1e-12, hint="JSD is symmetric")


@graded(points=1, task="js_divergence")
@derandomized(60)
@given(counts=counts_strategy(2, 8))
def test_js_gives_the_gan_value_at_optimum(sub, counts):
    """With the grader's D*, is 2 JSD(p_data || p_g) - log 4 = V(D*, G)?"""
    p_data, p_g = as_distributions(counts)
    d_star = np.where(p_data + p_g > 0, p_data / np.maximum(p_data + p_g, 1e-300), 0.5)
    want = value_at_optimum(p_data, p_g, d_star)
    expect_close(2 * float(np.asarray(sub.js_divergence(p_data, p_g))) - LOG4, want,
                 "2 JSD(p_data || p_g) - log 4 vs V(D*, G)", rtol=1e-9, atol=1e-12)


@graded(points=1, task="js_divergence")
def test_js_rejects_negative_entries(sub):
    """Does an entry below 0 (in p, then in q) raise ValueError naming the argument?"""
    good, bad = np.array([0.5, 0.5]), np.array([1.2, -0.2])
    expect_raises_value_error(named(sub, "js_divergence"), bad, good, argument="p")
    expect_raises_value_error(named(sub, "js_divergence"), good, bad, argument="q")


@graded(points=1, task="js_divergence")
def test_js_rejects_sums_other_than_one(sub):
    """Does a vector summing to 0.9 (or 1 + 1e-4) raise ValueError naming it, and 1 + 1e-8 pass?"""
    good = np.array([0.5, 0.5])
    expect_raises_value_error(named(sub, "js_divergence"), np.array([0.4, 0.5]), good, argument="p")
    expect_raises_value_error(named(sub, "js_divergence"), good, np.array([0.5, 0.5001]), argument="q")
    try:
        sub.js_divergence(np.array([0.5, 0.5 + 1e-8]), good)
    except ValueError as exc:
        raise AssertionError(f"p summing to 1 + 1e-8 is within the 1e-6 tolerance but raised "
                             f"ValueError: {exc}") from None


# ---------------------------------------------------------------- gan_value


@graded(points=2, task="gan_value")
def test_gan_value_formula(sub, seed):
    """Is V = mean log D(x) + mean log(1 - D(G(z))), for batches of different sizes?"""
    rng = np.random.default_rng(seed)
    d_real, d_fake = rng.uniform(0.05, 0.95, 7), rng.uniform(0.05, 0.95, 4)
    want = np.mean(np.log(d_real)) + np.mean(np.log(1 - d_fake))
    got = float(np.asarray(sub.gan_value(d_real, d_fake)))
    swapped = np.mean(np.log(d_fake)) + np.mean(np.log(1 - d_real))
    if abs(got - swapped) < 1e-9:
        raise AssertionError("gan_value puts log D on the fakes and log(1 - D) on the real "
                             "samples: the discriminator wants D(x) high on real data")
    expect_close(got, want, "gan_value(d_real, d_fake)", rtol=1e-9,
                 hint="take the mean of each term separately (the batches may differ in size)")


@graded(points=1, task="gan_value")
def test_gan_value_minimum_at_equilibrium(sub):
    """When D = 1/2 on every sample (p_g = p_data, D = D*), is V = -log 4?"""
    expect_close(sub.gan_value(np.full(5, 0.5), np.full(3, 0.5)), -LOG4,
                 "gan_value with D = 1/2 everywhere", rtol=1e-12)


@graded(points=2, task="gan_value")
@derandomized(50)
@given(counts=counts_strategy(2, 6))
def test_gan_value_identity_on_samples(sub, counts):
    """On samples drawn in exact proportion, is V(D*, G) = -log 4 + 2 JSD(p_data || p_g)?"""
    c_data, c_g = (np.asarray(c) for c in counts)
    p_data, p_g = c_data / c_data.sum(), c_g / c_g.sum()
    d_star = np.where(p_data + p_g > 0, p_data / np.maximum(p_data + p_g, 1e-300), 0.5)
    d_real = np.repeat(d_star, c_data)  # each point as often as its probability says
    d_fake = np.repeat(d_star, c_g)
    expect_close(sub.gan_value(d_real, d_fake), -LOG4 + 2 * js_oracle(p_data, p_g),
                 "gan_value(D*(real samples), D*(fake samples))", rtol=1e-9, atol=1e-12)
