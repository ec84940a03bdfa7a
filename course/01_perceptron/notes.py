r"""
Title: From the M-P neuron to the multilayer perceptron
Description: The McCulloch-Pitts threshold unit, the perceptron as a hyperplane, its
    learning rule derived, Novikoff's convergence theorem proved and measured, why
    XOR defeats a single unit, the pocket algorithm that keeps the best line seen
    when no line is perfect, and two networks that compute XOR: one built by hand,
    one trained with Keras.
Prerequisites: vectors and dot products, the Cauchy-Schwarz inequality, a first
    look at gradient descent.
Assignment: perceptron
"""

r"""
## The McCulloch-Pitts neuron (1943)

McCulloch and Pitts, in *A logical calculus of the ideas immanent in nervous
activity* (1943), modelled a neuron as a unit that either fires or does not. Their
unit is simpler than the one usually drawn under its name:

* its inputs are **binary**, $x_i \in \{0, 1\}$ (a presynaptic neuron fired or not);
* each input is either **excitatory** or **inhibitory**; all excitatory inputs
  count the same (there are no real-valued weights, and nothing is learned: a net
  is *designed*, like a circuit);
* the unit has a fixed integer **threshold** $\theta$;
* inhibition is **absolute**: if any inhibitory input is active the unit stays
  silent; otherwise it fires when at least $\theta$ excitatory inputs are active.

$$y = \begin{cases} 1 & \text{if no inhibitory input is active and }
\sum_{i \in \text{exc}} x_i \ge \theta,\\ 0 & \text{otherwise.}\end{cases}$$

"Excitatory" and "inhibitory" describe the *inputs* (synapses). The output is just
"fires" (1) or "silent" (0); it is not itself an inhibitory or excitatory state.

**What one unit computes.** With $n$ excitatory inputs, $\theta = n$ gives AND,
$\theta = 1$ gives OR, and any $\theta = k$ gives "at least $k$ of $n$". One
inhibitory input $b$ with an excitatory $a$ and $\theta = 1$ gives
$a \wedge \neg b$; an inhibitory input alone with $\theta = 0$ gives NOT. A single
unit always computes "no inhibitor active AND at least $\theta$ excitatory inputs
active", so it is monotone in its excitatory inputs.

**What it cannot compute.** XOR is out of reach of one unit: if $a$ is excitatory,
$(1, 0) \mapsto 1$ needs $\theta \le 1$; if $b$ is excitatory too, $(1, 1)$ then
also fires; if $b$ is inhibitory, $(0, 1)$ can never fire. With $a$ inhibitory,
swap the roles of $a$ and $b$; with both inhibitory, only $(0, 0)$ can fire. (The general reason,
linear separability, comes below.) *Networks* of M-P units compute every Boolean
function: one AND-like unit per true row of the truth table (with inhibitory
inputs for the negated variables) and an OR unit on top. With loops, such nets
have memory; Kleene (1956) showed they recognise exactly the regular languages,
the languages of finite automata.

**A correction to the source article.** It describes the M-P neuron as a weighted
sum of the inputs minus a bias, passed through an activation function. That is the
*perceptron* (Rosenblatt, 1958) in modern notation: real-valued, learnable weights
were Rosenblatt's addition. The 1943 unit has equal excitatory inputs, absolute
inhibition and a fixed threshold, and no learning rule.

The figure shows the firing regions of three two-input M-P units: the four inputs
sit on the corners of the unit square, and the threshold line
$x_1 + x_2 = \theta$ separates the corners that fire from those that do not.
"""

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib

matplotlib.use("Agg")
import keras
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

