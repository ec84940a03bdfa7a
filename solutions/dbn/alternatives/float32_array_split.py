"""A correct dbn solution in another style: float32 throughout (initial parameters,
data, samples and updates), each epoch's shuffled rows cut by np.array_split into
ceil(n / batch_size) minibatches of nearly equal size (none above batch_size), a
logistic on clipped activations, visible reconstructions from probabilities, child
seeds drawn from one generator, and a Keras model whose layers get their weights
after the whole model is built, compiled with RMSprop and a sparse loss object, and
a float32 Gibbs sampler that draws straight from rbm.rng. It must get full marks."""

import math

import keras
import numpy as np

DTYPE = np.float32


def _positive_int(name, value):
    if not float(value).is_integer() or value < 1:
        raise ValueError(f"`{name}` must be an integer >= 1, got {value!r}")
    return int(value)


def _logistic(x):
    x = np.clip(x, -80.0, 80.0)  # exp(88) overflows float32
    return 1.0 / (1.0 + np.exp(-x))


class RBM:
    def __init__(self, n_visible, n_hidden, learning_rate=0.1, k=1, seed=None):
        self.n_visible = _positive_int("n_visible", n_visible)
        self.n_hidden = _positive_int("n_hidden", n_hidden)
        self.k = _positive_int("k", k)
        if not learning_rate > 0:
            raise ValueError(f"`learning_rate` must be > 0, got {learning_rate!r}")
        self.learning_rate = DTYPE(learning_rate)
        self.rng = np.random.default_rng(seed)
        self.W = self.rng.standard_normal((self.n_visible, self.n_hidden), dtype=DTYPE) * DTYPE(0.01)
        self.b = np.zeros(self.n_visible, dtype=DTYPE)
        self.c = np.zeros(self.n_hidden, dtype=DTYPE)

    def _draw(self, p):
        return (self.rng.random(np.shape(p), dtype=DTYPE) < p).astype(DTYPE)

    def hidden_probs(self, v):
        return _logistic(np.matmul(np.asarray(v, DTYPE), self.W) + self.c)

    def visible_probs(self, h):
        return _logistic(np.matmul(np.asarray(h, DTYPE), self.W.T) + self.b)

    def sample_hidden(self, v):
        return self._draw(self.hidden_probs(v))

    def sample_visible(self, h):
        return self._draw(self.visible_probs(h))

    def energy(self, v, h):
        v, h = np.asarray(v, DTYPE), np.asarray(h, DTYPE)
        return -np.einsum("bi,ij,bj->b", v, self.W, h) - v @ self.b - h @ self.c

    def free_energy(self, v):
        v = np.asarray(v, DTYPE)
        return -(v @ self.b) - np.logaddexp(0, np.matmul(v, self.W) + self.c).sum(axis=1)

    def contrastive_divergence(self, v):
        positive = np.asarray(v, DTYPE)
        p_first = self.hidden_probs(positive)
        hidden = self._draw(p_first)
        for _ in range(self.k):
            negative = self.visible_probs(hidden)  # mean-field reconstruction
            p_last = self.hidden_probs(negative)
            hidden = self._draw(p_last)
        rows = DTYPE(len(positive))
        grad_W = (positive.T @ p_first - negative.T @ p_last) / rows
        grad_b = (positive - negative).mean(axis=0)
        grad_c = (p_first - p_last).mean(axis=0)
        return grad_W, grad_b, grad_c

    def fit(self, X, epochs=10, batch_size=10):
        X = np.asarray(X, DTYPE)
        pieces = math.ceil(len(X) / _positive_int("batch_size", batch_size))
        for _ in range(int(epochs)):
            for batch in np.array_split(self.rng.permutation(len(X)), pieces):
                grad_W, grad_b, grad_c = self.contrastive_divergence(X[batch])
                self.W = (self.W + self.learning_rate * grad_W).astype(DTYPE)
                self.b = (self.b + self.learning_rate * grad_b).astype(DTYPE)
                self.c = (self.c + self.learning_rate * grad_c).astype(DTYPE)
        return self

    def reconstruction_error(self, X):
        X = np.asarray(X, DTYPE)
        return float(np.square(X - self.visible_probs(self.hidden_probs(X))).mean())


def pretrain_dbn(X, layer_sizes, epochs=10, seed=None):
    if not len(layer_sizes):
        raise ValueError("`layer_sizes` must name at least one layer")
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=len(layer_sizes))
    data, stack = np.asarray(X, DTYPE), []
    for size, layer_seed in zip(layer_sizes, seeds):
        rbm = RBM(data.shape[1], size, seed=int(layer_seed)).fit(data, epochs=epochs)
        stack.append(rbm)
        data = rbm.hidden_probs(data)
    return stack


def dbn_to_keras(rbms, num_classes):
    model = keras.Sequential([keras.Input(shape=(len(rbms[0].b),))]
                             + [keras.layers.Dense(len(r.c), activation="sigmoid") for r in rbms]
                             + [keras.layers.Dense(num_classes, activation="softmax")])
    for layer, rbm in zip(model.layers, rbms):
        layer.set_weights([np.asarray(rbm.W, DTYPE), np.asarray(rbm.c, DTYPE)])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.002),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    return model


def gibbs_sample(rbm, v0, n_steps):
    start = np.array(v0, dtype=DTYPE)  # float32 copy
    if start.ndim != 2 or start.shape[1] != np.shape(rbm.W)[0]:
        raise ValueError(f"`v0` must have shape (batch, {np.shape(rbm.W)[0]}), got {start.shape}")
    steps = _positive_int("n_steps", n_steps)
    W, b, c = (np.asarray(p, DTYPE) for p in (rbm.W, rbm.b, rbm.c))
    v = start
    for _ in range(steps):
        h = (rbm.rng.random((len(v), W.shape[1]), dtype=DTYPE) < _logistic(v @ W + c)).astype(DTYPE)
        v = (rbm.rng.random(v.shape, dtype=DTYPE) < _logistic(h @ W.T + b)).astype(DTYPE)
    return v
