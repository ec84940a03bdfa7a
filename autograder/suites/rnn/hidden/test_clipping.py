"""Hidden tests: clipping a list of gradients by their global norm, against tf.clip_by_global_norm."""

import numpy as np

from autograder.checks import as_array, expect_close, expect_raises_value_error, named
from autograder.marks import graded

# float32 answers are accepted: they differ from float64 by ~1e-7 relative, bugs by 1e-2 or more
CLIP_RTOL, CLIP_ATOL = 1e-5, 1e-7
SHAPES = [(3, 4), (4,), (2, 3, 2), (1, 1)]


def draw(rng, scale):
    """Gradients of several shapes and sizes (one array much larger than the others)."""
    return [rng.normal(scale=scale * (5.0 if i == 1 else 1.0), size=shape)
            for i, shape in enumerate(SHAPES)]


def tf_clip(grads, clip_norm):
    """The oracle: tf.clip_by_global_norm in float64."""
    import tensorflow as tf

    clipped, norm = tf.clip_by_global_norm([tf.constant(g) for g in grads], clip_norm)
    return [c.numpy() for c in clipped], float(norm.numpy())


def norm_of(grads) -> float:
    return float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))


def unpack(result, grads):
    """(clipped list, global_norm) from the student's answer, with clear messages."""
    try:
        clipped, global_norm = result
    except (TypeError, ValueError):
        raise AssertionError("clip_by_global_norm should return a pair (clipped, global_norm), "
                             f"got {type(result).__name__}") from None
    if not isinstance(clipped, list | tuple) or len(clipped) != len(grads):
        raise AssertionError(f"clipped should be a list of {len(grads)} arrays (one per gradient), "
                             f"got {type(clipped).__name__}"
                             + (f" of length {len(clipped)}" if isinstance(clipped, list | tuple) else ""))
    try:
        global_norm = float(np.asarray(global_norm, dtype=float))
    except (TypeError, ValueError):
        raise AssertionError(f"global_norm should be a number, got {type(global_norm).__name__}") \
            from None
    return [as_array(c, f"clipped[{i}]", dtype=float) for i, c in enumerate(clipped)], global_norm


def expect_clipped(got, want, grads, clip_norm):
    for i, (g, w) in enumerate(zip(got, want)):
        hint = "every array is multiplied by one factor, clip_norm / max(global_norm, clip_norm)"
        own = grads[i] * clip_norm / max(norm_of([grads[i]]), clip_norm)
        if g.shape == w.shape and np.allclose(g, own, rtol=CLIP_RTOL, atol=CLIP_ATOL) \
                and not np.allclose(own, w, rtol=CLIP_RTOL, atol=CLIP_ATOL):
            hint = ("each array was clipped by its own norm: the global norm of all the arrays "
                    "together decides one factor for every array (so the direction is kept)")
        expect_close(g, w, f"clipped[{i}]", rtol=CLIP_RTOL, atol=CLIP_ATOL, hint=hint)


@graded(points=2, task="clip_by_global_norm")
def test_clipped_match_tf(sub, seed):
    """When the global norm exceeds clip_norm, do the clipped arrays equal tf.clip_by_global_norm's?"""
    rng = np.random.default_rng(seed)
    for clip_norm in (1.0, 0.3, 7.5):
        grads = draw(rng, scale=1.0)
        grads = [g * (clip_norm * rng.uniform(2.0, 20.0) / norm_of(grads)) for g in grads]
        want, _ = tf_clip(grads, clip_norm)
        got, _ = unpack(sub.clip_by_global_norm([g.copy() for g in grads], clip_norm), grads)
        expect_clipped(got, want, grads, clip_norm)
        total = norm_of(got)
        assert abs(total - clip_norm) <= 1e-5 * clip_norm, \
            f"after clipping, the global norm of the arrays is {total:.6g}, expected clip_norm = " \
            f"{clip_norm}"


