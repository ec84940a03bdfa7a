r"""
Title: Restricted Boltzmann machines and deep belief networks
Description: Energy-based models, the restricted Boltzmann machine, contrastive
divergence, greedy layer-wise pretraining of a deep belief network, and Gibbs
sampling of fantasies, the free-energy gap as a monitor of overfitting, with exact
checks on a machine small enough to enumerate.
Prerequisites: the perceptron and MLP notes (sigmoid units, cross-entropy,
backpropagation); basic probability (Bernoulli variables, expectations).
Assignment: dbn
"""

r"""
## 1. Three kinds of connection graph

Networks can be sorted by the shape of their connection graph:

- **feedforward** networks (perceptrons, MLPs, CNNs) are directed and acyclic: a
  signal goes from input to output once;
- **recurrent** networks have directed cycles, so a unit's output feeds back, one
  time step later, into the units that produced it;
- **symmetrically connected** networks have undirected edges: the weight from $i$
  to $j$ is the weight from $j$ to $i$. Such a network does not compute a function
  from inputs to outputs; it defines which joint states of its units are likely,
  through an **energy**. A **Hopfield network** has deterministic threshold units,
  usually all visible: updating one unit at a time can only lower the energy, so the
  state slides into a local minimum, a stored memory. A **Boltzmann machine** has the
  same energy but *stochastic* units that sample from the distribution below, and
  usually hidden units too. So a Hopfield network is not just "a Boltzmann machine
  without hidden units": it is the deterministic (zero-temperature) counterpart of
  one without hidden units.

A Boltzmann machine has binary units $s \in \{0, 1\}^n$, symmetric weights
$w_{ij} = w_{ji}$ ($w_{ii} = 0$) and biases $a_i$. A joint state has energy
$E(s) = -\sum_{i<j} s_i w_{ij} s_j - \sum_i a_i s_i$ and probability

$$p(s) = \frac{e^{-E(s)}}{Z}, \qquad Z = \sum_{s'} e^{-E(s')} ,$$

the Boltzmann (Gibbs) distribution at temperature 1. Some units are **visible**
(they hold the data) and the others **hidden**; learning shapes the energy so that
the marginal $p(v) = \sum_h p(v, h)$ puts high probability on the training data.
The point of a Boltzmann machine is to model the data distribution and to learn an
internal representation of it, not to map inputs to outputs, which is why it has no
output layer.

A note on sources. A widely shared introduction (in Chinese) to CNN, RNN, DBN and
GAN says that a Boltzmann machine's units form "an undirected complete graph" and
contrasts it with "recursive" networks whose connections form directed cycles. The
machines usually drawn are fully connected, but the model allows any symmetric
connection pattern (the restricted machine below is one); and the networks with
directed cycles are *recurrent* networks (recursive networks are a different
family, applied to trees). The same text calls a DBN a generative model that
"evaluates both P(observation | label) and P(label | observation)": a DBN as Hinton,
Osindero and Teh (2006) trained it is a model of the data $p(x)$ (labels can be
added as extra visible units of the top layer), and as used in this course, fine-tuned
with backpropagation, it is a discriminative classifier whose *initialisation* came
from a generative model.
"""

import itertools
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
rng = np.random.default_rng(0)


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def draw_graph(ax, title, n_visible, n_hidden, restricted):
    vis = [(x, 0.0) for x in np.linspace(0, 1, n_visible)]
    hid = [(x, 1.0) for x in np.linspace(0.15, 0.85, n_hidden)]
    pairs = [(p, q) for p in vis for q in hid]
    if not restricted:
        pairs += list(itertools.combinations(vis, 2)) + list(itertools.combinations(hid, 2))
    for (x1, y1), (x2, y2) in pairs:
        bend = 0.0 if y1 != y2 else 0.25 * (1 if y1 > 0.5 else -1) * abs(x2 - x1)
        xs = np.linspace(x1, x2, 20)
        ys = y1 + (y2 - y1) * np.linspace(0, 1, 20) + bend * np.sin(np.linspace(0, np.pi, 20))
        ax.plot(xs, ys, color="0.6", lw=0.8, zorder=1)
    ax.scatter(*zip(*vis), s=300, c="white", edgecolors="k", zorder=2, label="visible v")
    ax.scatter(*zip(*hid), s=300, c="tab:blue", edgecolors="k", zorder=2, label="hidden h")
    ax.set_title(title)
    ax.set_xlim(-0.1, 1.1)
    ax.set_ylim(-0.45, 1.45)
    ax.axis("off")


fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
draw_graph(axes[0], "Boltzmann machine (any symmetric edges)", 4, 3, restricted=False)
draw_graph(axes[1], "restricted Boltzmann machine (bipartite)", 4, 3, restricted=True)
axes[1].legend(loc="lower center", ncol=2, frameon=False, bbox_to_anchor=(0.5, -0.12))
fig.tight_layout()
fig.savefig(FIGURES / "bm_vs_rbm.png", dpi=120)
plt.close(fig)

