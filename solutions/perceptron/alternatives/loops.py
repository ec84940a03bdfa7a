"""A correct perceptron solution in a plain-Python style: loops, lists, the
functional Keras API and a different random initialisation. The pocket counts
training errors with loops over lists. It must get full marks."""

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
    arr = np.asarray(z, dtype=float)
    out = np.zeros(arr.shape, dtype=np.int64)
    for index in np.ndindex(arr.shape):
        out[index] = 1 if arr[index] >= 0 else 0
    return out


def mp_neuron(x, w, theta):
    total = 0.0
    for xi, wi in zip(x, w):
        total += float(wi) * float(xi)
    return 1 if total >= theta else 0


def predict(X, w, b):
    return np.array([mp_neuron(row, w, -b) for row in X], dtype=np.int64)


def train_perceptron(X, t, eta=0.1, max_epochs=100, w_init=None, b_init=0.0, seed=None):
    rows = [[float(v) for v in row] for row in np.asarray(X)]
    targets = [int(v) for v in np.asarray(t).ravel()]
    if np.asarray(X).ndim != 2:
        raise ValueError("Invalid value for argument `X`: expected a 2-D array")
    if len(targets) != len(rows) or np.asarray(t).ndim != 1:
        raise ValueError("Invalid value for argument `t`: one target per row of X")
    if eta <= 0:
        raise ValueError(f"Invalid value for argument `eta`: must be positive, got {eta}")
    if max_epochs < 1:
        raise ValueError(f"Invalid value for argument `max_epochs`: must be >= 1, got {max_epochs}")
    d = len(rows[0]) if rows else 0
    if w_init is None:
        rng = np.random.default_rng(seed)
        w = list(rng.uniform(-0.05, 0.05, size=d))
    else:
        w = [float(v) for v in w_init]
    b = float(b_init)
    updates = 0
    for epoch in range(1, max_epochs + 1):
        clean = True
        for row, target in zip(rows, targets):
            s = b
            for wi, xi in zip(w, row):
                s += wi * xi
            out = 1 if s >= 0 else 0
            if out != target:
                clean = False
                updates += 1
                delta = eta * (target - out)
                w = [wi + delta * xi for wi, xi in zip(w, row)]
                b += delta
        if clean:
            return PerceptronResult(np.array(w), b, epoch, updates, True)
    return PerceptronResult(np.array(w), b, max_epochs, updates, False)


def count_errors(rows, targets, w, b):
    wrong = 0
    for row, target in zip(rows, targets):
        s = b
        for wi, xi in zip(w, row):
            s += wi * xi
        if (1 if s >= 0 else 0) != target:
            wrong += 1
    return wrong


def train_pocket(X, t, eta=0.1, max_epochs=100, w_init=None, b_init=0.0, seed=None):
    if np.asarray(X).ndim != 2:
        raise ValueError("Invalid value for argument `X`: expected a 2-D array")
    rows = [[float(v) for v in row] for row in np.asarray(X)]
    if np.asarray(t).ndim != 1 or len(np.asarray(t)) != len(rows):
        raise ValueError("Invalid value for argument `t`: one target per row of X")
    targets = [int(v) for v in np.asarray(t)]
    if eta <= 0:
        raise ValueError(f"Invalid value for argument `eta`: must be positive, got {eta}")
    if max_epochs < 1:
        raise ValueError(f"Invalid value for argument `max_epochs`: must be >= 1, got {max_epochs}")
    d = len(rows[0]) if rows else 0
    if w_init is None:
        w = list(np.random.default_rng(seed).uniform(-0.05, 0.05, size=d))
    else:
        w = [float(v) for v in w_init]
    b = float(b_init)
    best = (count_errors(rows, targets, w, b), list(w), b)
    updates = 0
    for epoch in range(1, max_epochs + 1):
        clean = True
        for row, target in zip(rows, targets):
            s = b
            for wi, xi in zip(w, row):
                s += wi * xi
            out = 1 if s >= 0 else 0
            if out == target:
                continue
            clean = False
            updates += 1
            delta = eta * (target - out)
            w = [wi + delta * xi for wi, xi in zip(w, row)]
            b += delta
            wrong = count_errors(rows, targets, w, b)
            if wrong < best[0]:
                best = (wrong, list(w), b)
        if clean:
            return PocketResult(np.array(best[1]), best[2], best[0], epoch, updates, True)
    return PocketResult(np.array(best[1]), best[2], best[0], max_epochs, updates, False)


_GATES = {
    "and": lambda a, b: a and b,
    "or": lambda a, b: a or b,
    "nand": lambda a, b: not (a and b),
    "nor": lambda a, b: not (a or b),
    "xor": lambda a, b: a != b,
}


def logic_gate(name):
    if name == "not":
        return np.array([[0], [1]]), np.array([1, 0])
    if name not in _GATES:
        raise ValueError(f"Invalid value for argument `name`: unknown gate {name!r}")
    pairs = [(a, b) for a in (0, 1) for b in (0, 1)]
    return np.array(pairs), np.array([int(bool(_GATES[name](a, b))) for a, b in pairs])


def xor_by_hand():
    # hidden: x1 + x2 >= 1 (OR) and -x1 - x2 >= -1 (NAND); output: both (AND)
    W1 = np.array([[2.0, -2.0], [2.0, -2.0]])
    b1 = np.array([-1.0, 3.0])
    W2 = np.array([[3.0], [3.0]])
    b2 = np.array([-4.5])
    return W1, b1, W2, b2


def build_xor_mlp(hidden_units=4):
    if not isinstance(hidden_units, int) or hidden_units < 1:
        raise ValueError(f"Invalid value for argument `hidden_units`: got {hidden_units}")
    inputs = keras.Input(shape=(2,))
    hidden = keras.layers.Dense(hidden_units, activation="relu",
                                kernel_initializer="he_uniform")(inputs)
    outputs = keras.layers.Dense(1, activation="sigmoid")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.03),
                  loss=keras.losses.BinaryCrossentropy(), metrics=["binary_accuracy"])
    return model