@graded(points=1, task="clip_by_global_norm")
def test_global_norm_matches_tf(sub, seed):
    """Is global_norm tf.clip_by_global_norm's, the norm of all entries before clipping?"""
    rng = np.random.default_rng(seed)
    for scale, clip_norm in ((3.0, 1.0), (0.01, 5.0)):
        grads = draw(rng, scale=scale)
        _, want = tf_clip(grads, clip_norm)
        _, got = unpack(sub.clip_by_global_norm([g.copy() for g in grads], clip_norm), grads)
        hint = "sqrt of the sum of the squares of every entry of every array, before clipping"
        if abs(got - want ** 2) <= 1e-5 * want ** 2:
            hint = "this is the squared norm: take the square root"
        elif abs(got - sum(norm_of([g]) for g in grads)) <= 1e-5 * want:
            hint = "this is the sum of the arrays' own norms: square every entry, sum, then sqrt"
        elif want > clip_norm and abs(got - clip_norm) <= 1e-5 * clip_norm:
            hint = "this is the norm after clipping: return the norm measured before"
        expect_close(got, want, "global_norm", rtol=CLIP_RTOL, atol=CLIP_ATOL, hint=hint)


@graded(points=1, task="clip_by_global_norm")
def test_no_clipping_below_threshold(sub, seed):
    """When the global norm is below clip_norm, are the values returned unchanged?"""
    rng = np.random.default_rng(seed)
    grads = draw(rng, scale=0.1)
    clip_norm = 4.0 * norm_of(grads)
    got, _ = unpack(sub.clip_by_global_norm([g.copy() for g in grads], clip_norm), grads)
    for i, (g, before) in enumerate(zip(got, grads)):
        expect_close(g, before, f"clipped[{i}]", rtol=CLIP_RTOL, atol=CLIP_ATOL,
                     hint="below clip_norm the factor is 1: nothing is rescaled (scaling up to "
                          "clip_norm is a bug: use clip_norm / max(global_norm, clip_norm))")


@graded(points=1, task="clip_by_global_norm")
def test_zero_gradients(sub):
    """Do all-zero gradients give zeros and a global norm of 0 (no division by zero)?"""
    grads = [np.zeros((3, 2)), np.zeros(4)]
    got, norm = unpack(sub.clip_by_global_norm([g.copy() for g in grads], 1.0), grads)
    for i, (g, before) in enumerate(zip(got, grads)):
        expect_close(g, before, f"clipped[{i}] for zero gradients", atol=0.0,
                     hint="dividing by a global norm of 0 gives NaN: use max(global_norm, clip_norm)")
    expect_close(norm, 0.0, "global_norm of zero gradients", atol=0.0)


@graded(points=1, task="clip_by_global_norm")
def test_inputs_left_unchanged(sub, seed):
    """Are the arrays in grads left unchanged, whether or not they are clipped?"""
    rng = np.random.default_rng(seed)
    for scale in (3.0, 0.01):
        grads = draw(rng, scale=scale)
        kept = [sub.keep(g) for g in grads]
        sub.clip_by_global_norm(kept, 1.0)
        for i, (before, handle) in enumerate(zip(grads, kept)):
            after = as_array(handle, f"grads[{i}] after the call")
            assert after.shape == before.shape and np.array_equal(before, after), \
                f"clip_by_global_norm changed grads[{i}] in place: return new arrays (g * factor, " \
                "not g *= factor)"


@graded(points=1, task="clip_by_global_norm")
def test_nonpositive_clip_norm_raises(sub):
    """Does clip_norm <= 0 (0 or -1) raise ValueError naming `clip_norm`?"""
    clip = named(sub, "clip_by_global_norm")
    grads = [np.ones((2, 2)), np.ones(3)]
    expect_raises_value_error(clip, grads, 0.0, argument="clip_norm")
    expect_raises_value_error(clip, grads, -1.0, argument="clip_norm")
