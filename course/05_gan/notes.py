r"""
Title: Generative adversarial networks, from the min-max game to a conditional GAN
Description: The GAN objective, the optimal discriminator and its proof, the
Jensen-Shannon form of the game at the optimum, the equilibrium D = 1/2, the
non-saturating generator loss, conditioning on labels, DCGAN-style practice, and
the Fréchet distance behind FID, with a 1-D example and a conditional GAN that draws
8x8 digits.
Prerequisites: the perceptron and MLP notes (sigmoid, cross-entropy, backpropagation);
basic probability (densities, expectations, KL divergence).
Assignment: cgan
"""

r"""
## 1. Two networks and a game

A generative model learns to produce new samples that look like the training data.
A **generative adversarial network** (Goodfellow et al., 2014) does this with two
networks trained against each other:

- the **generator** $G$ maps a noise vector $z \sim p_z$ (say $\mathcal N(0, I)$) to a
  sample $G(z)$; the samples it makes have some distribution $p_g$, which training
  should bring close to the data distribution $p_{data}$;
- the **discriminator** $D$ maps a sample $x$ to $D(x) \in (0, 1)$, its estimate of the
  probability that $x$ came from the data rather than from $G$.

The usual picture: $G$ is a forger of banknotes, $D$ the police. $D$ is trained as a
binary classifier with real samples labelled 1 and generated samples labelled 0. Its
binary cross-entropy is

$$L_D = -\mathbb E_{x \sim p_{data}}[\log D(x)] - \mathbb E_{z \sim p_z}[\log(1 - D(G(z)))],$$

and minimising $L_D$ is maximising the **value function**

$$V(D, G) = \mathbb E_{x \sim p_{data}}[\log D(x)] + \mathbb E_{z \sim p_z}[\log(1 - D(G(z)))].$$

The generator wants the opposite: it wants $D(G(z))$ high, that is $V$ low. Together:

$$\min_G \max_D V(D, G).$$

This is a two-player zero-sum game, not the minimisation of one loss; training
alternates a step of $D$ uphill on $V$ with a step of $G$ downhill. (Section 4 shows
why practice changes $G$'s loss, and that the game is then no longer zero-sum.)
"""

import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

