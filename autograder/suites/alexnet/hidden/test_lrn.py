"""Hidden tests: the local response normalisation layer.

The oracle is tf.nn.local_response_normalization. At the paper's settings on
unit-scale inputs a wrong LRN (alpha divided by n, a spatial window) differs by only
~5e-4, so the comparisons use large activations and alpha = 1.
"""

import numpy as np
import pytest

from autograder.checks import expect_close, expect_raises_value_error, named, rel_error
from autograder.engine.remote import type_names
from autograder.marks import graded

SETTINGS = [
    dict(depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75),  # the paper
    dict(depth_radius=1, bias=1.0, alpha=1.0, beta=0.5),
    dict(depth_radius=3, bias=0.5, alpha=0.3, beta=1.0),
    dict(depth_radius=0, bias=1.0, alpha=2.0, beta=0.75),
]


ALPHA_OVER_N = "alpha seems divided by n = 2r + 1 (Caffe's convention); TensorFlow multiplies the sum by it"
SPATIAL_WINDOW = "the window runs along the width axis: sum over neighbouring channels (the last axis)"


def tf_lrn(x, **args):
    import tensorflow as tf

    return tf.nn.local_response_normalization(np.asarray(x, "float32"), **args).numpy()


SYMBOLIC = "compute with keras.ops on the symbolic tensor (batch size None while building)"


def student_lrn(sub, x, **args):
    return np.asarray(sub.LocalResponseNormalization(**args)(np.asarray(x, "float32")), dtype=float)


def diagnose(sub, x, args):
    """A hint naming the usual mistake whose output is closest to the student's."""
    got = student_lrn(sub, x, **args)
    r, n = args["depth_radius"], 2 * args["depth_radius"] + 1
    candidates = {ALPHA_OVER_N: dict(args, alpha=args["alpha"] / n)}
    hints = [h for h, a in candidates.items() if rel_error(got, tf_lrn(x, **a)) < 1e-4]
    if not hints:
        spatial = np.swapaxes(tf_lrn(np.swapaxes(x, -1, -2), **args), -1, -2)
        if rel_error(got, spatial) < 1e-4:
            hints.append(SPATIAL_WINDOW)
    if not hints:
        hints.append(f"the sum runs over channels c - {r} .. c + {r} (cut off at the edges), "
                     f"alpha multiplies the plain sum, and the whole denominator is raised to beta")
    return hints[0]


@graded(points=3, task="LocalResponseNormalization")
@pytest.mark.parametrize("setting", range(len(SETTINGS)), ids=["paper", "r1-alpha1", "r3", "r0"])
def test_matches_tensorflow_large_activations(sub, seed, setting):
    """With activations of size ~30, does the layer match tf.nn.local_response_normalization?"""
    args = SETTINGS[setting]
    x = 30.0 * np.random.default_rng(seed).normal(size=(2, 4, 5, 11)).astype("float32")
    want = tf_lrn(x, **args)
    got = student_lrn(sub, x, **args)
    assert got.shape == want.shape, f"LRN output has shape {got.shape}, expected {want.shape}"
    error = rel_error(got, want)
    assert error < 1e-4, f"LRN{args} on activations of size ~30 differs from " \
                         f"tf.nn.local_response_normalization by a relative {error:.2g}: " \
                         f"{diagnose(sub, x, args)}"


@graded(points=1, task="LocalResponseNormalization")
def test_fewer_channels_than_window(sub, seed):
    """With 3 channels and depth_radius 4, is every channel divided by the sum over all three?"""
    args = dict(depth_radius=4, bias=1.0, alpha=1.0, beta=1.0)
    x = np.random.default_rng(seed).normal(size=(1, 2, 2, 3)).astype("float32") * 3
    expect_close(student_lrn(sub, x, **args), x / (1.0 + (x ** 2).sum(-1, keepdims=True)),
                 "LRN output when the window covers every channel", rtol=1e-4, atol=1e-6,
                 hint="cut the window off at the first and last channel (zero padding does that)")


