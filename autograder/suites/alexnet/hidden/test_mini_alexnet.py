"""Hidden tests: the mini-AlexNet and its training on the bundled digits.

The digits (8x8, values 0-16) are scaled to [0, 1], enlarged 3x to 24x24 and padded
to 32x32x1. The bar and the budget come from bench/thresholds_alexnet.md.
"""

import numpy as np

from autograder.checks import as_array, expect_raises_value_error, named, wants_integer_labels
from autograder.marks import graded
from autograder.suites.alexnet.support import all_layers, judge_copy

TRAIN, HELD_OUT = 1297, 500
BATCH, MAX_EPOCHS = 32, 8  # 41 steps an epoch, 328 steps at most
ACCURACY_BAR = 0.90  # reference and alternative: 24 of 24 seeds above it by epoch 4 (bench/)


CHECK_OUTPUT = "Check the softmax output and a loss for probabilities, the learning rate (Adam 1e-3 works)"
CHECK_SPEED = "and that it learns fast (conv/pool stages, a dense head; global pooling learns slowly)"
TRAINING_HINT = f"{CHECK_OUTPUT} {CHECK_SPEED}"


def digits_32():
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = np.kron(digits.images / 16.0, np.ones((3, 3)))  # (1797, 24, 24)
    images = np.pad(images, ((0, 0), (4, 4), (4, 4)))[..., None]  # (1797, 32, 32, 1)
    return images.astype("float32"), digits.target.astype("int64")


def compiled(sub, **kwargs):
    model = sub.build_mini_alexnet(**kwargs)
    if getattr(model, "optimizer", None) is None or not getattr(model, "loss", None):
        raise AssertionError("build_mini_alexnet should return a compiled model: call "
                             "model.compile(optimizer=..., loss=...) before returning it")
    return model


@graded(points=1, task="build_mini_alexnet")
def test_outputs_probabilities(sub, seed):
    """Does the model give a probability distribution over 10 classes for each image?"""
    model = compiled(sub)
    x = 5 * np.random.default_rng(seed).uniform(0, 1, size=(4, 32, 32, 1)).astype("float32")
    out = as_array(model.predict(x, verbose=0), "model.predict(x)", dtype=float)
    sums = out.sum(axis=-1)
    assert out.shape == (4, 10) and np.all(out >= 0) and np.allclose(sums, 1, atol=1e-4), \
        f"outputs of shape {out.shape} with values in [{out.min():.3g}, {out.max():.3g}] and sums " \
        f"{np.round(sums, 4)}: end with Dense(num_classes, activation='softmax')"


@graded(points=1, task="build_mini_alexnet")
def test_arguments_shape_the_model(sub):
    """Do input_shape=(28, 28, 3) and num_classes=5 give a model from (28, 28, 3) to 5 outputs?"""
    model = compiled(sub, input_shape=(28, 28, 3), num_classes=5)
    assert tuple(model.input_shape) == (None, 28, 28, 3), \
        f"input shape {model.input_shape}, expected (None, 28, 28, 3): use the input_shape argument"
    assert tuple(model.output_shape) == (None, 5), \
        f"output shape {model.output_shape}, expected (None, 5): use the num_classes argument"
    expect_raises_value_error(named(sub, "build_mini_alexnet"), num_classes=0, argument="num_classes")


@graded(points=1, task="build_mini_alexnet")
def test_alexnet_style(sub):
    """Does it have at least 2 Conv2D and 1 MaxPooling2D, then at least 2 Dense and 1 Dropout layers?"""
    import keras

    # Counted on the judge's own copy, rebuilt with stock Keras from the model's configuration.
    layers = all_layers(judge_copy(compiled(sub), "build_mini_alexnet()"))
    kinds = {
        "Conv2D": sum(isinstance(layer, keras.layers.Conv2D) for layer in layers),
        "MaxPooling2D": sum(isinstance(layer, keras.layers.MaxPooling2D) for layer in layers),
        "Dense": sum(isinstance(layer, keras.layers.Dense) for layer in layers),
        "Dropout": sum(isinstance(layer, keras.layers.Dropout) for layer in layers),
    }
    want = {"Conv2D": 2, "MaxPooling2D": 1, "Dense": 2, "Dropout": 1}
    short = {k: v for k, v in kinds.items() if v < want[k]}
    assert not short, f"an AlexNet-style model needs at least {want}; yours has {kinds}"


def draw_history(history):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2.6))
    ax.plot(np.arange(1, len(history) + 1), history, "o-")
    ax.axhline(ACCURACY_BAR, color="gray", lw=0.8)
    ax.set(xlabel="epoch", ylabel="held-out accuracy", ylim=(0, 1.02))
    return fig


@graded(points=5, task="build_mini_alexnet", timeout=120)
def test_learns_digits(sub, seed, figures):
    """Within 8 epochs of batch 32, does held-out accuracy reach 90% on 32x32 digits?"""
    images, labels = digits_32()
    order = np.random.default_rng(seed).permutation(len(labels))
    train, held_out = order[:TRAIN], order[TRAIN:TRAIN + HELD_OUT]
    model = compiled(sub)
    targets = labels if wants_integer_labels(model) else np.eye(10, dtype="float32")[labels]
    history = []
    for _ in range(MAX_EPOCHS):
        model.fit(images[train], targets[train], batch_size=BATCH, epochs=1, shuffle=True, verbose=0)
        probs = as_array(model.predict(images[held_out], verbose=0, batch_size=256),
                         "model.predict on the held-out digits", dtype=float)
        if probs.shape != (HELD_OUT, 10):
            raise AssertionError(f"predictions have shape {probs.shape}, expected {(HELD_OUT, 10)}")
        history.append(float(np.mean(probs.argmax(axis=1) == labels[held_out])))
        if history[-1] >= ACCURACY_BAR:
            break
    figures.add(draw_history(history), "Your mini-AlexNet on held-out digits, epoch by epoch")
    assert max(history) >= ACCURACY_BAR, \
        f"after {len(history)} epochs of batch {BATCH} the held-out accuracy was at best " \
        f"{max(history):.3f}, expected at least {ACCURACY_BAR} (chance is 0.1). {TRAINING_HINT}"
