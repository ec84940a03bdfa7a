"""Hidden tests: the conditional generator and discriminator."""

import json

import numpy as np

from autograder.checks import expect_shape
from autograder.marks import graded
from autograder.suites.cgan.support import call_model, digits, randomize_weights


def noise(seed, n, latent_dim=32):
    return np.random.default_rng(seed).normal(size=(n, latent_dim)).astype(np.float32)


def output_activation(sub, model) -> str:
    """The activation of the layer that makes a Keras model's output, read from the model's
    config (data, not the student's objects); "" when the config does not say."""
    try:
        config = json.loads(sub.model_data(model)["config"])["config"]
        layers, outputs = config["layers"], config.get("output_layers")
        if outputs is None:  # Sequential: the last layer makes the output
            layer = layers[-1]
        else:
            name = outputs[0] if isinstance(outputs[0], str) else outputs[0][0]
            layer = next(entry for entry in layers if entry["config"].get("name") == name)
        activation = layer["config"].get("activation", "")
    except Exception:  # noqa: BLE001  (not a stock Keras model: the outputs are checked below)
        return ""
    if isinstance(activation, dict):  # a serialised function object
        activation = activation.get("config", "")
    return activation if isinstance(activation, str) else ""


# ---------------------------------------------------------------- generator


@graded(points=1, task="build_generator")
def test_generator_shapes(sub, seed):
    """Does G map z (batch, latent_dim) and labels (batch,) to images (batch, 8, 8, 1), any sizes?"""
    for latent_dim, num_classes in ((32, 10), (5, 3)):
        g = sub.build_generator(latent_dim=latent_dim, num_classes=num_classes,
                                image_shape=(8, 8, 1))
        labels = np.arange(6, dtype=np.int32) % num_classes
        out = call_model(g, [noise(seed, 6, latent_dim), labels])
        expect_shape(out, (6, 8, 8, 1),
                     f"G([z, labels]) with latent_dim={latent_dim}, num_classes={num_classes}")


@graded(points=2, task="build_generator")
def test_generator_output_in_range(sub, seed):
    """Are images in [-1, 1] for huge z and for random weights, reaching both signs (tanh)?"""
    g = sub.build_generator()
    labels = np.arange(64, dtype=np.int32) % 10
    out = call_model(g, [30.0 * noise(seed, 64), labels])
    randomize_weights(g, scale=1.0, seed=seed)
    out = np.concatenate([out.ravel(), call_model(g, [noise(seed + 1, 64), labels]).ravel()])
    if out.min() < -1 - 1e-6 or out.max() > 1 + 1e-6:
        raise AssertionError(f"generated pixels range from {out.min():.3g} to {out.max():.3g}, "
                             "expected [-1, 1] like the training digits: end the generator with " \
                             "a tanh activation")
    if out.min() > -0.5:
        raise AssertionError(f"generated pixels never go below {out.min():.3g}, even with large "
                             "random weights: a sigmoid output gives [0, 1], but the digits are " \
                             "scaled to [-1, 1]. End with tanh")


@graded(points=2, task="build_generator")
def test_generator_depends_on_label(sub, seed):
    """With the same z, do the 10 labels give 10 different images?"""
    g = sub.build_generator()
    z = np.repeat(noise(seed, 1), 10, axis=0)
    out = call_model(g, [z, np.arange(10, dtype=np.int32)]).reshape(10, -1)
    gaps = np.abs(out[:, None, :] - out[None, :, :]).max(axis=2) + np.eye(10)
    i, j = np.unravel_index(int(np.argmin(gaps)), gaps.shape)
    assert gaps[i, j] > 1e-5, \
        f"labels {i} and {j} give the same image for the same z (largest pixel difference " \
        f"{gaps[i, j]:.2g}): the generator ignores its label input. Embed or one-hot the " \
        "label and " \
        "concatenate it with z"


@graded(points=1, task="build_generator")
def test_generator_depends_on_noise(sub, seed):
    """With the same label, do different z give different images?"""
    g = sub.build_generator()
    out = call_model(g, [noise(seed, 8), np.full(8, 3, dtype=np.int32)]).reshape(8, -1)
    spread = float(out.std(axis=0).max())
    assert spread > 1e-5, \
        f"8 different z give the same image for label 3 (largest pixel spread {spread:.2g}): " \
        "the generator must use z"


# ---------------------------------------------------------------- discriminator


@graded(points=1, task="build_discriminator")
def test_discriminator_shapes(sub, seed):
    """Does D map images (batch, 8, 8, 1) and labels (batch,) to logits (batch, 1)?"""
    images, labels = digits()
    for num_classes in (10, 4):
        d = sub.build_discriminator(image_shape=(8, 8, 1), num_classes=num_classes)
        out = call_model(d, [images[:7], labels[:7] % num_classes])
        expect_shape(out, (7, 1), f"D([images, labels]) with num_classes={num_classes}")


@graded(points=3, task="build_discriminator")
def test_discriminator_outputs_logits(sub, seed):
    """Are D's outputs unbounded logits (no sigmoid at the end), e.g. with random weights?"""
    d = sub.build_discriminator()
    activation = output_activation(sub, d)
    if activation in ("sigmoid", "softmax", "tanh"):
        raise AssertionError(f"the last layer of the discriminator applies "
                             f"{activation}: it must return logits (no activation), "
                             "because the losses take logits and apply the sigmoid themselves, " \
                             "stably")
    images, labels = digits()
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(images), 64, replace=False)
    randomize_weights(d, scale=1.0, seed=seed)
    out = np.concatenate([call_model(d, [images[pick], labels[pick]]).ravel(),
                          call_model(d, [rng.uniform(-1, 1, (64, 8, 8, 1)).astype(np.float32),
                                         labels[pick]]).ravel()])
    assert out.min() < 0 or out.max() > 1, \
        f"with large random weights every output lies in [{out.min():.3g}, {out.max():.3g}] " \
        "inside [0, 1]: the discriminator squashes its output into a probability. Return " \
        "logits: the last Dense layer has " \
        "no activation"


@graded(points=1, task="build_discriminator")
def test_discriminator_depends_on_label(sub, seed):
    """For the same image, do different labels give different logits?"""
    d = sub.build_discriminator()
    images, _ = digits()
    image = np.repeat(images[seed % len(images)][None], 10, axis=0)
    out = call_model(d, [image, np.arange(10, dtype=np.int32)]).ravel()
    assert np.ptp(out) > 1e-6, \
        f"the 10 labels give the same logit {out[0]:.4g} for one image: the discriminator " \
        "ignores its label input, so it cannot tell a 3 drawn for label 7 " \
        "from a real 7"
