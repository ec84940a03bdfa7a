"""An alternative alexnet solution: the functional API with two explicit GPU towers.

Sizes with math.floor / math.ceil, parameter counts per group, an LRN that pads the
channel axis and adds shifted slices, AlexNet as two towers joined where the paper's
GPUs talked to each other, a mini-AlexNet trained on one-hot labels, and layer costs
summed tower by tower, with bytes per value from numpy's bit widths.
"""

import math

import keras
import numpy as np
from keras import layers, ops


def conv_output_size(n, kernel, stride=1, padding="valid"):
    if padding not in ("valid", "same"):
        raise ValueError(f"Invalid value for argument `padding`: expected 'valid' or 'same'. "
                         f"Received: padding={padding!r}")
    if not isinstance(stride, int) or stride < 1:
        raise ValueError(f"Invalid value for argument `stride`: expected an integer >= 1. "
                         f"Received: stride={stride!r}")
    if not isinstance(kernel, int) or kernel < 1 or (padding == "valid" and kernel > n):
        raise ValueError(f"Invalid value for argument `kernel`: expected an integer in [1, n]. "
                         f"Received: kernel={kernel!r}")
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"Invalid value for argument `n`: expected an integer >= 1. Received: n={n!r}")
    if padding == "same":
        return math.ceil(n / stride)
    return math.floor((n - kernel) / stride) + 1


def conv_params(kernel, in_channels, out_channels, groups=1, use_bias=True):
    if groups < 1 or in_channels % groups != 0 or out_channels % groups != 0:
        raise ValueError(f"Invalid value for argument `groups`: {groups} does not divide "
                         f"{in_channels} input and {out_channels} output channels")
    per_group_in, per_group_out = in_channels // groups, out_channels // groups
    per_group = kernel * kernel * per_group_in * per_group_out
    if use_bias:
        per_group += per_group_out
    return groups * per_group


def conv_macs(input_shape, filters, kernel, stride=1, padding="valid", groups=1):
    if not (isinstance(input_shape, (tuple, list)) and len(input_shape) == 3
            and all(isinstance(d, int) and d >= 1 for d in input_shape)):
        raise ValueError(f"Invalid value for argument `input_shape`: expected (height, width, "
                         f"channels). Received: input_shape={input_shape!r}")
    if not isinstance(filters, int) or filters < 1:
        raise ValueError(f"Invalid value for argument `filters`: expected an integer >= 1. "
                         f"Received: filters={filters!r}")
    height, width, channels = input_shape
    if not isinstance(groups, int) or groups < 1 or channels % groups or filters % groups:
        raise ValueError(f"Invalid value for argument `groups`: {groups} does not divide "
                         f"{channels} input channels and {filters} filters")
    out_h = conv_output_size(height, kernel, stride, padding)
    out_w = conv_output_size(width, kernel, stride, padding)
    # one tower: its filters see only its own share of the channels
    per_tower = out_h * out_w * (filters // groups) * kernel * kernel * (channels // groups)
    return groups * per_tower


def layer_memory(shape, dtype="float32"):
    if not all(isinstance(d, int) and d >= 1 for d in shape):
        raise ValueError(f"Invalid value for argument `shape`: expected integers >= 1. "
                         f"Received: shape={shape!r}")
    try:
        info = np.finfo(dtype) if np.dtype(dtype).kind == "f" else np.iinfo(dtype)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid value for argument `dtype`: expected a float or integer "
                         f"type. Received: dtype={dtype!r}") from None
    return math.prod(shape) * info.bits // 8


def conv_input_size(out, kernel, stride=1):
    for name, value in (("out", out), ("kernel", kernel), ("stride", stride)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"Invalid value for argument `{name}`: expected an integer >= 1. "
                             f"Received: {name}={value!r}")
    # floor((n - kernel) / stride) + 1 = out is smallest when n - kernel = (out - 1) * stride
    return kernel + (out - 1) * stride


