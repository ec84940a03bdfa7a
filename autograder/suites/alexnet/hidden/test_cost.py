"""Hidden tests: what a convolution costs, and the input size a window tiles exactly.

- conv_macs: multiply-accumulates of one forward pass of one image, bias excluded.
  Oracles: AlexNet's figures counted by hand (course notes, "Compute and memory"),
  and a Keras Conv2D without bias for the same settings: one MAC per weight for
  each output position, so its output height x width x count_params().
- layer_memory: bytes of one activation tensor; oracle: the number of values times
  numpy's bytes per value.
- conv_input_size: the smallest input with `out` "valid" windows (why AlexNet's
  input is 227, not 224); oracle: Keras's own output widths.
"""

import math

import numpy as np
import pytest

from autograder.checks import expect_raises_value_error, named
from autograder.marks import graded
from autograder.suites.alexnet.support import as_int, keras_output_width, shapes_only

# AlexNet's convolutions on a 227x227x3 image, counted by hand (course notes):
# name -> (input_shape, filters, kernel, stride, padding, MACs with groups=1)
ALEXNET_CONVS = {
    "conv1": ((227, 227, 3), 96, 11, 4, "valid", 105_415_200),   # 55*55*96 * 11*11*3
    "conv2": ((27, 27, 96), 256, 5, 1, "same", 447_897_600),     # 27*27*256 * 5*5*96
    "conv3": ((13, 13, 256), 384, 3, 1, "same", 149_520_384),    # 13*13*384 * 3*3*256
    "conv4": ((13, 13, 384), 384, 3, 1, "same", 224_280_576),    # 13*13*384 * 3*3*384
    "conv5": ((13, 13, 384), 256, 3, 1, "same", 149_520_384),    # 13*13*256 * 3*3*384
}
CONV_TOTAL = 1_076_634_144
GROUPED = {"conv2": 223_948_800, "conv4": 112_140_288, "conv5": 74_760_192}  # groups=2
GROUPED_TOTAL = 665_784_864
DTYPES = ("float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64")


def keras_macs(input_shape, filters, kernel, stride, padding, groups):
    """Output positions x weights of a stock Keras Conv2D without bias (never allocated)."""
    import keras

    with shapes_only():
        layer = keras.layers.Conv2D(filters, kernel, strides=stride, padding=padding,
                                    groups=groups, use_bias=False)
        layer.build((None, *input_shape))
        _, height, width, _ = layer.compute_output_shape((None, *input_shape))
        return int(height) * int(width) * int(layer.count_params())


