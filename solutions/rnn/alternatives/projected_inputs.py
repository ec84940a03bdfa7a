"""A correct rnn solution that projects all inputs at once (x @ U for every step in one
matmul) and keeps pre-activations in the cache, walks the grammar with rng.choice over a
table of arrows, and builds a functional Keras model with an explicit Softmax layer,
one-hot targets and Adam at 5e-3, and clips the gradients as one concatenated vector
split back into their shapes. It must get full marks."""

import keras
import numpy as np


def rnn_cell_forward(x_t, h_prev, U, W, b):
    z = np.matmul(x_t, U) + np.matmul(h_prev, W) + b  # (batch, units)
    return np.tanh(z)


def rnn_forward(x, h0, U, W, b):
    x, h0 = np.asarray(x, dtype=float), np.asarray(h0, dtype=float)
    if x.ndim != 3:
        raise ValueError("Invalid value for argument `x`: a 3-D array (batch, T, input_dim) "
                         f"is needed. Received: x of shape {x.shape}")
    if h0.ndim != 2 or len(h0) != len(x):
        raise ValueError("Invalid value for argument `h0`: a (batch, units) array with the batch "
                         f"size of x is needed. Received: h0 of shape {h0.shape}")
    projected = np.matmul(x, U) + b  # (batch, T, units): every step's input term at once
    h, pre, hs = h0, [], []
    for t in range(x.shape[1]):
        pre.append(projected[:, t] + h @ W)
        h = np.tanh(pre[-1])
        hs.append(h)
    hs = np.stack(hs, axis=1)
    return hs, {"x": x, "h0": h0, "U": np.asarray(U, float), "W": np.asarray(W, float), "hs": hs}


def rnn_backward(dhs, cache):
    x, h0, U, W, hs = (cache[k] for k in ("x", "h0", "U", "W", "hs"))
    dhs = np.asarray(dhs, dtype=float)
    previous = np.concatenate([h0[:, None, :], hs[:, :-1, :]], axis=1)  # h_{t-1} for each t
    da = np.zeros_like(hs)
    carry = np.zeros_like(h0)
    for t in range(hs.shape[1] - 1, -1, -1):
        da[:, t] = (dhs[:, t] + carry) * (1.0 - hs[:, t] ** 2)
        carry = da[:, t] @ W.T
    batch_time = lambda a: a.reshape(-1, a.shape[-1])  # noqa: E731  (batch * T, features)
    return {"dx": da @ U.T, "dh0": carry,
            "dU": batch_time(x).T @ batch_time(da),
            "dW": batch_time(previous).T @ batch_time(da),
            "db": da.sum(axis=(0, 1))}


NEXT = {1: (("T", 2), ("P", 3)), 2: (("S", 2), ("X", 4)), 3: (("T", 3), ("V", 5)),
        4: (("X", 3), ("S", 6)), 5: (("P", 4), ("V", 6))}


def reber_sequences(n, seed=None):
    if isinstance(n, bool) or int(n) != n or n < 0:
        raise ValueError(f"Invalid value for argument `n`: a whole number >= 0 is needed. "
                         f"Received: n={n!r}")
    rng = np.random.default_rng(seed)

    def one():
        node, path = 1, ["B"]
        while node in NEXT:
            symbol, node = NEXT[node][rng.choice(2)]
            path.append(symbol)
        return "".join(path) + "E"

    out = []
    for _ in range(int(n)):
        side = rng.choice(["T", "P"])
        out.append("".join(["B", side, one(), side, "E"]))
    return out


def build_next_symbol_model(vocab_size=7, units=32):
    if isinstance(vocab_size, bool) or int(vocab_size) != vocab_size or vocab_size < 1:
        raise ValueError(f"Invalid value for argument `vocab_size`: expected >= 1, got {vocab_size!r}")
    if isinstance(units, bool) or int(units) != units or units < 1:
        raise ValueError(f"Invalid value for argument `units`: expected >= 1, got {units!r}")
    symbols = keras.Input(shape=(None, int(vocab_size)))
    states = keras.layers.SimpleRNN(int(units), return_sequences=True)(symbols)
    scores = keras.layers.Dense(int(vocab_size))(states)
    model = keras.Model(symbols, keras.layers.Softmax(axis=-1)(scores))
    model.compile(optimizer=keras.optimizers.Adam(5e-3),
                  loss=keras.losses.CategoricalCrossentropy())
    return model


def clip_by_global_norm(grads, clip_norm):
    if not clip_norm > 0:
        raise ValueError("Invalid value for argument `clip_norm`: a positive number is needed. "
                         f"Received: clip_norm={clip_norm!r}")
    shapes = [np.shape(g) for g in grads]
    flat = np.concatenate([np.ravel(g) for g in grads]) if grads else np.zeros(0)  # one long vector
    global_norm = float(np.linalg.norm(flat))
    if global_norm > clip_norm:
        flat = flat * (clip_norm / global_norm)
    pieces = np.split(flat, np.cumsum([int(np.prod(s)) for s in shapes])[:-1])
    return [piece.reshape(shape) for piece, shape in zip(pieces, shapes)], global_norm


def build_lstm_model(vocab_size=7, units=32):
    if isinstance(vocab_size, bool) or int(vocab_size) != vocab_size or vocab_size < 1:
        raise ValueError(f"Invalid value for argument `vocab_size`: expected >= 1, got {vocab_size!r}")
    if isinstance(units, bool) or int(units) != units or units < 1:
        raise ValueError(f"Invalid value for argument `units`: expected >= 1, got {units!r}")
    symbols = keras.Input(shape=(None, int(vocab_size)))
    states = keras.layers.LSTM(int(units), return_sequences=True)(symbols)
    scores = keras.layers.Dense(int(vocab_size))(states)
    model = keras.Model(symbols, keras.layers.Softmax(axis=-1)(scores))
    model.compile(optimizer=keras.optimizers.Adam(5e-3),
                  loss=keras.losses.CategoricalCrossentropy())
    return model
