"""Hidden tests: the AlexNet architecture.

Structure is read from what the model computes, never from layer names: output
shapes, parameter counts, and the order and kind of layers. A Sequential model with
Conv2D(groups=2) and a functional model with two explicit towers both pass.

Shapes, counts and kinds come from the judge's own copy of the student's model,
rebuilt with stock Keras from its configuration (support.judge_copy); what the
model computes (softmax, dropout in training) is asked of the student's model itself
on the judge's inputs.
"""

import keras
import numpy as np

from autograder.checks import as_array, expect_raises_value_error, named
from autograder.engine.remote import type_name
from autograder.marks import graded
from autograder.suites.alexnet.support import JudgeLRN, all_layers, judge_copy

# The paper's network for a 227x227x3 input: conv stage -> (output width, kernel, filters)
CONV_STAGES = {55: (11, 96), 27: (5, 256), 13: (3, 384 + 384 + 256)}
CONV_PARAMS = {1: 3_747_200, 2: 2_334_080}  # all five convolutions, groups = 1 or 2
STAGE_PARAMS = {  # conv parameters at each output width, groups = 1 or 2
    1: {55: 34_944, 27: 614_656, 13: 885_120 + 1_327_488 + 884_992},
    2: {55: 34_944, 27: 307_456, 13: 885_120 + 663_936 + 442_624},
}


BLOG_POOLS = "2x2 pools (the common blog version) are not the paper's 3x3 stride-2 pools"
NO_DROPOUT = "outputs with training=True equal those with training=False: is dropout applied?"


def dense_params(flat, num_classes):
    return flat * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * num_classes + num_classes


def output_shape(layer):
    try:
        return tuple(layer.output.shape)
    except (AttributeError, ValueError):  # a layer used twice has no single output
        return None


def input_shape(layer):
    try:
        return tuple(layer.input.shape)
    except (AttributeError, ValueError):
        return None


def of_kind(model, kind):
    cls = getattr(keras.layers, kind)
    return [layer for layer in all_layers(model) if isinstance(layer, cls)]


def conv_params_by_width(model):
    by_width = {}
    for layer in of_kind(model, "Conv2D"):
        shape = output_shape(layer)
        by_width[shape[1]] = by_width.get(shape[1], 0) + layer.count_params()
    return by_width


def call_text(kwargs) -> str:
    return f"build_alexnet({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def student_model(sub, **kwargs):
    """The student's model: a handle to it in the runner."""
    model = sub.build_alexnet(**kwargs)
    if not hasattr(model, "count_params") or not hasattr(model, "layers"):
        raise AssertionError(f"build_alexnet should return a keras.Model, got {type_name(model)}")
    return model


def build(sub, **kwargs):
    """The student's model (a handle in the runner) and the judge's copy of it."""
    model = student_model(sub, **kwargs)
    return model, judge_copy(model, call_text(kwargs))


def explain_count(model, groups, num_classes, flat=9216):
    convs = sum(layer.count_params() for layer in of_kind(model, "Conv2D"))
    dense = sum(layer.count_params() for layer in of_kind(model, "Dense"))
    parts = [f"the Conv2D layers hold {convs:,} (expected {CONV_PARAMS[groups]:,}) and the Dense "
             f"layers {dense:,} (expected {dense_params(flat, num_classes):,})"]
    widths = conv_params_by_width(model)
    for width, want in STAGE_PARAMS[groups].items():
        if widths.get(width, 0) != want:
            parts.append(f"the convolutions with {width}x{width} outputs hold {widths.get(width, 0):,}, "
                         f"expected {want:,}")
    return "; ".join(parts)


@graded(points=3, task="build_alexnet", timeout=40)
def test_param_count_1000_classes(sub):
    """For 227x227x3 and 1000 classes, does the model have 62,378,344 parameters?"""
    _, model = build(sub)
    count = model.count_params()
    assert count == 62_378_344, \
        f"build_alexnet() has {count:,} parameters, the paper's network has 62,378,344: " \
        f"{explain_count(model, 1, 1000)}"


@graded(points=2, task="build_alexnet", timeout=40)
def test_param_count_grouped(sub):
    """With groups=2 (conv2, conv4, conv5 split), does it have 60,965,224 parameters?"""
    _, model = build(sub, groups=2)
    count = model.count_params()
    assert count == 60_965_224, \
        f"build_alexnet(groups=2) has {count:,} parameters, expected 60,965,224 (conv2, conv4 and " \
        f"conv5 split in two halves, conv3 and the dense layers not): {explain_count(model, 2, 1000)}"


