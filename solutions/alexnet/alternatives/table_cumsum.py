"""A correct alexnet solution that counts window positions with a loop, sums the LRN
window as a difference of cumulative sums along the channels (in float64), builds AlexNet from a
table of layers with `Sequential.add`, and trains a mini-AlexNet of 3x3 convolutions
with RMSprop and integer labels. Layer costs are counted row by row, bytes per value
come from the struct module, and the input size is found by search. Error messages are
worded its own way. It must get full marks."""

import struct

import keras
import numpy as np
from keras import layers, ops


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer; got {value!r}")
    return int(value)


def conv_output_size(n, kernel, stride=1, padding="valid"):
    n, kernel, stride = (_positive_int(k, v) for k, v in
                         (("n", n), ("kernel", kernel), ("stride", stride)))
    if padding == "same":
        return len(range(0, n, stride))  # one window per stride step: ceil(n / stride)
    if padding != "valid":
        raise ValueError(f"`padding` must be 'valid' or 'same'; got {padding!r}")
    if kernel > n:
        raise ValueError(f"`kernel` {kernel} is wider than the input ({n}) and there is no padding")
    return len(range(0, n - kernel + 1, stride))  # window starts that fit


def conv_params(kernel, in_channels, out_channels, groups=1, use_bias=True):
    if _positive_int("groups", groups) and (in_channels % groups or out_channels % groups):
        raise ValueError(f"`groups` = {groups} must divide both {in_channels} and {out_channels}")
    fan_in = kernel ** 2 * in_channels // groups
    return fan_in * out_channels + (out_channels if use_bias else 0)


def conv_macs(input_shape, filters, kernel, stride=1, padding="valid", groups=1):
    if not isinstance(input_shape, tuple | list) or len(input_shape) != 3:
        raise ValueError(f"`input_shape` must be (height, width, channels); got {input_shape!r}")
    height, width, channels = (_positive_int("input_shape", d) for d in input_shape)
    filters, groups = _positive_int("filters", filters), _positive_int("groups", groups)
    if channels % groups or filters % groups:
        raise ValueError(f"`groups` = {groups} must divide both {channels} and {filters}")
    rows = conv_output_size(height, kernel, stride, padding)
    cols = conv_output_size(width, kernel, stride, padding)
    per_filter = 0
    for _ in range(rows):  # a row of output positions, one dot product of one filter each
        per_filter += cols * kernel * kernel * (channels // groups)
    return per_filter * filters


# bytes per value of each number type, as the struct module packs it ("<": no alignment)
STRUCT_CODES = {"float16": "e", "float32": "f", "float64": "d", "int8": "b", "uint8": "B",
                "int16": "h", "uint16": "H", "int32": "i", "uint32": "I", "int64": "q",
                "uint64": "Q"}


def layer_memory(shape, dtype="float32"):
    values = 1
    for d in shape:
        values *= _positive_int("shape", d)
    if not isinstance(dtype, str) or dtype not in STRUCT_CODES:
        raise ValueError(f"`dtype` must be one of {sorted(STRUCT_CODES)}; got {dtype!r}")
    return values * struct.calcsize("<" + STRUCT_CODES[dtype])


def conv_input_size(out, kernel, stride=1):
    out, kernel, stride = (_positive_int(k, v) for k, v in
                           (("out", out), ("kernel", kernel), ("stride", stride)))
    n = kernel  # the narrowest input that holds one window
    while conv_output_size(n, kernel, stride) < out:
        n += 1
    return n


class LocalResponseNormalization(layers.Layer):
    """b_i = a_i / (bias + alpha * sum_{|j - i| <= r} a_j^2) ** beta, channels last."""

    def __init__(self, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        if isinstance(depth_radius, bool) or int(depth_radius) != depth_radius or depth_radius < 0:
            raise ValueError(f"`depth_radius` must be an integer >= 0; got {depth_radius!r}")
        self.depth_radius = int(depth_radius)
        self.bias, self.alpha, self.beta = float(bias), float(alpha), float(beta)

    def call(self, inputs):
        channels, r = inputs.shape[-1], self.depth_radius
        # S_i = sum_{j <= i} a_j^2, in float64: a difference of two large float32 running
        # sums would lose the small window sums to cancellation
        running = ops.cumsum(ops.square(ops.cast(inputs, "float64")), axis=-1)
        zero = ops.zeros_like(running[..., :1])
        running = ops.concatenate([zero, running], axis=-1)  # S_{-1} = 0 in front
        upper = np.minimum(np.arange(channels) + r + 1, channels)
        lower = np.maximum(np.arange(channels) - r, 0)
        window = ops.cast(ops.take(running, upper, axis=-1) - ops.take(running, lower, axis=-1),
                          inputs.dtype)
        return inputs * ops.power(self.bias + self.alpha * window, -self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return dict(super().get_config(), depth_radius=self.depth_radius, bias=self.bias,
                    alpha=self.alpha, beta=self.beta)


def build_alexnet(input_shape=(227, 227, 3), num_classes=1000, groups=1, dropout=0.5):
    if groups != 1 and groups != 2:
        raise ValueError(f"`groups` must be 1 or 2; got {groups!r}")
    if not 0 <= dropout < 1:
        raise ValueError(f"`dropout` must be a rate in [0, 1); got {dropout!r}")
    num_classes = _positive_int("num_classes", num_classes)
    table = [  # (filters, kernel, stride, padding, groups, LRN, pool)
        (96, 11, 4, "valid", 1, True, True),
        (256, 5, 1, "same", groups, True, True),
        (384, 3, 1, "same", 1, False, False),
        (384, 3, 1, "same", groups, False, False),
        (256, 3, 1, "same", groups, False, True),
    ]
    model = keras.Sequential(name="alexnet")
    model.add(keras.Input(shape=tuple(input_shape)))
    for filters, kernel, stride, padding, g, lrn, pool in table:
        model.add(layers.Conv2D(filters, kernel, strides=stride, padding=padding, groups=g,
                                activation="relu"))
        if lrn:
            model.add(LocalResponseNormalization(depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75))
        if pool:
            model.add(layers.MaxPooling2D(pool_size=(3, 3), strides=(2, 2)))
    model.add(layers.Flatten())
    for _ in ("fc6", "fc7"):
        model.add(layers.Dense(4096, activation="relu"))
        model.add(layers.Dropout(dropout))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model


def build_mini_alexnet(input_shape=(32, 32, 1), num_classes=10):
    num_classes = _positive_int("num_classes", num_classes)
    model = keras.Sequential([
        keras.Input(shape=tuple(input_shape)),
        layers.Conv2D(32, 3, activation="relu"),                    # 30 x 30
        layers.MaxPooling2D(2),                                     # 15 x 15
        layers.Conv2D(64, 3, activation="relu"),                    # 13 x 13
        layers.MaxPooling2D(2),                                     # 6 x 6
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dropout(0.25),
        layers.Dense(num_classes, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    return model
