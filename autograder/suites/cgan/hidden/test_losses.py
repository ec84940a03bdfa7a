"""Hidden tests: the discriminator and generator losses, from logits."""

import numpy as np

from autograder.checks import expect_close
from autograder.marks import graded
from autograder.suites.cgan.support import (
    d_loss_oracle,
    error_name,
    g_loss_oracle,
    runner_tensorflow,
    scalar,
    sigmoid,
    softplus,
)

REAL = np.array([[2.0], [-1.0], [0.5]], dtype=np.float32)  # (3, 1) logits of real images
FAKE = np.array([[0.5], [-3.0], [1.5], [-0.25], [0.0]], dtype=np.float32)  # (5, 1), of fakes


def d_loss(sub, real, fake) -> float:
    return scalar(sub.discriminator_loss(real, fake), "discriminator_loss(...)")


def g_loss(sub, fake) -> float:
    return scalar(sub.generator_loss(fake), "generator_loss(...)")


def gradient(sub, func, *logits):
    """Gradients of the student's loss w.r.t. each logits argument; fails readably if none flows.

    TensorFlow differentiates the loss where the student's code runs
    (`tf.test.compute_gradient`: the backpropagated gradient, and one by finite
    differences); only arrays come back, and the grader judges them here.
    """
    tf = runner_tensorflow(sub)
    try:
        backprop, numeric = tf.test.compute_gradient(func, [np.asarray(x) for x in logits])
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001  (what a loss that is not a tensor raises)
        raise AssertionError(f"TensorFlow could not differentiate your loss ({error_name(exc)}: "
                             f"{str(exc)[:200]}): return a scalar tensor computed with "
                             "TensorFlow/Keras ops (not numpy, not float())") from None
    grads = [np.asarray(g, dtype=float).reshape(np.shape(x)) for g, x in zip(backprop, logits)]
    slopes = [np.asarray(n, dtype=float) for n in numeric]
    if all(not np.any(g) for g in grads) and any(np.any(np.abs(n) > 1e-3) for n in slopes):
        raise AssertionError("no gradient flows from your loss to the logits (the loss changes "
                             "with them, but its gradient is 0): compute it with TensorFlow/Keras "
                             "ops (not numpy, not float()) so train_step can differentiate it")
    return grads


# ---------------------------------------------------------------- discriminator_loss


@graded(points=2, task="discriminator_loss")
def test_discriminator_loss_hand_values(sub):
    """Is the loss -[mean log sigmoid(real) + mean log(1 - sigmoid(fake))] for 3 real, 5 fake logits?"""
    got = d_loss(sub, REAL, FAKE)
    want = d_loss_oracle(REAL, FAKE)
    candidates = {
        "real and fake swapped (real labelled 0, fake 1)": d_loss_oracle(FAKE, REAL),
        "the sign flipped (you maximise what D should minimise)": -want,
        "one mean over the concatenated batch instead of a mean per batch":
            float(np.mean(np.r_[softplus(-REAL.ravel()), softplus(FAKE.ravel())])),
    }
    for name, value in candidates.items():
        if abs(got - value) < 1e-4 and abs(value - want) > 1e-3:
            raise AssertionError(f"discriminator_loss gave {got:.5f}, expected {want:.5f}: that "
                                 f"is the value with {name}")
    expect_close(got, want, "discriminator_loss(real_logits, fake_logits)", rtol=1e-5,
                 hint="the inputs are logits: use a from-logits binary cross-entropy, real "
                      "labelled 1 and fake labelled 0, averaged over each batch")


@graded(points=1, task="discriminator_loss")
def test_discriminator_loss_perfect_discriminator(sub):
    """Is the loss about 0 (finite) when D is certain and right: real logits +100, fake -100?"""
    got = d_loss(sub, np.full((4, 1), 100.0, np.float32), np.full((4, 1), -100.0, np.float32))
    assert np.isfinite(got) and abs(got) < 1e-4, \
        f"discriminator_loss(+100, -100) = {got}, expected about 0: a certain, correct " \
        "discriminator has no loss (did you swap real and fake, or " \
        "flip the sign?)"


