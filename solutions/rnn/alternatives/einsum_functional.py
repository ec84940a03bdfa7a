"""A correct rnn solution in another style: einsum and per-step lists instead of
matrix products into preallocated arrays, a dict cache, a recursive grammar walk
over a string table, and a functional Keras model with a sparse loss and the
default Adam learning rate (1e-3), and gradient clipping by einsum sums of squares
returning a tuple. It must get full marks."""

import keras
import numpy as np


def rnn_cell_forward(x_t, h_prev, U, W, b):
    pre_activation = np.einsum("bi,iu->bu", x_t, U) + np.einsum("bv,vu->bu", h_prev, W) + b
    return np.tanh(pre_activation)


def rnn_forward(x, h0, U, W, b):
    x = np.array(x, dtype=np.float64)
    h0 = np.array(h0, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"Invalid value for argument `x`: must be 3-D (batch, T, input_dim), got {x.ndim}-D")
    if h0.ndim != 2 or h0.shape[0] != x.shape[0]:
        raise ValueError(f"Invalid value for argument `h0`: must be (batch, units) with batch "
                         f"{x.shape[0]}, got {h0.shape}")
    states = [h0]
    for x_t in np.moveaxis(x, 1, 0):  # iterate over time
        states.append(rnn_cell_forward(x_t, states[-1], U, W, b))
    hs = np.stack(states[1:], axis=1)
    cache = {"x": x, "states": states, "U": np.array(U, float), "W": np.array(W, float)}
    return hs, cache


def rnn_backward(dhs, cache):
    x, states, U, W = cache["x"], cache["states"], cache["U"], cache["W"]
    grads = {"dU": np.zeros_like(U), "dW": np.zeros_like(W), "db": np.zeros(W.shape[1])}
    dx_steps = []
    carried = np.zeros_like(states[0])
    for t in range(x.shape[1] - 1, -1, -1):
        total = np.asarray(dhs)[:, t, :] + carried
        local = total * (1.0 - np.square(states[t + 1]))
        dx_steps.append(np.einsum("bu,iu->bi", local, U))
        grads["dU"] += np.einsum("bi,bu->iu", x[:, t, :], local)
        grads["dW"] += np.einsum("bv,bu->vu", states[t], local)
        grads["db"] += np.einsum("bu->u", local)
        carried = np.einsum("bu,vu->bv", local, W)
    grads["dx"] = np.stack(dx_steps[::-1], axis=1)
    grads["dh0"] = carried
    return grads


GRAMMAR = {1: "T2P3", 2: "S2X4", 3: "T3V5", 4: "X3S6", 5: "P4V6"}  # symbol, next node pairs


def walk(node, rng):
    if node == 6:
        return ""
    arrow = GRAMMAR[node][2 * int(rng.random() < 0.5):][:2]
    return arrow[0] + walk(int(arrow[1]), rng)


def reber_sequences(n, seed=None):
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"Invalid value for argument `n`: must be a non-negative int, got {n!r}")
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        wrapper = rng.choice(["T", "P"])
        out.append(f"B{wrapper}B{walk(1, rng)}E{wrapper}E")
    return out


def build_next_symbol_model(vocab_size=7, units=32):
    if units < 1:
        raise ValueError(f"Invalid value for argument `units`: must be >= 1, got {units}")
    if vocab_size < 1:
        raise ValueError(f"Invalid value for argument `vocab_size`: must be >= 1, got {vocab_size}")
    inputs = keras.Input(shape=(None, vocab_size), name="symbols")
    states = keras.layers.SimpleRNN(units, return_sequences=True, name="recurrent")(inputs)
    logits = keras.layers.Dense(vocab_size, name="logits")(states)
    probabilities = keras.layers.Activation("softmax", name="next_symbol")(logits)
    model = keras.Model(inputs, probabilities)
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=["accuracy"])
    return model


def clip_by_global_norm(grads, clip_norm):
    if clip_norm <= 0:
        raise ValueError(f"Invalid value for argument `clip_norm`: must be > 0, got {clip_norm}")
    flat = [np.ravel(np.asarray(g, dtype=float)) for g in grads]
    squared = [np.einsum("i,i->", f, f) for f in flat]
    global_norm = np.sqrt(np.sum(squared))
    factor = 1.0 if global_norm <= clip_norm else clip_norm / global_norm
    return tuple(np.multiply(g, factor, dtype=float) for g in grads), global_norm


def build_lstm_model(vocab_size=7, units=32):
    if units < 1:
        raise ValueError(f"Invalid value for argument `units`: must be >= 1, got {units}")
    if vocab_size < 1:
        raise ValueError(f"Invalid value for argument `vocab_size`: must be >= 1, got {vocab_size}")
    inputs = keras.Input(shape=(None, vocab_size), name="symbols")
    memory = keras.layers.LSTM(units, return_sequences=True, name="memory")(inputs)
    logits = keras.layers.Dense(vocab_size, name="logits")(memory)
    probabilities = keras.layers.Activation("softmax", name="next_symbol")(logits)
    model = keras.Model(inputs, probabilities)
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=["accuracy"])
    return model
