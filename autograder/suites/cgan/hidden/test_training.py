"""Hidden tests: a conditional GAN trained with the student's train_step draws the asked digit."""

import numpy as np

from autograder.marks import graded
from autograder.suites.cgan.support import (
    NearestCentroid,
    call_model,
    digits,
    frechet_to_real,
    optimizer,
    seed_runner,
)

TRAIN_SEED = 20_140_610  # one fixed run, shared by the tests below (bench: seeds 0-19)
STEPS = 500  # of batch 64 on the 1,797 digits
BATCH = 64
LEARNING_RATE = 0.005  # Adam(0.005, beta_1=0.5) for both networks, chosen by the grader
SAMPLES_PER_LABEL = 50
ACCURACY_BAR = 0.5  # reference 0.76-0.95, eager alternative 0.90-0.96 (20 seeds each),
# broken variants 0.08-0.12: bench/thresholds_cgan.md
SPREAD_BAR = 0.05  # smallest per-label pixel spread: reference >= 0.12, real digits 0.25
FID_BAR = 2.5  # the samples' FID to the real digits (classifier features, scipy's sqrtm):
# reference and alternatives 0.13-1.73 (20 seeds each); 50 steps 4.3-16, generator ignoring z
# 3.6-10, trained on D's loss > 200: bench/thresholds_cgan.md
_RUNS: dict = {}


def train(sub, seed: int, steps: int = STEPS):
    """Train the student's models with the student's train_step; return (generator, d_losses, g_losses)."""
    seed_runner(sub, seed)
    images, labels = digits()
    generator, discriminator = sub.build_generator(), sub.build_discriminator()
    g_opt = optimizer(sub, "Adam", learning_rate=LEARNING_RATE, beta_1=0.5)
    d_opt = optimizer(sub, "Adam", learning_rate=LEARNING_RATE, beta_1=0.5)
    rng = np.random.default_rng(seed)
    d_losses, g_losses = [], []
    for _ in range(steps):
        pick = rng.choice(len(images), BATCH, replace=False)
        out = sub.train_step(generator, discriminator, g_opt, d_opt, images[pick], labels[pick],
                             latent_dim=32)
        d_losses.append(float(out["d_loss"]))
        g_losses.append(float(out["g_loss"]))
    return generator, np.array(d_losses), np.array(g_losses)


def samples(generator, seed: int):
    """SAMPLES_PER_LABEL images for each label 0-9: (500, 8, 8, 1) and their labels."""
    rng = np.random.default_rng(seed + 1)
    wanted = np.repeat(np.arange(10, dtype=np.int32), SAMPLES_PER_LABEL)
    z = rng.normal(size=(len(wanted), 32)).astype(np.float32)
    return call_model(generator, [z, wanted]), wanted


def evaluate(generator, seed: int):
    """(fraction recognised as the asked label, smallest per-label pixel spread, images, labels)."""
    images, labels = digits()
    classifier = NearestCentroid(images, labels)
    fakes, wanted = samples(generator, seed)
    accuracy = float(np.mean(classifier.predict(fakes) == wanted))
    flat = fakes.reshape(len(fakes), -1)
    spread = min(float(flat[wanted == k].std(axis=0).mean()) for k in range(10))
    return accuracy, spread, fakes, wanted


def sample_fid(fakes) -> float:
    """FID of the samples to all 1,797 real digits, in the fixed classifier's features
    (the distances to the 10 class means), with the grader's Fréchet distance."""
    images, labels = digits()
    if not np.all(np.isfinite(fakes)):
        return float("nan")
    return frechet_to_real(NearestCentroid(images, labels), images, fakes)


def trained(sub):
    """(generator, accuracy, spread, samples, their labels, FID) of the one training run."""
    if "run" not in _RUNS:
        generator, d_losses, g_losses = train(sub, TRAIN_SEED)
        if not (np.all(np.isfinite(d_losses)) and np.all(np.isfinite(g_losses))):
            raise AssertionError("the losses became NaN or infinite during training: compute "
                                 "them from logits with a stable loss")
        accuracy, spread, fakes, wanted = evaluate(generator, TRAIN_SEED)
        _RUNS["run"] = (generator, accuracy, spread, fakes, wanted, sample_fid(fakes))
    return _RUNS["run"]


def draw(fakes, wanted, fid):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(10, 8, figsize=(4, 5))
    for k in range(10):
        row = fakes[wanted == k][:8]
        for j, ax in enumerate(axes[k]):
            ax.imshow(row[j].reshape(8, 8), cmap="gray_r", vmin=-1, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[k, 0].set_ylabel(str(k), rotation=0, labelpad=8)
    fig.suptitle(f"your generator, one row per label (FID {fid:.2f})", fontsize=8)
    return fig


@graded(points=6, task="cgan_training", timeout=200)
def test_generated_digits_show_their_label(sub, figures):
    """After 500 steps, does a nearest-centroid classifier see the asked label in > 50% of 500 samples?"""
    _, accuracy, _, fakes, wanted, fid = trained(sub)
    figures.add(draw(fakes, wanted, fid),
                f"Samples from your trained generator; FID to the real digits {fid:.2f} "
                f"(in the classifier's features; bar: below {FID_BAR})")
    assert accuracy > ACCURACY_BAR, \
        f"a nearest-centroid digit classifier (90% right on real digits) recognised the " \
        f"conditioned label in {accuracy:.0%} of 500 samples after {STEPS} steps, expected " \
        f"over {ACCURACY_BAR:.0%}. Check that G and D both receive the label, that G ends " \
        "in tanh, that D returns logits, and that train_step updates D then G on " \
        "their own losses"


@graded(points=2, task="cgan_training", timeout=200)
def test_no_total_mode_collapse(sub):
    """After training, is the mean pixel spread of every label's 50 samples above 0.05 (no mode collapse)?"""
    _, _, spread, _, _, _ = trained(sub)
    assert spread > SPREAD_BAR, \
        f"for one label the 50 samples are nearly identical (mean pixel spread {spread:.3f}, " \
        f"expected above {SPREAD_BAR}; real digits have about 0.25): the generator ignores z " \
        "(mode collapse). Check that z reaches the generator and is sampled " \
        "afresh every step"


@graded(points=2, task="cgan_training", timeout=200)
def test_samples_are_close_to_real_digits_in_fid(sub):
    """After training, is the FID of the 500 samples to the real digits (classifier features) below 2.5?"""
    _, _, _, _, _, fid = trained(sub)
    assert fid < FID_BAR, \
        f"the FID of your 500 samples to the 1,797 real digits is {fid:.2f}, expected below " \
        f"{FID_BAR} (500 real digits: about 0.02; a correct cGAN after {STEPS} steps: about " \
        "0.1 to 1.7; the same after 50 steps: 4 or more). FID compares Gaussians fitted " \
        "to the features (distances to the 10 class means) of the samples and of the real " \
        "digits, so it grows when the samples are off the digits, too alike, or spread " \
        "over the wrong labels. Check that z and the label both reach the generator and " \
        "that train_step updates D then G on their own losses"