r"""
## 2. The restricted Boltzmann machine

An RBM keeps only the edges between the visible layer $v \in \{0,1\}^{n_v}$ and
the hidden layer $h \in \{0,1\}^{n_h}$: the graph is bipartite. With weights
$W \in \mathbb{R}^{n_v \times n_h}$, visible bias $b$ and hidden bias $c$,

$$E(v, h) = -v^\top W h - b^\top v - c^\top h .$$

**Conditional independence.** Fix $v$. The energy is then a sum of one term per
hidden unit, $-\sum_j h_j (c_j + v^\top W_{:j})$ plus a constant, so

$$p(h \mid v) = \frac{e^{-E(v,h)}}{\sum_{h'} e^{-E(v,h')}}
   = \prod_j \frac{e^{h_j (c_j + v^\top W_{:j})}}{1 + e^{c_j + v^\top W_{:j}}},
   \qquad p(h_j = 1 \mid v) = \sigma(c_j + v^\top W_{:j}).$$

The hidden units are independent given $v$, each a sigmoid unit: exactly what a
dense sigmoid layer computes. By symmetry $p(v_i = 1 \mid h) = \sigma(b_i + W_{i:} h)$.
In a general Boltzmann machine this fails (hidden units talk to each other), and
even sampling $h$ given $v$ needs a long Markov chain. The restriction is what
makes the RBM practical.

**Free energy.** Summing over $h$ factorises the same way:

$$\sum_h e^{-E(v,h)} = e^{b^\top v} \prod_j \big(1 + e^{c_j + v^\top W_{:j}}\big)
  = e^{-F(v)}, \qquad F(v) = -b^\top v - \sum_j \log\big(1 + e^{c_j + v^\top W_{:j}}\big),$$

so $p(v) = e^{-F(v)}/Z$: the $2^{n_h}$-term sum becomes $n_h$ softplus terms.
A machine with 4 visible and 3 hidden units is small enough to check all this by
listing every state.
"""

n_v, n_h = 4, 3
W = rng.normal(0, 2.5, (n_v, n_h))  # strong weights: a slowly mixing chain
b, c = rng.normal(0, 1.0, n_v), rng.normal(0, 1.0, n_h)
V = np.array(list(itertools.product([0.0, 1.0], repeat=n_v)))  # (16, 4) every visible state
H = np.array(list(itertools.product([0.0, 1.0], repeat=n_h)))  # (8, 3) every hidden state

energy = -(V @ W @ H.T) - (V @ b)[:, None] - (H @ c)[None, :]  # (16, 8): E(v, h)
free_energy = -V @ b - np.logaddexp(0.0, V @ W + c).sum(axis=1)  # (16,)
print("max |F(v) + log sum_h exp(-E(v,h))| =",
      np.abs(free_energy + np.log(np.exp(-energy).sum(axis=1))).max())

joint = np.exp(-energy) / np.exp(-energy).sum()  # p(v, h)
v0 = 5  # one visible state; compare p(h | v) from the joint with the product of sigmoids
p_h_given_v = joint[v0] / joint[v0].sum()
product = np.prod(np.where(H == 1, sigmoid(V[v0] @ W + c), 1 - sigmoid(V[v0] @ W + c)), axis=1)
print("max |p(h|v) - prod_j sigma(.)| =", np.abs(p_h_given_v - product).max())

r"""
Both numbers are at rounding level: the factorised formulas are exact.

## 3. The log-likelihood gradient and contrastive divergence

For a training vector $v$, $\log p(v) = -F(v) - \log Z$. Differentiating,

$$\frac{\partial \log p(v)}{\partial \theta} = -\frac{\partial F(v)}{\partial \theta}
  + \sum_{v'} p(v') \frac{\partial F(v')}{\partial \theta},$$

and from the free energy, $-\partial F/\partial W_{ij} = v_i\, \sigma(c_j + v^\top W_{:j})
= v_i\, p(h_j{=}1 \mid v)$, $-\partial F/\partial b_i = v_i$,
$-\partial F/\partial c_j = p(h_j{=}1 \mid v)$. Averaged over the data:

$$\frac{\partial \langle \log p \rangle}{\partial W_{ij}} =
  \langle v_i h_j \rangle_{\text{data}} - \langle v_i h_j \rangle_{\text{model}} .$$

The **positive phase** (data term) is cheap: one matrix product. The **negative
phase** needs an expectation under the model, a sum over $2^{n_v + n_h}$ states.
Gibbs sampling approximates it: alternate $h \sim p(h \mid v)$ and
$v \sim p(v \mid h)$, each a single parallel step thanks to conditional
independence. Run to equilibrium, the chain samples the model; that takes long.

**Contrastive divergence** (Hinton, 2002) starts the chain *at the data* and stops
after $k$ steps: $v^{(0)} = v$, $h^{(0)} \sim p(h \mid v^{(0)})$,
$v^{(t)} \sim p(v \mid h^{(t-1)})$, and uses $v^{(k)}$ for the negative phase:

$$\Delta W = \langle v^{(0)} p(h \mid v^{(0)})^\top \rangle
            - \langle v^{(k)} p(h \mid v^{(k)})^\top \rangle,\quad
  \Delta b = \langle v^{(0)} - v^{(k)} \rangle, \quad
  \Delta c = \langle p(h \mid v^{(0)}) - p(h \mid v^{(k)}) \rangle .$$

It does not follow the likelihood gradient exactly: it approximately follows the
difference of two Kullback-Leibler divergences, $\mathrm{KL}(p_0 \| p_\infty) -
\mathrm{KL}(p_k \| p_\infty)$, hence the name. The bias shrinks as $k$ grows, and
as the model's chain mixes faster. Two details from practice (Hinton's *practical
guide*, 2010): the hidden states that drive the reconstruction must be **sampled**
(binary), since a probability passes on more information than one bit and the
chain no longer samples the model; the statistics themselves can use probabilities,
which lowers the noise without changing the expectation. Parameters then climb the
estimate: $W \leftarrow W + \eta\, \Delta W$ (gradient *ascent* on the
log-likelihood).

On the small machine, the *expected* CD-$k$ estimate can be computed exactly: the
chain on visible states has transition matrix $T = P(h \mid v) P(v' \mid h)$, so
$v^{(k)}$ has distribution $e_{v^{(0)}} T^k$. Compare it with the exact gradient.
"""


