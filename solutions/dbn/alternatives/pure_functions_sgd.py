"""A correct dbn solution whose RBM is a thin shell over module-level pure functions
(each takes the parameters it needs), with minibatches from a generator that slices a
shuffled index, sampled visible reconstructions, an einsum energy, recursion for the
greedy stack, and a Sequential Keras classifier whose Dense layers are given their
weights through constant initialisers, compiled with SGD and momentum, and a Gibbs
sampler folding a pure step function over the steps with functools.reduce. Error
messages are worded its own way. It must get full marks."""

import functools

import keras
import numpy as np


def logistic(x):
    x = np.asarray(x, dtype=float)
    return np.exp(-np.logaddexp(0.0, -x))  # 1 / (1 + exp(-x)) without overflow


def up(v, W, c):
    return logistic(np.asarray(v, dtype=float) @ W + c)


def down(h, W, b):
    return logistic(np.asarray(h, dtype=float) @ W.T + b)


def bernoulli(p, rng):
    return (rng.uniform(size=np.shape(p)) < p).astype(float)


def cd_estimate(v0, W, b, c, k, rng):
    """Positive minus negative statistics of CD-k, averaged over the rows of v0."""
    p0 = up(v0, W, c)
    h, v = bernoulli(p0, rng), v0
    for _ in range(k):
        v = bernoulli(down(h, W, b), rng)  # sampled reconstruction
        pk = up(v, W, c)
        h = bernoulli(pk, rng)
    n = len(v0)
    return (v0.T @ p0 - v.T @ pk) / n, (v0 - v).mean(axis=0), (p0 - pk).mean(axis=0)


def batches(n, batch_size, rng):
    index = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield index[start:start + batch_size]


class RBM:
    def __init__(self, n_visible, n_hidden, learning_rate=0.1, k=1, seed=None):
        for name, value in (("n_visible", n_visible), ("n_hidden", n_hidden), ("k", k)):
            if isinstance(value, bool) or not float(value).is_integer() or value < 1:
                raise ValueError(f"`{name}` has to be a whole number of at least 1, not {value!r}")
        if not learning_rate > 0:
            raise ValueError(f"`learning_rate` has to be positive, not {learning_rate!r}")
        self.n_visible, self.n_hidden, self.k = int(n_visible), int(n_hidden), int(k)
        self.learning_rate, self.seed = learning_rate, seed
        self.rng = np.random.default_rng(seed)
        self.W = 0.01 * self.rng.standard_normal((self.n_visible, self.n_hidden))
        self.b, self.c = np.zeros(self.n_visible), np.zeros(self.n_hidden)

    def hidden_probs(self, v):
        return up(v, self.W, self.c)

    def visible_probs(self, h):
        return down(h, self.W, self.b)

    def sample_hidden(self, v):
        return bernoulli(self.hidden_probs(v), self.rng)

    def sample_visible(self, h):
        return bernoulli(self.visible_probs(h), self.rng)

    def energy(self, v, h):
        v, h = np.asarray(v, dtype=float), np.asarray(h, dtype=float)
        return -np.einsum("bi,ij,bj->b", v, self.W, h) - v @ self.b - h @ self.c

    def free_energy(self, v):
        v = np.asarray(v, dtype=float)
        return -v @ self.b - np.logaddexp(0.0, v @ self.W + self.c).sum(axis=1)

    def contrastive_divergence(self, v):
        return cd_estimate(np.array(v, dtype=float), self.W, self.b, self.c, self.k, self.rng)

    def fit(self, X, epochs=10, batch_size=10):
        X = np.asarray(X, dtype=float)
        for _ in range(epochs):
            for rows in batches(len(X), int(batch_size), self.rng):
                dW, db, dc = self.contrastive_divergence(X[rows])
                self.W, self.b, self.c = (self.W + self.learning_rate * dW,
                                          self.b + self.learning_rate * db,
                                          self.c + self.learning_rate * dc)
        return self

    def reconstruction_error(self, X):
        X = np.asarray(X, dtype=float)
        return float(((X - self.visible_probs(self.hidden_probs(X))) ** 2).mean())


def pretrain_dbn(X, layer_sizes, epochs=10, seed=None):
    sizes = list(layer_sizes)
    if not sizes:
        raise ValueError("`layer_sizes` has to list at least one hidden size, not []")
    data = np.asarray(X, dtype=float)
    rbm = RBM(data.shape[1], sizes[0], seed=None if seed is None else seed * 7919 + len(sizes))
    rbm.fit(data, epochs=epochs)
    if len(sizes) == 1:
        return [rbm]
    rest = pretrain_dbn(rbm.hidden_probs(data), sizes[1:], epochs,
                        None if seed is None else seed + 1)
    return [rbm] + rest


def dbn_to_keras(rbms, num_classes):
    model = keras.Sequential([keras.Input(shape=(np.shape(rbms[0].W)[0],))])
    for rbm in rbms:
        W, c = np.asarray(rbm.W), np.asarray(rbm.c)
        model.add(keras.layers.Dense(W.shape[1], activation="sigmoid",
                                     kernel_initializer=keras.initializers.Constant(W),
                                     bias_initializer=keras.initializers.Constant(c)))
    model.add(keras.layers.Dense(num_classes, activation="softmax"))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy")
    return model


def gibbs_step(v, W, b, c, rng):
    """One sweep of the chain: h ~ p(h | v), then v ~ p(v | h)."""
    return bernoulli(down(bernoulli(up(v, W, c), rng), W, b), rng)


def gibbs_sample(rbm, v0, n_steps):
    if isinstance(n_steps, bool) or not float(n_steps).is_integer() or n_steps < 1:
        raise ValueError(f"`n_steps` has to be a whole number of at least 1, not {n_steps!r}")
    if np.ndim(v0) != 2 or np.shape(v0)[1] != np.shape(rbm.W)[0]:
        raise ValueError(f"`v0` has to be (batch, {np.shape(rbm.W)[0]}), not {np.shape(v0)}")
    return functools.reduce(lambda v, _: gibbs_step(v, rbm.W, rbm.b, rbm.c, rbm.rng),
                            range(int(n_steps)), np.array(v0, dtype=float))
