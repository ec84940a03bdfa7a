"""Hidden tests: the Fréchet distance between two Gaussians (the FID formula)."""

import numpy as np
import scipy.linalg

from autograder.checks import expect_close, expect_raises_value_error, named
from autograder.marks import graded
from autograder.suites.cgan.support import fd_oracle

TOL = 1e-4  # relative to the scale ||mu1 - mu2||^2 + Tr sigma1 + Tr sigma2
TOL_SINGULAR = 1e-3


def scale(mu1, sigma1, mu2, sigma2) -> float:
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2))


def covariance(rng, d, floor=0.3):
    """A full symmetric positive definite covariance, eigenvalues at least `floor`."""
    a = rng.normal(size=(d, d))
    return a @ a.T / d + floor * np.eye(d)


def rotation(angle):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def real_value(got, what: str) -> float:
    """The answer as a float, after checking that it is one real, finite number."""
    arr = np.asarray(got)
    if np.iscomplexobj(arr):
        raise AssertionError(f"{what} returned a complex number ({got!r}): rounding makes "
                             "tiny negative eigenvalues, whose square roots are imaginary. "
                             "Clip eigenvalues below 0 to 0 and return a real float")
    if arr.shape != () or arr.dtype.kind not in "fiu":
        raise AssertionError(f"{what} should return one real float, got {got!r}")
    value = float(arr)
    if not np.isfinite(value):
        raise AssertionError(f"{what} returned {value}: a square root of a tiny negative "
                             "eigenvalue (from rounding) gives NaN; clip eigenvalues at 0")
    return value


@graded(points=2, task="frechet_distance")
def test_fid_matches_matrix_square_root(sub, seed):
    """Is it ||mu1 - mu2||^2 + Tr(s1 + s2 - 2 (s1 s2)^(1/2)) for full covariances, 2-D to 6-D?"""
    rng = np.random.default_rng(seed)
    for d in (2, 3, 4, 6):
        mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
        s1, s2 = covariance(rng, d), covariance(rng, d)
        got = real_value(sub.frechet_distance(mu1, s1, mu2, s2), f"frechet_distance in {d}-D")
        want = fd_oracle(mu1, s1, mu2, s2)
        expect_close(got, want, f"frechet_distance of two {d}-D Gaussians", rtol=0,
                     atol=TOL * scale(mu1, s1, mu2, s2),
                     hint="||mu1 - mu2||^2 (squared) + Tr s1 + Tr s2 - 2 Tr of the MATRIX "
                          "square root of s1 s2")


@graded(points=2, task="frechet_distance")
def test_fid_non_commuting_covariances(sub):
    """For an ellipse and itself rotated, is Tr (s1 s2)^(1/2) used, not Tr s1^(1/2) s2^(1/2)?"""
    s1 = np.diag([4.0, 0.25])
    zero = np.zeros(2)
    for angle in (np.pi / 6, np.pi / 4, np.pi / 3):
        s2 = rotation(angle) @ s1 @ rotation(angle).T
        got = real_value(sub.frechet_distance(zero, s1, zero, s2), "frechet_distance")
        want = fd_oracle(zero, s1, zero, s2)
        roots = float(np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1) @ scipy.linalg.sqrtm(s2)).real)
        if abs(got - roots) < 1e-6 < abs(want - roots):
            raise AssertionError(
                f"frechet_distance for an ellipse and the same ellipse rotated by "
                f"{np.degrees(angle):.0f} degrees gives {got:.4f}, which is Tr(s1 + s2 - 2 "
                f"s1^(1/2) s2^(1/2)); the matrix square root of the product gives {want:.4f}. "
                "(s1 s2)^(1/2) equals s1^(1/2) s2^(1/2) only when s1 and s2 commute")
        expect_close(got, want, f"frechet_distance for an ellipse and itself rotated by "
                     f"{np.degrees(angle):.0f} degrees", rtol=0, atol=TOL * np.trace(s1) * 2,
                     hint="take the trace of the matrix square root of s1 s2, e.g. the sum of "
                          "sqrt of the eigenvalues of s1^(1/2) s2 s1^(1/2)")


@graded(points=1, task="frechet_distance")
def test_fid_zero_for_identical_gaussians(sub):
    """Is a Gaussian's distance to itself a real float in [0, 1e-4 x scale], never below 0 from rounding?"""
    rng = np.random.default_rng(2017)
    for trial in range(20):
        d = 2 + trial % 5
        mu, s = rng.normal(size=d), covariance(rng, d, floor=0.01 * (trial % 3))
        got = real_value(sub.frechet_distance(mu, s, mu.copy(), s.copy()),
                         f"frechet_distance(mu, s, mu, s) in {d}-D")
        if got < 0:
            raise AssertionError(f"frechet_distance of a {d}-D Gaussian with itself is {got!r}, "
                                 "below 0: rounding can make the formula slightly negative, "
                                 "but a distance is never; return max(value, 0.0)")
        assert got <= TOL * 2 * np.trace(s), \
            f"frechet_distance of a {d}-D Gaussian with itself is {got:.3g}, expected 0"