def state_probs(p, states):
    """(m, n) unit probabilities -> (m, 2^n) probability of each listed binary state."""
    return np.prod(np.where(states[None] == 1, p[:, None, :], 1 - p[:, None, :]), axis=2)


def exact_gradient_W(W, b, c, data):
    energy = -(V @ W @ H.T) - (V @ b)[:, None] - (H @ c)[None, :]
    joint = np.exp(-energy) / np.exp(-energy).sum()
    return data.T @ sigmoid(data @ W + c) / len(data) - V.T @ joint @ H


def expected_cd_W(W, b, c, data, k):
    T = state_probs(sigmoid(V @ W + c), H) @ state_probs(sigmoid(H @ W.T + b), V)  # (16, 16)
    start = state_probs(data, V)  # data rows are binary: one-hot over the 16 states
    dist = start @ np.linalg.matrix_power(T, k)  # distribution of v^(k), one row per datum
    negative = np.einsum("nv,vi,vj->ij", dist, V, sigmoid(V @ W + c)) / len(data)
    return data.T @ sigmoid(data @ W + c) / len(data) - negative


data = V[rng.choice([3, 5, 10, 12], size=200)]  # a few favourite patterns
exact = exact_gradient_W(W, b, c, data)
ks = [1, 2, 3, 5, 10, 20, 50]
cosines, norms = [], []
for k in ks:
    cd = expected_cd_W(W, b, c, data, k)
    cosines.append(float(np.sum(cd * exact) / np.linalg.norm(cd) / np.linalg.norm(exact)))
    norms.append(float(np.linalg.norm(cd) / np.linalg.norm(exact)))
    print(f"CD-{k:<2d}: cosine with the exact gradient {cosines[-1]:.3f}, "
          f"length ratio {norms[-1]:.3f}")
flipped = -expected_cd_W(W, b, c, data, 1)  # negative phase minus positive phase: a sign error
sign_error_cosine = float(np.sum(flipped * exact) / np.linalg.norm(flipped) / np.linalg.norm(exact))
print(f"CD-1 with its sign flipped: cosine {sign_error_cosine:.3f}")
assert abs(sign_error_cosine + cosines[0]) < 1e-12

fig, ax = plt.subplots(figsize=(5, 3.2))
ax.semilogx(ks, cosines, "o-", label="cosine with exact gradient")
ax.semilogx(ks, norms, "s--", label="|CD-k| / |exact|")
ax.axhline(1.0, color="0.7", lw=0.8)
ax.set_xlabel("Gibbs steps k")
ax.set_title("expected CD-k estimate vs the exact gradient")
ax.legend()
fig.tight_layout()
fig.savefig(FIGURES / "cd_bias.png", dpi=120)
plt.close(fig)

r"""
With strong weights the chain mixes slowly. CD-1 still points roughly the right
way (a cosine near 0.9) but is much shorter than the true gradient: the chain has
not moved far from the data, so the two phases partly cancel. Longer chains close
the gap in both direction and length. A sign error, negative phase minus positive
phase, flips the estimate: its cosine with the exact gradient is minus CD-1's, about
$-0.88$ here (not $-1$, since CD-1 itself is not exactly the gradient). Every step then
*lowers* the likelihood.

## 4. An RBM on the digits: filters and comparison with scikit-learn

scikit-learn's `BernoulliRBM` is an RBM with the same parametrisation:
`components_` is $W^\top$, `intercept_hidden_` is $c$, `intercept_visible_` is $b$,
and `transform(v)` returns $p(h = 1 \mid v)$. It trains with *persistent* CD (the
negative chain continues from where the previous batch left it instead of
restarting at the data), one Gibbs step per batch. Its `score_samples` returns a
**pseudo-likelihood**: the log of $p(v_i \mid v_{-i})$ for one randomly chosen
pixel, times the number of pixels, a cheap proxy for $\log p(v)$ that needs no $Z$:
$\log p(v_i \mid v_{-i}) = -\mathrm{softplus}(F(v) - F(\tilde v))$, where
$\tilde v$ is $v$ with pixel $i$ flipped.
"""

from sklearn.datasets import load_digits
from sklearn.neural_network import BernoulliRBM

digits = load_digits()
X, y = digits.data / 16.0, digits.target  # 1,797 images, 8x8 pixels in [0, 1]
order = np.random.RandomState(0).permutation(len(X))
train, test = order[:1200], order[1200:]

rbm = BernoulliRBM(n_components=64, learning_rate=0.05, batch_size=10, n_iter=20,
                   random_state=0)