# Figures go to figures/ beside these notes (run as a notebook: beside the notebook, the
# kernel's working folder), or to the folder named by $NEUROGRADE_FIGURES.
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
FIGURES = Path(os.environ.get("NEUROGRADE_FIGURES", HERE / "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)
START = time.perf_counter()


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def softplus(x):
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


r"""
## 2. The optimal discriminator

**Claim.** For a fixed generator, the discriminator that maximises $V$ is

$$D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}.$$

**Proof.** Write the second expectation over $x = G(z)$, whose density is $p_g$
(the law of the unconscious statistician):

$$V(D, G) = \int_x \big[p_{data}(x) \log D(x) + p_g(x) \log(1 - D(x))\big]\,dx.$$

$D$ may take any value at each $x$ independently, so it is enough to maximise the
integrand pointwise. For constants $a = p_{data}(x) \ge 0$ and $b = p_g(x) \ge 0$, not
both 0, the function $f(y) = a \log y + b \log(1 - y)$ on $(0, 1)$ has
$f'(y) = a / y - b / (1 - y)$, which is zero at $y = a / (a + b)$, and
$f''(y) = -a / y^2 - b / (1 - y)^2 < 0$: $f$ is strictly concave, so the stationary
point is the maximum. Hence $D^*(x) = a / (a + b)$. Outside the support of
$p_{data} + p_g$ the value of $D$ does not matter. $\square$

Two readings: $D^*(x)$ is the posterior probability that $x$ is real when real and
generated samples are equally common; and where $p_g = p_data$, $D^* = 1/2$.
"""

x = np.linspace(-4, 8, 600)


def normal(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


p_data = normal(x, 2.0, 0.8)
stages = [(-1.5, 1.5), (0.0, 1.2), (1.3, 0.9), (2.0, 0.8)]  # the generator (mean, std) as it learns
fig, axes = plt.subplots(1, 4, figsize=(13, 3), sharey=True)
for ax, (mean, std), name in zip(axes, stages, "abcd"):
    p_g = normal(x, mean, std)
    ax.plot(x, p_data, "k--", label="$p_{data}$")
    ax.plot(x, p_g, "g", label="$p_g$")
    ax.plot(x, p_data / (p_data + p_g + 1e-300), "b:", lw=2, label="$D^*$")
    ax.axhline(0.5, color="grey", lw=0.5)
    ax.set_title(f"({name}) generator N({mean}, {std}$^2$)", fontsize=9)
axes[0].legend(fontsize=8)
fig.suptitle("1-D example: as p_g approaches p_data, D* flattens to 1/2", fontsize=10)
fig.tight_layout()
fig.savefig(FIGURES / "optimal_discriminator_1d.png", dpi=110)
plt.close(fig)

r"""
The figure `optimal_discriminator_1d.png` draws $D^*$ for a data distribution
$\mathcal N(2, 0.8^2)$ and four generators on their way to it. In (a) the two densities
hardly overlap and $D^*$ is a near step: close to 0 where only fakes live, close to 1
where only real data lives. As $p_g$ moves over $p_{data}$ the step softens, and in (d),
with $p_g = p_{data}$, $D^*$ is the flat line $1/2$: the best possible discriminator can
only guess.

The same thing happens in a real training run. Below, a GAN learns the 1-D data
distribution $\mathcal N(2, 0.8^2)$ with an affine generator $G(z) = a z + b$,
$z \sim \mathcal N(0, 1)$ (so $p_g = \mathcal N(b, a^2)$ exactly), a small discriminator
network that returns logits, and the losses of sections 1 and 4. The figure
`gan_1d_training.png` draws, at four points of training, the two densities, the
trained discriminator $\sigma(D(x))$ and the optimal $D^*$ for the current generator.
"""

import keras
import tensorflow as tf

keras.utils.set_random_seed(3)
rng = np.random.default_rng(0)
affine = keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(1.5),
                            bias_initializer=keras.initializers.Constant(-1.5))
G1 = keras.Sequential([keras.Input((1,)), affine])
D1 = keras.Sequential([keras.Input((1,)), keras.layers.Dense(32, activation="tanh"),
                       keras.layers.Dense(32, activation="tanh"), keras.layers.Dense(1)])
bce = keras.losses.BinaryCrossentropy(from_logits=True)
g1_opt, d1_opt = keras.optimizers.Adam(2e-3, beta_1=0.5), keras.optimizers.Adam(2e-3, beta_1=0.5)


@tf.function
def step_1d(real):
    z = tf.random.normal((256, 1))
    with tf.GradientTape() as tape:  # one discriminator step: real -> 1, fake -> 0
        r, f = D1(real), D1(G1(z))
        d_loss = bce(tf.ones_like(r), r) + bce(tf.zeros_like(f), f)
    d1_opt.apply_gradients(zip(tape.gradient(d_loss, D1.trainable_variables),
                               D1.trainable_variables))
    z = tf.random.normal((256, 1))
    with tf.GradientTape() as tape:  # one generator step: non-saturating, fake -> 1
        f = D1(G1(z))
        g_loss = bce(tf.ones_like(f), f)
    g1_opt.apply_gradients(zip(tape.gradient(g_loss, G1.trainable_variables),
                               G1.trainable_variables))
    return d_loss, g_loss


fig, axes = plt.subplots(1, 4, figsize=(13, 3), sharey=True)
panels = iter(axes)
for step in range(1, 3001):
    d_loss, g_loss = step_1d(rng.normal(2.0, 0.8, (256, 1)).astype("float32"))
    if step in (1, 300, 1000, 3000):
        a, b = float(np.ravel(affine.kernel)[0]), float(np.ravel(affine.bias)[0])
        p_g = normal(x, b, abs(a))
        ax = next(panels)
        ax.plot(x, p_data, "k--", label="$p_{data}$")
        ax.plot(x, p_g, "g", label="$p_g$")
        ax.plot(x, sigmoid(D1.predict(x[:, None].astype("float32"), verbose=0).ravel()), "r",
                label="trained D")
        ax.plot(x, p_data / (p_data + p_g + 1e-300), "b:", lw=2, label="$D^*$")
        ax.axhline(0.5, color="grey", lw=0.5)
        ax.set_title(f"step {step}: G(z) = {a:.2f} z {b:+.2f}", fontsize=9)
        print(f"step {step:4d}: G(z) = {a:.2f} z {b:+.2f}, d_loss {float(d_loss):.3f}, "
              f"g_loss {float(g_loss):.3f}")
axes[0].legend(fontsize=7)
fig.suptitle("a 1-D GAN: p_g moves onto p_data and the discriminator flattens to 1/2",
             fontsize=10)
fig.tight_layout()
fig.savefig(FIGURES / "gan_1d_training.png", dpi=110)
plt.close(fig)

r"""
At step 1 the discriminator is untrained. By step 300 it has learned: where there
are samples, the trained $D$ follows $D^*$ closely (it cannot separate the two
distributions completely, since they overlap, and neither can $D^*$), and where there
are none it is arbitrary. The generator, pushed by it, has moved right and widened;
by step 1000 it has covered half the distance to the data's mean and is still three
times too wide (its printed parameters show both).
By step 3000 the generator is about $0.8 z + 2$, that is $p_g \approx p_{data}$, and the
trained discriminator is close to $1/2$ over the whole data range, with losses near
the equilibrium values $2 \log 2 \approx 1.386$ (discriminator) and $\log 2 \approx 0.693$
(generator).
"""

r"""
## 3. The game at the optimum is a Jensen-Shannon divergence

Put $D^*$ back into $V$:

$$V(D^*, G) = \mathbb E_{p_{data}}\Big[\log \frac{p_{data}}{p_{data} + p_g}\Big]
            + \mathbb E_{p_g}\Big[\log \frac{p_g}{p_{data} + p_g}\Big].$$

With the mixture $m = (p_{data} + p_g)/2$, each fraction is $\frac{p}{2m}$, so each term
is $\mathrm{KL}(p \,\|\, m) - \log 2$:

$$V(D^*, G) = -\log 4 + \mathrm{KL}(p_{data} \,\|\, m) + \mathrm{KL}(p_g \,\|\, m)
            = -\log 4 + 2\,\mathrm{JSD}(p_{data} \,\|\, p_g),$$

where the **Jensen-Shannon divergence** is

$$\mathrm{JSD}(p \,\|\, q) = \tfrac12 \mathrm{KL}(p \,\|\, m)
  + \tfrac12 \mathrm{KL}(q \,\|\, m), \qquad m = \tfrac12(p + q).$$

Unlike KL it is symmetric, always finite (each distribution is compared with a
mixture that contains it), and lies in $[0, \log 2]$ with natural logarithms: $0$ iff
$p = q$, $\log 2$ for distributions with disjoint supports. (In bits the maximum is 1;
the identity above needs nats, because $-\log 4$ is in nats.)

**The global minimum.** Since $\mathrm{JSD} \ge 0$ with equality iff the distributions
are equal, $C(G) = \max_D V(D, G) = V(D^*, G)$ is minimised exactly at
$p_g = p_{data}$, where $C = -\log 4$. There $D^* = 1/2$ everywhere: the discriminator
is right half the time, whatever it sees. This is the equilibrium of the game (the
generator cannot lower $V$ further, the discriminator cannot raise it).

Check it numerically on a discrete space:
"""


def kl(p, q):
    s = p > 0
    return float(np.sum(p[s] * np.log(p[s] / q[s])))


def jsd(p, q):
    m = 0.5 * (p + q)
    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


p = np.array([0.1, 0.4, 0.3, 0.2, 0.0])
q = np.array([0.3, 0.1, 0.1, 0.2, 0.3])
d_star = p / (p + q)
value = np.sum(p[p > 0] * np.log(d_star[p > 0])) + np.sum(q[q > 0] * np.log(1 - d_star[q > 0]))
print(f"V(D*, G) = {value:.6f};  -log 4 + 2 JSD = {-np.log(4) + 2 * jsd(p, q):.6f}")
assert abs(value - (-np.log(4) + 2 * jsd(p, q))) < 1e-12
print(f"at p_g = p_data: V = {np.sum(p[p > 0] * np.log(0.5)) * 2:.6f} = -log 4 = {-np.log(4):.6f}")

r"""
Two cautions. The argument is about densities and an all-powerful $D$; real networks
give $D$ and $G$ finite capacity and train them by alternating gradient steps, which
need not converge at all (they can cycle). And when $p_g$ and $p_{data}$ have disjoint
supports (as two low-dimensional manifolds in pixel space usually do early on), JSD
is stuck at $\log 2$ and gives the generator no information about which way to move:
one reason for the practice in sections 4 and 6.

A note on sources. A widely shared Chinese introduction to CNN, RNN, DBN and GAN
derives the same two results, but with every formula lost, and its GAN section ends
with a sentence about "adding a restriction that turns the complete graph into a
bipartite graph, a visible and a hidden layer" that belongs to the restricted
Boltzmann machine, not to GANs. It also states the equilibrium as "the discriminator
is right and wrong 50% of the time"; the precise statement is $D^*(x) = 1/2$ for every
$x$, of which 50% accuracy is a consequence (a discriminator can also be 50% accurate
far from equilibrium, by being confidently wrong half the time).
"""

r"""
## 4. The non-saturating generator loss

In the game, $G$ minimises $\mathbb E_z[\log(1 - D(G(z)))]$. Early in training $G$ is
poor, $D$ rejects its samples with confidence, $D(G(z)) \approx 0$, and this loss is
flat there: with $D = \sigma(\ell)$ for a logit $\ell$,

$$\frac{\partial}{\partial \ell}\log(1 - \sigma(\ell)) = -\sigma(\ell) \to 0
\quad (\ell \to -\infty).$$

The generator gets almost no gradient exactly when it most needs one (the loss
**saturates**). Goodfellow et al. propose instead that $G$ maximise
$\log D(G(z))$, i.e. minimise

$$L_G = -\mathbb E_z[\log D(G(z))], \qquad
\frac{\partial}{\partial \ell}\big(-\log \sigma(\ell)\big) = -(1 - \sigma(\ell)) \to -1
\quad (\ell \to -\infty).$$

Both push $D(G(z))$ up, but the non-saturating one gives a strong gradient when $D$
wins. In code it is the binary cross-entropy of the fakes with label 1: the generator
is trained as if its samples were real.

**The game is no longer zero-sum.** With this loss the generator no longer minimises
the $V$ that the discriminator maximises, and it no longer follows the JSD. Hold $D$
at $D^*$ for the current generator while $G$ takes its step (as alternating training
does, approximately). The saturating loss $\mathbb E_{p_g}[\log(1 - D^*)]$ then has
the gradient of $2\,\mathrm{JSD}(p_{data} \,\|\, p_g)$, as section 3 predicts. The
non-saturating loss $\mathbb E_{p_g}[-\log D^*]$ has the gradient of

$$\mathrm{KL}(p_g \,\|\, p_{data}) - 2\,\mathrm{JSD}(p_{data} \,\|\, p_g)$$

(Arjovsky and Bottou, 2017), because

$$\mathbb E_{p_g}[-\log D^*] = \mathrm{KL}(p_g \,\|\, p_{data}) - 2\,\mathrm{JSD}(p_{data} \,\|\, p_g)
  + \log 4 + \mathbb E_{p_{data}}[\log D^*]$$

and the last term does not involve $G$'s samples.
The reverse KL punishes fakes where there is no data heavily but leaves parts of
$p_{data}$ that $G$ never produces almost unpunished, and the $-2\,\mathrm{JSD}$ term
even rewards moving *away* from the data: one explanation of why GANs drop modes.
The code below checks the gradient identity by finite differences on a discrete space.

**From logits.** Both losses should be computed from the logit, not from a
probability: $-\log\sigma(\ell) = \mathrm{softplus}(-\ell)$ and
$-\log(1 - \sigma(\ell)) = \mathrm{softplus}(\ell)$, which are exact for any $\ell$.
`log(sigmoid(l))` is not: in float32, $\sigma(\ell) \approx e^{\ell}$ **underflows**
to 0 once $e^{\ell}$ drops below the smallest normal number (about $10^{-38}$, so
$\ell \lesssim -88$), and $\log 0 = -\infty$. A probability-based cross-entropy avoids
the $-\infty$ by clipping (Keras clips at $10^{-7}$), which caps the loss at 16.1
where it should be 100. So the discriminator's last layer has no activation, and the
losses use `from_logits=True`. The code prints all three for $\ell = -100$.
"""

# With D held fixed at D* of the current generator q, the gradient of E_q[-log D] with
# respect to q equals that of KL(q || p) - 2 JSD(p || q): central differences along a
# direction that keeps q a distribution.
p_full, q_full = np.array([0.1, 0.4, 0.3, 0.2]), np.array([0.3, 0.1, 0.4, 0.2])
d_fixed = p_full / (p_full + q_full)
direction, eps = np.array([1.0, -1.0, 0.5, -0.5]), 1e-6


def slope(f):
    return (f(q_full + eps * direction) - f(q_full - eps * direction)) / (2 * eps)


ns_slope = slope(lambda q: np.sum(q * -np.log(d_fixed)))
divergence_slope = slope(lambda q: kl(q, p_full) - 2 * jsd(p_full, q))
saturating_slope = slope(lambda q: np.sum(q * np.log(1 - d_fixed)))
jsd_slope = slope(lambda q: 2 * jsd(p_full, q))
print(f"non-saturating loss: slope {ns_slope:.6f}; KL(p_g||p_data) - 2 JSD: slope {divergence_slope:.6f}")
print(f"saturating loss: slope {saturating_slope:.6f}; 2 JSD: slope {jsd_slope:.6f}")
assert abs(ns_slope - divergence_slope) < 1e-6

far_off = tf.constant([[-100.0]])  # a fake that D rejects with logit -100; its label for G is 1
print("at logit -100, float32: log(sigmoid(l)) =", float(tf.math.log(tf.sigmoid(far_off))[0, 0]),
      "| -softplus(-l) =", float(-tf.nn.softplus(-far_off)[0, 0]),
      "| Keras cross-entropy from the probability:",
      round(float(keras.losses.BinaryCrossentropy()(tf.ones((1, 1)), tf.sigmoid(far_off))), 1),
      "| from the logit:", round(float(bce(tf.ones((1, 1)), far_off)), 1))

logit = np.linspace(-8, 8, 400)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
axes[0].plot(sigmoid(logit), np.log(1 - sigmoid(logit)), label=r"saturating: $\log(1 - D)$")
axes[0].plot(sigmoid(logit), -np.log(sigmoid(logit)), label=r"non-saturating: $-\log D$")
axes[0].set(xlabel="$D(G(z))$", ylabel="generator loss")
axes[1].plot(logit, np.abs(-sigmoid(logit)), label="saturating")
axes[1].plot(logit, np.abs(-(1 - sigmoid(logit))), label="non-saturating")
axes[1].set(xlabel=r"logit $\ell$ of $D(G(z))$", ylabel="|d loss / d logit|", yscale="log")
axes[1].axvspan(-8, -3, color="grey", alpha=0.15)
axes[1].text(-7.6, 2e-3, "D rejects the fakes\n(early training)", fontsize=8)
for at in (-3, -8):  # the ratio of the two gradients is e^logit
    ratio = (1 - sigmoid(at)) / sigmoid(at)
    axes[1].annotate(f"{ratio:,.0f}x smaller", (at, sigmoid(at)), xytext=(6, -4),
                     textcoords="offset points", fontsize=8)
    print(f"logit {at}: the saturating gradient is {ratio:,.0f} times smaller than the non-saturating one")
for ax in axes:
    ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(FIGURES / "generator_loss_gradients.png", dpi=110)
plt.close(fig)

r"""
`generator_loss_gradients.png`: left, the two generator losses against $D(G(z))$;
right, the size of their gradient with respect to the logit. Where $D$ rejects the
fakes (shaded), the saturating loss's gradient is $\sigma(\ell)$ and the
non-saturating one's $1 - \sigma(\ell)$: their ratio is exactly $e^{\ell}$, so the
saturating gradient is about 20 times smaller at $\ell = -3$ and about 3,000 times
smaller at $\ell = -8$ (printed above). The further $D$ pushes the fakes' logits
down, the wider the gap.

**Both losses in a training run.** The curves above are formulas; here is what they do
to a generator. Take the 1-D problem of section 3 again (data $\mathcal N(2, 0.8^2)$,
an affine generator, the same discriminator network), but start the generator far
from the data, at $G(z) = 0.5 z - 3$, and first train the discriminator alone for 300
steps, until it rejects the fakes confidently. This is the situation early in
training that the argument above is about. From that one start, two copies train
with alternating steps: one generator minimises the saturating loss
$\operatorname{mean}\log(1 - D(G(z)))$, the other the non-saturating
$-\operatorname{mean}\log D(G(z))$; both discriminators train as before. The generators
take plain SGD steps, proportional to the gradient, because the size of the gradient
is what we compare: Adam divides each step by a running scale of the gradient, which
hides most of the difference (it rescues a small gradient, not a zero one). The code
prints each loss's gradient with respect to each fake's logit at the start, and where
each generator has got to after 800 steps.
"""

def make_1d_gan():
    """The section 3 networks, the generator started far left of the data: G(z) = 0.5 z - 3."""
    generator = keras.Sequential([keras.Input((1,)), keras.layers.Dense(
        1, kernel_initializer=keras.initializers.Constant(0.5),
        bias_initializer=keras.initializers.Constant(-3.0))])
    discriminator = keras.Sequential([keras.Input((1,)),
                                      keras.layers.Dense(32, activation="tanh"),
                                      keras.layers.Dense(32, activation="tanh"),
                                      keras.layers.Dense(1)])
    return generator, discriminator


def d_loss_1d(D, G, n=256):
    real = 2.0 + 0.8 * tf.random.normal((n, 1))  # data N(2, 0.8^2)
    r, f = D(real), D(G(tf.random.normal((n, 1))))
    return tf.reduce_mean(tf.nn.softplus(-r)) + tf.reduce_mean(tf.nn.softplus(f))


keras.utils.set_random_seed(5)
G_start, D_start = make_1d_gan()
pre_opt = keras.optimizers.Adam(2e-3, beta_1=0.5)
pre_opt.build(D_start.trainable_variables)  # optimizer variables cannot be made in a loop


@tf.function
def pretrain_discriminator(steps):
    for _ in tf.range(steps):  # D alone, G fixed: D learns to reject the fakes
        with tf.GradientTape() as tape:
            loss = d_loss_1d(D_start, G_start)
        pre_opt.apply_gradients(zip(tape.gradient(loss, D_start.trainable_variables),
                                    D_start.trainable_variables))


pretrain_discriminator(tf.constant(300))

# Each loss's gradient with respect to each fake's logit, at the start.
start_logits = D_start(G_start(tf.random.normal((500, 1))))
with tf.GradientTape(persistent=True) as tape:
    tape.watch(start_logits)
    saturating_loss = -tf.reduce_sum(tf.nn.softplus(start_logits))  # sum of log(1 - D)
    non_saturating_loss = tf.reduce_sum(tf.nn.softplus(-start_logits))  # sum of -log D
start_grads = {"saturating": np.abs(tape.gradient(saturating_loss, start_logits).numpy()),
               "non-saturating": np.abs(tape.gradient(non_saturating_loss, start_logits).numpy())}
start_logits = start_logits.numpy()
print(f"at the start, the fakes' logits lie in [{start_logits.min():.1f}, "
      f"{start_logits.max():.1f}] (D(G(z)) at most {sigmoid(start_logits.max()):.3f})")
for name, grads in start_grads.items():
    print(f"  {name:>14}: median |d loss / d logit| per fake {np.median(grads):.2e}")


def train_both_ways(saturating, steps=800, chunk=20):
    """Alternating steps from the common start; rows (steps, G's bias b, |d g_loss / d b|,
    mean logit of the fakes), one per chunk of steps."""
    G, D = make_1d_gan()
    G.set_weights(G_start.get_weights())
    D.set_weights(D_start.get_weights())
    g_opt, d_opt = keras.optimizers.SGD(0.05), keras.optimizers.Adam(2e-3, beta_1=0.5)
    g_opt.build(G.trainable_variables)
    d_opt.build(D.trainable_variables)

    @tf.function
    def run(n):
        bias_grad, mean_logit = tf.constant(0.0), tf.constant(0.0)
        for _ in tf.range(n):
            with tf.GradientTape() as tape:
                d_loss = d_loss_1d(D, G)
            d_opt.apply_gradients(zip(tape.gradient(d_loss, D.trainable_variables),
                                      D.trainable_variables))
            with tf.GradientTape() as tape:
                f = D(G(tf.random.normal((256, 1))))
                g_loss = (-tf.reduce_mean(tf.nn.softplus(f)) if saturating  # log(1 - D)
                          else tf.reduce_mean(tf.nn.softplus(-f)))  # -log D
            grads = tape.gradient(g_loss, G.trainable_variables)
            g_opt.apply_gradients(zip(grads, G.trainable_variables))
            bias_grad = tf.abs(tf.reshape(grads[1], ()))
            mean_logit = tf.reduce_mean(f)
        return bias_grad, mean_logit

    history = []
    for done in range(chunk, steps + 1, chunk):
        bias_grad, mean_logit = run(tf.constant(chunk))
        history.append((done, float(np.ravel(G.layers[-1].bias)[0]), float(bias_grad),
                        float(mean_logit)))
    return np.array(history)


runs = {"saturating": train_both_ways(True), "non-saturating": train_both_ways(False)}
for name, history in runs.items():
    near = history[history[:, 1] > 1.5, 0]
    print(f"{name:>14}: G's mean after {int(history[-1, 0])} steps {history[-1, 1]:.2f}; "
          + (f"within 0.5 of the data's mean 2 from step {int(near[0])}" if len(near) else
             "never within 0.5 of the data's mean 2")
          + "; mean logit of the fakes at steps 200, 400, 600, 800: "
          + ", ".join(f"{history[history[:, 0] == at, 3][0]:.1f}" for at in (200, 400, 600, 800)))

fig, axes = plt.subplots(1, 3, figsize=(13, 3.3))
order = np.argsort(start_logits.ravel())
for name, grads in start_grads.items():
    axes[0].plot(start_logits.ravel()[order], grads.ravel()[order], ".", ms=3, label=name)
axes[0].set(xlabel="logit of D(G(z)) for each fake", ylabel="|d loss / d logit|", yscale="log",
            title="(a) at the start: D rejects the fakes")
for name, history in runs.items():
    axes[1].plot(history[:, 0], history[:, 1], label=name)
    axes[2].plot(history[:, 0], history[:, 2], label=name)
axes[1].axhline(2.0, color="k", ls="--", lw=0.8, label="data mean")
axes[1].set(xlabel="training step", ylabel="generator's mean b in G(z) = a z + b",
            title="(b) where the generator's samples sit")
axes[2].set(xlabel="training step", ylabel="|d g_loss / d b|", yscale="log",
            title="(c) the gradient reaching the generator")
for ax in axes:
    ax.legend(fontsize=8)
fig.suptitle("the saturating and the non-saturating generator loss from the same start",
             fontsize=10)
fig.tight_layout()
fig.savefig(FIGURES / "saturating_vs_non_saturating_1d.png", dpi=110)
plt.close(fig)

r"""
`saturating_vs_non_saturating_1d.png`: (a) at the start, every fake has a logit far
below 0, and the two losses' gradients with respect to it are $\sigma(\ell)$
(saturating, a straight line on the log scale: $\sigma(\ell) \approx e^{\ell}$) and
$1 - \sigma(\ell) \approx 1$ (non-saturating); the median fake gets roughly a
thousand times less gradient from the saturating loss (printed above). (b) The
non-saturating generator moves onto the data within about a hundred steps. The
saturating one barely moves for hundreds of steps, although its gradient points the
same way: meanwhile its discriminator pushes the fakes' logits further down (printed
above), which makes its gradient smaller still, and it starts to move only late in
the run, when those logits drift back up. (c) The gradient that reaches the
generator's bias shows why: the saturating one is orders of magnitude smaller until
then. Both generators follow the same game's
discriminator; only the loss differs. This is why the assignment's `generator_loss`
is the non-saturating one.

## 5. Conditioning on a label

A conditional GAN (Mirza and Osindero, 2014) gives both networks extra information
$y$, here the digit's label: $G(z, y)$ and $D(x, y)$, and the game becomes

$$\min_G \max_D\; \mathbb E_{(x, y) \sim p_{data}}[\log D(x, y)]
  + \mathbb E_{z, y}[\log(1 - D(G(z, y), y))].$$

Everything above holds for each $y$ separately: $D^*(x, y) = p_{data}(x \mid y) /
(p_{data}(x \mid y) + p_g(x \mid y))$, and the optimum is $p_g(x \mid y) = p_{data}(x \mid y)$.
The discriminator must see the label too: otherwise a beautiful 3 drawn when a 7 was
asked for passes as real, and nothing pushes $G$ to obey $y$. Common ways to feed $y$:
a one-hot vector or a learned embedding concatenated with $z$ (generator) and with the
image features (discriminator), or a **projection** discriminator that adds
$\langle e_y, \phi(x)\rangle$ to an unconditional logit.

## 6. DCGAN-style practice

Radford et al. (2016) collected what made convolutional GANs train reliably:
strided convolutions (and transposed convolutions in $G$) instead of pooling; batch
normalisation in both networks except $G$'s output and $D$'s input; ReLU in $G$ with a
**tanh** output (the data scaled to $[-1, 1]$); LeakyReLU (slope 0.2) in $D$; and Adam
with learning rate $2\times10^{-4}$ and $\beta_1 = 0.5$ (the default 0.9 made training
oscillate). The training loop alternates one $D$ step and one $G$ step, each on its
own loss and its own parameters; fresh noise each step.

This is Algorithm 1 of Goodfellow et al. (2014) with $k = 1$. The algorithm makes
$k$ discriminator steps, each on a fresh minibatch of noise (and, in the paper, of
data), then one generator step; the paper used $k = 1$, the cheapest choice. A larger
$k$ keeps $D$ closer to $D^*$ of the current generator, which is what the theory of
sections 2 and 3 assumes, at $k$ times the discriminator's cost per generator step;
it also lets $D$ win more clearly, which is where the non-saturating loss matters.
Reusing one batch of noise for the $k$ steps would fit $D$ to those particular fakes
rather than to $p_g$. The assignment's `train_step(..., d_steps=k)` does this, each
discriminator step with its own noise (and, for simplicity, the same real batch).

For 8x8 digits small dense networks are enough and train in seconds on a CPU; with
such small networks a larger learning rate ($5\times10^{-3}$, $\beta_1 = 0.5$) works.
Below, a conditional GAN trains on scikit-learn's digits and its samples for each
label are drawn at several points of training (`cgan_digits_during_training.png`).
"""

from sklearn.datasets import load_digits

digits = load_digits()
images = (digits.data / 8.0 - 1.0).astype("float32").reshape(-1, 8, 8, 1)
labels = digits.target.astype("int32")
LATENT = 32


def mlp_generator():
    z = keras.Input((LATENT,))
    y = keras.Input((), dtype="int32")
    h = keras.layers.Concatenate()([z, keras.layers.Embedding(10, 16)(y)])
    for units in (128, 128):
        h = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(units)(h))
    out = keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64, activation="tanh")(h))
    return keras.Model([z, y], out)