# Figures go to figures/ beside these notes (run as a notebook: beside the notebook, the
# kernel's working folder), or to the folder named by $NEUROGRADE_FIGURES.
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
FIGURES = Path(os.environ.get("NEUROGRADE_FIGURES", HERE / "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def mp_neuron(x, excitatory, inhibitory, theta):
    """McCulloch-Pitts unit: x is a binary vector; the two lists hold input indices."""
    if any(x[i] for i in inhibitory):
        return 0
    return int(sum(x[i] for i in excitatory) >= theta)


MP_UNITS = {  # name: (excitatory inputs, inhibitory inputs, threshold)
    "AND (theta = 2)": ([0, 1], [], 2),
    "OR (theta = 1)": ([0, 1], [], 1),
    "x1 AND NOT x2 (x2 inhibitory, theta = 1)": ([0], [1], 1),
}
for name, (exc, inh, theta) in MP_UNITS.items():
    print(f"{name:42s}", [mp_neuron(x, exc, inh, theta) for x in CORNERS])

fig, axes = plt.subplots(1, 3, figsize=(11, 3.8))
grid = np.linspace(-0.25, 1.25, 301)
g1, g2 = np.meshgrid(grid, grid)
for ax, (name, (exc, inh, theta)) in zip(axes, MP_UNITS.items()):
    # the firing condition drawn over the plane: excitatory sum >= theta, no inhibitor above 0.5
    inputs = np.stack([g1, g2])
    fires = (sum(inputs[i] for i in exc) >= theta) & ~np.any([inputs[i] >= 0.5 for i in inh], axis=0)
    ax.contourf(g1, g2, fires, levels=[-0.5, 0.5, 1.5], colors=["#f2f2f2", "#cde4f7"])
    if len(exc) == 2:
        ax.plot(grid, theta - grid, "k--", lw=1.2, label=f"x1 + x2 = {theta}")
    else:
        ax.axvline(theta, color="k", ls="--", lw=1.2, label=f"x1 = {theta}")
    for i in inh:
        ax.axhline(0.5, color="tab:red", lw=1.2, ls=":", label=f"x{i + 1} >= 0.5 (active): inhibited")
    ax.legend(loc="upper left", fontsize=7, framealpha=0.9)
    for x in CORNERS:
        y = mp_neuron(x, exc, inh, theta)
        ax.scatter(*x, s=140, c="tab:blue" if y else "white", edgecolors="k", zorder=3)
        ax.annotate(f"y = {y}", x, xytext=(-14, -22), textcoords="offset points", fontsize=10)
    ax.set(xlim=(-0.25, 1.25), ylim=(-0.25, 1.25), xlabel="x1", ylabel="x2", aspect="equal")
    ax.set_title(name, fontsize=9)
fig.suptitle("M-P units on binary inputs: filled corners fire; shaded = threshold reached, no inhibition")
fig.tight_layout()
fig.savefig(FIGURES / "mp_neuron_gates.png", dpi=120)
plt.close(fig)

r"""
## The perceptron is a hyperplane

Rosenblatt's perceptron gives each real input $x \in \mathbb{R}^d$ a real weight and
adds a bias $b$ (the negative of a threshold, $b = -\theta$):

$$o = \mathrm{step}(w \cdot x + b), \qquad \mathrm{step}(z) = \begin{cases} 1 & z \ge 0\\
0 & z < 0. \end{cases}$$

The inputs where it switches form the **hyperplane** $w \cdot x + b = 0$: a line in
2-D, a plane in 3-D. Its geometry:

* $w$ is **normal** to the hyperplane: for two points $x, x'$ on it,
  $w \cdot (x - x') = 0$, so $w$ is orthogonal to every direction inside it;
* $w$ **points to the side that outputs 1**: moving from the plane along $w$ raises
  $w \cdot x + b$;
* the **signed distance** of a point to the hyperplane is $(w \cdot x + b) / \|w\|$,
  and the plane lies at distance $|b| / \|w\|$ from the origin;
* multiplying $(w, b)$ by any $c > 0$ changes neither the plane nor any prediction.

A set of labelled points is **linearly separable** if some hyperplane has all the
1s on one side and all the 0s on the other.

**A correction to the source article.** It writes the decision surface as
$w \cdot x = 0$. That is only right once the bias is folded into $w$ as the weight
of a constant input $x_0 = 1$; as written, with $x$ the real inputs, it forces
every boundary through the origin. Then $(0, 0)$ always has $z = 0$ and gets the
same output whatever the weights (1 with our step), so not even AND or OR, which
need $(0, 0) \mapsto 0$, can be represented. We keep $b$ explicit, and
write $\tilde x = (x, 1)$, $\tilde w = (w, b)$ when it is convenient to fold it
in, so that $w \cdot x + b = \tilde w \cdot \tilde x$.

## The learning rule

Rosenblatt's rule visits the examples one at a time and changes the weights only
when the current example is misclassified:

$$w \leftarrow w + \eta\,(t - o)\,x, \qquad b \leftarrow b + \eta\,(t - o),$$

with $t \in \{0, 1\}$ the target, $o$ the output and $\eta > 0$ the learning rate.
$t - o$ is $0$ on a correct answer, $+1$ when the unit said 0 instead of 1, $-1$
when it said 1 instead of 0.

**Where it comes from.** Relabel the targets $y = 2t - 1 \in \{-1, +1\}$ and write
$z = \tilde w \cdot \tilde x$ for the score. With our step, $z = 0$ counts as output 1,
so a negative example ($y = -1$) is misclassified when $z \ge 0$ and a positive one
when $z < 0$. Every mistake therefore has $y\, z \le 0$. The converse fails in one
case: a positive example exactly on the boundary has $y z = 0$ and is classified
correctly. The **perceptron criterion** sums over the set $\mathcal{M}(\tilde w)$ of
misclassified examples:

$$J(\tilde w) = \sum_{i \in \mathcal{M}(\tilde w)} -y_i\, \tilde w \cdot \tilde x_i \;\ge 0 .$$

Every term is $\ge 0$, and $J = 0$ when nothing is misclassified. The converse
fails badly: at $\tilde w = 0$ every score is 0, every negative example is
misclassified, and yet every term is $-y_i \cdot 0 = 0$. $J$ has the **trivial
minimiser** $\tilde w = 0$ (and since $J(c \tilde w) = c\, J(\tilde w)$ for $c > 0$,
shrinking any $\tilde w$ lowers it too), so "minimise $J$" does not say what we want,
and the rule is analysed through Novikoff's theorem below rather than as a
minimisation of $J$. What $J$ does supply is the direction of each step. The
gradient of one term is $-y_i \tilde x_i$, so a stochastic gradient step on one
misclassified example is

$$\tilde w \leftarrow \tilde w + \eta\, y_i\, \tilde x_i ,$$

and on a mistake $y_i = t_i - o_i$: it is Rosenblatt's rule. The update raises that
example's signed score by $\eta \|\tilde x\|^2$:

$$y\,(\tilde w + \eta y \tilde x) \cdot \tilde x
= y\, \tilde w \cdot \tilde x + \eta \|\tilde x\|^2 .$$

Geometrically it tips the normal $w$ towards a missed positive (or away from a
wrongly accepted negative), rotating the boundary past the point if the step is
large enough, and possibly spoiling other points; that is why we need a theorem.

The implementation below follows the rule literally, with one pass over the
examples per epoch, stopping after the first epoch without a mistake. It starts by
evaluating $J$ at $\tilde w = 0$ on the AND gate.
"""


def step(z):
    return (np.asarray(z) >= 0).astype(int)


def criterion(w, b, X, t):
    """The perceptron criterion J and the number of misclassified examples."""
    z, y = X @ w + b, 2 * np.asarray(t) - 1
    wrong = step(z) != t
    return float(np.sum(-y[wrong] * z[wrong])), int(wrong.sum())


J0, wrong0 = criterion(np.zeros(2), 0.0, CORNERS, np.array([0, 0, 0, 1]))
print(f"AND at w = 0, b = 0: J = {J0}, with {wrong0} of 4 examples misclassified")
assert J0 == 0 and wrong0 == 3

def perceptron_epochs(X, t, eta=1.0, max_epochs=100, w0=None, b0=0.0):
    """Online perceptron rule. Yields (w, b, mistakes in that epoch) after each epoch.

    X (n, d) inputs, t (n,) targets in {0, 1}; w0 (d,) initial weights (zeros if None).
    """
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    b = float(b0)
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, t_i in zip(X, t):
            error = t_i - step(w @ x_i + b)  # 0, +1 or -1
            if error:
                w = w + eta * error * x_i
                b = b + eta * error
                mistakes += 1
        yield w, b, mistakes
        if mistakes == 0:
            return


GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "XOR": [0, 1, 1, 0]}
for gate, targets in GATES.items():
    history = list(perceptron_epochs(CORNERS, np.array(targets), max_epochs=50))
    w, b, last = history[-1]
    outcome = "converged" if last == 0 else "did NOT converge"
    print(f"{gate:4s}: {outcome} after {len(history):2d} epochs, w = {w}, b = {b:+.0f}, "
          f"outputs {step(CORNERS @ w + b)}, mistakes per epoch {[h[2] for h in history[:8]]}")

r"""
AND, OR and NAND converge within a few epochs. XOR never does: the weights keep
cycling through the same few values, each epoch makes mistakes, and only the cap
on epochs stops the loop.

**Two corrections to the source article.** (1) It says to repeat the rule *until*
the perceptron classifies every example correctly. That loop ends only when the
data are linearly separable; on XOR, or on any overlapping classes, it runs
forever, so a real implementation needs an epoch limit (or the pocket algorithm,
which keeps the best weights seen). (2) It says the learning rate tempers each step
and should be small, e.g. 0.1, perhaps decaying. For the perceptron started from
zero weights, $\eta$ changes nothing: every weight vector of the run with rate
$\eta$ is exactly $\eta$ times that of the run with rate 1, and scaling by $\eta > 0$
never changes a sign, so the predictions, the mistakes and the number of epochs
are identical. (In floating point use powers of two to see this exactly: $0.1$ is
not exactly representable, and rounding can move a score that should be exactly 0.)
$\eta$ only matters relative to non-zero initial weights. Small, decaying rates
belong to gradient descent on a smooth loss, such as the Widrow-Hoff delta rule
$w \leftarrow w + \eta\,(t - w \cdot x)\,x$, which uses the *linear* output rather
than the thresholded one and converges to a least-squares fit even on data that
are not separable.
"""

X_sep = rng.uniform(-1, 1, size=(40, 2))
t_sep = step(X_sep @ np.array([1.0, -2.0]) + 0.3)
runs = {eta: [m for *_, m in perceptron_epochs(X_sep, t_sep, eta=eta)] for eta in (1.0, 0.125, 2.0**-10)}
print("mistakes per epoch for eta = 1, 1/8, 2^-10:", *runs.values(), sep="\n  ")
assert runs[1.0] == runs[0.125] == runs[2.0**-10], "the learning rate changed the run"

r"""
## The perceptron at work on a separable problem

Forty points, separable with a margin, and the boundary after some of the epochs
(the run starts from $w = (0, 1)$, $b = 0$, a horizontal line, so that the first
boundary is defined). The arrow is $w$, drawn from the boundary: it always points into the region the
perceptron labels 1. Early epochs swing the line around; each mistake tilts it; it
stops moving once a whole pass makes no mistake.
"""


def separable_data(rng, n, margin, u=None):
    """n points in [-1, 1]^2 labelled by the unit vector u in (x, 1) space, none within
    `margin` of its hyperplane. Returns X (n, 2), t (n,) in {0, 1} and u (3,)."""
    if u is None:
        u = rng.normal(size=3) * [1, 1, 0.3]
        u /= np.linalg.norm(u)
    X = np.empty((0, 2))
    while len(X) < n:
        candidates = rng.uniform(-1, 1, size=(4 * n, 2))
        scores = np.c_[candidates, np.ones(len(candidates))] @ u
        X = np.vstack([X, candidates[np.abs(scores) >= margin]])
    X = X[:n]
    return X, step(np.c_[X, np.ones(n)] @ u), u


u_demo = np.array([2.0, -1.5, 0.4]) / np.linalg.norm([2.0, -1.5, 0.4])
X_demo, t_demo, _ = separable_data(np.random.default_rng(3), 40, margin=0.05, u=u_demo)
history = list(perceptron_epochs(X_demo, t_demo, w0=[0.0, 1.0], b0=0.0))
print(f"demo run: {len(history)} epochs, mistakes per epoch {[m for *_, m in history]}")
shown = sorted({0, 1, len(history) // 2, len(history) - 1})

fig, axes = plt.subplots(1, len(shown), figsize=(3.3 * len(shown), 4.1), sharey=True)
line_x = np.linspace(-1.2, 1.2, 2)
for ax, k in zip(axes, shown):
    w, b, mistakes = history[k]
    xx, yy = np.meshgrid(np.linspace(-1.2, 1.2, 200), np.linspace(-1.2, 1.2, 200))
    ax.contourf(xx, yy, step(w[0] * xx + w[1] * yy + b), levels=[-0.5, 0.5, 1.5],
                colors=["#f6e3d5", "#d5e6f6"])
    ax.scatter(*X_demo[t_demo == 1].T, c="tab:blue", s=18, label="t = 1")
    ax.scatter(*X_demo[t_demo == 0].T, c="tab:orange", marker="s", s=18, label="t = 0")
    ax.plot(line_x, -(u_demo[0] * line_x + u_demo[2]) / u_demo[1], color="gray", ls=":", lw=1,
            label="true separator")
    if abs(w[1]) > 1e-12:
        ax.plot(line_x, -(w[0] * line_x + b) / w[1], "k", lw=1.5, label="w.x + b = 0")
    foot = -b * w / (w @ w)  # the point of the boundary closest to the origin
    ax.annotate("", xy=foot + 0.5 * w / np.linalg.norm(w), xytext=foot,
                arrowprops={"arrowstyle": "->", "lw": 1.8, "color": "k"})
    wrong = int(np.sum(step(X_demo @ w + b) != t_demo))
    ax.set_title(f"after epoch {k + 1}: {mistakes} updates,\npoints still wrong: {wrong}", fontsize=9)
    ax.set(xlim=(-1.2, 1.2), ylim=(-1.2, 1.2), aspect="equal", xlabel="x1")
axes[0].set_ylabel("x2")
axes[0].legend(loc="lower left", fontsize=7)
fig.suptitle("Perceptron boundary after each epoch (arrow: w, the normal, points to the 1 side)")
fig.tight_layout()
fig.savefig(FIGURES / "perceptron_epochs.png", dpi=120)
plt.close(fig)

r"""
## The convergence theorem (Novikoff, 1962)

**Theorem.** Let $\tilde x_1, \dots, \tilde x_n$ be augmented inputs with labels
$y_i \in \{-1, +1\}$, and suppose that

* $\|\tilde x_i\| \le R$ for all $i$, and
* some unit vector $u$ ($\|u\| = 1$) separates them with **margin** $\gamma > 0$:
  $y_i\, u \cdot \tilde x_i \ge \gamma$ for all $i$.

Then the perceptron started at $\tilde w_0 = 0$, visiting the examples in any order
and with any $\eta > 0$, makes at most $(R / \gamma)^2$ updates. In particular it
stops: after at most $(R/\gamma)^2 + 1$ epochs one full pass makes no mistake.

**Proof.** Let $\tilde w_k$ be the weights after the $k$-th update, made on an
example $(\tilde x, y)$ that was misclassified, so $y\, \tilde w_{k-1} \cdot \tilde x \le 0$,
and $\tilde w_k = \tilde w_{k-1} + \eta\, y\, \tilde x$.

*The weights move towards $u$ at a steady rate.* Taking the dot product with $u$,

$$u \cdot \tilde w_k = u \cdot \tilde w_{k-1} + \eta\, y\, u \cdot \tilde x
\;\ge\; u \cdot \tilde w_{k-1} + \eta \gamma ,$$

and by induction from $\tilde w_0 = 0$, $\; u \cdot \tilde w_k \ge k \eta \gamma$.

*Their length grows slowly.* Expanding the square,

$$\|\tilde w_k\|^2 = \|\tilde w_{k-1}\|^2 + 2 \eta\, y\, \tilde w_{k-1} \cdot \tilde x
+ \eta^2 \|\tilde x\|^2 \;\le\; \|\tilde w_{k-1}\|^2 + \eta^2 R^2 ,$$

because the middle term is $\le 0$ (that is what "misclassified" means) and
$\|\tilde x\| \le R$. By induction, $\|\tilde w_k\|^2 \le k \eta^2 R^2$.

*Combine them* with Cauchy-Schwarz,
$u \cdot \tilde w_k \le \|u\|\,\|\tilde w_k\| = \|\tilde w_k\|$:

$$k \eta \gamma \;\le\; u \cdot \tilde w_k \;\le\; \|\tilde w_k\| \;\le\; \sqrt{k}\, \eta R
\quad\Longrightarrow\quad \sqrt{k} \le \frac{R}{\gamma}
\quad\Longrightarrow\quad k \le \left(\frac{R}{\gamma}\right)^2 . \qquad \blacksquare$$

The learning rate cancels, as the scaling argument above predicted. The cosine
between $\tilde w_k$ and $u$ is at least $\sqrt{k}\,\gamma / R$, which cannot exceed 1:
each mistake forces the weights a little closer to the direction of *a*
separator, and there is only so much room.

Remarks.

* $R$ and $\gamma$ are measured on the **augmented** vectors $\tilde x = (x, 1)$ and a
  unit $u = (w^*, b^*)$ in $\mathbb{R}^{d+1}$, because the bias is learned like a
  weight. The bound holds for every separating $u$; the best one (largest $\gamma$)
  gives the tightest.
* The bound does not depend on the dimension $d$ or on the number of examples $n$;
  only the geometry, the ratio $R / \gamma$, matters. A thin margin means many
  updates, and with no margin (not separable) there is no bound at all.
* From non-zero initial weights the same two inductions give
  $u \cdot \tilde w_k \ge k\eta\gamma - \|\tilde w_0\|$ and
  $\|\tilde w_k\|^2 \le \|\tilde w_0\|^2 + k\eta^2R^2$, a bound that grows with
  $\|\tilde w_0\| / (\eta\gamma)$; here, and only here, $\eta$ plays a role.

The experiment below draws separable data with a prescribed margin, counts the
updates from zero weights, and compares them with $(R/\gamma)^2$, computed from the
data's own $R$ and its margin under the separator that generated it. To make the
thin margins affordable we use a second implementation that finds the next mistake
of the epoch with one vectorised comparison; it is the same rule, and we check that
it reproduces the plain loop.
"""


def count_updates(X, t, max_epochs=100_000):
    """Same online rule as perceptron_epochs (zero start, eta = 1), returning the
    number of updates until a pass without mistakes. Vectorised search for the next
    mistake of the epoch."""
    Xa, y = np.c_[X, np.ones(len(X))], 2 * np.asarray(t) - 1
    w, updates = np.zeros(Xa.shape[1]), 0
    for _ in range(max_epochs):
        start, clean = 0, True
        while start < len(Xa):
            z = Xa[start:] @ w
            wrong = np.flatnonzero(np.where(y[start:] > 0, z < 0, z >= 0))
            if not wrong.size:
                break
            i = start + wrong[0]
            w += y[i] * Xa[i]
            updates, clean, start = updates + 1, False, i + 1
        if clean:
            return updates
    raise RuntimeError("no convergence: are the data separable?")


loop_updates = sum(m for *_, m in perceptron_epochs(X_demo, t_demo))
assert count_updates(X_demo, t_demo) == loop_updates, "the two implementations disagree"

margins = np.array([0.01, 0.02, 0.05, 0.1, 0.2, 0.3])
records = []  # (margin, updates, bound)
for gamma in margins:
    for seed in range(8):
        X, t, u = separable_data(np.random.default_rng(100 + seed), 300, gamma)
        Xa = np.c_[X, np.ones(len(X))]
        actual_gamma = np.min((2 * t - 1) * (Xa @ u))  # >= gamma by construction
        R = np.linalg.norm(Xa, axis=1).max()
        records.append((actual_gamma, count_updates(X, t), (R / actual_gamma) ** 2))
records = np.array(records)
assert np.all(records[:, 1] <= records[:, 2]), "an update count broke Novikoff's bound"
print("updates / bound: median", np.median(records[:, 1] / records[:, 2]).round(4),
      "max", (records[:, 1] / records[:, 2]).max().round(4))

fig, ax = plt.subplots(figsize=(6.2, 4))
order = np.argsort(records[:, 0])
ax.loglog(records[order, 0], records[order, 2], "k-", lw=1.5, label="Novikoff bound (R / gamma)^2")
ax.loglog(records[:, 0], records[:, 1], "o", color="tab:blue", alpha=0.6, ms=5,
          label="updates made (8 data sets per margin)")
ax.set(xlabel="margin gamma of the data (augmented space)", ylabel="number of updates",
       title="Perceptron updates until convergence vs the bound")
ax.legend(fontsize=8)
ax.set_xticks(margins, [f"{m:g}" for m in margins])
ax.xaxis.set_minor_formatter(NullFormatter())
ax.grid(True, which="both", alpha=0.3)
fig.tight_layout()
fig.savefig(FIGURES / "novikoff_bound.png", dpi=120)
plt.close(fig)

r"""
Every run stays under its bound, usually far under it: the bound is a worst case
over all orders of presentation and all data sets with that $R$ and $\gamma$, and
the data here fill the square fairly evenly. Both curves rise as the margin
thins, the bound like $\gamma^{-2}$.

## Why XOR is not linearly separable

Suppose one unit $o = \mathrm{step}(w_1 x_1 + w_2 x_2 + b)$ computed XOR. The four
rows of the truth table demand

$$\begin{aligned}
(0,0) \mapsto 0 &: & b &< 0 \\
(1,1) \mapsto 0 &: & w_1 + w_2 + b &< 0 \\
(1,0) \mapsto 1 &: & w_1 + b &\ge 0 \\
(0,1) \mapsto 1 &: & w_2 + b &\ge 0
\end{aligned}$$

Adding the first two gives $w_1 + w_2 + 2b < 0$; adding the last two gives
$w_1 + w_2 + 2b \ge 0$. No $(w_1, w_2, b)$ satisfies both, so no line separates
the two classes, whatever the rule used to search for one. Geometrically: the
midpoint $(\tfrac12, \tfrac12)$ of the two positives is also the midpoint of the two
negatives, and a half-plane, being convex, would have to contain it and exclude it.
Minsky and Papert (1969) made such limits of single-layer perceptrons famous
(their harder results concern predicates like parity and connectedness over a
whole retina).

The Novikoff theorem says nothing here, since there is no $\gamma > 0$: the rule
cycles forever, as we saw.

There are two ways out. One keeps the single unit and asks for less: not a line
without mistakes, which does not exist, but a line with few of them. That is the
pocket algorithm, next. The other keeps the demand and changes the unit: a hidden
layer, after that.

## The pocket algorithm: the best line when none is perfect

On data that no hyperplane separates, the perceptron never settles, and the weights
it holds when the epochs run out are wherever the last mistake sent them. Every
update fixes one example and may spoil many others; on noisy data the last update is
often made on a mislabelled point, and the final weights can be far worse than
weights the run held a moment before. The run *visits* good weights; it just does not
keep them.

Gallant (*Perceptron-based learning algorithms*, IEEE Transactions on Neural Networks,
1990) proposed to keep them: run the perceptron unchanged and put the best weights
seen so far "in a pocket".

* **The pocket algorithm** (his first version) picks training examples at random and
  counts, for the current weights, the **run** of consecutive examples they classify
  correctly. When the current run is longer than the longest run of the pocket's
  weights, the current weights go into the pocket. Under random sampling a long run
  is evidence of a low error rate (weights with error rate $p$ survive a given example
  with probability $1 - p$), and Gallant proved that, for a finite training set with
  rational inputs, the probability that the pocket holds weights with the fewest
  errors tends to 1 as training goes on. It is a statement about the limit, and about
  random order; at any given moment, a lucky run can put worse weights in the pocket.
* **The pocket algorithm with ratchet** adds a check: weights that earn a longer run
  replace the pocket only if they also classify **more training examples correctly**
  than the pocket's weights, counted on the whole training set. The pocket's training
  error can then only go down, like a ratchet.

The version we implement (and the assignment grades) keeps only the ratchet and
checks it at every vector the run holds. With $\tilde w_0$ the initial weights and
$\tilde w_k$ the weights after the $k$-th update, and $E(\tilde w)$ the number of
training examples that $\tilde w$ misclassifies:

$$\text{after each update } k:\quad \text{if } E(\tilde w_k) < E(\text{pocket}),
\text{ then pocket} \leftarrow \tilde w_k .$$

**The promise.** After $k$ updates, $E(\text{pocket}) = \min_{0 \le j \le k}
E(\tilde w_j)$, and the pocket is one of the $\tilde w_j$. The proof is an invariant:
it holds after the pocket is filled with $\tilde w_0$; at update $k$ either
$E(\tilde w_k)$ is below the minimum so far, and $\tilde w_k$ becomes both the pocket
and the new minimum, or it is not, and neither changes. With a strict $<$ the pocket
is the *first* vector that reaches the minimum; with $\le$ it would be the latest.
Both keep the promise.

What it costs: the update itself takes $O(d)$ operations, counting $E$ takes $O(nd)$,
a pass over the data each time. Cheaper schedules check the ratchet only at the end
of each epoch, or only once a run has grown long (Gallant's run used as a filter);
they keep the weaker promise "the fewest errors among the vectors *checked*".

What it does not promise: the pocket is the best of the weights the run **held**, not
the best line. Finding the hyperplane with the fewest training errors is NP-hard in
general (Höffgen, Simon and Van Horn, 1995), so no fast algorithm promises that. The
pocket is only as good as what the perceptron visits: on XOR, from zero weights and
in the fixed order, the run cycles through weights with 2 or 3 errors, its pocket has
2 errors, and yet lines with 1 error (3 of 4 right) exist. Gallant's random order
helps here: it breaks the cycle, and on XOR it soon holds weights with 1 error.

The experiment: 100 points from two overlapping Gaussian classes, the perceptron from
zero weights for 30 epochs in the given order, the training errors of every vector it
holds, and two pockets side by side: the ratchet, and the longest run (Gallant's
first version, here in the fixed order). It starts with the two XOR claims above.
"""


def pocket_run(X, t, eta=1.0, max_epochs=30):
    """Perceptron from zero weights with two pockets. Returns a dict: "current", "ratchet"
    and "longest run" are arrays of training errors (of the current weights and of each
    pocket) with one entry per vector the run holds, the initial weights first, then the
    weights after each update; "final" and "pockets" hold (w, b) pairs."""
    w, b = np.zeros(X.shape[1]), 0.0

    def errors(w, b):
        return int(np.sum(step(X @ w + b) != t))

    ratchet = (w, b, errors(w, b))                 # fewest errors so far
    longest, run, best_run = (w, b, errors(w, b)), 0, 0  # longest run of correct answers
    record = {"current": [ratchet[2]], "ratchet": [ratchet[2]], "longest run": [longest[2]]}
    for _ in range(max_epochs):
        mistakes = 0
        for x_i, t_i in zip(X, t):
            error = t_i - step(w @ x_i + b)
            if not error:
                run += 1
                if run > best_run:
                    best_run, longest = run, (w, b, errors(w, b))
                continue
            w, b, run, mistakes = w + eta * error * x_i, b + eta * error, 0, mistakes + 1
            current = errors(w, b)
            if current < ratchet[2]:
                ratchet = (w, b, current)  # w is a new array after each update: no copy needed
            for key, value in (("current", current), ("ratchet", ratchet[2]),
                               ("longest run", longest[2])):
                record[key].append(value)
        if mistakes == 0:
            break
    return {**{k: np.array(v) for k, v in record.items()}, "final": (w, b),
            "pockets": {"ratchet": ratchet[:2], "longest run": longest[:2]}}


t_xor_int = np.array(GATES["XOR"])
xor_run = pocket_run(CORNERS, t_xor_int, max_epochs=10)
print("XOR, fixed order: errors of the vectors held", sorted(set(xor_run["current"].tolist())),
      "-> ratchet pocket", xor_run["ratchet"][-1])
assert set(xor_run["current"].tolist()) == {2, 3} and xor_run["ratchet"][-1] == 2
# The same rule on examples drawn at random (Gallant's order): 200 draws.
pw, pb, held_errors = np.zeros(2), 0.0, set()
for i in np.random.default_rng(0).integers(0, 4, size=200):
    error = t_xor_int[i] - step(pw @ CORNERS[i] + pb)
    pw, pb = pw + error * CORNERS[i], pb + error
    held_errors.add(int(np.sum(step(CORNERS @ pw + pb) != t_xor_int)))
print("XOR, random order: errors of the vectors held", sorted(held_errors))
assert 1 in held_errors

noise_rng = np.random.default_rng(12)
X_noisy = np.vstack([noise_rng.normal([0.8, 0.6], 1.0, size=(50, 2)),
                     noise_rng.normal([-0.8, -0.6], 1.0, size=(50, 2))])
t_noisy = np.repeat([1, 0], 50)
shuffle = noise_rng.permutation(100)
X_noisy, t_noisy = X_noisy[shuffle], t_noisy[shuffle]
pocket_runs = pocket_run(X_noisy, t_noisy)
assert np.all(pocket_runs["ratchet"] == np.minimum.accumulate(pocket_runs["current"])), "promise broken"
print(f"{len(pocket_runs['current']) - 1} updates; training errors: final weights "
      f"{pocket_runs['current'][-1]}, ratchet pocket {pocket_runs['ratchet'][-1]}, longest-run pocket "
      f"{pocket_runs['longest run'][-1]}, worst vector held {pocket_runs['current'].max()}")
bisector_errors = int(np.sum(step(X_noisy @ np.array([1.6, 1.2])) != t_noisy))
print("the two Gaussians' own boundary (the perpendicular bisector of their means):",
      bisector_errors, "training errors")
assert pocket_runs["ratchet"][-1] < min(bisector_errors, pocket_runs["current"][-1])
assert np.any(np.diff(pocket_runs["longest run"]) > 0), "the longest-run pocket never got worse"

fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 4.3), gridspec_kw={"width_ratios": [1.5, 1]})
k = np.arange(len(pocket_runs["current"]))
ax.plot(k, pocket_runs["current"], color="0.7", lw=0.8, label="current weights")
ax.step(k, pocket_runs["longest run"], where="post", color="tab:orange", ls="--", lw=1.6,
        label="pocket, longest run (Gallant's first version)")
ax.step(k, pocket_runs["ratchet"], where="post", color="tab:blue", lw=2, label="pocket with ratchet")
ax.set_xscale("symlog", linthresh=10)  # linear up to 10 updates, logarithmic after
ax.set(xlabel="update k (weights held after the k-th update; log scale after 10)",
       ylabel="training errors (of 100)", title="Training errors over the run",
       ylim=(0, None), xlim=(0, len(k)))
ax.legend(fontsize=8, loc="upper right")
grid = np.linspace(-3.5, 3.5, 2)
bx.scatter(*X_noisy[t_noisy == 1].T, c="tab:blue", s=14, label="t = 1")
bx.scatter(*X_noisy[t_noisy == 0].T, c="tab:orange", marker="s", s=14, label="t = 0")
LINES = [  # (w, b), line style, name
    (pocket_runs["final"], {"color": "0.5", "lw": 1}, "final weights"),
    ((np.array([1.6, 1.2]), 0.0), {"color": "k", "ls": ":", "lw": 1.2}, "the Gaussians' boundary"),
    (pocket_runs["pockets"]["longest run"], {"color": "tab:orange", "ls": "--", "lw": 1.6},
     "longest-run pocket"),
    (pocket_runs["pockets"]["ratchet"], {"color": "tab:blue", "lw": 2}, "ratchet pocket"),
]
for (pw, pb), style, name in LINES:
    wrong = int(np.sum(step(X_noisy @ pw + pb) != t_noisy))
    bx.plot(grid, -(pw[0] * grid + pb) / pw[1], **style, label=f"{name}: {wrong} errors")
bx.set(xlim=(-3.5, 3.5), ylim=(-3.5, 3.5), aspect="equal", xlabel="x1", ylabel="x2",
       title="Decision lines")
bx.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
fig.suptitle("The pocket on overlapping classes: the run wanders, the ratchet only goes down")
fig.tight_layout()
fig.savefig(FIGURES / "pocket.png", dpi=120)
plt.close(fig)

r"""
The grey curve is the perceptron itself: its training error jumps with nearly every
update and never settles, and where it stands after the last epoch is luck. The blue
pocket is its running minimum, as the promise says. The orange pocket, chosen by the
longest run in the fixed order, is usually good but not the best, and it can be
replaced by worse weights: nothing in a run length forbids that. On these data the
classes overlap, so every line makes mistakes. The line that is best for new points
from the same two Gaussians, their perpendicular bisector, makes more training errors
here than the pocket: the pocket minimises the error on the training set, and with
few points that is not the error on new data.

## A hidden layer solves it

Compute XOR as $(x_1 \vee x_2) \wedge \neg(x_1 \wedge x_2)$: an OR unit and a NAND
unit in a hidden layer, an AND unit reading them. Each is a step unit with weights
we can write down:

$$h = \mathrm{step}\!\left(x W_1 + b_1\right),\;
W_1 = \begin{pmatrix} 1 & -1 \\ 1 & -1 \end{pmatrix},\;
b_1 = \begin{pmatrix} -0.5 & 1.5 \end{pmatrix};\qquad
o = \mathrm{step}\!\left(h \cdot \begin{pmatrix} 1 \\ 1 \end{pmatrix} - 1.5\right).$$

The hidden layer maps the four inputs to $(\text{OR}, \text{NAND})$: $(0,0) \mapsto (0,1)$,
$(1,1) \mapsto (1,0)$, and both positives to $(1,1)$. In that new space the classes
*are* linearly separable, and the output unit's AND line does the rest. That is the
whole idea of hidden layers: learn a representation in which the problem becomes
easy for the layer above.
"""

W1, b1 = np.array([[1.0, -1.0], [1.0, -1.0]]), np.array([-0.5, 1.5])  # OR, NAND
W2, b2 = np.array([1.0, 1.0]), -1.5  # AND


def xor_by_hand(X):
    """X (n, 2) -> hidden (n, 2) = (OR, NAND), output (n,)."""
    hidden = step(X @ W1 + b1)
    return hidden, step(hidden @ W2 + b2)


hidden, out = xor_by_hand(CORNERS)
print("hand-built network: hidden (OR, NAND) =", hidden.tolist(), "output =", out.tolist())
assert out.tolist() == GATES["XOR"]

r"""
**A correction to the source article.** It calls a multilayer perceptron "just"
a perceptron with hidden layers added. Two things are needed besides the layers.
The hidden units must be **nonlinear**: with linear units, $(x W_1 + b_1) W_2 + b_2
= x (W_1 W_2) + (b_1 W_2 + b_2)$ is again a single linear layer, and XOR stays out of
reach. And the hidden weights must be **learnable**: the perceptron rule needs a
target for every unit, and hidden units have none. Backpropagation (Rumelhart,
Hinton and Williams, 1986) supplies one through the chain rule, which requires a
differentiable activation, so trained MLPs replace the step by a sigmoid, tanh or
ReLU and minimise a smooth loss by gradient descent.

## Training an MLP on XOR with Keras

A small network: 2 inputs, 8 tanh hidden units, one sigmoid output, binary
cross-entropy, Adam. With only 2 hidden units training sometimes lands in a local
minimum that gets 3 of 4 right; a few more units make success reliable. The output
is a probability; we read it as 1 when it is at least 0.5.
"""

X_xor = CORNERS.astype("float32")
t_xor = np.array(GATES["XOR"], dtype="float32")
mlp = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(8, activation="tanh"),
    keras.layers.Dense(1, activation="sigmoid"),
])
mlp.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy",
            metrics=["accuracy"])
