"""Helpers shared by the rnn hidden tests."""

from __future__ import annotations

import json

import numpy as np

LAYER_SLOTS = ("layer", "forward_layer", "backward_layer", "cell")  # wrappers' inner layers


def layer_configs(model, what: str) -> list[dict]:
    """Every layer of the student's model as a serialized Keras object
    ({"module", "class_name", "config"}), looking inside nested models and wrappers
    (Bidirectional, TimeDistributed). Read from the model's JSON configuration, which
    is data: the judge never relies on the runner's objects to say what they are."""
    try:
        text = model.to_json()
        config = json.loads(text) if isinstance(text, str) else None
    except Exception as exc:  # noqa: BLE001  (whatever the student's object raises)
        raise AssertionError(f"{what} should return a keras.Model whose configuration Keras can "
                             f"save (model.to_json() raised {type(exc).__name__}: {exc})") from None
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        raise AssertionError(f"{what} should return a keras.Model; its to_json() did not give a "
                             "model configuration")
    found: list[dict] = []

    def walk(node, depth=0):
        if depth > 20 or not isinstance(node, dict) or not isinstance(node.get("config"), dict):
            return
        inner = node["config"]
        for layer in inner.get("layers", []) if isinstance(inner.get("layers"), list) else []:
            if isinstance(layer, dict):
                found.append(layer)
                walk(layer, depth + 1)
        for slot in LAYER_SLOTS:
            if isinstance(inner.get(slot), dict) and "class_name" in inner[slot]:
                found.append(inner[slot])
                walk(inner[slot], depth + 1)

    walk(config)
    return found


def is_keras_layer(node: dict, class_name: str) -> bool:
    """Whether a serialized layer is Keras's own `class_name` (not a class of the student's)."""
    module = node.get("module")
    return node.get("class_name") == class_name and isinstance(module, str) and \
        (module == "keras" or module.startswith("keras."))


# ---------------------------------------------------------------- next-symbol models
# The structural checks both next-symbol models (SimpleRNN and LSTM) are graded by.


def one_hot(codes, vocab_size=7):
    return np.eye(vocab_size, dtype="float32")[np.asarray(codes)]


def predict(model, X):
    return np.asarray(model.predict(X, verbose=0, batch_size=256), dtype=float)


def expect_step_per_input(build, rng, layer: str) -> None:
    """Fresh models from build() map (batch, T, 7) to (batch, T, 7) for T = 5 and T = 13."""
    for batch, T in ((3, 5), (2, 13)):
        out = predict(build(), one_hot(rng.integers(7, size=(batch, T))))
        assert out.shape == (batch, T, 7), \
            f"input (batch={batch}, T={T}, 7) gave output {out.shape}, expected {(batch, T, 7)}: " \
            f"use {layer}(..., return_sequences=True) (one prediction per step) and an input " \
            "shape of (None, vocab_size)"


def expect_probabilities(model, rng) -> None:
    """Every output step is a probability distribution over the 7 symbols."""
    out = predict(model, 3.0 * one_hot(rng.integers(7, size=(4, 6))))
    assert out.ndim == 3, f"expected output (batch, T, 7), got shape {out.shape}"
    sums = out.sum(axis=-1)
    assert np.all(out >= -1e-6) and np.all(out <= 1 + 1e-6) and np.allclose(sums, 1, atol=1e-4), \
        f"outputs should be probabilities over the next symbol; got values in " \
        f"[{out.min():.3g}, {out.max():.3g}] with sums per step in [{sums.min():.3g}, " \
        f"{sums.max():.3g}]: end with Dense(vocab_size, activation='softmax')"


def recurrent_layers(model, what: str, layer: str) -> list[tuple[object, object]]:
    """(units, return_sequences) of every Keras `layer` (e.g. "LSTM") in the model, counting
    a keras.layers.RNN around the matching cell (e.g. RNN(LSTMCell(...))) as one."""
    found = []
    for node in layer_configs(model, what):
        config = node["config"]
        if is_keras_layer(node, layer):
            found.append((config.get("units"), config.get("return_sequences")))
        elif is_keras_layer(node, "RNN") and isinstance(config.get("cell"), dict) \
                and is_keras_layer(config["cell"], f"{layer}Cell") \
                and isinstance(config["cell"].get("config"), dict):
            found.append((config["cell"]["config"].get("units"), config.get("return_sequences")))
    return found


def expect_recurrent_layer(model, what: str, layer: str, units: int) -> None:
    """The model holds a Keras `layer` (e.g. "SimpleRNN") of `units` units returning sequences."""
    # Read from the model's configuration (data), not from the runner's objects.
    found = recurrent_layers(model, what, layer)
    assert found, f"the model has no keras.layers.{layer} layer"
    if not any(returns is True for _, returns in found):
        raise AssertionError(f"the {layer} needs return_sequences=True: the model predicts at every step")
    sizes = [size for size, _ in found]
    assert units in sizes, f"{what} has {layer} sizes {sizes}: use the `units` argument"


def expect_causal(model, rng) -> None:
    """Predictions up to step t do not change when only inputs after t change."""
    a = one_hot(rng.integers(7, size=(2, 9)))
    b = a.copy()
    b[:, 5:] = one_hot(rng.integers(7, size=(2, 4)))
    pa, pb = predict(model, a), predict(model, b)
    diff = float(np.max(np.abs(pa[:, :5] - pb[:, :5])))
    assert diff <= 1e-5, \
        f"changing only the inputs at steps 5-8 changed the predictions at steps 0-4 by " \
        f"{diff:.2g}: the next-symbol model may only read the past (no Bidirectional, no " \
        "go_backwards)"


def expect_compiled(model) -> None:
    if getattr(model, "optimizer", None) is None or not getattr(model, "loss", None):
        raise AssertionError("the model is not compiled: call model.compile(optimizer=..., loss=...)")