def mlp_discriminator():
    x = keras.Input((8, 8, 1))
    y = keras.Input((), dtype="int32")
    h = keras.layers.Concatenate()([keras.layers.Flatten()(x), keras.layers.Embedding(10, 16)(y)])
    for units in (128, 128):
        h = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(units)(h))
    return keras.Model([x, y], keras.layers.Dense(1)(h))


keras.utils.set_random_seed(1)
G, D = mlp_generator(), mlp_discriminator()
g_opt, d_opt = keras.optimizers.Adam(5e-3, beta_1=0.5), keras.optimizers.Adam(5e-3, beta_1=0.5)


@tf.function
def train_step(real, y):
    z = tf.random.normal((tf.shape(real)[0], LATENT))
    with tf.GradientTape() as tape:  # D: real -> 1, fake -> 0
        real_logits, fake_logits = D([real, y], training=True), D([G([z, y]), y], training=True)
        d_loss = bce(tf.ones_like(real_logits), real_logits) + \
            bce(tf.zeros_like(fake_logits), fake_logits)
    d_opt.apply_gradients(zip(tape.gradient(d_loss, D.trainable_variables), D.trainable_variables))
    z = tf.random.normal((tf.shape(real)[0], LATENT))
    with tf.GradientTape() as tape:  # G: non-saturating, fakes -> 1
        fake_logits = D([G([z, y], training=True), y], training=True)
        g_loss = bce(tf.ones_like(fake_logits), fake_logits)
    g_opt.apply_gradients(zip(tape.gradient(g_loss, G.trainable_variables), G.trainable_variables))
    return d_loss, g_loss