# 300 full-batch steps: one epoch over 300 copies of the four corners, in order, so each
# batch of 4 is the whole truth table (the same as epochs=300, without the per-epoch cost).
mlp.fit(np.tile(X_xor, (300, 1)), np.tile(t_xor, 300), epochs=1, batch_size=4, shuffle=False, verbose=0)
probs = mlp.predict(X_xor, verbose=0).ravel()
final_loss = mlp.evaluate(X_xor, t_xor, verbose=0)[0]
print(f"Keras MLP: final loss {final_loss:.4f}, outputs {probs.round(3)}, "
      f"predictions {(probs >= 0.5).astype(int)}")

fig, axes = plt.subplots(1, 3, figsize=(12, 4))
xx, yy = np.meshgrid(np.linspace(-0.5, 1.5, 241), np.linspace(-0.5, 1.5, 241))
plane = np.c_[xx.ravel(), yy.ravel()]


def draw_xor_points(ax, points, labels):
    for (p1, p2), label in zip(points, labels):
        ax.scatter(p1, p2, s=150, c="tab:blue" if label else "white", edgecolors="k", zorder=3,
                   marker="o" if label else "s")


# 1. input space with the two hidden units' lines
_, hand = xor_by_hand(plane)
axes[0].contourf(xx, yy, hand.reshape(xx.shape), levels=[-0.5, 0.5, 1.5], colors=["#f2f2f2", "#cde4f7"])
line = np.linspace(-0.5, 1.5, 2)
axes[0].plot(line, 0.5 - line, "tab:green", lw=1.5, label="OR unit: x1 + x2 = 0.5")
axes[0].plot(line, 1.5 - line, "tab:red", lw=1.5, label="NAND unit: x1 + x2 = 1.5")
draw_xor_points(axes[0], CORNERS, GATES["XOR"])
axes[0].set_title("Hand-built network: the band between\nthe two hidden lines is XOR = 1", fontsize=9)
axes[0].legend(loc="lower left", fontsize=7)