start = time.perf_counter()
rbm.fit(X[train])
print(f"BernoulliRBM, 64 hidden units, 20 epochs: {time.perf_counter() - start:.1f} s, "
      f"pseudo-likelihood per image {rbm.score_samples(X[test]).mean():.2f} (test)")

limit = np.percentile(np.abs(rbm.components_), 99)  # one scale for all units, symmetric about 0
fig, axes = plt.subplots(8, 8, figsize=(6.6, 6), gridspec_kw={"wspace": 0.08, "hspace": 0.08})
for j, ax in enumerate(axes.ravel()):
    shown = ax.imshow(rbm.components_[j].reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)  # W[:, j]
    ax.set_xticks([])
    ax.set_yticks([])
fig.colorbar(shown, ax=axes, fraction=0.04, pad=0.02, extend="both",
             label="weight (red excites, blue inhibits)")
fig.suptitle("weights of the 64 hidden units (W[:, j] as 8x8 images;\n"
             "the 1% largest |W| saturate the colour scale)", fontsize=10)
fig.savefig(FIGURES / "rbm_filters.png", dpi=120, bbox_inches="tight")
plt.close(fig)

r"""
Each hidden unit's weights, drawn as an 8x8 image, show the pixel pattern that
switches it on: red pixels raise its input when inked, blue ones lower it, white
ones hardly matter. Some units have sharp stroke fragments or blobs (red) next to
pixels that veto them (blue); many are still diffuse after 20 epochs on 1,200 images.
One colour scale serves all 64 units, so their strengths compare.
The assignment's benchmark (`bench/rbm_vs_sklearn.md`) trains a numpy CD-1 RBM
and `BernoulliRBM` at equal size and epochs and compares time per epoch and the
pseudo-likelihood, computed for both by the same scikit-learn function after
loading the numpy weights into a `BernoulliRBM`.

A reconstruction, $p(v \mid p(h \mid v))$, shows what the hidden layer kept:
"""

recon = sigmoid(rbm.transform(X[test[:8]]) @ rbm.components_ + rbm.intercept_visible_)
fig, axes = plt.subplots(2, 8, figsize=(8, 2.3))
for i in range(8):
    axes[0, i].imshow(X[test[i]].reshape(8, 8), cmap="gray_r")
    axes[1, i].imshow(recon[i].reshape(8, 8), cmap="gray_r")
    axes[0, i].axis("off")
    axes[1, i].axis("off")
axes[0, 0].set_title("data", loc="left")
axes[1, 0].set_title("reconstruction", loc="left")
fig.tight_layout()
fig.savefig(FIGURES / "rbm_reconstructions.png", dpi=120)
plt.close(fig)
print("reconstruction error (test):", float(np.mean((X[test[:8]] - recon) ** 2)))

r"""
The reconstruction error is easy to watch during training, but it is not what CD
optimises and can fall while the likelihood gets worse; use it as a smoke test, and
the exact likelihood (tiny models) or the pseudo-likelihood (larger ones) to judge.

## 5. Deep belief networks: greedy layer-wise pretraining

A **deep belief network** stacks RBMs. Train RBM 1 on the data. Freeze it and use
its hidden probabilities $p(h^{1} \mid x)$ as the data of RBM 2, and so on: each
layer models the features of the layer below. Hinton, Osindero and Teh (2006)
showed that adding a layer this way, with the new RBM initialised to the transpose
of the one below and then trained, cannot lower a variational lower bound on
$\log p(x)$ and usually raises it: greedy stacking is principled, not only a
heuristic. The resulting model is not a
stack of undirected RBMs: only the top two layers stay an undirected RBM, and the
lower layers become a *directed* sigmoid belief network that generates data top
down.

For classification the stack is used in the other direction: RBM $i$ becomes a
dense sigmoid layer with kernel $W_i$ and bias $c_i$ (the visible biases are only
for reconstruction and are dropped), a softmax layer goes on top, and the whole
network is **fine-tuned** with backpropagation. Pretraining gives the weights a
starting point that already describes the data; with the large labelled sets and
ReLU networks of today, random initialisation usually does as well, which is why
DBNs are now mostly of historical and conceptual interest.
"""

import keras

SEEDS, EPOCHS, BATCH = range(5), 12, 40
STEPS_PER_EPOCH = len(train) // BATCH  # 1,200 / 40 = 30


def pretrain(seed):
    """Greedy pretraining: RBM 1 on the pixels, RBM 2 on RBM 1's hidden probabilities."""
    first = BernoulliRBM(n_components=64, learning_rate=0.05, batch_size=10, n_iter=20,
                         random_state=seed).fit(X[train])
    second = BernoulliRBM(n_components=32, learning_rate=0.05, batch_size=10, n_iter=20,
                          random_state=seed + 100).fit(first.transform(X[train]))
    return first, second


def network():
    return keras.Sequential([keras.Input(shape=(64,)),
                             keras.layers.Dense(64, activation="sigmoid"),
                             keras.layers.Dense(32, activation="sigmoid"),
                             keras.layers.Dense(10, activation="softmax")])