centroids = np.stack([images[labels == k].reshape(-1, 64).mean(0) for k in range(10)])
z_fixed = rng.normal(size=(60, LATENT)).astype("float32")
y_fixed = np.repeat(np.arange(10, dtype="int32"), 6)
snapshots, history = {}, []
for step in range(1, 801):
    pick = rng.choice(len(images), 64, replace=False)
    d_loss, g_loss = train_step(images[pick], labels[pick])
    history.append((float(d_loss), float(g_loss)))
    if step in (1, 100, 300, 800):
        fakes = np.asarray(G([z_fixed, y_fixed])).reshape(60, 64)
        snapshots[step] = fakes
        nearest = ((fakes[:, None] - centroids[None]) ** 2).sum(2).argmin(1)
        print(f"step {step:4d}: d_loss {float(d_loss):.3f}, g_loss {float(g_loss):.3f}, "
              f"samples recognised as their label {np.mean(nearest == y_fixed):.0%}")



def tile(samples, rows, cols, gutter=1):
    """(rows * cols, 64) samples -> one image of 8x8 tiles separated by NaN gutters."""
    size = 8 + gutter
    sheet = np.full((rows * size - gutter, cols * size - gutter), np.nan)
    for i, sample in enumerate(samples.reshape(-1, 8, 8)):
        r, c = divmod(i, cols)
        sheet[r * size:r * size + 8, c * size:c * size + 8] = sample
    return sheet