# 2. hidden space, where XOR becomes separable
axes[1].fill_between([-0.5, 1.5], [2.0, 0.0], [2.5, 2.5], color="#cde4f7")
axes[1].plot(line, 1.5 - line, "k", lw=1.5, label="AND unit: h1 + h2 = 1.5")
draw_xor_points(axes[1], hidden, GATES["XOR"])
for h, text in [((0, 1), "from x = (0, 0)"), ((1, 0), "from x = (1, 1)"),
                ((1, 1), "from x = (0, 1)\nand x = (1, 0)")]:
    axes[1].annotate(text, h, xytext=(-40, 16), textcoords="offset points", fontsize=8)
axes[1].set_title("Hidden space (h1, h2) = (OR, NAND):\nthe classes are now linearly separable", fontsize=9)
axes[1].set(xlabel="h1 = OR(x1, x2)", ylabel="h2 = NAND(x1, x2)")
axes[1].legend(loc="lower left", fontsize=7)

# 3. the trained Keras MLP
p = mlp.predict(plane.astype("float32"), verbose=0, batch_size=len(plane)).reshape(xx.shape)
filled = axes[2].contourf(xx, yy, p, levels=np.linspace(0, 1, 11), cmap="RdBu", alpha=0.75)
axes[2].contour(xx, yy, p, levels=[0.5], colors="k", linewidths=1.5)
draw_xor_points(axes[2], CORNERS, GATES["XOR"])
axes[2].set_title("Keras MLP (8 tanh units): P(XOR = 1),\nblack line = 0.5 decision boundary", fontsize=9)
fig.colorbar(filled, ax=axes[2], fraction=0.046)
for ax in axes:
    ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), aspect="equal")