@graded(points=1, task="frechet_distance")
def test_fid_symmetric(sub, seed):
    """Is the distance the same with the two Gaussians swapped, for covariances that do not commute?"""
    rng = np.random.default_rng(seed)
    mu1, mu2 = rng.normal(size=4), rng.normal(size=4)
    s1, s2 = covariance(rng, 4), covariance(rng, 4)
    forward = real_value(sub.frechet_distance(mu1, s1, mu2, s2), "frechet_distance(mu1, s1, mu2, s2)")
    backward = real_value(sub.frechet_distance(mu2, s2, mu1, s1), "frechet_distance(mu2, s2, mu1, s1)")
    expect_close(backward, forward, "frechet_distance with the Gaussians swapped", rtol=0,
                 atol=TOL * scale(mu1, s1, mu2, s2),
                 hint="the Fréchet distance is symmetric; Tr (s1 s2)^(1/2) = Tr (s2 s1)^(1/2)")


@graded(points=1, task="frechet_distance")
def test_fid_diagonal_closed_form(sub, seed):
    """For diagonal covariances a and b, is the distance ||mu1 - mu2||^2 + sum (sqrt a - sqrt b)^2?"""
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.1, 4.0, 5), rng.uniform(0.1, 4.0, 5)
    mu1, mu2 = rng.normal(size=5), rng.normal(size=5)
    got = real_value(sub.frechet_distance(mu1, np.diag(a), mu2, np.diag(b)), "frechet_distance")
    want = float(np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2))
    expect_close(got, want, "frechet_distance of two Gaussians with diagonal covariances",
                 rtol=0, atol=TOL * scale(mu1, np.diag(a), mu2, np.diag(b)),
                 hint="per coordinate a + b - 2 sqrt(a b) = (sqrt a - sqrt b)^2: the factor 2 "
                      "on the trace of the square root matters")


@graded(points=1, task="frechet_distance")
def test_fid_translation(sub, seed):
    """With equal covariances and means apart by a vector of length 3, is the distance ||mu1 - mu2||^2 = 9?"""
    rng = np.random.default_rng(seed)
    s = covariance(rng, 3)
    shift = rng.normal(size=3)
    shift *= 3.0 / np.linalg.norm(shift)
    mu1 = rng.normal(size=3)
    got = real_value(sub.frechet_distance(mu1, s, mu1 + shift, s.copy()), "frechet_distance")
    if abs(got - 3.0) < 1e-3:
        raise AssertionError("frechet_distance of two Gaussians with equal covariances and means "
                             "3 apart is 3.0: the mean term is the SQUARED distance "
                             "||mu1 - mu2||^2 = 9")
    expect_close(got, 9.0, "frechet_distance of a Gaussian and its translate by a vector of "
                 "length 3", rtol=0, atol=TOL * (9.0 + 2 * np.trace(s)))


@graded(points=2, task="frechet_distance")
def test_fid_singular_covariances(sub, seed):
    """With rank-1 covariances (eigenvalues 0 that round below 0), is it a real, finite, right float?"""
    rng = np.random.default_rng(seed)
    for d in (3, 4, 5):
        u, v = rng.normal(size=d), rng.normal(size=d)
        mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
        s1, s2 = np.outer(u, u), np.outer(v, v)
        got = real_value(sub.frechet_distance(mu1, s1, mu2, s2),
                         f"frechet_distance with rank-1 covariances in {d}-D")
        # (u u^T)(v v^T) has one non-zero eigenvalue (u.v)^2: Tr of the root is |u.v|.
        want = float(np.sum((mu1 - mu2) ** 2) + u @ u + v @ v - 2 * abs(u @ v))
        expect_close(got, want, f"frechet_distance with rank-1 covariances in {d}-D", rtol=0,
                     atol=TOL_SINGULAR * scale(mu1, s1, mu2, s2),
                     hint="eigenvalues that should be 0 come out as about -1e-16: clip them "
                          "to 0 before the square root")


@graded(points=1, task="frechet_distance")
def test_fid_rejects_shape_mismatch(sub):
    """Does a wrong shape of mu1 (not 1-D), mu2, sigma1 or sigma2 raise ValueError naming it?"""
    fd = named(sub, "frechet_distance")
    mu, s = np.zeros(3), np.eye(3)
    expect_raises_value_error(fd, np.zeros((3, 1)), s, mu, s, argument="mu1")
    expect_raises_value_error(fd, mu, s, np.zeros(4), s, argument="mu2")
    expect_raises_value_error(fd, mu, np.eye(4), mu, s, argument="sigma1")
    expect_raises_value_error(fd, mu, s, mu, np.ones((3, 4)), argument="sigma2")


@graded(points=1, task="frechet_distance")
def test_fid_leaves_inputs_unchanged(sub, seed):
    """Are mu1, sigma1, mu2 and sigma2 left unchanged by the call?"""
    rng = np.random.default_rng(seed)
    originals = [rng.normal(size=3), covariance(rng, 3), rng.normal(size=3),
                 covariance(rng, 3, floor=0.0)]
    handles = [sub.keep(a.copy()) for a in originals]
    sub.frechet_distance(*handles)
    for name, handle, original in zip(("mu1", "sigma1", "mu2", "sigma2"), handles, originals):
        after = np.asarray(handle)
        assert after.shape == original.shape and np.array_equal(after, original), \
            f"frechet_distance changed its argument {name} in place; work on a copy"