# One 64-64-32-10 sigmoid network, compiled (and so traced by TensorFlow) once, and put
# back at a fresh starting point before each of the ten fine-tuning runs.
model = network()
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
model.optimizer.build(model.trainable_variables)
optimizer_start = [variable.numpy() for variable in model.optimizer.variables]


def restart(seed, stack=None):
    """Random weights drawn with `seed`; with a stack of RBMs, the hidden layers start from
    them instead (RBM i: kernel W_i, bias c_i, the hidden bias). Adam forgets its state."""
    keras.utils.set_random_seed(seed)
    weights = network().get_weights()  # a fresh random initialisation
    if stack is not None:
        weights[:4] = [stack[0].components_.T, stack[0].intercept_hidden_,
                       stack[1].components_.T, stack[1].intercept_hidden_]
    model.set_weights(weights)
    for variable, value in zip(model.optimizer.variables, optimizer_start):
        variable.assign(value)


class HeldOutAccuracy(keras.callbacks.Callback):
    """Held-out accuracy after every pass over the training set."""

    def on_train_begin(self, logs=None):
        self.curve = []

    def on_train_batch_end(self, batch, logs=None):
        if (batch + 1) % STEPS_PER_EPOCH == 0:
            predicted = np.argmax(self.model(X[test], training=False), axis=1)
            self.curve.append(float(np.mean(predicted == y[test])))


curves = {"DBN-initialised": [], "random init": []}  # name -> one accuracy curve per seed
for seed in SEEDS:
    stack = pretrain(seed)
    # EPOCHS shuffled passes laid end to end and fed to one call of fit: the same
    # training as fit(epochs=EPOCHS), without Keras's fixed cost per epoch
    order = np.concatenate([np.random.default_rng(seed).permutation(train) for _ in range(EPOCHS)])
    for name, start_from in (("DBN-initialised", stack), ("random init", None)):
        restart(seed, start_from)  # the same top layer for both starts
        held_out = HeldOutAccuracy()
        model.fit(X[order], y[order], batch_size=BATCH, shuffle=False, verbose=0, callbacks=[held_out])
        curves[name].append(held_out.curve)
curves = {name: np.array(acc) for name, acc in curves.items()}  # (seeds, epochs)
for name, acc in curves.items():
    print(f"{name:16s} held-out accuracy over {len(SEEDS)} seeds: after epoch 1 "
          f"{acc[:, 0].mean():.3f} (range {acc[:, 0].min():.3f}-{acc[:, 0].max():.3f}), after "
          f"epoch {EPOCHS} {acc[:, -1].mean():.3f} (range {acc[:, -1].min():.3f}-{acc[:, -1].max():.3f})")

pretrained, random_init = curves["DBN-initialised"], curves["random init"]
assert pretrained[:, 0].min() > random_init[:, 0].max(), "update the text below"
assert abs(pretrained[:, -1].mean() - random_init[:, -1].mean()) < 0.01, "update the text below"

fig, ax = plt.subplots(figsize=(5.5, 3.4))
epochs = np.arange(1, EPOCHS + 1)
for (name, acc), color in zip(curves.items(), ("tab:blue", "tab:orange")):
    ax.fill_between(epochs, acc.min(axis=0), acc.max(axis=0), color=color, alpha=0.2, lw=0)
    ax.plot(epochs, acc.mean(axis=0), marker="o", ms=3, color=color,
            label=f"{name}: mean, band = min to max")
ax.set_xlabel("fine-tuning epoch")
ax.set_ylabel("held-out accuracy")
ax.set_title(f"64-64-32-10 sigmoid network on digits, {len(SEEDS)} seeds each")
ax.legend(loc="lower right", fontsize=8)
fig.tight_layout()
fig.savefig(FIGURES / "dbn_fine_tuning.png", dpi=120)
plt.close(fig)

r"""
Over five seeds (each with its own pretraining, shuffling and top layer, the
same for both starts), pretraining wins the first epoch clearly: every pretrained
run is ahead of every random one, because the random network still outputs
near-uniform guesses while the pretrained one already has features that separate
the digits. From the second epoch the random networks catch up, lead by a point or
two in the middle epochs, and the two end within a point of each other (the printed
lines give the means and ranges): on 1,200 small images with Adam and a softmax
head, a good starting point buys little. Pretraining mattered in
2006 for deep sigmoid networks trained with plain gradient descent, where random
initialisation left the lower layers barely learning; ReLU units, careful
initialisation and adaptive optimisers removed most of that need.
"""

