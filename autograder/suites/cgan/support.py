"""Helpers shared by the cgan hidden tests: stable formulas, digits, model probes."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, Phase, settings


def derandomized(max_examples: int) -> settings:
    """The same examples on every regrade (the student functions are stateless)."""
    return settings(derandomize=True, database=None, max_examples=max_examples, deadline=None,
                    phases=(Phase.explicit, Phase.generate, Phase.shrink),
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def softplus(x):
    """log(1 + exp(x)) without overflow."""
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def d_loss_oracle(real_logits, fake_logits) -> float:
    """-[mean log sigmoid(real) + mean log(1 - sigmoid(fake))]."""
    return float(np.mean(softplus(-np.ravel(real_logits))) + np.mean(softplus(np.ravel(fake_logits))))


def g_loss_oracle(fake_logits) -> float:
    """-mean log sigmoid(fake): the non-saturating generator loss."""
    return float(np.mean(softplus(-np.ravel(fake_logits))))


def scalar(value, what: str) -> float:
    """A loss as one float, whatever tensor type holds it."""
    try:
        arr = np.asarray(value, dtype=float)
    except Exception as exc:  # noqa: BLE001  (anything a student may return)
        raise AssertionError(f"{what} should be a number (a scalar tensor), got "
                             f"{type(value).__name__}: {exc}") from None
    if arr.size != 1:
        raise AssertionError(f"{what} should be one number (the mean over the batch), got shape "
                             f"{arr.shape}: average the per-sample losses")
    return float(arr.reshape(()))


def digits():
    """sklearn's 8x8 digits scaled to [-1, 1]: images (1797, 8, 8, 1) float32, labels (1797,)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    images = (data.data / 8.0 - 1.0).astype(np.float32).reshape(-1, 8, 8, 1)
    return images, data.target.astype(np.int32)


class NearestCentroid:
    """The grader's fixed digit classifier: the closest class mean of the real digits."""

    def __init__(self, images, labels):
        flat = images.reshape(len(images), -1)
        self.centroids = np.stack([flat[labels == k].mean(axis=0) for k in range(10)])

    def features(self, images):
        """The classifier's last layer before its decision: the Euclidean distance of each
        image to each class mean, (n, 10)."""
        flat = np.asarray(images, dtype=float).reshape(len(images), -1)
        return np.sqrt(((flat[:, None, :] - self.centroids[None, :, :]) ** 2).sum(axis=2))

    def predict(self, images):
        return self.features(images).argmin(axis=1)


def fd_oracle(mu1, sigma1, mu2, sigma2) -> float:
    """||mu1 - mu2||^2 + Tr(sigma1 + sigma2 - 2 sqrtm(sigma1 sigma2)) with scipy's sqrtm."""
    import scipy.linalg

    root = scipy.linalg.sqrtm(sigma1 @ sigma2)
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(root).real)


def frechet_to_real(classifier, real, fakes) -> float:
    """FID in the fixed classifier's features: Gaussians fitted to the real digits' and the
    samples' features, compared with the grader's own Fréchet distance (scipy's sqrtm)."""
    import warnings

    import scipy.linalg

    a, b = classifier.features(real), classifier.features(fakes)
    mu1, s1 = a.mean(axis=0), np.cov(a, rowvar=False)
    mu2, s2 = b.mean(axis=0), np.cov(b, rowvar=False)
    with warnings.catch_warnings():  # a collapsed generator makes s2 singular: still defined
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        value = fd_oracle(mu1, s1, mu2, s2)
    if not np.isfinite(value):  # sqrtm gave up: the same trace from the eigenvalues
        eigenvalues = np.linalg.eigvals(s1 @ s2).real
        diff = mu1 - mu2
        value = float(diff @ diff + np.trace(s1) + np.trace(s2)
                      - 2 * np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))
    return value


def error_name(exc: BaseException) -> str:
    """The class name of an error as the student's code raised it (not the grader's copy)."""
    info = getattr(exc, "info", None)
    if isinstance(info, dict) and info.get("type"):
        return info["type"]
    return type(exc).__name__


def call_model(model, inputs) -> np.ndarray:
    """model(inputs) as numpy, with a readable failure (a handle: the call runs in the runner)."""
    try:
        out = model(inputs, training=False)
    except Exception as exc:  # noqa: BLE001  (anything the student's model raises)
        shapes = [getattr(x, "shape", None) for x in inputs]
        raise AssertionError(f"calling your model on inputs of shapes {shapes} failed: "
                             f"{error_name(exc)}: {str(exc)[:300]}") from None
    return np.asarray(out, dtype=float)


def trainable_snapshot(model) -> list[np.ndarray]:
    """The values of a model's trainable weights (fetched one variable at a time)."""
    return [np.array(v, dtype=float) for v in model.trainable_weights]


def randomize_weights(model, scale: float, seed: int) -> None:
    """Overwrite every trainable weight with N(0, scale^2) draws (non-trainable ones stay).

    The draws are made here; the student's model (in the runner) only receives arrays.
    """
    rng = np.random.default_rng(seed)
    for var in model.trainable_weights:
        current = np.asarray(var)
        var.assign(rng.normal(0.0, scale, size=current.shape).astype(current.dtype))


