"""Hidden tests: the pocket algorithm (Gallant 1990) on data no line separates.

The promise graded: the pocket's training error never exceeds that of any weight
vector the run has held. From a given w_init the perceptron rule decides every one of
those vectors, so the grader replays the run here, counts the training errors of each
vector it held (w_init and the weights after every update) and compares. The data have
small integer coordinates and eta is 1 or 1/2, so every score is computed exactly in
float32 and float64 alike: a solution in either precision holds the very same vectors.
"""

import numpy as np

from autograder.checks import expect_close, expect_equal, expect_raises_value_error, fmt
from autograder.engine.remote import type_name
from autograder.marks import graded

ETA, EPOCHS = 1.0, 20


def training_errors(X, t, w, b) -> int:
    """Samples of X that step(X @ w + b) gets wrong."""
    return int(np.sum((X @ np.asarray(w, dtype=float) + float(b) >= 0).astype(int) != t))


def replay(X, t, eta, max_epochs, w, b):
    """The grader's own online perceptron run from (w, b).

    Returns (held, epoch_ends, epochs, n_updates, converged): held lists every weight
    vector of the run as (w, b), w_init first, then the weights after each update;
    epoch_ends holds the index in `held` of the vector in place at the end of each pass.
    """
    w, b = np.array(w, dtype=float), float(b)
    held, epoch_ends = [(w, b)], []
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for x_i, t_i in zip(X, t):
            error = t_i - int(x_i @ w + b >= 0)
            if error:
                w, b = w + eta * error * x_i, b + eta * error
                held.append((w, b))
                mistakes += 1
        epoch_ends.append(len(held) - 1)
        if not mistakes:
            return held, epoch_ends, epoch, len(held) - 1, True
    return held, epoch_ends, max_epochs, len(held) - 1, False


def noisy(rng, n=50, flip=0.15):
    """n points with integer coordinates in [-6, 6]^2, labelled by a random integer line,
    with about `flip` of the labels flipped. Returns X, t and the line (w, b)."""
    w_line = np.zeros(2)
    while not w_line.any():
        w_line = rng.integers(-3, 4, size=2).astype(float)
    b_line = float(rng.integers(-3, 4))
    X = rng.integers(-6, 7, size=(n, 2)).astype(float)
    t = (X @ w_line + b_line >= 0).astype(int)
    return X, np.where(rng.random(n) < flip, 1 - t, t), (w_line, b_line)


def where_pocket_matters(rng):
    """Noisy data on which a run from zero weights (eta = 1, 20 epochs) never converges,
    ends worse than its best vector, and holds its best vectors only in the middle of a
    pass (never at the start or at the end of one). Returns X, t and the replay."""
    while True:
        X, t, _ = noisy(rng)
        run = replay(X, t, ETA, EPOCHS, np.zeros(2), 0.0)
        errors = np.array([training_errors(X, t, w, b) for w, b in run[0]])
        best = set(np.flatnonzero(errors == errors.min()).tolist())
        if not run[4] and not best & {0, *run[1]}:
            return X, t, run, errors


def unpack(res):
    try:
        w, b, errors, epochs, n_updates, converged = res
    except (TypeError, ValueError):
        raise AssertionError(
            "train_pocket should return PocketResult(w, b, errors, epochs, n_updates, "
            f"converged), got {type_name(res)}") from None
    try:
        w = np.asarray(w, dtype=float)
        ok = w.shape == (2,) and np.ndim(b) == 0 and np.ndim(errors) == 0 and \
            float(errors).is_integer()
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise AssertionError(
            f"PocketResult should hold w of shape (2,) here, a scalar b and an integer "
            f"count of errors, got w {fmt(w)}, b {fmt(b)}, errors {fmt(errors)}")
    return w, float(b), int(errors), int(epochs), int(n_updates), bool(converged)


def pocket(sub, X, t, **kwargs):
    return unpack(sub.train_pocket(X, t, **{"eta": ETA, "max_epochs": EPOCHS,
                                            "w_init": np.zeros(2), "b_init": 0.0, **kwargs}))


