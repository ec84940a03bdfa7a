"""A correct cgan solution in another style: plain-Python JSD, losses written with
softplus in keras.ops, a one-hot conditioned ReLU generator, a projection
discriminator (the label picks a direction in feature space, Miyato & Koyama 2018)
and a plain eager train_step with keras.random noise (a while loop for the k
discriminator updates); the Fréchet distance in float32 TensorFlow. It must get full
marks."""

import math

import keras
import numpy as np
import tensorflow as tf
from keras import ops


def optimal_discriminator(p_data, p_g):
    p_data = np.asarray(p_data, dtype=np.float64)
    total = p_data + np.asarray(p_g, dtype=np.float64)
    return np.divide(p_data, total, out=np.full(total.shape, 0.5), where=total > 0)


def _probabilities(values, name):
    values = [float(v) for v in np.ravel(values)]
    if any(v < 0 for v in values):
        raise ValueError(f"Invalid value for argument `{name}`: probabilities must be >= 0. "
                         f"Received: {name}={values}")
    if not math.isclose(math.fsum(values), 1.0, rel_tol=0.0, abs_tol=1e-6):
        raise ValueError(f"Invalid value for argument `{name}`: probabilities must sum to 1. "
                         f"Received: {name} with sum {math.fsum(values)}")
    return values


def js_divergence(p, q):
    p, q = _probabilities(p, "p"), _probabilities(q, "q")
    total = 0.0
    for p_i, q_i in zip(p, q):
        m_i = (p_i + q_i) / 2
        for a in (p_i, q_i):
            if a > 0:
                total += a * math.log(a / m_i) / 2
    return total


def gan_value(d_real, d_fake):
    return float(np.log(np.asarray(d_real, float)).mean()
                 + np.log1p(-np.asarray(d_fake, float)).mean())


def discriminator_loss(real_logits, fake_logits):
    # -log sigmoid(x) = softplus(-x);  -log(1 - sigmoid(x)) = softplus(x)
    return ops.mean(ops.softplus(-ops.convert_to_tensor(real_logits, "float32"))) + \
        ops.mean(ops.softplus(ops.convert_to_tensor(fake_logits, "float32")))


def generator_loss(fake_logits):
    return ops.mean(ops.softplus(-ops.convert_to_tensor(fake_logits, "float32")))


def build_generator(latent_dim=32, num_classes=10, image_shape=(8, 8, 1)):
    z = keras.Input(shape=(latent_dim,))
    labels = keras.Input(shape=(), dtype="int32")
    one_hot = keras.layers.CategoryEncoding(num_tokens=num_classes, output_mode="one_hot")(labels)
    h = keras.layers.Concatenate()([z, one_hot])
    h = keras.layers.Dense(192, activation="relu")(h)
    h = keras.layers.Dense(math.prod(image_shape), activation="tanh")(h)
    return keras.Model([z, labels], keras.layers.Reshape(image_shape)(h))


def build_discriminator(image_shape=(8, 8, 1), num_classes=10):
    images = keras.Input(shape=image_shape)
    labels = keras.Input(shape=(), dtype="int32")
    features = keras.layers.Flatten()(images)
    for units in (128, 64):
        features = keras.layers.Dense(units, activation="leaky_relu")(features)
    unconditional = keras.layers.Dense(1)(features)
    direction = keras.layers.Embedding(num_classes, 64)(labels)  # one direction per label
    projection = ops.sum(direction * features, axis=-1, keepdims=True)
    return keras.Model([images, labels], unconditional + projection)


def train_step(generator, discriminator, g_optimizer, d_optimizer, images, labels,
               latent_dim=32, d_steps=1):
    if int(d_steps) != d_steps or d_steps < 1:
        raise ValueError(f"Invalid value for argument `d_steps`: expected a whole number of "
                         f"discriminator updates, at least 1. Received: d_steps={d_steps}")
    real = ops.convert_to_tensor(images, "float32")
    y = ops.convert_to_tensor(labels, "int32")
    n = ops.shape(real)[0]

    done = 0
    while done < d_steps:
        with tf.GradientTape() as tape:
            fake = generator([keras.random.normal((n, latent_dim)), y], training=True)
            d_loss = discriminator_loss(discriminator([real, y], training=True),
                                        discriminator([fake, y], training=True))
        grads = tape.gradient(d_loss, discriminator.trainable_weights)
        d_optimizer.apply(grads, discriminator.trainable_weights)
        done += 1

    with tf.GradientTape() as tape:
        fake = generator([keras.random.normal((n, latent_dim)), y], training=True)
        g_loss = generator_loss(discriminator([fake, y], training=True))
    grads = tape.gradient(g_loss, generator.trainable_weights)
    g_optimizer.apply(grads, generator.trainable_weights)
    return {"d_loss": float(d_loss), "g_loss": float(g_loss)}


def frechet_distance(mu1, sigma1, mu2, sigma2):
    # In float32 TensorFlow: Tr (s1 s2)^(1/2) from the eigenvalues of s1^(1/2) s2 s1^(1/2).
    shapes = {name: np.shape(value) for name, value in
              (("mu1", mu1), ("sigma1", sigma1), ("mu2", mu2), ("sigma2", sigma2))}
    if len(shapes["mu1"]) != 1:
        raise ValueError(f"Invalid value for argument `mu1`: must be 1-D. "
                         f"Received: mu1 with shape {shapes['mu1']}")
    d = shapes["mu1"][0]
    wanted = {"mu2": (d,), "sigma1": (d, d), "sigma2": (d, d)}
    for name, shape in wanted.items():
        if tuple(shapes[name]) != shape:
            raise ValueError(f"Invalid value for argument `{name}`: must have shape {shape}. "
                             f"Received: {name} with shape {tuple(shapes[name])}")
    m1, m2 = (tf.constant(np.asarray(m), tf.float32) for m in (mu1, mu2))
    s1, s2 = (tf.constant(np.asarray(s), tf.float32) for s in (sigma1, sigma2))
    w, v = tf.linalg.eigh((s1 + tf.transpose(s1)) / 2)
    root1 = tf.matmul(v * tf.sqrt(tf.maximum(w, 0.0)), v, transpose_b=True)
    inner = root1 @ s2 @ root1
    lam = tf.linalg.eigvalsh((inner + tf.transpose(inner)) / 2)
    value = (tf.reduce_sum(tf.square(m1 - m2)) + tf.linalg.trace(s1) + tf.linalg.trace(s2)
             - 2.0 * tf.reduce_sum(tf.sqrt(tf.maximum(lam, 0.0))))
    return max(float(value), 0.0)
