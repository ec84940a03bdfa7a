"""Hidden tests: one training step updates D on its loss, then G on its loss, each alone."""

import numpy as np

from autograder.checks import expect_close
from autograder.marks import graded
from autograder.suites.cgan.support import (
    digits,
    largest_change,
    optimizer,
    rebuild,
    sigmoid,
    softplus,
    toy_gan,
    trainable_snapshot,
)

LR = 0.5  # plain SGD, so a step is exactly -LR * gradient


def sgd(sub, learning_rate):
    return optimizer(sub, "SGD", learning_rate=learning_rate)


def run_step(sub, generator, discriminator, g_opt, d_opt, images, labels, latent_dim):
    out = sub.train_step(generator, discriminator, g_opt, d_opt, images, labels,
                         latent_dim=latent_dim)
    if not isinstance(out, dict) or set(out) != {"d_loss", "g_loss"}:
        raise AssertionError(f"train_step should return {{'d_loss': float, 'g_loss': float}}, "
                             f"got {type(out).__name__} "
                             f"{sorted(out) if isinstance(out, dict) else ''}")
    for key, value in out.items():
        if not isinstance(value, (float, np.floating)):
            raise AssertionError(f"train_step's {key!r} should be a Python float (float(loss)), "
                                 f"got {type(value).__name__}")
    return {k: float(v) for k, v in out.items()}


class ToyStep:
    """One grader-made problem, its exact step, and the steps of typical mistakes."""

    def __init__(self, seed, latent_dim=7, batch=16):
        rng = np.random.default_rng(seed)
        images, labels = digits()
        pick = rng.choice(len(images), batch, replace=False)
        self.images, self.labels = images[pick], labels[pick]
        self.x = self.images.reshape(batch, 64).astype(float)
        self.offset = rng.uniform(-1.0, 1.0, 64)
        self.w, self.b = rng.normal(0.0, 0.15, 64), -2.0  # D is fairly sure fakes are fake
        self.latent_dim = latent_dim

    def models(self, sub, num_classes=10):
        """The toy generator and discriminator, copied to where the student's code runs."""
        generator, discriminator = toy_gan(self.latent_dim, num_classes, self.offset, self.w,
                                           self.b)
        return sub.keras_model(generator), sub.keras_model(discriminator)

    def d_grads(self, w, b, c, loss="discriminator"):
        real, fake = self.x @ w + b, c @ w + b
        if loss == "generator":  # -log D(fake), taken w.r.t. D's weights
            return -sigmoid(-fake) * c, -sigmoid(-fake)
        coef = -sigmoid(-real)
        return (coef @ self.x / len(real) + sigmoid(fake) * c,
                float(np.mean(coef) + sigmoid(fake)))

    def g_grad(self, w, b, c, loss="generator"):
        fake = c @ w + b
        dlogit = {"generator": -sigmoid(-fake), "discriminator": sigmoid(fake),
                  "saturating": -sigmoid(fake)}[loss]
        return dlogit * w * (1.0 - c ** 2)

    def expected(self, mistake=None):
        """(new w, new b, new offset, d_loss, g_loss) for the right step or a named mistake."""
        w, b, c = self.w, self.b, np.tanh(self.offset)
        offset = self.offset.copy()
        if mistake == "generator first":
            offset = offset - LR * self.g_grad(w, b, c)
            c = np.tanh(offset)
        dw, db = self.d_grads(w, b, c, "generator" if mistake == "D on G's loss" else
                              "discriminator")
        if mistake == "D step also moves G":
            offset = offset - LR * sigmoid(c @ w + b) * w * (1 - c ** 2)
        d_loss = float(np.mean(softplus(-(self.x @ w + b))) + softplus(c @ w + b))
        w2, b2 = w - LR * dw, b - LR * db
        if mistake == "generator first":
            return w2, b2, offset, d_loss, None
        c = np.tanh(offset)
        loss = {"G on D's loss": "discriminator", "saturating G loss": "saturating"}.get(
            mistake, "generator")
        g = self.g_grad(w2, b2, c, loss)
        g_loss = float(softplus(-(c @ w2 + b2)))
        if mistake == "G step also moves D":
            pull = LR * sigmoid(-(c @ w2 + b2))  # -LR * d g_loss / d logit
            w2, b2 = w2 + pull * c, b2 + pull
        return w2, b2, offset - LR * g, d_loss, g_loss