@graded(points=3, task="train_pocket")
def test_pocket_has_fewest_errors_of_all_held(sub, seed):
    """On noisy data, are the pocket's training errors <= those of every vector the run held?"""
    rng = np.random.default_rng(seed)
    for trial in range(6):
        X, t, run, errors = where_pocket_matters(rng)
        w, b, *_ = pocket(sub, X, t)
        got = training_errors(X, t, w, b)
        assert got <= errors.min(), (
            f"trial {trial}: your pocket (w={fmt(w)}, b={b:g}) misclassifies {got} of {len(t)} "
            f"samples, but the run held a vector with only {errors.min()} errors (its final "
            f"weights have {errors[-1]}). Check the training error after every single update, "
            "not once per epoch, and replace the pocket whenever it is beaten (not on the "
            "longest run of correct answers)")


@graded(points=2, task="train_pocket")
def test_errors_counts_mistakes_of_the_pocket(sub, seed):
    """Is `errors` the number of training samples that the returned (w, b) misclassifies?"""
    rng = np.random.default_rng(seed + 1)
    for trial in range(4):
        X, t, *_ = where_pocket_matters(rng)
        w, b, errors, *_ = pocket(sub, X, t)
        actual = training_errors(X, t, w, b)
        assert errors == actual, (
            f"trial {trial}: errors={errors}, but the returned w={fmt(w)}, b={b:g} "
            f"misclassify {actual} of {len(t)} samples. Count the errors of the vector you "
            "keep (after the update, not before it), and store a copy of it: an array "
            "updated in place changes the pocket too")


@graded(points=2, task="train_pocket")
def test_pocket_is_a_vector_the_run_held(sub, seed):
    """Is the pocket one of the weight vectors the run held, not a blend or a new vector?"""
    rng = np.random.default_rng(seed + 2)
    for trial in range(4):
        X, t, run, _ = where_pocket_matters(rng)
        w, b, *_ = pocket(sub, X, t, eta=0.5)  # eta = 1/2: the run is the eta = 1 run halved
        held = [(hw / 2, hb / 2) for hw, hb in run[0]]
        if not any(np.allclose(w, hw, rtol=1e-9, atol=1e-9) and abs(b - hb) <= 1e-9
                   for hw, hb in held):
            raise AssertionError(
                f"trial {trial}: the pocket w={fmt(w)}, b={b:g} is none of the {len(held)} "
                "weight vectors the perceptron held in this run. Keep a copy of (w, b) as "
                "they are right after an update (or w_init, b_init), both from the same moment")


@graded(points=2, task="train_pocket")
def test_pocket_beats_the_final_weights(sub, seed):
    """Where the run ends worse than its best vector, does the pocket beat the final weights?"""
    X, t, run, errors = where_pocket_matters(np.random.default_rng(seed + 3))
    w, b, *_ = pocket(sub, X, t)
    got = training_errors(X, t, w, b)
    assert got < errors[-1], (
        f"the perceptron's final weights misclassify {errors[-1]} of {len(t)} samples and "
        f"your pocket {got}, though the run held a vector with {errors.min()}: return the "
        "pocket, not the weights the run ended with, and pocket the fewest errors")


@graded(points=1, task="train_pocket")
def test_run_follows_the_perceptron_rule(sub, seed):
    """Are epochs, n_updates and converged those of the perceptron rule (noisy and separable data)?"""
    rng = np.random.default_rng(seed + 4)
    for trial in range(4):
        X, t, _ = noisy(rng, flip=0.15 if trial % 2 else 0.0)
        want = replay(X, t, ETA, EPOCHS, np.zeros(2), 0.0)[2:]
        got = pocket(sub, X, t)[3:]
        expect_equal(got, want, f"trial {trial}: (epochs, n_updates, converged)",
                     hint="run train_perceptron's rule unchanged: samples in the given order, "
                          "stop after the first pass without a mistake")


