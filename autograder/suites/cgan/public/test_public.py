"""Public checks for the cgan assignment (students receive this file)."""

import numpy as np

from autograder.checks import expect_close, expect_shape
from autograder.marks import graded


def softplus(x):
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


@graded(points=1, task="optimal_discriminator")
def test_optimal_discriminator_small(sub):
    """Is D* = p_data / (p_data + p_g) on three points?"""
    got = sub.optimal_discriminator(np.array([0.2, 0.3, 0.5]), np.array([0.6, 0.3, 0.1]))
    expect_close(got, [0.25, 0.5, 0.5 / 0.6], "optimal_discriminator(p_data, p_g)")


@graded(points=1, task="js_divergence")
def test_js_disjoint(sub):
    """Is the JSD of two disjoint distributions log 2?"""
    expect_close(sub.js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0])), np.log(2.0),
                 "js_divergence([1, 0], [0, 1])")


@graded(points=1, task="gan_value")
def test_gan_value_at_half(sub):
    """Is V(D, G) = -log 4 when D outputs 1/2 everywhere?"""
    expect_close(sub.gan_value(np.full(4, 0.5), np.full(4, 0.5)), -np.log(4.0),
                 "gan_value(0.5, 0.5)")


@graded(points=1, task="discriminator_loss")
def test_discriminator_loss_at_zero(sub):
    """Is the discriminator loss 2 log 2 when every logit is 0?"""
    zeros = np.zeros((4, 1), dtype=np.float32)
    got = float(np.asarray(sub.discriminator_loss(zeros, zeros)))
    expect_close(got, 2 * np.log(2.0), "discriminator_loss(0, 0)", rtol=1e-5)


@graded(points=1, task="generator_loss")
def test_generator_loss_small(sub):
    """Is the generator loss -mean log sigmoid(fake_logits)?"""
    fake = np.array([[1.0], [-2.0]], dtype=np.float32)
    got = float(np.asarray(sub.generator_loss(fake)))
    expect_close(got, float(np.mean(softplus(-fake))), "generator_loss([1, -2])", rtol=1e-5)


@graded(points=1, task="build_generator")
def test_generator_output(sub):
    """Does G give (batch, 8, 8, 1) images in [-1, 1]?"""
    g = sub.build_generator(latent_dim=32, num_classes=10, image_shape=(8, 8, 1))
    z = np.random.default_rng(0).normal(size=(4, 32)).astype(np.float32)
    out = expect_shape(np.asarray(g([z, np.array([0, 1, 2, 3])])), (4, 8, 8, 1), "G([z, labels])")
    assert out.min() >= -1 and out.max() <= 1, "images must lie in [-1, 1]: end with tanh"


@graded(points=1, task="build_discriminator")
def test_discriminator_output(sub):
    """Does D give one logit per image, shape (batch, 1)?"""
    d = sub.build_discriminator(image_shape=(8, 8, 1), num_classes=10)
    images = np.zeros((3, 8, 8, 1), dtype=np.float32)
    expect_shape(np.asarray(d([images, np.array([0, 5, 9])])), (3, 1), "D([images, labels])")


@graded(points=1, task="train_step")
def test_train_step_returns_losses(sub):
    """Does one train_step return finite float losses under 'd_loss' and 'g_loss'?"""
    g, d = sub.build_generator(), sub.build_discriminator()
    images = np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype(np.float32)
    adam = {"class_name": "Adam", "config": {"learning_rate": 1e-3}}
    out = sub.train_step(g, d, sub.keras_object("optimizers", adam),
                         sub.keras_object("optimizers", adam), images, np.arange(8) % 10,
                         latent_dim=32)
    assert set(out) == {"d_loss", "g_loss"}, f"expected keys d_loss and g_loss, got {set(out)}"
    assert all(isinstance(v, (float, np.floating)) and np.isfinite(v) for v in out.values()), \
        f"losses should be finite Python floats, got {out}"


@graded(points=1, task="train_step")
def test_train_step_d_steps_counts_updates(sub):
    """Does train_step(..., d_steps=3) update D 3 times and G once (the optimizers' iterations)?"""
    g, d = sub.build_generator(), sub.build_discriminator()
    images = np.random.default_rng(1).uniform(-1, 1, (8, 8, 8, 1)).astype(np.float32)
    adam = {"class_name": "Adam", "config": {"learning_rate": 1e-3}}
    g_opt, d_opt = sub.keras_object("optimizers", adam), sub.keras_object("optimizers", adam)
    sub.train_step(g, d, g_opt, d_opt, images, np.arange(8) % 10, latent_dim=32, d_steps=3)
    counts = int(np.asarray(d_opt.iterations)), int(np.asarray(g_opt.iterations))
    assert counts == (3, 1), \
        f"after one call with d_steps=3, d_optimizer.iterations and g_optimizer.iterations " \
        f"are {counts}, expected (3, 1): d_steps discriminator updates, then one generator update"


@graded(points=1, task="frechet_distance")
def test_frechet_distance_diagonal(sub):
    """Is the distance 27 for N(0, diag(1, 4)) and N((3, 4), diag(4, 1))?"""
    got = sub.frechet_distance(np.zeros(2), np.diag([1.0, 4.0]), np.array([3.0, 4.0]),
                               np.diag([4.0, 1.0]))
    expect_close(got, 27.0, "frechet_distance", rtol=1e-4)