MISTAKES = {
    "G on D's loss": "the generator was trained on the discriminator's loss: its step made D "
                     "MORE sure the fakes are fake. The generator minimises " \
                     "generator_loss",
    "saturating G loss": "the generator step follows the saturating loss log(1 - D(G(z))) "
                         "(the right direction, but the gradient that vanishes " \
                         "when D wins)",
    "generator first": "the generator was updated before the discriminator: update D first, "
                       "then G against the updated D",
    "D on G's loss": "the discriminator was trained on the generator's loss: its step made D "
                     "believe the fakes more",
    "D step also moves G": "the discriminator's update also moved the generator: take the " \
                           "gradient of d_loss w.r.t. discriminator." \
                           "trainable_variables only",
    "G step also moves D": "the generator's update also moved the discriminator: take the " \
                           "gradient of g_loss w.r.t. generator." \
                           "trainable_variables only",
}


def observed(sub, generator, discriminator):
    """(D's kernel, D's bias, G's offset) after the step, read from copies of the two models."""
    offset = np.asarray(rebuild(sub, generator).get_layer("offset").bias, dtype=float)
    logit = rebuild(sub, discriminator).get_layer("logit")
    return (np.asarray(logit.kernel, dtype=float).ravel(), float(np.asarray(logit.bias)[0]),
            offset)


def close(a, b, rtol=2e-3, atol=2e-5):
    return np.allclose(a, b, rtol=rtol, atol=atol)


def diagnose(toy, got_w, got_b, got_offset):
    w, b, _, _, _ = toy.expected()
    if close(got_w - toy.w, 0.5 * (w - toy.w)) and close(got_b - toy.b, 0.5 * (b - toy.b)):
        raise AssertionError("the discriminator moved exactly half as far as one step on "
                             "discriminator_loss: a mean over the concatenated real and fake " \
                             "batch halves the loss. Use discriminator_loss: a mean per batch, " \
                             "the two means added")
    for mistake, explanation in MISTAKES.items():
        w, b, offset, _, _ = toy.expected(mistake)
        if close(got_w, w) and close(got_b, b) and close(got_offset, offset):
            raise AssertionError(f"after one train_step on a problem the grader can solve "
                                 f"exactly: {explanation}")


@graded(points=3, task="train_step")
def test_discriminator_step_is_exact(sub, seed):
    """With plain SGD, does D move by exactly -lr * grad of discriminator_loss (real 1, fakes 0)?"""
    toy = ToyStep(seed)
    generator, discriminator = toy.models(sub)
    run_step(sub, generator, discriminator, sgd(sub, LR), sgd(sub, LR), toy.images, toy.labels,
             toy.latent_dim)
    got_w, got_b, got_offset = observed(sub, generator, discriminator)
    w, b, _, _, _ = toy.expected()
    if not (close(got_w, w) and close(got_b, b)):
        diagnose(toy, got_w, got_b, got_offset)
    expect_close(got_w, w, "discriminator kernel after one train_step (SGD, lr 0.5)", rtol=2e-3,
                 atol=2e-5, hint="one step of d_optimizer on discriminator_loss(D(real), "
                                 "D(G(z))), gradients w.r.t. discriminator.trainable_variables")
    expect_close(got_b, b, "discriminator bias after one train_step", rtol=2e-3, atol=2e-5)