@graded(points=2, task="train_pocket")
def test_separable_pocket_is_the_converged_perceptron(sub, seed):
    """On separable data, is the pocket the converged final (w, b), with errors=0, converged=True?"""
    rng = np.random.default_rng(seed + 5)
    for trial in range(3):
        converged = False
        while not converged:  # labels from a line, so separable: almost always within 200 epochs
            X, t, _ = noisy(rng, flip=0.0)
            held, _, _, _, converged = replay(X, t, ETA, 200, np.zeros(2), 0.0)
        w, b, errors, _, _, got_converged = pocket(sub, X, t, max_epochs=200)
        assert got_converged and errors == 0, (
            f"trial {trial}: separable data should end converged with errors=0, got "
            f"converged={got_converged}, errors={errors}")
        expect_close(w, held[-1][0], f"trial {trial}: pocket w", rtol=1e-12)
        expect_close(b, held[-1][1], f"trial {trial}: pocket b", rtol=1e-12,
                     hint="the only vector without errors is the one the run converged to")


@graded(points=1, task="train_pocket")
def test_w_init_can_be_the_pocket(sub, seed):
    """When w_init has fewer training errors than every later vector, is w_init the pocket?"""
    rng = np.random.default_rng(seed + 6)
    while True:
        X, t, (w0, b0) = noisy(rng)
        held = replay(X, t, ETA, EPOCHS, w0, b0)[0]
        errors = [training_errors(X, t, w, b) for w, b in held]
        if len(held) > 1 and errors[0] < min(errors[1:]):
            break
    w, b, got_errors, *_ = pocket(sub, X, t, w_init=w0.copy(), b_init=b0)  # w0 kept to compare
    assert np.array_equal(w, w0) and b == b0 and got_errors == errors[0], (
        f"w_init={fmt(w0)}, b_init={b0:g} misclassify {errors[0]} samples and every later "
        f"vector more, yet the pocket is w={fmt(w)}, b={b:g} with errors={got_errors}. "
        "Put (w_init, b_init) and their errors in the pocket before the first update")


@graded(points=1, task="train_pocket")
def test_pocket_inputs_not_modified(sub, seed):
    """Are X, t and w_init left unchanged by train_pocket?"""
    X, t, _ = noisy(np.random.default_rng(seed + 7))
    w0 = np.array([1.0, -1.0])
    kept = [sub.keep(a.copy()) for a in (X, t, w0)]
    sub.train_pocket(*kept[:2], eta=0.5, max_epochs=5, w_init=kept[2], b_init=0.0)
    expect_equal(np.asarray(kept[0]), X, "X after train_pocket")
    expect_equal(np.asarray(kept[1]), t, "t after train_pocket")
    expect_equal(np.asarray(kept[2]), w0, "w_init after train_pocket",
                 hint="copy w_init (np.array(w_init, dtype=float)) before updating it in place")


@graded(points=1, task="train_pocket")
def test_pocket_seed_decides_initial_weights(sub, seed):
    """With w_init=None, does the same seed give the same pocket twice?"""
    X, t, _ = noisy(np.random.default_rng(seed + 8), n=20)
    runs = [unpack(sub.train_pocket(X, t, eta=0.5, max_epochs=3, seed=11)) for _ in range(2)]
    expect_close(runs[1][0], runs[0][0], "pocket w from two runs with seed=11", rtol=0, atol=0,
                 hint="draw the initial weights from np.random.default_rng(seed)")


@graded(points=1, task="train_pocket")
def test_pocket_invalid_arguments(sub):
    """Do a non-positive eta, max_epochs < 1 and mismatched t raise ValueError naming them?"""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = np.array([0, 1, 1, 0])
    expect_raises_value_error(sub.train_pocket, X, t, eta=-1.0, argument="eta")
    expect_raises_value_error(sub.train_pocket, X, t, max_epochs=0, argument="max_epochs")
    expect_raises_value_error(sub.train_pocket, X, t[:3], argument="t")
