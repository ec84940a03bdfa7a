"""A correct alexnet solution in the functional Keras API throughout: closed-form sizes
with integer arithmetic, an LRN whose window sum is an einsum with a band matrix built
in `build`, AlexNet with `Conv2D(groups=...)` wired layer by layer, a mini-AlexNet
compiled for one-hot labels with Nadam, and layer costs as output positions times the
weight count of conv_params. It must get full marks."""

import keras
import numpy as np
from keras import layers, ops


def conv_output_size(n, kernel, stride=1, padding="valid"):
    for name, value in (("n", n), ("kernel", kernel), ("stride", stride)):
        if isinstance(value, bool) or not float(value).is_integer() or value < 1:
            raise ValueError(f"Invalid value for argument `{name}`: expected a whole number >= 1. "
                             f"Received: {name}={value!r}")
    if padding not in {"valid", "same"}:
        raise ValueError(f"Invalid value for argument `padding`: expected 'valid' or 'same'. "
                         f"Received: padding={padding!r}")
    if padding == "same":
        return (int(n) + int(stride) - 1) // int(stride)
    if kernel > n:
        raise ValueError(f"Invalid value for argument `kernel`: larger than the input without "
                         f"padding. Received: kernel={kernel}, n={n}")
    return (int(n) - int(kernel)) // int(stride) + 1


def conv_params(kernel, in_channels, out_channels, groups=1, use_bias=True):
    if groups < 1 or (in_channels % groups, out_channels % groups) != (0, 0):
        raise ValueError(f"Invalid value for argument `groups`: expected a divisor of "
                         f"in_channels and out_channels. Received: groups={groups}")
    per_filter = kernel * kernel * (in_channels // groups) + int(bool(use_bias))
    return per_filter * out_channels


def conv_macs(input_shape, filters, kernel, stride=1, padding="valid", groups=1):
    if len(input_shape) != 3 or not all(float(d).is_integer() and d >= 1 for d in input_shape):
        raise ValueError(f"Invalid value for argument `input_shape`: expected (height, width, "
                         f"channels) of whole numbers >= 1. Received: input_shape={input_shape!r}")
    if isinstance(filters, bool) or not float(filters).is_integer() or filters < 1:
        raise ValueError(f"Invalid value for argument `filters`: expected a whole number >= 1. "
                         f"Received: filters={filters!r}")
    height, width, channels = (int(d) for d in input_shape)
    positions = conv_output_size(height, kernel, stride, padding) * \
        conv_output_size(width, kernel, stride, padding)
    # each weight meets one input value per output position; the bias is an add, not a MAC
    return positions * conv_params(kernel, channels, int(filters), groups, use_bias=False)


def layer_memory(shape, dtype="float32"):
    if not all(float(d).is_integer() and d >= 1 for d in shape):
        raise ValueError(f"Invalid value for argument `shape`: expected whole numbers >= 1. "
                         f"Received: shape={shape!r}")
    try:
        kind = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(f"Invalid value for argument `dtype`: {exc}. Received: dtype={dtype!r}") from None
    if not np.issubdtype(kind, np.number):
        raise ValueError(f"Invalid value for argument `dtype`: not a number type. Received: dtype={dtype!r}")
    return int(np.prod(np.asarray(shape, dtype=np.int64))) * kind.itemsize


def conv_input_size(out, kernel, stride=1):
    for name, value in (("out", out), ("kernel", kernel), ("stride", stride)):
        if isinstance(value, bool) or not float(value).is_integer() or value < 1:
            raise ValueError(f"Invalid value for argument `{name}`: expected a whole number >= 1. "
                             f"Received: {name}={value!r}")
    last_start = (int(out) - 1) * int(stride)  # where the last window begins
    return last_start + int(kernel)


class LocalResponseNormalization(layers.Layer):
    """Across-channel LRN as in tf.nn.local_response_normalization (channels last)."""

    def __init__(self, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        if isinstance(depth_radius, bool) or not float(depth_radius).is_integer() or depth_radius < 0:
            raise ValueError(f"Invalid value for argument `depth_radius`: expected an integer "
                             f">= 0. Received: depth_radius={depth_radius!r}")
        self.depth_radius, self.bias = int(depth_radius), float(bias)
        self.alpha, self.beta = float(alpha), float(beta)

    def build(self, input_shape):
        c = np.arange(input_shape[-1])
        self.band = (np.abs(c[:, None] - c[None, :]) <= self.depth_radius).astype("float32")

    def call(self, inputs):
        window = ops.einsum("...c,cd->...d", ops.square(inputs), ops.cast(self.band, inputs.dtype))
        return inputs / (self.bias + self.alpha * window) ** self.beta

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        for name in ("depth_radius", "bias", "alpha", "beta"):
            config[name] = getattr(self, name)
        return config


def build_alexnet(input_shape=(227, 227, 3), num_classes=1000, groups=1, dropout=0.5):
    if groups not in (1, 2):
        raise ValueError(f"Invalid value for argument `groups`: expected 1 or 2. Received: {groups!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"Invalid value for argument `dropout`: expected [0, 1). Received: {dropout!r}")
    if isinstance(num_classes, bool) or not float(num_classes).is_integer() or num_classes < 1:
        raise ValueError(f"Invalid value for argument `num_classes`: expected >= 1. "
                         f"Received: {num_classes!r}")
    image = keras.Input(shape=input_shape, name="image")
    x = layers.Conv2D(96, 11, strides=4, activation="relu", name="conv1")(image)
    x = LocalResponseNormalization(name="lrn1")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = layers.Conv2D(256, 5, padding="same", groups=groups, activation="relu", name="conv2")(x)
    x = LocalResponseNormalization(name="lrn2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool2")(x)
    x = layers.Conv2D(384, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.Conv2D(384, 3, padding="same", groups=groups, activation="relu", name="conv4")(x)
    x = layers.Conv2D(256, 3, padding="same", groups=groups, activation="relu", name="conv5")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool5")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(dropout, name="drop6")(layers.Dense(4096, activation="relu", name="fc6")(x))
    x = layers.Dropout(dropout, name="drop7")(layers.Dense(4096, activation="relu", name="fc7")(x))
    out = layers.Dense(int(num_classes), activation="softmax", name="fc8")(x)
    return keras.Model(image, out, name="alexnet")


def build_mini_alexnet(input_shape=(32, 32, 1), num_classes=10):
    if isinstance(num_classes, bool) or not float(num_classes).is_integer() or num_classes < 1:
        raise ValueError(f"Invalid value for argument `num_classes`: expected >= 1. "
                         f"Received: {num_classes!r}")
    image = keras.Input(shape=input_shape)
    x = layers.Conv2D(16, 5, strides=1, padding="same", activation="relu")(image)
    x = layers.MaxPooling2D(2)(x)                                            # 16 x 16
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)                                            # 8 x 8
    x = layers.Conv2D(48, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)                                            # 4 x 4
    x = layers.Dense(128, activation="relu")(layers.Flatten()(x))
    out = layers.Dense(int(num_classes), activation="softmax")(layers.Dropout(0.4)(x))
    model = keras.Model(image, out)
    model.compile(optimizer=keras.optimizers.Nadam(1e-3), loss="categorical_crossentropy",
                  metrics=["categorical_accuracy"])
    return model
