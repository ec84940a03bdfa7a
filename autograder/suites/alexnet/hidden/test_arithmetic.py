"""Hidden tests: output sizes and parameter counts of convolutions.

The oracle is Keras itself: a Conv2D or MaxPooling2D layer's own output shape and
parameter count for the same settings.
"""

import numpy as np
import pytest

from autograder.checks import expect_raises_value_error, named
from autograder.marks import graded
from autograder.suites.alexnet.support import as_int, keras_output_width


@graded(points=2, task="conv_output_size")
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_output_size_matches_keras(sub, seed, padding):
    """Does conv_output_size agree with Keras on 40 random (n, kernel, stride) settings?"""
    rng = np.random.default_rng(seed)
    for _ in range(40):
        kernel, stride = int(rng.integers(1, 12)), int(rng.integers(1, 6))
        n = int(rng.integers(kernel, 240))
        want = keras_output_width(n, kernel, stride, padding)
        got = as_int(sub.conv_output_size(n, kernel, stride, padding),
                     f"conv_output_size({n}, {kernel}, {stride}, {padding!r})")
        assert got == want, \
            f"conv_output_size({n}, {kernel}, {stride}, {padding!r}) = {got}, Keras gives {want}: " + \
            ("'valid' is floor((n - kernel) / stride) + 1 (a window must fit entirely)"
             if padding == "valid" else "'same' is ceil(n / stride), whatever the kernel")


@graded(points=2, task="conv_output_size")
def test_alexnet_size_chain(sub):
    """Does the chain 227 -> 55 -> 27 -> 27 -> 13 -> 13 -> 6 come out, and 224 -> 54 unpadded?"""
    steps = [(227, 11, 4, "valid", 55), (55, 3, 2, "valid", 27), (27, 5, 1, "same", 27),
             (27, 3, 2, "valid", 13), (13, 3, 1, "same", 13), (13, 3, 2, "valid", 6),
             (224, 11, 4, "valid", 54), (224, 2, 2, "valid", 112), (7, 3, 2, "same", 4)]
    for n, k, s, padding, want in steps:
        got = as_int(sub.conv_output_size(n, k, s, padding),
                     f"conv_output_size({n}, {k}, {s}, {padding!r})")
        hint = " (a window that would stick out of the input is dropped: use floor, not ceil)" \
            if padding == "valid" and (n - k) % s else ""
        assert got == want, f"conv_output_size({n}, {k}, {s}, {padding!r}) = {got}, expected {want}{hint}"


@graded(points=1, task="conv_output_size")
def test_output_size_defaults(sub):
    """Are stride=1 and padding='valid' the defaults (conv_output_size(13, 3) == 11)?"""
    got = as_int(sub.conv_output_size(13, 3), "conv_output_size(13, 3)")
    assert got == 11, f"conv_output_size(13, 3) = {got}, expected 11 (stride 1, 'valid')"


@graded(points=1, task="conv_output_size")
def test_output_size_invalid(sub):
    """Do stride 0, kernel 0, an unknown padding and a kernel wider than a 'valid' input raise?"""
    conv_output_size = named(sub, "conv_output_size")
    expect_raises_value_error(conv_output_size, 10, 3, 0, "valid", argument="stride")
    expect_raises_value_error(conv_output_size, 10, 0, 1, "valid", argument="kernel")
    expect_raises_value_error(conv_output_size, 10, 3, 1, "full", argument="padding")
    try:
        sub.conv_output_size(5, 7, 1, "valid")
    except ValueError:
        return
    call = "conv_output_size(5, 7, 1, 'valid')"
    raise AssertionError(f"{call} should raise ValueError: a 7-wide kernel does not fit a 5-wide "
                         f"input without padding")


def keras_conv_params(kernel, c_in, c_out, groups, use_bias):
    import keras

    layer = keras.layers.Conv2D(c_out, kernel, groups=groups, use_bias=use_bias)
    layer.build((None, kernel, kernel, c_in))
    return int(layer.count_params())


@graded(points=2, task="conv_params")
def test_params_match_keras(sub, seed):
    """Does conv_params agree with a Keras Conv2D on random settings, with and without bias?"""
    rng = np.random.default_rng(seed)
    for trial in range(12):
        kernel, c_in, c_out = int(rng.integers(1, 8)), int(rng.integers(1, 40)), int(rng.integers(1, 40))
        use_bias = bool(trial % 2)
        want = keras_conv_params(kernel, c_in, c_out, 1, use_bias)
        got = as_int(sub.conv_params(kernel, c_in, c_out, use_bias=use_bias),
                     f"conv_params({kernel}, {c_in}, {c_out}, use_bias={use_bias})")
        assert got == want, \
            f"conv_params({kernel}, {c_in}, {c_out}, use_bias={use_bias}) = {got}, Keras counts " \
            f"{want}: kernel * kernel * in_channels * out_channels weights" + \
            (", plus one bias per filter" if use_bias else " and no bias")


@graded(points=2, task="conv_params")
def test_grouped_params_match_keras(sub, seed):
    """With groups = 2, 3, 4, does conv_params agree with Conv2D(groups=...)?"""
    rng = np.random.default_rng(seed)
    for groups in (2, 3, 4):
        kernel = int(rng.integers(1, 6))
        c_in, c_out = groups * int(rng.integers(1, 12)), groups * int(rng.integers(1, 12))
        want = keras_conv_params(kernel, c_in, c_out, groups, True)
        got = as_int(sub.conv_params(kernel, c_in, c_out, groups=groups),
                     f"conv_params({kernel}, {c_in}, {c_out}, groups={groups})")
        assert got == want, \
            f"conv_params({kernel}, {c_in}, {c_out}, groups={groups}) = {got}, Keras counts " \
            f"{want}: each filter sees only in_channels / groups channels"
    got = as_int(sub.conv_params(5, 96, 256, groups=2), "conv_params(5, 96, 256, groups=2)")
    assert got == 307456, f"AlexNet's split conv2 has 5*5*48*256 + 256 = 307,456 parameters, got {got}"


@graded(points=1, task="conv_params")
def test_params_invalid_groups(sub):
    """Does a groups value that does not divide the channels raise ValueError naming `groups`?"""
    conv_params = named(sub, "conv_params")
    expect_raises_value_error(conv_params, 3, 96, 256, groups=5, argument="groups")
    expect_raises_value_error(conv_params, 3, 6, 9, groups=2, argument="groups")
