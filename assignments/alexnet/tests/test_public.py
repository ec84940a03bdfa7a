"""Public checks for the alexnet assignment (students receive this file)."""

import numpy as np

from autograder.checks import expect_close, expect_equal
from autograder.marks import graded


@graded(points=1, task="conv_output_size")
def test_conv1_output_size(sub):
    """Does an 11x11 stride-4 'valid' convolution turn 227 into 55?"""
    expect_equal(int(sub.conv_output_size(227, 11, 4, "valid")), 55,
                 "conv_output_size(227, 11, 4, 'valid')", hint="floor((n - k) / s) + 1")


@graded(points=1, task="conv_params")
def test_conv1_params(sub):
    """Does conv1 (96 filters 11x11 on 3 channels) have 34,944 parameters?"""
    expect_equal(int(sub.conv_params(11, 3, 96)), 34944, "conv_params(11, 3, 96)",
                 hint="11 * 11 * 3 * 96 weights + 96 biases")


@graded(points=1, task="conv_macs")
def test_conv1_macs(sub):
    """Does conv1 (96 filters 11x11, stride 4, on 227x227x3) cost 105,415,200 MACs?"""
    expect_equal(int(sub.conv_macs((227, 227, 3), 96, 11, 4)), 105_415_200,
                 "conv_macs((227, 227, 3), 96, 11, 4)",
                 hint="55 * 55 * 96 output values, each 11 * 11 * 3 multiply-accumulates")


@graded(points=1, task="layer_memory")
def test_conv1_output_memory(sub):
    """Does conv1's 55x55x96 float32 output take 1,161,600 bytes?"""
    expect_equal(int(sub.layer_memory((55, 55, 96), "float32")), 1_161_600,
                 "layer_memory((55, 55, 96), 'float32')", hint="55 * 55 * 96 values of 4 bytes")


@graded(points=1, task="conv_input_size")
def test_conv1_input_size(sub):
    """Do 55 outputs of an 11x11 stride-4 'valid' window need an input of 227?"""
    expect_equal(int(sub.conv_input_size(55, 11, 4)), 227, "conv_input_size(55, 11, 4)",
                 hint="the smallest n with floor((n - 11) / 4) + 1 = 55")


@graded(points=2, task="LocalResponseNormalization")
def test_lrn_matches_tensorflow(sub):
    """With alpha = 1, does the layer match tf.nn.local_response_normalization?"""
    import tensorflow as tf

    x = np.random.default_rng(0).normal(size=(2, 3, 3, 8)).astype("float32")
    args = dict(depth_radius=2, bias=1.0, alpha=1.0, beta=0.75)
    got = np.asarray(sub.LocalResponseNormalization(**args)(x))
    expect_close(got, tf.nn.local_response_normalization(x, **args).numpy(),
                 "LRN output vs TensorFlow", rtol=1e-4, atol=1e-6)


@graded(points=2, task="build_alexnet")
def test_alexnet_small_input_shapes(sub):
    """Does build_alexnet((67, 67, 3), num_classes=7) map (batch, 67, 67, 3) to (batch, 7)?"""
    model = sub.build_alexnet(input_shape=(67, 67, 3), num_classes=7)
    assert tuple(model.output_shape) == (None, 7), \
        f"output shape should be (None, 7), got {model.output_shape}"


@graded(points=1, task="build_mini_alexnet")
def test_mini_alexnet_compiled(sub):
    """Does build_mini_alexnet return a compiled model from (batch, 32, 32, 1) to (batch, 10)?"""
    model = sub.build_mini_alexnet()
    assert tuple(model.input_shape) == (None, 32, 32, 1), \
        f"input shape should be (None, 32, 32, 1), got {model.input_shape}"
    assert tuple(model.output_shape) == (None, 10), \
        f"output shape should be (None, 10), got {model.output_shape}"
    assert getattr(model, "optimizer", None) is not None and getattr(model, "loss", None), \
        "the model is not compiled: call model.compile(...) before returning it"