@graded(points=3, task="build_alexnet", timeout=40)
def test_feature_map_sizes(sub):
    """Do the feature maps go 227 -> 55 -> 27 -> 13 -> 6 and flatten to 9,216 values?"""
    _, model = build(sub, num_classes=10)
    widths = {shape[1] for layer in all_layers(model)
              if (shape := output_shape(layer)) is not None and len(shape) == 4}
    widths.discard(227)
    hints = []
    if 57 in widths:
        hints.append("a 57x57 map: conv1 must use 'valid' padding ((227 - 11) / 4 + 1 = 55)")
    if 18 in widths or 9 in widths:
        hints.append("an 18x18 map: MaxPooling2D(3) has stride 3; the paper pools 3x3 with stride 2")
    if 28 in widths or 14 in widths:
        hints.append(BLOG_POOLS)
    assert widths == {55, 27, 13, 6}, \
        f"feature maps of widths {sorted(widths, reverse=True)}, expected 55, 27, 13 and 6" + \
        (": " + "; ".join(hints) if hints else "")
    flats = [layer for layer in all_layers(model) if (shape := output_shape(layer)) is not None
             and len(shape) == 2 and shape[1] == 9216]
    assert flats, "no layer outputs the 6 x 6 x 256 = 9,216 flattened features that feed fc6"


@graded(points=2, task="build_alexnet", timeout=40)
def test_conv_stages(sub):
    """Are the convolutions 96x11/4, then 256x5, then 384, 384, 256 of 3x3 (towers summed)?"""
    _, model = build(sub, input_shape=(83, 83, 3), num_classes=7)
    # 83 -> conv1 19 -> pool 9 -> conv2 9 -> pool 4 -> conv3-5 4 -> pool 1. Unlike 227, this
    # width tells 3x3 stride-2 pools from 2x2 ones (19 -> 9 -> 4 -> 2).
    stages = {19: (11, 96, "conv1"), 9: (5, 256, "conv2"), 4: (3, 1024, "conv3-conv5")}
    found = {}
    for layer in of_kind(model, "Conv2D"):
        width = output_shape(layer)[1]
        found.setdefault(width, []).append(layer)
    assert set(found) == set(stages), \
        f"for an 83x83 input the convolutions should output 19x19, 9x9 and 4x4 maps, yours output " \
        f"{sorted(found, reverse=True)}: check conv1's stride and 'valid' padding, and that " \
        f"every pool is 3x3 with stride 2 (overlapping), not 2x2"
    for width, (kernel, filters, name) in stages.items():
        kernels = {tuple(layer.kernel_size) for layer in found[width]}
        total = sum(layer.filters for layer in found[width])
        assert kernels == {(kernel, kernel)}, \
            f"{name} should use {kernel}x{kernel} kernels, found {sorted(kernels)}"
        assert total == filters, f"{name} should have {filters} filters in all, found {total}"
    strides = {tuple(layer.strides) for layer in found[19]}
    assert strides == {(4, 4)}, f"conv1 should have stride 4, found {sorted(strides)}"
    assert len(found[4]) >= 3, f"conv3, conv4 and conv5 are three layers (or more, as towers), " \
                               f"found {len(found[4])} convolutions on the 4x4 maps"
    flat = [shape for layer in all_layers(model) if (shape := output_shape(layer)) is not None
            and len(shape) == 4 and shape[1] < 4]
    assert flat and all(shape[1:3] == (1, 1) for shape in flat), \
        f"the last pool should turn the 4x4 maps into 1x1 (3x3 windows, stride 2), found " \
        f"{sorted({shape[1:3] for shape in flat})}"


def is_lrn(layer):
    """The judge's copy holds a JudgeLRN where the student's model has its LRN class."""
    return isinstance(layer, JudgeLRN)


def setting(value) -> float:
    """One LRN setting from the student's get_config() (-1 when missing or not a number)."""
    try:
        return float(value) if value is not None else -1.0
    except (TypeError, ValueError):
        return -1.0


@graded(points=2, task="build_alexnet", timeout=40)
def test_lrn_after_conv1_and_conv2(sub):
    """Is LRN (paper settings) applied to conv1's 96 maps and conv2's 256 maps, and nowhere else?"""
    _, model = build(sub, input_shape=(67, 67, 3), num_classes=7)
    channels = {}
    for layer in all_layers(model):
        if is_lrn(layer):
            shape = input_shape(layer)
            channels[shape[1]] = channels.get(shape[1], 0) + shape[-1]
            settings = tuple(setting(layer.settings[k]) for k in JudgeLRN.KEYS)
            assert settings == (2.0, 2.0, 1e-4, 0.75), \
                f"an LRN layer has (depth_radius, bias, alpha, beta) = {settings}, the " \
                f"paper uses {(2.0, 2.0, 1e-4, 0.75)}: keep the layer's defaults"
    assert channels, "the model has no LocalResponseNormalization layer (after conv1 and conv2)"
    want = {15: 96, 7: 256}  # for a 67x67 input: conv1 outputs 15x15x96, conv2 7x7x256
    assert channels == want, \
        f"LRN should normalise conv1's output (15x15x96 for a 67x67 input) and conv2's " \
        f"(7x7x256, both halves), before each pool; yours normalises {channels} (width: " \
        f"channels): is it placed after a pool, or missing?"


