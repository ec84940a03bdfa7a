"""Helpers shared by the rnn hidden tests."""

from __future__ import annotations

import json

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
