"""A correct dbn solution in another style: the conventions of Hinton's practical
guide (mean-field visible reconstructions, sampled hidden states in the positive
statistics), Glorot-uniform initial weights, seeds spawned with SeedSequence, the
functional Keras API with constant initialisers, a one-hot loss object and Keras'
default Adam, and a Gibbs sampler counting its sweeps down in a while loop. It must
get full marks."""

import math

import keras
import numpy as np


def _logistic(x):
    x = np.clip(np.asarray(x, dtype=np.float64), -500.0, 500.0)
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x):
    x = np.asarray(x, dtype=np.float64)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _require(condition, name, expected, value):
    if not condition:
        raise ValueError(f"Invalid value for argument `{name}`: expected {expected}. "
                         f"Received: {name}={value!r}")


class RBM:
    def __init__(self, n_visible, n_hidden, learning_rate=0.1, k=1, seed=None):
        for name, value in (("n_visible", n_visible), ("n_hidden", n_hidden), ("k", k)):
            _require(isinstance(value, (int, np.integer)) and value >= 1, name,
                     "an integer >= 1", value)
        _require(learning_rate > 0, "learning_rate", "a positive number", learning_rate)
        self.n_visible = n_visible
        self.n_hidden = n_hidden
        self.learning_rate = learning_rate
        self.k = k
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        limit = math.sqrt(6.0 / (n_visible + n_hidden))
        self.W = self.rng.uniform(-limit, limit, size=(n_visible, n_hidden))
        self.b = np.zeros(n_visible)
        self.c = np.zeros(n_hidden)

    def _bernoulli(self, p):
        return np.where(self.rng.uniform(size=p.shape) < p, 1.0, 0.0)

    def hidden_probs(self, v):
        return _logistic(np.einsum("ni,ij->nj", np.asarray(v, np.float64), self.W) + self.c)

    def visible_probs(self, h):
        return _logistic(np.einsum("nj,ij->ni", np.asarray(h, np.float64), self.W) + self.b)

    def sample_hidden(self, v):
        return self._bernoulli(self.hidden_probs(v))

    def sample_visible(self, h):
        return self._bernoulli(self.visible_probs(h))

    def energy(self, v, h):
        v, h = np.asarray(v, np.float64), np.asarray(h, np.float64)
        return -(np.einsum("ni,ij,nj->n", v, self.W, h) + np.einsum("ni,i->n", v, self.b)
                 + np.einsum("nj,j->n", h, self.c))

    def free_energy(self, v):
        v = np.asarray(v, np.float64)
        return -np.einsum("ni,i->n", v, self.b) - _softplus(v @ self.W + self.c).sum(axis=1)

    def contrastive_divergence(self, v):
        data = np.asarray(v, np.float64)
        h_data = self.sample_hidden(data)  # sampled states in the positive statistics
        h = h_data
        for _ in range(self.k):
            recon = self.visible_probs(h)  # mean-field reconstruction
            h_recon = self.hidden_probs(recon)
            h = self._bernoulli(h_recon)
        batch = len(data)
        grad_W = (np.einsum("ni,nj->ij", data, h_data)
                  - np.einsum("ni,nj->ij", recon, h_recon)) / batch
        grad_b = data.mean(axis=0) - recon.mean(axis=0)
        grad_c = h_data.mean(axis=0) - h_recon.mean(axis=0)
        return grad_W, grad_b, grad_c

    def fit(self, X, epochs=10, batch_size=10):
        X = np.asarray(X, np.float64)
        indices = np.arange(len(X))
        for _ in range(epochs):
            self.rng.shuffle(indices)
            for batch in np.array_split(indices, math.ceil(len(X) / batch_size)):
                grads = self.contrastive_divergence(X[batch])
                self.W, self.b, self.c = (p + self.learning_rate * g
                                          for p, g in zip((self.W, self.b, self.c), grads))
        return self

    def reconstruction_error(self, X):
        X = np.asarray(X, np.float64)
        return float(((X - self.visible_probs(self.hidden_probs(X))) ** 2).mean())


def pretrain_dbn(X, layer_sizes, epochs=10, seed=None):
    sizes = list(layer_sizes)
    _require(len(sizes) > 0, "layer_sizes", "a non-empty list of sizes", layer_sizes)
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    stack, inputs = [], np.asarray(X, np.float64)
    for size, child in zip(sizes, seeds):
        rbm = RBM(inputs.shape[1], size, seed=int(child.generate_state(1)[0]))
        stack.append(rbm.fit(inputs, epochs=epochs))
        inputs = stack[-1].hidden_probs(inputs)
    return stack


def dbn_to_keras(rbms, num_classes):
    inputs = keras.Input(shape=(rbms[0].W.shape[0],))
    x = inputs
    for i, rbm in enumerate(rbms):
        x = keras.layers.Dense(
            rbm.W.shape[1], activation="sigmoid", name=f"rbm_{i}",
            kernel_initializer=keras.initializers.Constant(np.asarray(rbm.W, np.float32)),
            bias_initializer=keras.initializers.Constant(np.asarray(rbm.c, np.float32)),
        )(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="classes")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.CategoricalCrossentropy(),
                  metrics=["accuracy"])
    return model


def gibbs_sample(rbm, v0, n_steps):
    visible = np.array(v0, dtype=np.float64)
    _require(visible.ndim == 2 and visible.shape[1] == rbm.n_visible, "v0",
             f"an array of shape (batch, {rbm.n_visible})", visible.shape)
    _require(isinstance(n_steps, (int, np.integer)) and n_steps >= 1, "n_steps",
             "an integer >= 1", n_steps)
    remaining = n_steps
    while remaining:  # one full sweep: all hidden units in parallel, then all visible ones
        hidden = rbm.sample_hidden(visible)
        visible = rbm.sample_visible(hidden)
        remaining -= 1
    return visible