@graded(points=2, task="build_alexnet", timeout=40)
def test_dropout_after_fc6_and_fc7(sub, seed):
    """Are there two Dropout(dropout) layers on the 4096-wide fc6 and fc7, active in training?"""
    model, copy = build(sub, input_shape=(67, 67, 3), num_classes=7, dropout=0.3)
    drops = of_kind(copy, "Dropout")
    assert len(drops) == 2, \
        f"found {len(drops)} Dropout layers, the paper has two: after fc6 and after fc7"
    rates = sorted(float(layer.rate) for layer in drops)
    assert np.allclose(rates, 0.3), f"build_alexnet(dropout=0.3) has dropout rates {rates}"
    widths = [input_shape(layer)[-1] for layer in drops]
    assert widths == [4096, 4096], \
        f"dropout should act on the 4096 units of fc6 and fc7, it acts on widths {widths}"
    x = np.random.default_rng(seed).uniform(0, 1, size=(2, 67, 67, 3)).astype("float32")
    train_out = as_array(model(x, training=True), "the output with training=True", dtype=float)
    test_out = as_array(model(x, training=False), "the output with training=False", dtype=float)
    assert not np.allclose(train_out, test_out), NO_DROPOUT


@graded(points=1, task="build_alexnet", timeout=40)
def test_softmax_output(sub, seed):
    """Is the output a probability distribution over the classes, even for large inputs?"""
    model = student_model(sub, input_shape=(67, 67, 3), num_classes=7)
    x = 50 * np.random.default_rng(seed).uniform(0, 1, size=(3, 67, 67, 3)).astype("float32")
    out = as_array(model.predict(x, verbose=0), "model.predict(x)", dtype=float)
    sums = out.sum(axis=-1)
    assert out.shape == (3, 7) and np.all(out >= 0) and np.allclose(sums, 1, atol=1e-4), \
        f"outputs of shape {out.shape}, values in [{out.min():.3g}, {out.max():.3g}], sums per " \
        f"image {np.round(sums, 4)}: fc8 should be Dense(num_classes, activation='softmax')"


def is_relu(activation):
    return getattr(activation, "__name__", "") == "relu"


def followed_by_relu(layer):
    for node in getattr(layer, "_outbound_nodes", []):
        nxt = node.operation
        if isinstance(nxt, keras.layers.ReLU) or (
                isinstance(nxt, keras.layers.Activation) and is_relu(nxt.activation)):
            return True
    return False


@graded(points=1, task="build_alexnet", timeout=40)
def test_relu_everywhere(sub):
    """Does every convolution and the hidden dense layers use ReLU?"""
    _, model = build(sub, input_shape=(67, 67, 3), num_classes=7)
    dense = of_kind(model, "Dense")
    hidden = of_kind(model, "Conv2D") + [layer for layer in dense if layer.units == 4096]
    without = [f"{type(layer).__name__} with {output_shape(layer)[1:]} outputs" for layer in hidden
               if not is_relu(layer.activation) and not followed_by_relu(layer)]
    assert not without, f"these layers have no ReLU: {without}; AlexNet applies ReLU after " \
                        f"every convolution and after fc6 and fc7"


@graded(points=1, task="build_alexnet", timeout=40)
def test_input_shape_and_classes(sub):
    """For a 67x67x3 input and 7 classes, is the count what the arithmetic says (1x1x256 flat)?"""
    _, model = build(sub, input_shape=(67, 67, 3), num_classes=7)
    want = CONV_PARAMS[1] + dense_params(256, 7)
    assert tuple(model.output_shape) == (None, 7), f"output shape {model.output_shape}, expected (None, 7)"
    assert model.count_params() == want, \
        f"build_alexnet((67, 67, 3), 7) has {model.count_params():,} parameters, expected {want:,}: " \
        f"{explain_count(model, 1, 7, flat=256)}"


@graded(points=1, task="build_alexnet")
def test_invalid_arguments(sub):
    """Do groups=3, dropout=1.5 and num_classes=0 raise ValueError naming the argument?"""
    build_alexnet = named(sub, "build_alexnet")
    expect_raises_value_error(build_alexnet, groups=3, argument="groups")
    expect_raises_value_error(build_alexnet, dropout=1.5, argument="dropout")
    expect_raises_value_error(build_alexnet, num_classes=0, argument="num_classes")