ink = plt.get_cmap("gray_r").with_extremes(bad="#c6d4e6")  # gutters in a colour no pixel has
fig, axes = plt.subplots(1, len(snapshots), figsize=(12, 4.6))
for ax, (step, fakes) in zip(axes, snapshots.items()):
    ax.imshow(tile(fakes, 10, 6), cmap=ink, vmin=-1, vmax=1)
    ax.set_title(f"after {step} step{'' if step == 1 else 's'}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks(np.arange(10) * 9 + 3.5, [str(k) for k in range(10)], fontsize=7)
axes[0].set_ylabel("label asked for")
fig.suptitle("conditional GAN on 8x8 digits: one row per label, same z in every panel",
             fontsize=10)
fig.tight_layout()
fig.savefig(FIGURES / "cgan_digits_during_training.png", dpi=110)
plt.close(fig)

r"""
In the first panel (step 1) the samples are noise with no trace of their label. By
step 100 they are blobs; the label starts to show around step 300; by step 800 most
rows are their digit (the printed share of samples whose nearest class mean is the
label asked for climbs from chance, about 10%, to about 90%), and the six samples of
a row differ (they come from different $z$): the generator has not collapsed to one
image per label.

What to watch in the losses: a discriminator loss near $2\log 2 \approx 1.39$ and a
generator loss near $\log 2 \approx 0.69$ are the equilibrium values ($D = 1/2$). A
discriminator loss that goes to 0 means $D$ wins outright and $G$'s gradients get
weak; oscillation around the equilibrium values is normal.
"""

print(f"final losses: d {np.mean([h[0] for h in history[-50:]]):.3f} (2 log 2 = "
      f"{2 * np.log(2):.3f}), g {np.mean([h[1] for h in history[-50:]]):.3f}")
r"""
## 7. Scoring a generator with the Frechet distance

The losses of a GAN say who is winning the game, not how good the samples are. The
standard score is the **Fréchet Inception Distance** (FID, Heusel et al. 2017): pass a
few thousand real images and as many generated ones through a fixed network trained
for classification (Inception-v3 on ImageNet; for 8x8 digits a small digit classifier
would do), keep one feature vector per image from a late layer, fit a Gaussian to each
set of features (mean $\mu$, covariance $\Sigma$) and report the Fréchet distance
between the two Gaussians:

$$d^2\big(\mathcal N(\mu_1, \Sigma_1), \mathcal N(\mu_2, \Sigma_2)\big)
  = \lVert \mu_1 - \mu_2 \rVert^2
  + \mathrm{Tr}\big(\Sigma_1 + \Sigma_2 - 2\,(\Sigma_1 \Sigma_2)^{1/2}\big).$$

This is the squared 2-Wasserstein (earth mover's) distance between the Gaussians: the
least mean squared distance a point moves when one distribution is transported onto
the other (Dowson and Landau, 1982). Lower is better, and 0 means the same mean and
covariance. The two terms read: the mean term grows when generated images look
systematically different (wrong strokes, blur); the trace term grows when their
*spread* is wrong, in particular when the generator collapses to a few modes, which
shrinks $\Sigma_g$. The score compares only first and second moments of features, so it
depends on the feature network, and it is biased upwards for small sample sizes: FIDs
are comparable only when computed with the same features and the same number of
samples.

**Why a matrix square root.** In one dimension the distance is
$(m_1 - m_2)^2 + (s_1 - s_2)^2 = (m_1 - m_2)^2 + s_1^2 + s_2^2 - 2\sqrt{s_1^2 s_2^2}$: the
cross term is the square root of the product of the variances. In $d$ dimensions the
product of the variances becomes the matrix product $\Sigma_1 \Sigma_2$ and its square
root a matrix $C$ with $C C = \Sigma_1 \Sigma_2$, not the square root of each entry. When
the two covariances share their eigenvectors (they **commute**; diagonal covariances
$a$ and $b$, for example) it is $\Sigma_1^{1/2}\Sigma_2^{1/2}$ and the trace term
separates into $\sum_i (\sqrt{a_i} - \sqrt{b_i})^2$. When they do not (two ellipses
turned against each other), $\mathrm{Tr}(\Sigma_1 \Sigma_2)^{1/2} \ne
\mathrm{Tr}\,\Sigma_1^{1/2}\Sigma_2^{1/2}$.

$\Sigma_1 \Sigma_2$ is not symmetric, but it is similar to
$\Sigma_1^{1/2} \Sigma_2 \Sigma_1^{1/2}$ (conjugate by $\Sigma_1^{1/2}$), which is symmetric
positive semi-definite; so its eigenvalues $\lambda_i$ are real and $\ge 0$, and
$\mathrm{Tr}(\Sigma_1 \Sigma_2)^{1/2} = \sum_i \sqrt{\lambda_i}$. In floating point an
eigenvalue that should be 0 (a singular covariance: fewer samples than features, or
a feature that never varies) comes out as $-10^{-16}$, or with a tiny imaginary part
from a general eigensolver; its square root is NaN or complex. Clip such eigenvalues
to 0. For the same reason the formula can return $-10^{-15}$ for two identical
Gaussians: a distance is never negative, so return $\max(d^2, 0)$.

In two dimensions the trace has a closed form: a $2\times 2$ matrix $M$ with eigenvalues
$\lambda_1, \lambda_2 \ge 0$ has $\mathrm{Tr}\,M^{1/2} = \sqrt{\lambda_1} + \sqrt{\lambda_2}
= \sqrt{\mathrm{Tr}\,M + 2\sqrt{\det M}}$. The figure `frechet_distance_2d.png` uses it
for an elongated Gaussian $\mathcal N(0, \Sigma)$, $\Sigma = \mathrm{diag}(4, 0.25)$, and a
copy that (b) moves along each axis, or (c) turns by an angle $\theta$ about its mean.
"""


def trace_sqrt_2x2(m):
    """Tr M^(1/2) for a 2x2 matrix with real eigenvalues >= 0 (rounding clipped)."""
    det = max(np.linalg.det(m), 0.0)
    return np.sqrt(max(np.trace(m) + 2 * np.sqrt(det), 0.0))


def frechet_2d(mu1, s1, mu2, s2):
    d2 = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * trace_sqrt_2x2(s1 @ s2)
    return max(float(d2), 0.0)


def psd_sqrt(s):
    """The symmetric square root of a symmetric PSD matrix (for drawing and comparing)."""
    w, v = np.linalg.eigh(s)
    return v @ np.diag(np.sqrt(np.maximum(w, 0.0))) @ v.T


def turn(angle):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def ellipse(ax, mu, s, **style):
    """The 2-standard-deviation contour of N(mu, s)."""
    t = np.linspace(0, 2 * np.pi, 100)
    ax.plot(*(mu[:, None] + 2 * psd_sqrt(s) @ np.stack([np.cos(t), np.sin(t)])), **style)


SIGMA = np.diag([4.0, 0.25])
origin = np.zeros(2)
shifts = np.linspace(0, 3, 61)
angles = np.linspace(0, np.pi, 91)
fd_turned = [frechet_2d(origin, SIGMA, origin, turn(a) @ SIGMA @ turn(a).T) for a in angles]
fd_roots = [float(np.trace(SIGMA + turn(a) @ SIGMA @ turn(a).T
                           - 2 * psd_sqrt(SIGMA) @ psd_sqrt(turn(a) @ SIGMA @ turn(a).T)))
            for a in angles]

fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
ellipse(axes[0], origin, SIGMA, color="k", lw=2, label="$\\mathcal{N}(0, \\Sigma)$")
ellipse(axes[0], np.array([0.0, 1.5]), SIGMA, color="tab:blue", label="moved by 1.5")
for a, shade in zip((np.pi / 6, np.pi / 3, np.pi / 2), ("#fdae6b", "#f16913", "#a63603")):
    ellipse(axes[0], origin, turn(a) @ SIGMA @ turn(a).T, color=shade,
            label=f"turned {np.degrees(a):.0f}°")
axes[0].set_ylim(-4.5, 6.5)
axes[0].set_aspect("equal", adjustable="datalim")
axes[0].legend(fontsize=6.5, loc="upper center", ncol=3)
axes[0].set_title("(a) the Gaussians (2-sd ellipses)", fontsize=9)
for direction, name in ((np.array([1.0, 0.0]), "along the long axis"),
                        (np.array([0.0, 1.0]), "along the short axis")):
    axes[1].plot(shifts, [frechet_2d(origin, SIGMA, t * direction, SIGMA) for t in shifts],
                 label=name, ls="-" if name.endswith("long axis") else "--")
axes[1].set_xlabel("distance moved")
axes[1].set_ylabel("Fréchet distance $d^2$")
axes[1].legend(fontsize=8)
axes[1].set_title("(b) moved: $d^2 = \\|\\mu_1 - \\mu_2\\|^2$ either way", fontsize=9)
axes[2].plot(np.degrees(angles), fd_turned, label="Tr $(\\Sigma_1\\Sigma_2)^{1/2}$ (correct)")
axes[2].plot(np.degrees(angles), fd_roots, "--",
             label="Tr $\\Sigma_1^{1/2}\\Sigma_2^{1/2}$ (wrong)")
axes[2].set_xlabel("angle turned (degrees)")
axes[2].legend(fontsize=8)
axes[2].set_title("(c) turned: the matrix square root matters", fontsize=9)
fig.suptitle("Fréchet distance between two 2-D Gaussians", fontsize=10)
fig.tight_layout()
fig.savefig(FIGURES / "frechet_distance_2d.png", dpi=110)
plt.close(fig)

i90 = int(np.argmin(np.abs(angles - np.pi / 2)))
i45 = int(np.argmin(np.abs(angles - np.pi / 4)))
print(f"turned 45 degrees: d^2 = {fd_turned[i45]:.3f} (product of roots: {fd_roots[i45]:.3f}); "
      f"turned 90 degrees: d^2 = {fd_turned[i90]:.3f} = 2 (2 - 0.5)^2")

r"""
Panel (b): moving the Gaussian costs $\lVert\mu_1 - \mu_2\rVert^2$ whatever the direction,
along the long axis of the ellipse or across it; the Fréchet distance does not weigh a
shift by how surprising it is under $\Sigma$ (a Mahalanobis distance, or a KL
divergence, would). Panel (c): turning the ellipse leaves the mean and the spectrum of
$\Sigma$ unchanged, yet the distance grows to $2(2 - 0.5)^2 = 4.5$ at 90 degrees,
where the long axis lies along the old short one, then falls back to 0 at 180 degrees.
At 0 and 90 degrees the two covariances are diagonal, they commute, and the wrong
formula with $\Sigma_1^{1/2}\Sigma_2^{1/2}$ agrees; in between it overestimates the
distance, because $\mathrm{Tr}\,\Sigma_1^{1/2}\Sigma_2^{1/2} \le \mathrm{Tr}(\Sigma_1\Sigma_2)^{1/2}$
(the trace of a product of two PSD matrices is at most the sum of its singular values).
The assignment's `frechet_distance` computes the same quantity in any dimension.
"""

r"""
**An FID for 8x8 digits.** Inception features mean nothing for 8x8 digits, so the
assignment's grader takes the smallest fixed network that knows the digits: the
nearest-class-mean classifier of its training test. An image's features are its ten
distances to the class means of the 1,797 real digits, and the FID compares 500 samples
(50 of each label) with all the real digits. Five hundred real digits drawn the same way
score 0.01 to 0.03 against them: that is the floor that sampling sets. Training GANs over
many seeds is too slow for these notes, so `bench/thresholds_cgan.py` trained each
correct solution of the assignment over 20 seeds the grader's way (500 steps of batch 64),
and the reference for only 50 steps, and some broken generators; the figure reads the
FIDs it stored (`data/fid_by_generator.json`; regenerate it with
`python bench/thresholds_cgan.py fid-bar 0 20` and then `... fid-bar-report`).
"""

import json

fid_runs = json.loads((HERE / "data" / "fid_by_generator.json").read_text())
fid_bar = fid_runs["bar"]
fig, ax = plt.subplots(figsize=(7.5, 3.6))
labels = []
for row, generator in enumerate(fid_runs["generators"]):
    values = np.array(generator["fid"])
    jitter = np.random.default_rng(row).uniform(-0.18, 0.18, len(values))
    colour = "tab:blue" if generator["kind"] == "correct" else "tab:red"
    ax.plot(values, row + jitter, "o", color=colour, alpha=0.6, ms=4)
    labels.append(f"{generator['description']} ({len(values)} seeds)")
ax.axvline(fid_bar, color="k", ls="--", lw=1)
ax.text(fid_bar * 1.05, -0.55, f"bar {fid_bar}", fontsize=8)
ax.set_xscale("log")
ax.set_yticks(range(len(labels)), labels, fontsize=7.5)
ax.set_ylim(len(labels) - 0.5, -0.9)  # first generator on top, room for the bar's label
ax.set_xlabel("FID of 500 samples to the real digits (classifier features; log scale)")
ax.set_title("The assignment's FID: correct cGANs (blue) and poor generators (red)",
             fontsize=9)
fig.tight_layout()
fig.savefig(FIGURES / "fid_by_generator.png", dpi=110)
plt.close(fig)

correct = [f for g in fid_runs["generators"] if g["kind"] == "correct" for f in g["fid"]]
poor = {g["name"]: min(g["fid"]) for g in fid_runs["generators"] if g["kind"] == "poor"}
print(f"correct solutions: FID {min(correct):.2f} to {max(correct):.2f} over {len(correct)} runs; "
      "lowest FID of each poor generator: "
      + ", ".join(f"{name} {value:.2f}" for name, value in poor.items()))
highest = {g["name"]: max(g["fid"]) for g in fid_runs["generators"]}
assert min(correct) >= 0.1 and max(correct) < 1.8 < fid_bar, "update the text below"
assert poor["short-training"] >= 4 and poor["generator-ignores-noise"] >= 3.5, "update the text"
assert poor["generator-trained-on-discriminator-loss"] > 200, "update the text below"
assert poor["generator-ignores-labels"] > fid_bar, "update the text below"
assert highest["discriminator-ignores-labels"] < 1.6, "update the text below"

r"""
Every correct solution lands well below the bar of 2.5, between about 0.1 and 1.7,
whatever the seed and however it is written; the alternative with a projection
discriminator gives the best samples. Fifty steps instead of 500 leave blurred
half-digits, at 4 and above. A generator that ignores $z$ draws one image per label: its
mean term can be small, but the trace term sees the missing spread (3.6 and above). A
generator trained on the discriminator's loss runs away from the digits (over 200). The
two label mistakes show why the grader asks a classifier for the label as well: when
the discriminator ignores the labels, the generator still learns good digits, only not
the asked ones, and its FID to all the digits looks like a correct run's (0.7 to 1.5);
a generator that ignores the label lands just above the bar (2.5 to 3.7).
"""

print(f"notes ran in {time.perf_counter() - START:.1f} s")

r"""
## Summary

- A GAN trains a generator $G$ and a discriminator $D$ on the game
  $\min_G \max_D V(D, G)$; $D$ is a binary classifier of real against generated.
- For a fixed $G$ the best discriminator is $D^* = p_{data} / (p_{data} + p_g)$; at
  $D^*$, $V = -\log 4 + 2\,\mathrm{JSD}(p_{data} \| p_g)$, minimised exactly when
  $p_g = p_{data}$, where $D^* = 1/2$ everywhere.
- The saturating generator loss gives $G$ almost no gradient when $D$ wins; the
  non-saturating $-\log D(G(z))$ fixes that at the price of a game that is no longer
  zero-sum (at $D^*$ its gradient is that of $\mathrm{KL}(p_g \| p_{data}) - 2\,\mathrm{JSD}$).
- Compute both losses from logits (softplus), never as `log(sigmoid(l))`, which
  underflows.
- A conditional GAN feeds the label to both networks; the discriminator must see it,
  or nothing makes $G$ obey it.
- FID scores samples by the Fréchet distance between Gaussians fitted to features of
  real and generated images, $\lVert \mu_1 - \mu_2 \rVert^2 + \mathrm{Tr}(\Sigma_1 +
  \Sigma_2 - 2(\Sigma_1\Sigma_2)^{1/2})$, with a matrix square root (the sum of the square
  roots of the eigenvalues of $\Sigma_1\Sigma_2$, rounding negatives clipped to 0).
"""
