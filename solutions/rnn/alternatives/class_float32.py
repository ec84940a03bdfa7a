"""A correct rnn solution written around a small class that holds the parameters and
computes in float32 (as Keras does), with Sequential Keras models, one-hot targets and
RMSprop (the LSTM written as keras.layers.RNN around an LSTMCell), a clipper class that
sums squares entry by entry in a loop, and error messages worded its own way. It must
get full marks."""

import keras
import numpy as np


class Elman:
    """h_t = tanh(x_t U + h_{t-1} W + b), parameters stored as float32 copies."""

    def __init__(self, U, W, b):
        self.U, self.W, self.b = (np.array(a, dtype=np.float32) for a in (U, W, b))

    def step(self, x_t, h_prev):
        return np.tanh(np.asarray(x_t, np.float32) @ self.U + np.asarray(h_prev, np.float32) @ self.W
                       + self.b)

    def unroll(self, x, h0):
        x, h = np.asarray(x, np.float32), np.asarray(h0, np.float32)
        hs = np.empty(x.shape[:2] + (self.W.shape[0],), np.float32)
        for t in range(x.shape[1]):
            h = hs[:, t] = self.step(x[:, t], h)
        return hs

    def backprop(self, x, h0, hs, dhs):
        x, hs = np.asarray(x, np.float32), np.asarray(hs, np.float32)
        dhs = np.asarray(dhs, np.float32)
        previous = np.concatenate([np.asarray(h0, np.float32)[:, None], hs[:, :-1]], axis=1)
        dx = np.zeros_like(x)
        dU, dW, db = np.zeros_like(self.U), np.zeros_like(self.W), np.zeros_like(self.b)
        delta = np.zeros_like(hs[:, 0])
        for t in reversed(range(x.shape[1])):
            a = (dhs[:, t] + delta) * (1 - hs[:, t] ** 2)
            dx[:, t], delta = a @ self.U.T, a @ self.W.T
            dU += x[:, t].T @ a
            dW += previous[:, t].T @ a
            db += a.sum(0)
        return {"dx": dx, "dh0": delta, "dU": dU, "dW": dW, "db": db}


def rnn_cell_forward(x_t, h_prev, U, W, b):
    return Elman(U, W, b).step(x_t, h_prev)


def rnn_forward(x, h0, U, W, b):
    if np.ndim(x) != 3:
        raise ValueError(f"`x` should be (batch, T, input_dim); its shape is {np.shape(x)}")
    if np.shape(h0) != (np.shape(x)[0], np.shape(W)[0]):
        raise ValueError(f"`h0` should be (batch, units) = {(np.shape(x)[0], np.shape(W)[0])}; "
                         f"its shape is {np.shape(h0)}")
    cell = Elman(U, W, b)
    hs = cell.unroll(x, h0)
    return hs, (cell, np.array(x, np.float32), np.array(h0, np.float32), hs)


def rnn_backward(dhs, cache):
    cell, x, h0, hs = cache
    return cell.backprop(x, h0, hs, dhs)


ARROWS = {1: ["T2", "P3"], 2: ["S2", "X4"], 3: ["T3", "V5"], 4: ["X3", "S6"], 5: ["P4", "V6"]}


def reber_sequences(n, seed=None):
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"`n` should be a count of strings (an int >= 0), not {n!r}")
    rng = np.random.default_rng(seed)
    result = []
    while len(result) < n:
        inner, node = "B", 1
        while node != 6:
            symbol, node = ARROWS[node][rng.integers(0, 2)]
            node = int(node)
            inner += symbol
        edge = "T" if rng.random() < 0.5 else "P"  # drawn after the inner string
        result.append("B" + edge + inner + "E" + edge + "E")
    return result


def build_next_symbol_model(vocab_size=7, units=32):
    for name, value in (("vocab_size", vocab_size), ("units", units)):
        if not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"`{name}` should be a positive int, not {value!r}")
    model = keras.Sequential()
    model.add(keras.Input(shape=(None, vocab_size)))
    model.add(keras.layers.SimpleRNN(units, return_sequences=True))
    model.add(keras.layers.Dense(vocab_size, activation="softmax"))
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.005),
                  loss="categorical_crossentropy")
    return model


class GlobalNormClipper:
    """Scales gradients (as float32 copies) so that their joint norm is at most `limit`."""

    def __init__(self, limit):
        if not np.isfinite(limit) or limit <= 0:
            raise ValueError(f"`clip_norm` should be a positive number, not {limit!r}")
        self.limit = np.float32(limit)

    def __call__(self, grads):
        arrays = [np.array(g, dtype=np.float32) for g in grads]  # copies: the caller's stay as they were
        squares = np.float32(0.0)
        for a in arrays:  # one running sum over every entry of every array
            for entry in a.ravel():
                squares += entry * entry
        norm = np.sqrt(squares)
        if norm > self.limit:
            for a in arrays:
                a *= self.limit / norm
        return arrays, norm


def clip_by_global_norm(grads, clip_norm):
    return GlobalNormClipper(clip_norm)(grads)


def build_lstm_model(vocab_size=7, units=32):
    for name, value in (("vocab_size", vocab_size), ("units", units)):
        if not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"`{name}` should be a positive int, not {value!r}")
    model = keras.Sequential()
    model.add(keras.Input(shape=(None, vocab_size), dtype="float32"))
    # the generic recurrent layer around an LSTM cell: the same LSTM, written out in two parts
    model.add(keras.layers.RNN(keras.layers.LSTMCell(units), return_sequences=True))
    model.add(keras.layers.Dense(vocab_size, activation="softmax"))
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.005),
                  loss="categorical_crossentropy")
    return model