def macs_hint(got, input_shape, filters, kernel, stride, padding, groups):
    """What a wrong count usually means, when it matches a known mistake."""
    height, width, channels = input_shape
    out_h = keras_output_width(height, kernel, stride, padding)
    out_w = keras_output_width(width, kernel, stride, padding)
    per_value = kernel * kernel * (channels // groups)
    if got == out_h * out_w * filters * kernel * kernel:
        return ("each output value also sums over the input channels: kernel * kernel * "
                "channels / groups products")
    if got == height * width * filters * per_value:
        return "count the output positions (conv_output_size), not the input's height and width"
    if got == out_h * out_w * filters * (per_value + 1):
        return "leave the bias additions out: they are not multiply-accumulates"
    if groups > 1 and got == out_h * out_w * filters * kernel * kernel * channels:
        return "with groups, each filter reads only channels / groups input channels"
    if padding == "same" and kernel <= min(height, width) and got == \
            keras_output_width(height, kernel, stride, "valid") * \
            keras_output_width(width, kernel, stride, "valid") * filters * per_value:
        return "'same' padding keeps ceil(n / stride) positions: use conv_output_size with the padding"
    return "MACs = out_height * out_width * filters * kernel * kernel * channels / groups"


def check_macs(sub, input_shape, filters, kernel, stride, padding, groups, want):
    call = f"conv_macs({input_shape}, {filters}, {kernel}, {stride}, {padding!r}, groups={groups})"
    got = as_int(sub.conv_macs(input_shape, filters, kernel, stride, padding, groups=groups), call)
    assert got == want, f"{call} = {got:,}, expected {want:,}: " + \
        macs_hint(got, input_shape, filters, kernel, stride, padding, groups)


@graded(points=3, task="conv_macs")
def test_alexnet_conv_macs(sub):
    """Does conv_macs give AlexNet's conv1 to conv5 MACs as counted by hand (1,076,634,144 in all)?"""
    for shape, filters, kernel, stride, padding, want in ALEXNET_CONVS.values():
        check_macs(sub, shape, filters, kernel, stride, padding, 1, want)
    assert sum(v[-1] for v in ALEXNET_CONVS.values()) == CONV_TOTAL


@graded(points=2, task="conv_macs")
def test_grouped_alexnet_macs(sub):
    """With groups=2, do conv2, conv4 and conv5 cost half as many MACs (665,784,864 for all five)?"""
    for name, want in GROUPED.items():
        shape, filters, kernel, stride, padding, _ = ALEXNET_CONVS[name]
        check_macs(sub, shape, filters, kernel, stride, padding, 2, want)
    assert CONV_TOTAL - sum(ALEXNET_CONVS[n][-1] - GROUPED[n] for n in GROUPED) == GROUPED_TOTAL


@graded(points=2, task="conv_macs")
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_macs_match_keras(sub, seed, padding):
    """On 20 random settings, does conv_macs equal a Keras Conv2D's output positions x weights?

    Non-square inputs, kernels 1-7, strides 1-4, groups 1-4, no bias.
    """
    rng = np.random.default_rng(seed)
    for _ in range(20):
        groups = int(rng.choice([1, 1, 2, 3, 4]))
        kernel, stride = int(rng.integers(1, 8)), int(rng.integers(1, 5))
        shape = (int(rng.integers(kernel, 60)), int(rng.integers(kernel, 60)),
                 groups * int(rng.integers(1, 13)))
        filters = groups * int(rng.integers(1, 13))
        want = keras_macs(shape, filters, kernel, stride, padding, groups)
        check_macs(sub, shape, filters, kernel, stride, padding, groups, want)


@graded(points=1, task="conv_macs")
def test_dense_as_convolution(sub):
    """Does fc6 as a 6x6 convolution of 6x6x256 into 4096 filters count 9,216 x 4,096 MACs?"""
    check_macs(sub, (6, 6, 256), 4096, 6, 1, "valid", 1, 9216 * 4096)


@graded(points=1, task="conv_macs")
def test_macs_invalid(sub):
    """Do bad groups, 0 filters, a 2-entry input_shape and padding 'full' raise ValueError?

    groups=5 does not divide 96 channels; each message must name its argument.
    """
    conv_macs = named(sub, "conv_macs")
    expect_raises_value_error(conv_macs, (27, 27, 96), 256, 5, 1, "same", groups=5,
                              argument="groups")
    expect_raises_value_error(conv_macs, (27, 27, 96), 0, 5, 1, "same", argument="filters")
    expect_raises_value_error(conv_macs, (27, 27), 256, 5, 1, "same", argument="input_shape")
    expect_raises_value_error(conv_macs, (27, 27, 96), 256, 5, 1, "full", argument="padding")


def memory_hint(got, shape, dtype):
    values, size = math.prod(shape), np.dtype(dtype).itemsize
    if got == values:
        return "that is the number of values: multiply by the bytes per value"
    if got == values * size * 8:
        return "that is bits: a byte holds 8 of them"
    if got == values * 4 and size != 4:
        return f"the bytes per value depend on dtype: {size} for {dtype}"
    return "bytes = product of the shape * bytes per value of dtype"


def check_memory(sub, shape, dtype, want, *, default=False):
    call = f"layer_memory({shape!r})" if default else f"layer_memory({shape!r}, {dtype!r})"
    answer = sub.layer_memory(shape) if default else sub.layer_memory(shape, dtype)
    got = as_int(answer, call)
    assert got == want, f"{call} = {got:,}, expected {want:,} bytes: " + memory_hint(got, shape, dtype)


@graded(points=2, task="layer_memory")
def test_alexnet_activation_bytes(sub):
    """Is conv1's 55x55x96 output 1,161,600 bytes (float32, the default), half in float16?"""
    check_memory(sub, (55, 55, 96), "float32", 1_161_600, default=True)
    check_memory(sub, (55, 55, 96), "float16", 580_800)
    check_memory(sub, (55, 55, 96), "float64", 2_323_200)
    check_memory(sub, (6, 6, 256), "float32", 36_864)  # pool5, flattened into fc6


@graded(points=2, task="layer_memory")
def test_memory_matches_numpy(sub, seed):
    """On 20 random shapes and dtypes (float16 to int64), is it values x bytes per value?

    Shapes of 1 to 4 axes, as tuples or lists; numpy's itemsize is the oracle.
    """
    rng = np.random.default_rng(seed)
    for trial in range(20):
        shape = [int(d) for d in rng.integers(1, 70, size=int(rng.integers(1, 5)))]
        shape = tuple(shape) if trial % 2 else shape
        dtype = str(rng.choice(DTYPES))
        check_memory(sub, shape, dtype, math.prod(shape) * np.dtype(dtype).itemsize)


@graded(points=1, task="layer_memory")
def test_memory_invalid(sub):
    """Do an unknown dtype ('float13') and a negative entry in shape raise ValueError?"""
    layer_memory = named(sub, "layer_memory")
    expect_raises_value_error(layer_memory, (55, 55, 96), "float13", argument="dtype")
    expect_raises_value_error(layer_memory, (55, -55, 96), "float32", argument="shape")


@graded(points=2, task="conv_input_size")
def test_input_size_alexnet(sub):
    """Is it 227, not 224, for conv1's 55 outputs, and 13, 27, 55 back from pool5's 6?"""
    for out, kernel, stride, want in ((55, 11, 4, 227), (6, 3, 2, 13), (13, 3, 2, 27),
                                      (27, 3, 2, 55)):
        call = f"conv_input_size({out}, {kernel}, {stride})"
        got = as_int(sub.conv_input_size(out, kernel, stride), call)
        hint = ""
        if got == want + stride - 1:
            hint = ": that is the largest input with as many windows; the smallest leaves no pixel over"
        elif got == 224:
            hint = ": (224 - 11) / 4 + 1 = 54.25, so 224 gives only 54 windows"
        assert got == want, f"{call} = {got}, expected {want}{hint}"


@graded(points=1, task="conv_input_size")
def test_input_size_is_smallest(sub, seed):
    """On 30 random settings, is it the smallest input with `out` 'valid' windows?

    One pixel less must give out - 1 windows (Keras's widths are the oracle).
    """
    rng = np.random.default_rng(seed)
    for _ in range(30):
        out, kernel, stride = int(rng.integers(1, 80)), int(rng.integers(1, 12)), int(rng.integers(1, 6))
        call = f"conv_input_size({out}, {kernel}, {stride})"
        n = as_int(sub.conv_input_size(out, kernel, stride), call)
        assert n >= kernel and keras_output_width(n, kernel, stride, "valid") == out, \
            f"{call} = {n}, but an input of {n} does not give {out} 'valid' windows of " \
            f"{kernel} with stride {stride}"
        assert n == kernel or keras_output_width(n - 1, kernel, stride, "valid") == out - 1, \
            f"{call} = {n}, but {n - 1} already gives {out} windows: return the smallest input"


@graded(points=1, task="conv_input_size")
def test_input_size_invalid(sub):
    """Do out 0, kernel 0 and stride 0 raise ValueError naming the argument?"""
    conv_input_size = named(sub, "conv_input_size")
    expect_raises_value_error(conv_input_size, 0, 11, 4, argument="out")
    expect_raises_value_error(conv_input_size, 55, 0, 4, argument="kernel")
    expect_raises_value_error(conv_input_size, 55, 11, 0, argument="stride")