@graded(points=2, task="discriminator_loss")
def test_discriminator_loss_is_stable_when_wrong(sub):
    """Is the loss 200 (finite, not clipped) when D is certain and wrong: real -100, fake +100?"""
    got = d_loss(sub, np.full((4, 1), -100.0, np.float32), np.full((4, 1), 100.0, np.float32))
    assert np.isfinite(got), \
        f"discriminator_loss(-100, +100) = {got}: log(sigmoid(x)) overflows for large logits; " \
        "use a from-logits loss (softplus), not log " \
        "of a sigmoid"
    expect_close(got, 200.0, "discriminator_loss(real=-100, fake=+100)", rtol=1e-3,
                 hint="with logits, -log sigmoid(-100) = 100 exactly; a value near 16 or 32 "
                      "means the logits went through a sigmoid and a clipped probability loss")


@graded(points=1, task="discriminator_loss")
def test_discriminator_loss_gradient(sub):
    """Is d loss / d real_logit_i = -sigmoid(-r_i) / n_real and d / d fake_logit_j = sigmoid(f_j) / n_fake?"""
    g_real, g_fake = gradient(sub, sub.discriminator_loss, REAL, FAKE)
    expect_close(g_real, -sigmoid(-REAL) / len(REAL), "gradient w.r.t. real_logits", rtol=1e-4,
                 atol=1e-7)
    expect_close(g_fake, sigmoid(FAKE) / len(FAKE), "gradient w.r.t. fake_logits", rtol=1e-4,
                 atol=1e-7)


# ---------------------------------------------------------------- generator_loss


@graded(points=2, task="generator_loss")
def test_generator_loss_hand_values(sub):
    """Is the loss -mean log sigmoid(fake) (non-saturating) for 5 fake logits?"""
    got = g_loss(sub, FAKE)
    want = g_loss_oracle(FAKE)
    candidates = {
        "the saturating loss mean log(1 - D(G(z))) that the generator would minimise":
            float(np.mean(-softplus(FAKE.ravel()))),
        "the sign flipped": -want,
        "the discriminator's loss on the fakes, -mean log(1 - D(G(z)))":
            float(np.mean(softplus(FAKE.ravel()))),
    }
    for name, value in candidates.items():
        if abs(got - value) < 1e-4:
            raise AssertionError(f"generator_loss gave {got:.5f}, expected {want:.5f}: that is "
                                 f"{name}. Use -mean log D(G(z)): fakes labelled 1 in a "
                                 "from-logits binary cross-entropy")
    expect_close(got, want, "generator_loss(fake_logits)", rtol=1e-5)


@graded(points=2, task="generator_loss")
def test_generator_loss_extremes(sub):
    """Is the loss about 100 (finite) when D rejects the fakes (logit -100), about 0 at +100?"""
    low = g_loss(sub, np.full((3, 1), -100.0, np.float32))
    assert np.isfinite(low), f"generator_loss(-100) = {low}: use a from-logits loss (softplus)"
    if abs(low) < 1e-3 or low < 0:
        raise AssertionError(f"generator_loss(-100) = {low:.4g}: when the discriminator rejects "
                             "the fakes the loss should be large (about 100). A value near 0 " \
                             "or below is the saturating form log(1 - D(G(z))), whose gradient " \
                             "vanishes exactly when the generator is worst")
    expect_close(low, 100.0, "generator_loss(fake_logits = -100)", rtol=1e-3,
                 hint="a value near 16 means the logits went through a sigmoid and a clipped "
                      "probability loss")
    expect_close(g_loss(sub, np.full((3, 1), 100.0, np.float32)), 0.0,
                 "generator_loss(fake_logits = +100)", atol=1e-4)


@graded(points=1, task="generator_loss")
def test_generator_loss_gradient_does_not_vanish(sub):
    """At fake logit -6 (D sure it is fake), is the gradient -sigmoid(6) / n, not about 0?"""
    fake = np.full((4, 1), -6.0, np.float32)
    (grad,) = gradient(sub, sub.generator_loss, fake)
    if np.allclose(grad, -sigmoid(-6.0) / 4, rtol=1e-3) or np.allclose(grad, sigmoid(-6.0) / 4,
                                                                        rtol=1e-3):
        raise AssertionError(f"generator_loss has gradient {grad.ravel()[0]:.2e} per logit at "
                             "logit -6: it saturates. The non-saturating loss -log D(G(z)) " \
                             f"gives {-sigmoid(6.0) / 4:.3f}")
    expect_close(grad, -sigmoid(6.0) / 4 * np.ones_like(fake), "gradient of generator_loss",
                 rtol=1e-4)
