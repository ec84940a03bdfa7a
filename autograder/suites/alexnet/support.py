"""Helpers shared by the alexnet hidden tests: a judge-side copy of the student's model
(and, at the end, the int check and Keras width oracle of the arithmetic tests).

Structure tests never read shapes, parameter counts or layer kinds from the
student's objects (the runner answers whatever the submission makes it answer).
They ask the runner for the model's JSON configuration only (no weights: a full
AlexNet holds 250 MB) and rebuild it here with stock Keras, so that every count
and shape is computed by the judge's own Keras:

- stock Keras layers are rebuilt as they are, but their weights are never
  allocated (Keras's deferred variables: shapes only), so a copy is cheap even for
  62M parameters, and for whatever size the configuration asks; the compile
  settings are dropped;
- the student's LocalResponseNormalization becomes `JudgeLRN`, the judge's own
  layer, which keeps the settings found in the student's get_config();
- any other layer the judge cannot rebuild safely (a Lambda, whose code the
  judge never runs, or another class of the student's) becomes a `StandIn` with
  the output shape and parameter count that the runner reports for it;
- activations the judge cannot rebuild (a Python function of the student's)
  become "linear", so they never pass for ReLU or softmax.
"""

from __future__ import annotations

import contextlib
import json

import keras
import numpy as np

from autograder.engine.remote import type_names

LAYER_SLOTS = ("layer", "cell", "forward_layer", "backward_layer")  # wrappers' inner layers
LAYER_LISTS = ("layers", "cells")
LRN_NAMES = ("localresponsenormalization", "lrn")
BASE_KEYS = ("name", "trainable", "dtype")  # what every layer's config holds
MAX_STANDINS = 64


@contextlib.contextmanager
def shapes_only():
    """Layers built here get variables with a shape and no value (never allocated).

    Keras registers such variables, to initialise them when the outermost stateless
    scope exits; they are forgotten instead, so that nothing ever allocates them."""
    from keras.src.backend.common import global_state

    pending = global_state.get_global_attribute("uninitialized_variables", [],
                                                set_to_default=True)
    before = len(pending)
    try:
        with keras.StatelessScope(initialize_variables=False):
            yield
    finally:
        del pending[before:]


class JudgeLRN(keras.layers.Layer):
    """The judge's LRN (tf.nn.local_response_normalization), standing for the student's.

    `settings` are the student's get_config() values as found, None when missing."""

    KEYS = ("depth_radius", "bias", "alpha", "beta")

    def __init__(self, depth_radius=None, bias=None, alpha=None, beta=None, **kwargs):
        super().__init__(**kwargs)
        self.settings = dict(depth_radius=depth_radius, bias=bias, alpha=alpha, beta=beta)

    @classmethod
    def from_config(cls, config):
        return cls(**{k: v for k, v in config.items() if k in cls.KEYS + BASE_KEYS})

    def call(self, inputs):
        import tensorflow as tf

        defaults = dict(depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)
        args = {k: defaults[k] if v is None else v for k, v in self.settings.items()}
        return tf.nn.local_response_normalization(inputs, **args)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), **self.settings}


class StandIn(keras.layers.Layer):
    """A layer the judge does not rebuild: zeros of the output shape the runner reported,
    and as many (frozen) parameters as the runner counted."""

    def __init__(self, output_shape=(), params=0, stands_for="", **kwargs):
        super().__init__(**kwargs)
        self.reported_shape = tuple(output_shape)
        self.params = int(params)
        self.stands_for = stands_for

    @classmethod
    def from_config(cls, config):
        return cls(**{k: v for k, v in config.items()
                      if k in ("output_shape", "params", "stands_for") + BASE_KEYS})

    def build(self, *args, **kwargs):
        if self.params:
            self.add_weight(shape=(self.params,), initializer="zeros", trainable=False)
        self.built = True

    def compute_output_shape(self, input_shape):
        first = input_shape[0] if input_shape and isinstance(input_shape[0], (list, tuple)) \
            else input_shape
        return (first[0], *self.reported_shape[1:])

    def call(self, inputs, *args, **kwargs):
        first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        return keras.ops.zeros((keras.ops.shape(first)[0], *self.reported_shape[1:]))

    def get_config(self):
        return {**super().get_config(), "output_shape": list(self.reported_shape),
                "params": self.params, "stands_for": self.stands_for}


def is_lrn_name(name: str) -> bool:
    name = name.lower()
    return "responsenorm" in name or name in LRN_NAMES


def _is_keras(module) -> bool:
    return isinstance(module, str) and (module == "keras" or module.startswith("keras."))


def _short_names(handle) -> list[str]:
    return [n.rsplit(".", 1)[-1] for n in type_names(handle)]