r"""
## 6. Gibbs sampling and fantasies

An RBM defines $p(v)$ up to the constant $Z$, and that is enough to *draw* from it.
Alternate the two easy conditionals,

$$h^{(t)} \sim p(h \mid v^{(t-1)}), \qquad v^{(t)} \sim p(v \mid h^{(t)}),$$

each one parallel step over a whole layer (**block Gibbs sampling**). The visible
states form a Markov chain with transition matrix
$T[v, v'] = \sum_h p(h \mid v)\, p(v' \mid h)$, and $p(v)$ is its stationary
distribution: if $v \sim p(v)$, then $h$ drawn from $p(h \mid v)$ makes $(v, h)$ a
sample of the joint, so $h \sim p(h)$, and $v'$ drawn from $p(v' \mid h)$ makes
$(v', h)$ one as well, so $v' \sim p(v)$ again. Every entry of $T$ is positive
(sigmoids never reach 0 or 1), so the chain forgets its start: the distribution of
$v^{(t)}$ tends to $p(v)$ from *any* $v^{(0)}$, geometrically, at a rate set by the
second-largest eigenvalue modulus $|\lambda_2|$ of $T$. The states a long chain
visits are the model's **fantasies**: what the model believes data look like.

How close is "close"? The **total variation** distance
$\mathrm{TV}(p, q) = \tfrac12 \sum_v |p(v) - q(v)|$ is the largest difference in
probability the two distributions give to any set of states (between 0 and 1). On
the 4x3 machine of section 2 (strong weights, so the chain does not mix in one
step), the exact distribution after $t$ steps is row $v^{(0)}$ of $T^t$; compare it with
20,000 simulated chains, and with the chain a common mistake runs instead: hidden
**probabilities** passed down in place of sampled states,
$v' \sim p(v \mid p(h \mid v))$. That chain is still a Markov chain on $v$, but
not one that leaves $p(v)$ unchanged.
"""


def gibbs_chains(W, b, c, v, n_steps, rng, mean_field=False):
    """n_steps of block Gibbs sampling from each row of v (mean_field: pass p(h|v) down)."""
    for _ in range(n_steps):
        p_h = sigmoid(v @ W + c)  # (chains, n_hidden)
        h = p_h if mean_field else (rng.random(p_h.shape) < p_h).astype(float)
        v = (rng.random(v.shape) < sigmoid(h @ W.T + b)).astype(float)
    return v


def histogram(samples):
    """Fraction of rows in each of the 16 states (row i of V is i written in binary)."""
    return np.bincount((samples @ [8, 4, 2, 1]).astype(int), minlength=16) / len(samples)


def tv(p, q):
    return 0.5 * float(np.abs(p - q).sum())


p_v = np.exp(-free_energy) / np.exp(-free_energy).sum()  # exact p(v), section 2's machine
T = state_probs(sigmoid(V @ W + c), H) @ state_probs(sigmoid(H @ W.T + b), V)  # (16, 16)
T_mean_field = state_probs(sigmoid(sigmoid(V @ W + c) @ W.T + b), V)
start = 0  # every chain starts at v = (0, 0, 0, 0)
lambda_2 = np.sort(np.abs(np.linalg.eigvals(T)))[-2]
print(f"stationary: max |p(v) T - p(v)| = {np.abs(p_v @ T - p_v).max():.1e}; "
      f"|lambda_2| = {lambda_2:.3f}")

steps = [1, 2, 5, 10, 20, 50, 100, 200]
chains = np.zeros((20_000, 4))
exact_tv, sampled_tv, mean_field_tv, done = [], [], [], 0
for t in steps:
    chains = gibbs_chains(W, b, c, chains, t - done, rng)  # continue the same chains
    done = t
    exact_tv.append(tv(np.linalg.matrix_power(T, t)[start], p_v))
    sampled_tv.append(tv(histogram(chains), p_v))
    mean_field_tv.append(tv(np.linalg.matrix_power(T_mean_field, t)[start], p_v))
    print(f"t = {t:3d}: TV(exact after t, p) {exact_tv[-1]:.4f}, 20,000 chains "
          f"{sampled_tv[-1]:.4f}, mean-field chain {mean_field_tv[-1]:.4f}")
noise = np.mean([tv(histogram(V[rng.choice(16, 20_000, p=p_v)]), p_v) for _ in range(20)])
print(f"TV of 20,000 exact draws from p(v) (sampling noise alone): {noise:.4f}")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), gridspec_kw={"width_ratios": [1.5, 1]})
x = np.arange(16)
axes[0].bar(x - 0.27, p_v, 0.27, label="exact p(v)", color="0.3")
axes[0].bar(x, histogram(chains), 0.27, label=f"{len(chains):,} chains, {steps[-1]} steps",
            color="tab:blue")
axes[0].bar(x + 0.27, histogram(gibbs_chains(W, b, c, np.zeros((20_000, 4)), steps[-1], rng,
                                             mean_field=True)),
            0.27, label="mean-field hidden (a mistake)", color="tab:orange")
axes[0].set_xticks(x, ["".join(str(int(u)) for u in state) for state in V], rotation=90,
                   fontsize=7)
axes[0].set_xlabel("visible state v")
axes[0].set_ylabel("probability")
axes[0].legend(fontsize=8)
axes[1].loglog(steps, exact_tv, "o-", color="0.3", label="exact, row v0 of T^t")
axes[1].loglog(steps, sampled_tv, "s--", color="tab:blue", label="20,000 chains")
axes[1].loglog(steps, mean_field_tv, "^:", color="tab:orange", label="mean-field chain (exact)")
axes[1].loglog(steps, lambda_2 ** np.array(steps), color="0.7", lw=0.8, label="|lambda_2|^t")
axes[1].axhline(noise, color="tab:blue", lw=0.6, ls="-.", label="sampling noise")
axes[1].set_ylim(1e-4, 1.5)
axes[1].set_xlabel("Gibbs steps t")
axes[1].set_ylabel("total variation from p(v)")
axes[1].legend(fontsize=7, loc="lower left")
fig.tight_layout()
fig.savefig(FIGURES / "gibbs_tiny_rbm.png", dpi=120)
plt.close(fig)