@graded(points=3, task="train_step")
def test_generator_step_is_exact(sub, seed):
    """With plain SGD, does G then move by exactly -lr * grad of generator_loss against the updated D?"""
    toy = ToyStep(seed + 1)
    generator, discriminator = toy.models(sub)
    before = np.tanh(toy.offset)
    run_step(sub, generator, discriminator, sgd(sub, LR), sgd(sub, LR), toy.images, toy.labels,
             toy.latent_dim)
    got_w, got_b, got_offset = observed(sub, generator, discriminator)
    _, _, offset, _, _ = toy.expected()
    if not close(got_offset, offset):
        diagnose(toy, got_w, got_b, got_offset)
        logit_before = before @ got_w + got_b
        logit_after = np.tanh(got_offset) @ got_w + got_b
        if logit_after < logit_before:
            raise AssertionError(
                f"the generator step lowered D's logit on the fakes from {logit_before:.4f} to "
                f"{logit_after:.4f}: the generator was trained to make D more sure its samples "
                "are fake, as if it minimised the discriminator's loss. Minimise generator_loss " \
                "(fakes labelled 1)")
    expect_close(got_offset, offset, "generator weights after one train_step (SGD, lr 0.5)",
                 rtol=2e-3, atol=2e-5,
                 hint="one step of g_optimizer on generator_loss(D(G(z))), with D already "
                      "updated, gradients w.r.t. generator.trainable_variables")


@graded(points=1, task="train_step")
def test_step_reports_losses(sub, seed):
    """Does train_step return the D loss before its update and the G loss against the updated D?"""
    toy = ToyStep(seed + 2)
    generator, discriminator = toy.models(sub)
    out = run_step(sub, generator, discriminator, sgd(sub, LR), sgd(sub, LR), toy.images, toy.labels,
                   toy.latent_dim)
    _, _, _, d_loss, g_loss = toy.expected()
    expect_close(out["d_loss"], d_loss, "train_step(...)['d_loss']", rtol=1e-3,
                 hint="report the discriminator_loss computed for D's update")
    expect_close(out["g_loss"], g_loss, "train_step(...)['g_loss']", rtol=1e-3,
                 hint="report the generator_loss computed for G's update")


def own_weights_case(sub, seed, frozen):
    images, labels = digits()
    pick = np.random.default_rng(seed).choice(len(images), 32, replace=False)
    generator, discriminator = sub.build_generator(), sub.build_discriminator()
    g_before, d_before = trainable_snapshot(generator), trainable_snapshot(discriminator)
    g_opt, d_opt = ((sgd(sub, 0.0), sgd(sub, 0.05)) if frozen == "generator"
                    else (sgd(sub, 0.05), sgd(sub, 0.0)))
    run_step(sub, generator, discriminator, g_opt, d_opt, images[pick], labels[pick], 32)
    return largest_change(g_before, generator), largest_change(d_before, discriminator)


@graded(points=2, task="train_step")
def test_discriminator_update_leaves_generator(sub, seed):
    """With your own models and g_optimizer's learning rate 0, is G unchanged while D moves?"""
    g_change, d_change = own_weights_case(sub, seed, frozen="generator")
    assert g_change == 0.0, \
        f"the generator's weights changed by up to {g_change:.3g} although g_optimizer has " \
        "learning rate 0: the discriminator's update also touches the generator. Apply " \
        "d_optimizer to discriminator." \
        "trainable_variables only"
    assert d_change > 0.0, "the discriminator's weights did not change: is d_optimizer applied " \
                           "to discriminator." \
                           "trainable_variables?"


@graded(points=2, task="train_step")
def test_generator_update_leaves_discriminator(sub, seed):
    """With your own models and d_optimizer's learning rate 0, is D unchanged while G moves?"""
    g_change, d_change = own_weights_case(sub, seed, frozen="discriminator")
    assert d_change == 0.0, \
        f"the discriminator's weights changed by up to {d_change:.3g} although d_optimizer has " \
        "learning rate 0: the generator's update also touches the discriminator. Apply " \
        "g_optimizer to generator." \
        "trainable_variables only"
    assert g_change > 0.0, "the generator's weights did not change: is g_optimizer applied to " \
                           "generator." \
                           "trainable_variables?"
