"""A correct perceptron solution built around a small scikit-learn-style class that
keeps float32 weights, with a Sequential Keras model grown by `add` and trained by SGD
with momentum, and error messages worded its own way. The pocket is a subclass that
hooks every weight vector the run holds and, on a tie, keeps the latest of the best.
It must get full marks."""

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
    return np.where(np.asarray(z) >= 0, 1, 0)


def mp_neuron(x, w, theta):
    return int(np.heaviside(np.dot(w, x) - theta, 1.0))


def predict(X, w, b):
    return step(np.asarray(X, dtype=np.float32) @ np.asarray(w, dtype=np.float32)
                + np.float32(b)).reshape(-1)


class Perceptron:
    """Online perceptron; parameters in __init__, learned state after fit (w_, b_...)."""

    def __init__(self, eta=0.1, max_epochs=100, seed=None):
        if not eta > 0:
            raise ValueError(f"`eta` must be a positive learning rate, not {eta!r}")
        if max_epochs < 1 or int(max_epochs) != max_epochs:
            raise ValueError(f"`max_epochs` must be a whole number of passes >= 1, not {max_epochs!r}")
        self.eta, self.max_epochs, self.seed = np.float32(eta), int(max_epochs), seed

    def fit(self, X, t, w_init=None, b_init=0.0):
        X = np.array(X, dtype=np.float32)  # a private copy
        t = np.array(t)
        if t.ndim != 1 or len(t) != len(X):
            raise ValueError(f"`t` needs one 0/1 target per row of X: X has {len(X)} rows, "
                             f"t has shape {np.shape(t)}")
        if w_init is None:
            self.w_ = np.random.default_rng(self.seed).uniform(-0.01, 0.01, X.shape[1]).astype(np.float32)
        else:
            self.w_ = np.array(w_init, dtype=np.float32)
        self.b_, self.n_updates_, self.converged_ = np.float32(b_init), 0, False
        self._hold(X, t)
        for self.epochs_ in range(1, self.max_epochs + 1):
            errors = 0
            for x_i, t_i in zip(X, t):
                delta = self.eta * (int(t_i) - int(x_i @ self.w_ + self.b_ >= 0))
                if delta:
                    self.w_ += delta * x_i
                    self.b_ += delta
                    errors += 1
                    self._hold(X, t)
            self.n_updates_ += errors
            if errors == 0:
                self.converged_ = True
                break
        return self

    def _hold(self, X, t):
        """Called with w_init and after every update: the weights the run holds now."""


class PocketPerceptron(Perceptron):
    """The perceptron that also keeps its best weights (pocket_w_, pocket_b_, pocket_errors_)."""

    def _hold(self, X, t):
        errors = int(np.count_nonzero((X @ self.w_ + self.b_ >= 0) != (t == 1)))
        if not hasattr(self, "pocket_errors_") or errors <= self.pocket_errors_:
            # <=: on a tie the later vector wins, which keeps the promise just as well
            self.pocket_w_, self.pocket_b_, self.pocket_errors_ = self.w_.copy(), self.b_, errors

    def fit(self, X, t, w_init=None, b_init=0.0):
        if hasattr(self, "pocket_errors_"):
            del self.pocket_errors_
        return super().fit(X, t, w_init, b_init)


def train_perceptron(X, t, eta=0.1, max_epochs=100, w_init=None, b_init=0.0, seed=None):
    p = Perceptron(eta, max_epochs, seed).fit(X, t, w_init, b_init)
    return PerceptronResult(p.w_.astype(float), float(p.b_), p.epochs_, p.n_updates_, p.converged_)


def train_pocket(X, t, eta=0.1, max_epochs=100, w_init=None, b_init=0.0, seed=None):
    p = PocketPerceptron(eta, max_epochs, seed).fit(X, t, w_init, b_init)
    return PocketResult(p.pocket_w_.astype(float), float(p.pocket_b_), p.pocket_errors_,
                        p.epochs_, p.n_updates_, p.converged_)


def logic_gate(name):
    tables = {"and": "0001", "or": "0111", "nand": "1110", "nor": "1000", "xor": "0110", "not": "10"}
    if name not in tables:
        raise ValueError(f"`name` must be one of {sorted(tables)}, not {name!r}")
    bits = tables[name]
    width = 1 if name == "not" else 2
    X = np.array([[(i >> (width - 1 - k)) & 1 for k in range(width)] for i in range(len(bits))])
    return X, np.array([int(c) for c in bits])


def xor_by_hand():
    # x1 + x2 - 0.5 >= 0 (OR), 1.5 - x1 - x2 >= 0 (NAND), then h1 + h2 - 2 >= 0 (AND)
    return (np.array([[1, -1], [1, -1]]), np.array([-0.5, 1.5]), np.array([1, 1]), -2)


def build_xor_mlp(hidden_units=4):
    if isinstance(hidden_units, bool) or not isinstance(hidden_units, int) or hidden_units < 1:
        raise ValueError(f"`hidden_units` must be a positive int, not {hidden_units!r}")
    model = keras.Sequential()
    model.add(keras.Input(shape=(2,)))
    model.add(keras.layers.Dense(hidden_units, activation="tanh"))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5, momentum=0.9),
                  loss="binary_crossentropy")
    return model
