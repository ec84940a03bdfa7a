"""Hidden tests: one training step updates D on its loss (d_steps times, each on fresh
noise), then G on its loss, each alone."""

import numpy as np

from autograder.checks import expect_close, expect_raises_value_error
from autograder.marks import graded
from autograder.suites.cgan.support import (
    digits,
    largest_change,
    noise_probe_gan,
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


def run_step(sub, generator, discriminator, g_opt, d_opt, images, labels, latent_dim,
             **d_steps):
    """train_step's answer as {"d_loss": float, "g_loss": float}; `d_steps=k` only if given."""
    out = sub.train_step(generator, discriminator, g_opt, d_opt, images, labels,
                         latent_dim=latent_dim, **d_steps)
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

    def expected_k(self, d_steps, generator_every_step=False):
        """(w, b, offset, d_loss, g_loss) after d_steps D steps, then one G step (or, with
        generator_every_step, a G step after each D step); d_loss is the last D step's."""
        w, b, offset = self.w, self.b, self.offset.copy()
        for _ in range(d_steps):
            c = np.tanh(offset)
            d_loss = float(np.mean(softplus(-(self.x @ w + b))) + softplus(c @ w + b))
            dw, db = self.d_grads(w, b, c)
            w, b = w - LR * dw, b - LR * db
            if generator_every_step:
                g_loss = float(softplus(-(c @ w + b)))
                offset = offset - LR * self.g_grad(w, b, c)
        if not generator_every_step:
            c = np.tanh(offset)
            g_loss = float(softplus(-(c @ w + b)))
            offset = offset - LR * self.g_grad(w, b, c)
        return w, b, offset, d_loss, g_loss


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


# ------------------------------------------------- d_steps: Algorithm 1's k


K = 3  # the grader's d_steps


def iterations(opt) -> int:
    return int(np.asarray(opt.iterations))


def diagnose_k(toy, got_w, got_b, got_offset):
    """Name the loop mistake whose exact outcome matches what came back, if one does."""
    if all(close(g, w) for g, w in zip((got_w, got_b, got_offset),
                                         toy.expected_k(K, generator_every_step=True)[:3])):
        raise AssertionError(f"with d_steps={K} the generator was updated after every "
                             "discriminator update: make the d_steps discriminator updates "
                             "first, then one generator update")
    for steps in (1, K - 1, K + 1):
        if all(close(g, w) for g, w in zip((got_w, got_b, got_offset),
                                             toy.expected_k(steps)[:3])):
            raise AssertionError(f"with d_steps={K} the discriminator took exactly {steps} "
                                 f"step{'s' if steps > 1 else ''} on its loss, then the "
                                 "generator one: "
                                 + ("d_steps seems ignored" if steps == 1 else
                                    "the loop runs one time too many or too few"))


@graded(points=3, task="train_step")
def test_k_discriminator_steps_then_one_generator_step(sub, seed):
    """With d_steps=3 and plain SGD, does D take 3 exact steps on its loss, then G one step against that D?"""
    toy = ToyStep(seed + 3)
    generator, discriminator = toy.models(sub)
    run_step(sub, generator, discriminator, sgd(sub, LR), sgd(sub, LR), toy.images, toy.labels,
             toy.latent_dim, d_steps=K)
    got_w, got_b, got_offset = observed(sub, generator, discriminator)
    w, b, offset, _, _ = toy.expected_k(K)
    if not (close(got_w, w) and close(got_b, b) and close(got_offset, offset)):
        diagnose_k(toy, got_w, got_b, got_offset)
    expect_close(got_w, w, f"discriminator kernel after one train_step with d_steps={K} (SGD, "
                 "lr 0.5)", rtol=2e-3, atol=2e-5,
                 hint=f"{K} d_optimizer steps on discriminator_loss, each against the same "
                      "real batch, with the generator unchanged between them")
    expect_close(got_b, b, f"discriminator bias after one train_step with d_steps={K}",
                 rtol=2e-3, atol=2e-5)
    expect_close(got_offset, offset, f"generator weights after one train_step with d_steps={K}",
                 rtol=2e-3, atol=2e-5,
                 hint=f"one g_optimizer step on generator_loss against D after its {K} steps, "
                      "and no generator step between the discriminator's")


@graded(points=2, task="train_step")
def test_k_steps_count_optimizer_iterations(sub, seed):
    """Called twice with d_steps=3, does each call add 3 to d_optimizer.iterations and 1 to g_optimizer's?"""
    toy = ToyStep(seed + 4)
    generator, discriminator = toy.models(sub)
    g_opt, d_opt = sgd(sub, 0.01), sgd(sub, 0.01)
    for call in range(2):  # a second call: a compiled step must count again
        d_before, g_before = iterations(d_opt), iterations(g_opt)
        run_step(sub, generator, discriminator, g_opt, d_opt, toy.images, toy.labels,
                 toy.latent_dim, d_steps=K)
        d_moves, g_moves = iterations(d_opt) - d_before, iterations(g_opt) - g_before
        what = "one call" if call == 0 else "a second call on the same models"
        assert d_moves == K, \
            f"{what} of train_step(..., d_steps={K}) advanced d_optimizer.iterations by " \
            f"{d_moves}, expected {K}: apply d_optimizer once per discriminator update, " \
            f"d_steps times" + (" (d_steps seems ignored)" if d_moves == 1 else "")
        assert g_moves == 1, \
            f"{what} of train_step(..., d_steps={K}) advanced g_optimizer.iterations by " \
            f"{g_moves}, expected 1: update the generator once, after the d_steps " \
            "discriminator updates"


@graded(points=1, task="train_step")
def test_k_steps_report_last_losses(sub, seed):
    """With d_steps=3, is d_loss the third D update's loss (before it) and g_loss G's against the final D?"""
    toy = ToyStep(seed + 5)
    generator, discriminator = toy.models(sub)
    out = run_step(sub, generator, discriminator, sgd(sub, LR), sgd(sub, LR), toy.images,
                   toy.labels, toy.latent_dim, d_steps=K)
    _, _, _, d_loss, g_loss = toy.expected_k(K)
    first = toy.expected_k(1)[3]
    if not np.isclose(out["d_loss"], d_loss, rtol=1e-3) and np.isclose(out["d_loss"], first,
                                                                       rtol=1e-3):
        raise AssertionError(f"train_step(..., d_steps={K})['d_loss'] is {out['d_loss']:.6g}, "
                             f"the loss of the first discriminator update; expected the last "
                             f"one's, {d_loss:.6g}")
    expect_close(out["d_loss"], d_loss, f"train_step(..., d_steps={K})['d_loss']", rtol=1e-3,
                 hint="report the discriminator_loss computed for the last of the d_steps "
                      "updates (before that update)")
    expect_close(out["g_loss"], g_loss, f"train_step(..., d_steps={K})['g_loss']", rtol=1e-3,
                 hint="report the generator_loss computed for G's update")


NOISE_LR = 0.01  # SGD on the probe: D's logits stay within about 0.05 of 0
NOISE_CALLS = 6  # calls with d_steps=1 and with d_steps=3, alternating
NOISE_BAR = 3 * 3 ** 0.5  # between 3 (fresh z: variances add) and 9 (one z reused three times)


def squared_moves(sub, seed) -> dict[int, float]:
    """d_steps -> mean squared move of the probe D's kernel per call, in units of lr / 2."""
    generator, discriminator = (sub.keras_model(m) for m in noise_probe_gan())
    g_opt, d_opt = sgd(sub, 0.0), sgd(sub, NOISE_LR)
    real = np.zeros((32, 8, 8, 1), np.float32)
    labels = np.random.default_rng(seed).integers(0, 10, 32).astype(np.int32)
    layer = discriminator.get_layer("logit")
    squared = {1: [], K: []}
    for call in range(2 * NOISE_CALLS):
        d_steps = 1 if call % 2 == 0 else K
        before = np.asarray(layer.kernel, dtype=float).ravel()
        run_step(sub, generator, discriminator, g_opt, d_opt, real, labels, 64,
                 d_steps=d_steps)
        moved = (np.asarray(layer.kernel, dtype=float).ravel() - before) / (-NOISE_LR / 2)
        squared[d_steps].append(float(moved @ moved))
    return {k: float(np.mean(v)) for k, v in squared.items()}


@graded(points=2, task="train_step")
def test_each_discriminator_update_draws_fresh_noise(sub, seed):
    """With d_steps=3, does each D update draw its own z (D's summed move not that of one z reused)?"""
    moves = squared_moves(sub, seed)
    assert moves[1] > 0, "the discriminator did not move in train_step(..., d_steps=1): is " \
                         "d_optimizer applied to discriminator.trainable_variables?"
    ratio = moves[K] / moves[1]
    assert ratio < NOISE_BAR, \
        f"the grader's probe (a generator whose fakes are its noise, real images all 0) " \
        f"measures how far D moves: with d_steps={K} the squared move was {ratio:.2f} times " \
        f"that of d_steps=1 (mean of {NOISE_CALLS} calls each), expected about {K} when " \
        f"each update draws its own z and about {K * K} when one z (or one batch of fakes) " \
        f"is reused; bar {NOISE_BAR:.2f}. Draw fresh z inside the loop, for every " \
        "discriminator update"


@graded(points=1, task="train_step")
def test_d_steps_below_one_raises(sub, seed):
    """Does d_steps=0 (or -1) raise ValueError naming `d_steps`?"""
    toy = ToyStep(seed + 6)
    for bad in (0, -1):
        generator, discriminator = toy.models(sub)
        expect_raises_value_error(sub.train_step, generator, discriminator, sgd(sub, LR),
                                  sgd(sub, LR), toy.images, toy.labels,
                                  latent_dim=toy.latent_dim, d_steps=bad, argument="d_steps")