for ax in (axes[0], axes[2]):
    ax.set(xlabel="x1", ylabel="x2")
fig.suptitle("XOR: circles = 1, squares = 0")
fig.tight_layout()
fig.savefig(FIGURES / "xor_mlp.png", dpi=120)
plt.close(fig)

r"""
The trained network needs no hand-chosen units. Its boundary is curved, and it
puts the two off-diagonal corners on one side and the two diagonal ones on the
other, which no single line can do. It is not the band of the hand-built network:
many different hidden representations solve XOR, and which one training finds
depends on the initial weights. That it finds one is what the hidden layer buys.

## Summary

* An M-P unit (1943) thresholds a count of binary excitatory inputs, with absolute
  inhibition; it computes AND, OR, NOT and threshold functions, and networks of
  them compute any Boolean function, but one unit cannot compute XOR.
* A perceptron is the hyperplane $w \cdot x + b = 0$; $w$ is its normal and points
  to the side that outputs 1; distances are $(w \cdot x + b)/\|w\|$.
* The rule $w \leftarrow w + \eta (t - o) x$ takes stochastic gradient steps on the
  perceptron criterion $J$; since $J$ is also 0 at $w = 0$, what guarantees
  convergence is Novikoff's theorem, not the minimisation of $J$. From zero weights,
  $\eta$ has no effect.
* On separable data with margin $\gamma$ and radius $R$ it makes at most
  $(R/\gamma)^2$ updates (Novikoff); on non-separable data it never stops.
* The pocket algorithm (Gallant, 1990) runs the perceptron unchanged and keeps the
  weights with the fewest training errors it has held so far (the ratchet); its
  promise is relative to the vectors the run visits, not to the best line, which is
  NP-hard to find.
* XOR violates four linear inequalities at once; a hidden layer of nonlinear units
  (by hand: OR and NAND; by training: tanh units and backpropagation) remaps it to a
  separable problem.
"""