@graded(points=1, task="LocalResponseNormalization")
def test_pixels_are_independent(sub, seed):
    """Does changing one pixel change the output at that pixel only?"""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(1, 5, 5, 6)).astype("float32") * 10
    y = x.copy()
    y[0, 2, 3] += 20.0
    args = dict(depth_radius=2, bias=1.0, alpha=1.0, beta=0.75)
    delta = np.abs(student_lrn(sub, y, **args) - student_lrn(sub, x, **args)).sum(-1)[0]
    delta[2, 3] = 0.0
    assert delta.max() <= 1e-5, \
        f"changing pixel (2, 3) changed the output at {int((delta > 1e-5).sum())} other pixels: " \
        f"LRN normalises across channels at each pixel, never across height or width"


@graded(points=1, task="LocalResponseNormalization")
def test_works_inside_a_model(sub, seed):
    """Inside a Keras model, does predict (graph mode, any batch size) give the TensorFlow result?"""
    import keras

    args = dict(depth_radius=2, bias=1.5, alpha=0.5, beta=0.75)
    # A stock Sequential made in the runner, to which the student's layer is added there.
    model = sub.keras_model(keras.Sequential([keras.Input((4, 4, 7))]))
    model.add(sub.LocalResponseNormalization(**args))
    x = np.random.default_rng(seed).normal(size=(5, 4, 4, 7)).astype("float32") * 4
    got = np.asarray(model.predict(x, verbose=0, batch_size=2))
    expect_close(got, tf_lrn(x, **args), "model.predict through your layer vs TensorFlow",
                 rtol=1e-4, atol=1e-6, hint=SYMBOLIC)
    weights = len(model.layers[-1].trainable_weights)
    assert not weights, f"LRN has no trainable weights, yet the layer created {weights}"


@graded(points=2, task="LocalResponseNormalization")
def test_get_config_round_trip(sub, seed):
    """Does from_config(get_config()) rebuild a layer with the same arguments and output?"""
    args = dict(depth_radius=3, bias=0.5, alpha=0.25, beta=0.6)
    layer = sub.LocalResponseNormalization(**args, name="lrn_round_trip")
    config = layer.get_config()
    missing = [k for k in args if k not in config]
    assert not missing, f"get_config() lacks {missing}: return every constructor argument " \
                        f"(merged with super().get_config())"
    for key, value in args.items():
        assert np.isclose(float(config[key]), value), \
            f"get_config()[{key!r}] = {config[key]!r}, the layer was made with {key}={value}"
    assert config.get("name") == "lrn_round_trip", \
        f"get_config() gave name={config.get('name')!r}: start from super().get_config()"
    clone = sub.LocalResponseNormalization.from_config(config)  # the class's own, in the runner
    x = np.random.default_rng(seed).normal(size=(1, 3, 3, 9)).astype("float32") * 5
    expect_close(np.asarray(clone(x)), np.asarray(layer(x)), "output of the rebuilt layer",
                 rtol=1e-6)


@graded(points=1, task="LocalResponseNormalization")
def test_is_a_keras_layer_with_checked_arguments(sub):
    """Is it a keras.layers.Layer, and does depth_radius=-1 raise ValueError naming it?"""
    import keras

    # The class names of a default layer's type and its bases (as the runner reports them).
    mro = type_names(sub.LocalResponseNormalization())
    parents = [name.rsplit(".", 1)[-1] for name in mro[1:]]
    layer_class = f"{keras.layers.Layer.__module__}.{keras.layers.Layer.__qualname__}"
    assert layer_class in mro[1:], \
        f"LocalResponseNormalization should subclass keras.layers.Layer, its bases are {parents}"
    expect_raises_value_error(named(sub, "LocalResponseNormalization"), depth_radius=-1,
                              argument="depth_radius")