def largest_change(before, model) -> float:
    after = trainable_snapshot(model)
    return max((float(np.max(np.abs(a - b))) for a, b in zip(after, before) if a.size),
               default=0.0)


def optimizer(sub, name: str, **config):
    """A stock Keras optimizer made where the student's code runs (e.g. "SGD", learning_rate=0.5)."""
    return sub.keras_object("optimizers", {"class_name": name, "config": config})


def seed_runner(sub, seed: int) -> None:
    """`keras.utils.set_random_seed(seed)` where the student's code runs (Keras, numpy, random),
    with Keras as the notebook's setup cell imports it."""
    if not sub.has("keras"):
        raise AssertionError("your code has no `keras`: keep the setup cell's `import keras`")
    sub.keras.utils.set_random_seed(int(seed))


def runner_tensorflow(sub):
    """TensorFlow as the notebook's setup cell imports it (`tf`), in the runner."""
    if not sub.has("tf"):
        raise AssertionError("your code has no `tf`: keep the setup cell's "
                             "`import tensorflow as tf`")
    return sub.tf


def toy_gan(latent_dim: int, num_classes: int, offset, kernel, bias):
    """A generator and discriminator whose single step the grader can compute exactly.

    Stock Keras layers only, so that `sub.keras_model` can copy them to the student's
    side. G ignores z and the label (both enter through frozen zero weights): every fake
    is tanh(offset) reshaped to (8, 8, 1), whatever noise or labels train_step draws. The
    offset is the bias of the Dense layer named "offset", whose input is always zero (so
    its kernel gets a zero gradient and never moves under SGD). D is one Dense unit named
    "logit" on the flattened image (kernel (64, 1) and bias (1,)); the label enters
    through a frozen zero embedding. So the exact gradients of both losses are known in
    closed form.
    """
    import keras

    z = keras.Input(shape=(latent_dim,))
    labels = keras.Input(shape=(), dtype="int32")
    frozen_z = keras.layers.Dense(64, use_bias=False, kernel_initializer="zeros",
                                  trainable=False)(z)
    frozen_y = keras.layers.Embedding(num_classes, 64, embeddings_initializer="zeros",
                                      trainable=False)(labels)
    offset_layer = keras.layers.Dense(64, kernel_initializer="zeros", name="offset")
    h = offset_layer(keras.layers.Add()([frozen_z, frozen_y]))
    images = keras.layers.Reshape((8, 8, 1))(keras.layers.Activation("tanh")(h))
    generator = keras.Model([z, labels], images)
    offset_layer.bias.assign(np.asarray(offset, np.float32))

    x = keras.Input(shape=(8, 8, 1))
    y = keras.Input(shape=(), dtype="int32")
    dense = keras.layers.Dense(1, name="logit")
    logit = dense(keras.layers.Flatten()(x))
    label_term = keras.layers.Embedding(num_classes, 1, embeddings_initializer="zeros",
                                        trainable=False)(y)
    discriminator = keras.Model([x, y], keras.layers.Add()([logit, label_term]))
    dense.kernel.assign(np.asarray(kernel, np.float32).reshape(64, 1))
    dense.bias.assign(np.asarray(bias, np.float32).reshape(1))
    return generator, discriminator


def rebuild(sub, model):
    """A judge-side copy of a stock Keras model from the runner (config and weights as data)."""
    import keras

    data = sub.model_data(model)
    copy = keras.models.model_from_json(data["config"])
    copy.set_weights(data["weights"])
    return copy


def noise_probe_gan(num_classes: int = 10):
    """A generator that draws its noise as the image, and a linear discriminator.

    Stock Keras layers only. G maps z (batch, 64) through a Dense layer named "pass"
    whose kernel starts as the identity and whose bias starts at 0, so every fake is z
    itself reshaped to (8, 8, 1) (the label enters through a frozen zero embedding).
    D is one Dense unit named "logit" on the flattened image, kernel and bias 0, the
    label again through a frozen zero embedding. Fed real images that are all 0, D's
    kernel gradient comes from the fakes alone: one plain SGD step of rate lr on
    discriminator_loss moves the kernel by -lr * mean_j sigmoid(logit_j) z_j, which is
    -lr/2 times the batch mean of z while the logits stay near 0. So D's kernel after
    k updates records the sum of the k noise means, and its squared length tells
    independent draws (about k times one update's) from one reused draw (k^2 times).
    """
    import keras

    z = keras.Input(shape=(64,))
    labels = keras.Input(shape=(), dtype="int32")
    through = keras.layers.Dense(64, kernel_initializer="identity", name="pass")(z)
    frozen_y = keras.layers.Embedding(num_classes, 64, embeddings_initializer="zeros",
                                      trainable=False)(labels)
    images = keras.layers.Reshape((8, 8, 1))(keras.layers.Add()([through, frozen_y]))
    generator = keras.Model([z, labels], images)

    x = keras.Input(shape=(8, 8, 1))
    y = keras.Input(shape=(), dtype="int32")
    logit = keras.layers.Dense(1, kernel_initializer="zeros", name="logit")(
        keras.layers.Flatten()(x))
    label_term = keras.layers.Embedding(num_classes, 1, embeddings_initializer="zeros",
                                        trainable=False)(y)
    discriminator = keras.Model([x, y], keras.layers.Add()([logit, label_term]))
    return generator, discriminator