class _Copier:
    """Rewrites a model's configuration into one that stock Keras rebuilds safely."""

    def __init__(self, model, what: str):
        self.model, self.what = model, what
        self.standins = 0

    def runner_layer(self, path: list[str], name: str):
        """The student's layer `name` inside the nested models `path` (one request each)."""
        layer = self.model
        try:
            for step in [*path, name]:
                layer = layer.get_layer(step)
        except Exception as exc:  # noqa: BLE001  (whatever the student's object raises)
            raise AssertionError(f"{self.what}: the grader could not find your layer {name!r} "
                                 f"in your model ({type(exc).__name__}: {exc})") from None
        return layer

    def layer(self, node: dict, path: list[str]) -> dict:
        module, cls = node.get("module"), node.get("class_name")
        config = node.get("config") if isinstance(node.get("config"), dict) else {}
        if _is_keras(module) and cls != "Lambda":
            inner = [*path, config["name"]] if isinstance(config.get("layers"), list) \
                and isinstance(config.get("name"), str) else path
            return {**node, "config": self.config(config, inner)}
        name = config.get("name")
        if not isinstance(name, str):
            raise AssertionError(f"{self.what}: a layer of class {cls!r} in your model has no name")
        handle = None
        if not (isinstance(cls, str) and is_lrn_name(cls)):
            handle = self.runner_layer(path, name)
        if (isinstance(cls, str) and is_lrn_name(cls)) or \
                any(is_lrn_name(n) for n in _short_names(handle)):
            return {**node, "module": None, "class_name": "JudgeLRN", "registered_name": "JudgeLRN",
                    "config": {k: v for k, v in config.items() if k in JudgeLRN.KEYS + BASE_KEYS}}
        return {**node, "module": None, "class_name": "StandIn", "registered_name": "StandIn",
                "config": self.standin_config(handle, name, cls)}

    def standin_config(self, handle, name: str, cls) -> dict:
        self.standins += 1
        if self.standins > MAX_STANDINS:
            raise AssertionError(f"{self.what}: your model has more than {MAX_STANDINS} layers "
                                 "of classes the grader does not know")
        try:
            shape = tuple(handle.output.shape)
        except (AttributeError, ValueError):
            raise AssertionError(
                f"{self.what}: the grader could not tell the output shape of your layer "
                f"{name!r} ({cls}); use each layer of this kind once, or a stock Keras layer") from None
        params = handle.count_params()
        if not (0 < len(shape) <= 8 and all(d is None or (type(d) is int and 0 <= d < 2**31)
                                             for d in shape)):
            raise AssertionError(f"{self.what}: your layer {name!r} reports the output shape {shape}")
        if type(params) is not int or not 0 <= params < 2**31:
            raise AssertionError(f"{self.what}: your layer {name!r} reports {params!r} parameters")
        return {"name": name, "trainable": True, "output_shape": list(shape), "params": params,
                "stands_for": str(cls)[:100]}

    def config(self, config: dict, path: list[str]) -> dict:
        out = {}
        for key, value in config.items():
            if key == "compile_config":
                continue
            if key in LAYER_LISTS and isinstance(value, list):
                out[key] = [self.layer(v, path) if isinstance(v, dict) else v for v in value]
            elif key in LAYER_SLOTS and isinstance(value, dict) and "class_name" in value:
                out[key] = self.layer(value, path)
            else:
                out[key] = self.value(key, value, path)
        return out

    def value(self, key: str, value, path: list[str]):
        activation = key == "activation" or key.endswith("_activation")
        if key.endswith("initializer") and value is not None:
            return "zeros"  # the judge's own: the copy's weights are never computed
        if isinstance(value, list):
            return [self.value(key, v, path) for v in value]
        if not isinstance(value, dict):
            return value
        if "class_name" not in value:  # a plain dict (build_config...), or a pickled function
            return "linear" if activation else {k: self.value(k, v, path) for k, v in value.items()}
        module, cls = value.get("module"), value.get("class_name")
        safe = (_is_keras(module) and cls not in ("Lambda", "__lambda__")) or \
            (module == "builtins" and cls == "function")
        if safe:
            inner = value.get("config")
            return {**value, "config": self.config(inner, path) if isinstance(inner, dict) else inner}
        return "linear" if activation else None


def model_config(model, what: str) -> dict:
    """The model's configuration, asked of the runner as JSON text (data only)."""
    try:
        text = model.to_json()
    except Exception as exc:  # noqa: BLE001  (whatever the student's object raises)
        raise AssertionError(f"{what} should return a keras.Model whose configuration Keras can "
                             f"save (model.to_json() raised {type(exc).__name__}: {exc})") from None
    try:
        config = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        config = None
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        raise AssertionError(f"{what} should return a keras.Model; its to_json() did not give "
                             "a model configuration")
    return config


def judge_copy(model, what: str) -> keras.Model:
    """The student's model rebuilt by the judge's Keras from its configuration."""
    config = model_config(model, what)
    if not _is_keras(config.get("module")) or not isinstance(config["config"].get("layers"), list):
        raise AssertionError(f"{what} should return a keras.Model built with keras.Sequential or "
                             f"keras.Model(inputs, outputs), got a {config.get('class_name')!r}")
    top = {**config, "config": _Copier(model, what).config(config["config"], [])}
    top.pop("compile_config", None)  # only the architecture is graded from the copy
    try:
        with keras.saving.custom_object_scope({"JudgeLRN": JudgeLRN, "StandIn": StandIn}), \
                shapes_only():
            copy = keras.models.model_from_json(json.dumps(top))
    except Exception as exc:  # noqa: BLE001  (a configuration stock Keras cannot rebuild)
        raise AssertionError(f"{what}: the grader could not rebuild your model with stock Keras "
                             f"from its configuration ({type(exc).__name__}: "
                             f"{str(exc)[:300]})") from None
    if not isinstance(copy, keras.Model):
        raise AssertionError(f"{what} should return a keras.Model")
    return copy


def all_layers(model) -> list:
    """Every layer of a (judge-side) model, looking inside nested models."""
    found = []
    for layer in getattr(model, "layers", []):
        found.extend(all_layers(layer) if isinstance(layer, keras.Model) else [layer])
    return found




def as_int(value, what: str) -> int:
    """An answer that must be an int (a numpy integer will do), as a Python int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise AssertionError(f"{what} should return an int, got {type(value).__name__} {value!r}")
    return int(value)


def keras_output_width(n: int, kernel: int, stride: int, padding: str) -> int:
    """Keras's own output width of a window sliding over n positions (the judge's oracle)."""
    layer = keras.layers.MaxPooling2D(pool_size=(kernel, 1), strides=(stride, 1), padding=padding)
    return int(layer.compute_output_shape((None, n, 1, 1))[1])