r"""
The exact distance falls geometrically, as fast as $|\lambda_2|^t$ predicts, until
it is far below what 20,000 chains can resolve: from then on the simulated chains
sit at the noise floor (about 0.01 here), and their histogram matches $p(v)$ bar for
bar. The mean-field chain also settles, quickly, but on the wrong distribution: its
distance to $p(v)$ stops falling well above the noise. This is how the assignment
grades `gibbs_sample`: histogram many chains on a machine this small, compare with
the exact distribution by total variation, with a bar a few times above the noise
and below every common mistake (`bench/thresholds_dbn.md` has the figures).

On the digits the same chain, run on the RBM of section 4, turns noise into
fantasies. Each chain below starts from random pixels; rows show the visible
*probabilities* $p(v \mid h)$ at the step (smoother to look at than the binary
samples that drive the chain).
"""

fantasy_rng = np.random.default_rng(1)
W_digits, b_digits, c_digits = rbm.components_.T, rbm.intercept_visible_, rbm.intercept_hidden_
shown_steps = [1, 10, 100, 1000]
v = (fantasy_rng.random((10, 64)) < 0.5).astype(float)  # 10 chains from noise
fig, axes = plt.subplots(len(shown_steps), 10, figsize=(8, 3.6))
done = 0
for row, t in enumerate(shown_steps):
    v = gibbs_chains(W_digits, b_digits, c_digits, v, t - 1 - done, fantasy_rng)
    h = (fantasy_rng.random((10, 64)) < sigmoid(v @ W_digits + c_digits)).astype(float)
    p_pixels = sigmoid(h @ W_digits.T + b_digits)  # the last half-step, as probabilities
    v = (fantasy_rng.random(v.shape) < p_pixels).astype(float)
    done = t
    for col in range(10):
        axes[row, col].imshow(p_pixels[col].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[row, col].axis("off")
    axes[row, 0].set_title(f"step {t}", loc="left", fontsize=8)
fig.tight_layout()
fig.savefig(FIGURES / "digit_fantasies.png", dpi=120)
plt.close(fig)
print("mean pixel: data", round(float(X[train].mean()), 3), "fantasies after 1000 steps",
      round(float(p_pixels.mean()), 3))

r"""
After one step the pixel probabilities are a blur: one hidden sample from random
pixels switches on a mixture of many stroke detectors. Within ten steps the chains
have found digit-like shapes (nines, zeros, ones here), and later steps keep moving
from one shape to another, but slowly: a chain tends to stay many steps near one
mode (one kind of digit) before it crosses to another, because the states in
between have low probability. That slow mixing is why CD-$k$ with small $k$ is
biased (section 3), and why fantasies are a sharper test of what an RBM learned
than reconstructions: a reconstruction starts at the data and only has to stay
near it, a fantasy has to find the data on its own. A crude check that they did:
the mean pixel of the fantasies is close to that of the training images (printed
above). The check has a reason behind it: the gradient of the average
log-likelihood with respect to the visible bias is
$\langle v \rangle_{\text{data}} - \langle v \rangle_{\text{model}}$, so at a
maximum of the likelihood the model turns each pixel on exactly as often as the data
does. The assignment uses this at full size: on an RBM it trains on binarized
digits, the pixel means of many fantasies from your `gibbs_sample`, started from
digits and from noise, must come within a stated distance of the digits' pixel
means. A chain without the visible bias fails at once, its blank border pixels
lit.
"""

r"""
## 7. Watching for overfitting: the free-energy gap

Trained long enough on few images, an RBM learns those images rather than what
digits look like: it puts probability on the training set and takes it from other
digits. The honest measure is the average log-likelihood of held-out data, and an
RBM cannot compute it: $\log p(v) = -F(v) - \log Z$ needs the partition function
$Z$, a sum over $2^{64}$ visible (or $2^{n_h}$ hidden) states. The free energy, on
the other hand, is cheap. Summing each binary hidden unit out of
$e^{-E(v, h)}$ gives a factor $1 + e^{c_j + v^\top W_{:j}}$, so

$$F(v) = -b^\top v - \sum_j \mathrm{softplus}\big(c_j + v^\top W_{:j}\big),
  \qquad \mathrm{softplus}(x) = \log(1 + e^x),$$

one matrix product for a whole batch. Average $\log p$ over a set $S$ of images:
$\frac{1}{|S|}\sum_{v \in S} \log p(v) = -\bar F_S - \log Z$. The same model scores
the training set and a held-out set, with the same $Z$, so in the difference it
cancels:

$$\underbrace{\bar F_{\text{held-out}} - \bar F_{\text{train}}}_{\text{free-energy gap}}
  = \overline{\log p}_{\,\text{train}} - \overline{\log p}_{\,\text{held-out}} .$$

The gap is exactly how much more log-likelihood, in nats per image, the model gives
the images it was trained on than new images of the same kind, computed without
$Z$. Before training it is near zero (both sets come from the same distribution and
the model has seen neither); a model that generalises lowers $F$ on unseen digits as
much as on its training digits, and one that overfits lowers it on the training
images only, so $\bar F_{\text{held-out}}$ rises above $\bar F_{\text{train}}$.
Hinton's practical guide to training RBMs (2010, section 6) recommends exactly this
monitor: every few epochs, compute the average free energy of a validation set and
of a subset of the training data, and when the gap starts to grow the model is
overfitting (stop, add weight decay, or get more data). Either average alone means
nothing, since $\log Z$ changes with every update: both can fall or rise together
while the likelihood does the opposite. Only the difference is interpretable.

An RBM with 64 hidden units trained by CD-1 on just 100 binarized digits, with 500
other digits held out, overfits visibly within a few hundred epochs:
"""

binary = (load_digits().data / 16.0 > 0.5).astype(float)  # on above half intensity
few, held_out = binary[order[:100]], binary[order[1200:1700]]  # 100 to train, 500 held out


def mean_free_energy(v, W, b, c):
    """Average of F(v) = -b.v - sum_j softplus(c_j + v W_j) over the rows of v."""
    return float(np.mean(-v @ b - np.logaddexp(0.0, v @ W + c).sum(axis=1)))


gap_rng = np.random.default_rng(2)
W_gap, b_gap, c_gap = gap_rng.normal(0, 0.01, (64, 64)), np.zeros(64), np.zeros(64)
epochs = np.arange(1, 301)
F_train, F_held = [], []
for _ in epochs:
    for batch in np.split(gap_rng.permutation(len(few)), 10):  # CD-1, batches of 10
        v0 = few[batch]
        p0 = sigmoid(v0 @ W_gap + c_gap)
        h0 = (gap_rng.random(p0.shape) < p0).astype(float)
        v1 = (gap_rng.random(v0.shape) < sigmoid(h0 @ W_gap.T + b_gap)).astype(float)
        p1 = sigmoid(v1 @ W_gap + c_gap)
        W_gap += 0.1 * (v0.T @ p0 - v1.T @ p1) / len(v0)
        b_gap += 0.1 * (v0 - v1).mean(axis=0)
        c_gap += 0.1 * (p0 - p1).mean(axis=0)
    F_train.append(mean_free_energy(few, W_gap, b_gap, c_gap))
    F_held.append(mean_free_energy(held_out, W_gap, b_gap, c_gap))
gap = np.array(F_held) - np.array(F_train)
for epoch in (1, 10, 30, 100, 300):
    print(f"epoch {epoch:3d}: mean F train {F_train[epoch - 1]:7.2f}, held-out "
          f"{F_held[epoch - 1]:7.2f}, gap {gap[epoch - 1]:5.2f} nats per image")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
axes[0].plot(epochs, F_train, color="tab:blue", label="100 training digits")
axes[0].plot(epochs, F_held, color="tab:orange", label="500 held-out digits")
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("average free energy F(v)")
axes[0].legend(fontsize=8)
axes[1].plot(epochs, gap, color="0.2")
axes[1].axhline(0.0, color="0.7", lw=0.8)
axes[1].set_xlabel("epoch")
axes[1].set_ylabel("held-out minus training (nats per image)")
axes[1].set_title("free-energy gap = log-likelihood gap (Z cancels)", fontsize=9)
fig.tight_layout()
fig.savefig(FIGURES / "free_energy_gap.png", dpi=120)
plt.close(fig)

r"""
For the first twenty-odd epochs the two averages move together and the gap stays
below half a nat: what the model learns about 100 digits holds for the others too.
Then they part. The gap grows steadily, to 8 nats per image or more by epoch 300
(the exact value printed above varies between machines, 8 to 11 in our runs: the
sampled training trajectory depends on floating-point rounding). At 8 nats the model
gives each of its training digits, on (geometric) average, $e^{8}$, some 3,000
times, the probability it gives a new digit. Meanwhile both averages keep falling,
so neither curve on its own shows anything wrong: a lower $F$ on held-out data does
not mean a higher likelihood there, because $\log Z$ has moved too. The monitor
says when to act, here after a few dozen epochs: stop training, penalise large
weights (weight decay, an L2 term on $W$ added to the CD update), or train on more
images. A small gap is necessary, not sufficient: an RBM that has learned
nothing has no gap either, so watch it beside a measure of fit such as the
pseudo-likelihood of section 4.
"""

r"""
## Summary

- An RBM is a Boltzmann machine with a bipartite graph; the restriction makes the
  units of one layer independent given the other, so $p(h \mid v)$ and
  $p(v \mid h)$ are layers of sigmoid units and Gibbs sampling alternates whole
  layers.
- Summing out $h$ gives the free energy $F(v) = -b^\top v - \sum_j
  \mathrm{softplus}(c_j + v^\top W_{:j})$ and $p(v) = e^{-F(v)}/Z$.
- The likelihood gradient is data statistics minus model statistics; CD-$k$
  replaces the model statistics by those of a $k$-step Gibbs chain started at the
  data: biased, but cheap and pointing the right way.
- A DBN is pretrained greedily, one RBM on the hidden probabilities of the one
  below, then unrolled into a sigmoid MLP and fine-tuned with backpropagation.
- Block Gibbs sampling with sampled binary states leaves $p(v)$ invariant and
  reaches it from any start, geometrically; on a tiny RBM the histogram of many
  chains matches the exact $p(v)$ in total variation. Long chains from noise give
  the model's fantasies.
- The log-likelihood needs $Z$, but its difference between two sets of images does
  not: the average free energy of held-out data rising above that of the training
  data measures overfitting, in nats per image.
"""