class LocalResponseNormalization(layers.Layer):
    """Across-channel LRN: a / (bias + alpha * sum of a^2 over 2r + 1 channels) ** beta."""

    def __init__(self, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(depth_radius, int) or depth_radius < 0:
            raise ValueError(f"Invalid value for argument `depth_radius`: expected an integer >= 0. "
                             f"Received: depth_radius={depth_radius!r}")
        self.depth_radius, self.bias, self.alpha, self.beta = depth_radius, bias, alpha, beta

    def call(self, inputs):
        r, channels = self.depth_radius, inputs.shape[-1]
        squares = ops.square(inputs)
        padding = [[0, 0]] * (len(inputs.shape) - 1) + [[r, r]]
        padded = ops.pad(squares, padding)  # (..., channels + 2r)
        total = padded[..., 0:channels]
        for shift in range(1, 2 * r + 1):
            total = total + padded[..., shift:shift + channels]
        scale = ops.power(self.bias + self.alpha * total, self.beta)
        return inputs / scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(depth_radius=self.depth_radius, bias=self.bias, alpha=self.alpha,
                      beta=self.beta)
        return config


def _halves(x):
    """Split the channels in two, as the two GPUs held them."""
    half = x.shape[-1] // 2
    return (layers.Lambda(lambda t: t[..., :half])(x),
            layers.Lambda(lambda t: t[..., half:])(x))


def _conv(x, filters, kernel, towers):
    """A 'same' ReLU convolution, split into two towers when towers is True."""
    if not towers:
        return layers.Conv2D(filters, kernel, padding="same", activation="relu")(x)
    left, right = _halves(x)
    left = layers.Conv2D(filters // 2, kernel, padding="same", activation="relu")(left)
    right = layers.Conv2D(filters // 2, kernel, padding="same", activation="relu")(right)
    return layers.Concatenate()([left, right])


def build_alexnet(input_shape=(227, 227, 3), num_classes=1000, groups=1, dropout=0.5):
    if groups not in (1, 2):
        raise ValueError(f"Invalid value for argument `groups`: expected 1 or 2. Received: groups={groups!r}")
    if not (0.0 <= dropout < 1.0):
        raise ValueError(f"Invalid value for argument `dropout`: expected [0, 1). "
                         f"Received: dropout={dropout!r}")
    if num_classes < 1:
        raise ValueError(f"Invalid value for argument `num_classes`: expected >= 1. "
                         f"Received: num_classes={num_classes!r}")
    towers = groups == 2
    image = keras.Input(shape=input_shape)
    x = layers.Conv2D(96, (11, 11), strides=(4, 4), activation="relu")(image)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(LocalResponseNormalization()(x))
    x = _conv(x, 256, 5, towers)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(LocalResponseNormalization()(x))
    x = _conv(x, 384, 3, towers=False)  # conv3 reads both GPUs
    x = _conv(x, 384, 3, towers)
    x = _conv(x, 256, 3, towers)
    x = layers.Flatten()(layers.MaxPooling2D((3, 3), strides=(2, 2))(x))
    for _ in range(2):
        x = layers.Dropout(dropout)(layers.Dense(4096, activation="relu")(x))
    probs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(image, probs, name="alexnet")


def build_mini_alexnet(input_shape=(32, 32, 1), num_classes=10):
    if num_classes < 1:
        raise ValueError(f"Invalid value for argument `num_classes`: expected >= 1. "
                         f"Received: num_classes={num_classes!r}")
    image = keras.Input(shape=input_shape)
    x = layers.Conv2D(24, 3, activation="relu")(image)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(48, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(64, 3, padding="same")(x)
    x = layers.ReLU()(x)
    x = layers.Flatten()(layers.MaxPooling2D(2)(x))  # 3 x 3 x 64
    x = layers.Dense(96, activation="relu")(x)
    x = layers.Dropout(0.3)(x)
    probs = layers.Dense(num_classes, activation="softmax")(x)
    model = keras.Model(image, probs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.CategoricalCrossentropy(),
                  metrics=["accuracy"])
    return model
