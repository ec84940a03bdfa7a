"""The grader's own copy of a student's Keras model, for the perceptron tests.

The student's model lives where the submission runs; what it says about itself
(its shapes, its parameter count, its outputs) is not evidence. `rebuilt` fetches
its configuration and weights as data and builds the same network from stock
Keras layers here, so every property is measured on inputs and code the grader
chose. The notebook asks for `keras.Input` and `Dense` layers, which stock Keras
rebuilds exactly.
"""

from __future__ import annotations

import json
import random

import numpy as np


def rebuilt(sub, model, what: str):
    """(stock Keras copy of `model` with its weights, its compile config or None).

    AssertionError with a message for the student when the model cannot be copied.
    """
    import keras

    data = sub.model_data(model)
    config = json.loads(data["config"]) if isinstance(data, dict) and \
        isinstance(data.get("config"), str) else None
    if not isinstance(config, dict):
        raise AssertionError(f"{what} should be a Keras model, got something without a "
                             "model configuration")
    compile_config = config.pop("compile_config", None)  # compiled or not: told apart here
    # Building the copy draws throwaway initial weights, and Keras seeds its initializers
    # from Python's `random`: put the state back, so that the copy changes nothing for
    # code that runs after it in this process (a notebook's kernel, bench/).
    states = random.getstate(), np.random.get_state()
    try:
        copy = keras.models.model_from_json(json.dumps(config))
        set_weights(copy, data["weights"], what)
    except AssertionError:
        raise
    except Exception as exc:  # noqa: BLE001  (whatever the configuration holds)
        raise AssertionError(
            f"{what} could not be rebuilt from its configuration with stock Keras layers "
            f"({type(exc).__name__}: {str(exc)[:200]}). Build it from keras.Input and "
            "keras.layers.Dense as the notebook asks.") from None
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
    return copy, compile_config if isinstance(compile_config, dict) else None


def set_weights(copy, weights, what: str) -> None:
    """Load weights fetched from the student's model into the grader's copy."""
    expected = [tuple(w.shape) for w in copy.weights]
    if not isinstance(weights, list | tuple) or \
            not all(isinstance(w, np.ndarray) and w.dtype.kind == "f" for w in weights) or \
            [tuple(w.shape) for w in weights] != expected:
        raise AssertionError(f"the weights of {what} do not match its layers "
                             f"(expected float arrays of shapes {expected})")
    copy.set_weights(list(weights))


def outputs(copy, X) -> np.ndarray:
    """The copy's outputs on X, computed here, as a flat float array."""
    return np.asarray(copy(np.asarray(X, dtype="float32")), dtype=float).ravel()
