r"""
Title: Convolutional networks and AlexNet
Description: Local receptive fields, weight sharing and pooling; the arithmetic of
    output sizes, receptive fields and parameter counts; the AlexNet of 2012 layer by
    layer (LRN, overlapping pools, dropout, the two-GPU split); where the common blog
    version of AlexNet goes wrong; a mini-AlexNet trained on digits.
Prerequisites: 01_perceptron (dense layers, softmax, training with Keras), sums and
    floors.
Assignment: alexnet
"""

r"""
## Why not a dense layer on pixels

Image recognition is hard for reasons a pixel grid does not show: the same object
moves, turns, changes size, lighting and shape (a handwritten 2 may have a loop or a
sharp corner), and its class often depends on context. A dense layer on a
$227 \times 227 \times 3$ image with 4096 units would hold
$227 \cdot 227 \cdot 3 \cdot 4096 \approx 6.3 \times 10^8$ weights, and it would have
to learn a cat in the top-left corner separately from a cat in the bottom-right.

A convolutional network builds two assumptions about images into its structure:

- **Local receptive fields.** A unit looks at a small window of the layer below
  (for example $11 \times 11$ pixels), because nearby pixels are what form edges and
  textures.
- **Weight sharing.** Every window of a feature map is examined with the *same*
  weights, the kernel, because an edge detector that is useful at one place is useful
  everywhere. One kernel gives one *feature map*; a layer has many kernels.

A convolution layer with $c_{out}$ kernels of size $k \times k$ over $c_{in}$
channels computes, at output position $(i, j)$ and stride $s$,

$$y_{i,j,o} = b_o + \sum_{u=0}^{k-1} \sum_{v=0}^{k-1} \sum_{c=0}^{c_{in}-1}
w_{u,v,c,o}\; x_{s i + u,\; s j + v,\; c},$$

then a nonlinearity (ReLU in AlexNet). The third ingredient, **pooling** (also called
subsampling), summarises each window of a feature map by its maximum (max pooling)
or mean (average pooling). It makes the maps smaller and the features a little
insensitive to small shifts. Max pooling is the same sliding window as a convolution,
with `max` in place of the weighted sum and no weights at all.

So a CNN is an input layer, a feature extractor of convolution and pooling stages,
and a classifier on top: a few dense layers ending in a softmax.

Below, the formula written as loops over windows is checked against Keras `Conv2D`.
"""

import os
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from sklearn.datasets import load_digits

# Figures go to figures/ beside these notes (run as a notebook: beside the notebook, the
# kernel's working folder), or to the folder named by $NEUROGRADE_FIGURES.
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
FIGURES = Path(os.environ.get("NEUROGRADE_FIGURES", HERE / "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)


def conv2d_loops(x, w, b, stride):
    """x (H, W, c_in), w (k, k, c_in, c_out), b (c_out,) -> 'valid' output (H', W', c_out)."""
    k = w.shape[0]
    out_h = (x.shape[0] - k) // stride + 1
    out_w = (x.shape[1] - k) // stride + 1
    y = np.empty((out_h, out_w, w.shape[3]))
    for i in range(out_h):
        for j in range(out_w):
            window = x[stride * i:stride * i + k, stride * j:stride * j + k, :]  # (k, k, c_in)
            y[i, j] = np.tensordot(window, w, axes=3) + b
    return y


x = rng.normal(size=(13, 13, 3))
conv = keras.layers.Conv2D(4, 5, strides=2)
conv.build((None, 13, 13, 3))
w, b = conv.get_weights()
ours = conv2d_loops(x, w, b, stride=2)
theirs = np.asarray(conv(x[None].astype("float32")))[0]
print("output shape", ours.shape, "max |loops - Keras| =", float(np.abs(ours - theirs).max()))

r"""
The loops and Keras agree to float32 rounding (about $10^{-6}$), on a $5 \times 5$
output: $(13 - 5) / 2 + 1 = 5$.

## Output sizes

Along one axis, a window of width $k$ placed at offsets $0, s, 2s, \dots$ must end
inside the input: the last offset $p$ satisfies $p + k \le n$. So the offsets are
$0, s, \dots, s\lfloor (n - k)/s \rfloor$ and

$$n_{out}^{valid} = \left\lfloor \frac{n - k}{s} \right\rfloor + 1 .$$

The floor matters: a window that would stick out of the input is dropped, not kept.
With `padding="same"`, Keras pads with zeros so that there is one output per $s$
inputs, $n_{out}^{same} = \lceil n / s \rceil$, whatever $k$; it adds
$\max((n_{out} - 1)s + k - n, 0)$ zeros in total, the odd one at the end. For a
stride of 1 and an odd $k$ that is $(k - 1)/2$ zeros on each side, and the map keeps
its size: this is how AlexNet's conv2 to conv5 keep their width.

Pooling follows the same formula. AlexNet pools with $3 \times 3$ windows and stride
2, so neighbouring windows overlap by one row and column; the paper reports that this
*overlapping pooling* lowered its error rates by 0.4% (top-1) and 0.3% (top-5)
compared with $2 \times 2$ windows of stride 2, and made the network slightly harder
to overfit.

**Receptive field.** A unit of a deep layer sees a larger patch of the image than its
kernel. If $j_l$ is the distance in input pixels between neighbouring units of layer
$l$ (the product of the strides so far) and $r_l$ the width of the patch one unit
sees, then a $k$-wide window with stride $s$ on top gives

$$r_{l+1} = r_l + (k - 1)\, j_l, \qquad j_{l+1} = j_l\, s, \qquad r_0 = j_0 = 1 .$$

The table below applies both formulas to AlexNet.
"""


def out_size(n, k, s, padding):
    return (n - k) // s + 1 if padding == "valid" else -(-n // s)


ALEXNET = [  # name, kernel, stride, padding, filters (None: pooling keeps the channels)
    ("conv1", 11, 4, "valid", 96), ("pool1", 3, 2, "valid", None),
    ("conv2", 5, 1, "same", 256), ("pool2", 3, 2, "valid", None),
    ("conv3", 3, 1, "same", 384), ("conv4", 3, 1, "same", 384),
    ("conv5", 3, 1, "same", 256), ("pool5", 3, 2, "valid", None),
]


def trace(n, layers, pool=None):
    """Widths, channels and receptive fields layer by layer; pool=(k, s) overrides the pools."""
    rows, channels, field, jump = [], 3, 1, 1
    for name, k, s, padding, filters in layers:
        if filters is None and pool is not None:
            k, s = pool
        n = out_size(n, k, s, padding)
        field, jump = field + (k - 1) * jump, jump * s
        channels = filters or channels
        rows.append((name, n, channels, field))
    return rows


for name, n, channels, field in trace(227, ALEXNET):
    print(f"{name:6s} {n:3d} x {n:3d} x {channels:3d}   receptive field {field:3d} px")

r"""
A unit of conv5 sees $163 \times 163$ pixels of the $227 \times 227$ input, most of
the image, although each of its kernels is only $3 \times 3$.

The figure draws the sizes and receptive fields layer by layer.
"""

rows = trace(227, ALEXNET)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
names = ["input"] + [r[0] for r in rows]
axes[0].plot(names, [227] + [r[1] for r in rows], "o-", label="map width")
axes[0].plot(names, [1] + [r[3] for r in rows], "s--", label="receptive field")
for i, r in enumerate(rows, start=1):
    axes[0].annotate(str(r[1]), (i, r[1]), textcoords="offset points", xytext=(0, 6),
                     ha="center", fontsize=7)
axes[0].set(ylabel="pixels", title="AlexNet: width shrinks, receptive field grows")
axes[0].legend(fontsize=8)
axes[0].tick_params(axis="x", rotation=45, labelsize=7)
n_in, k_demo, s_demo = 13, 3, 2
axes[1].set(xlim=(-0.5, n_in + 0.5), ylim=(-0.5, 4), yticks=[], title="k = 3, s = 2 on n = 13: "
            f"floor((13 - 3) / 2) + 1 = {out_size(13, 3, 2, 'valid')} windows")
for p in range(n_in):
    axes[1].add_patch(plt.Rectangle((p, 0), 1, 1, fill=False))
for i, start in enumerate(range(0, n_in - k_demo + 1, s_demo)):
    axes[1].add_patch(plt.Rectangle((start + 0.05, 1.3 + 0.35 * (i % 2)), k_demo - 0.1, 0.3,
                                    color=plt.cm.viridis(i / 6), alpha=0.8))
axes[1].text(0, 3.2, "overlapping windows: neighbours share one column", fontsize=8)
axes[1].title.set_fontsize(9)
fig.tight_layout()
fig.savefig(FIGURES / "sizes_and_receptive_fields.png", dpi=120)
plt.close(fig)

r"""
## Parameter counts

A convolution has $k^2 c_{in} c_{out}$ weights and $c_{out}$ biases, independent of
the image size: that is weight sharing at work. Pooling has none. A dense layer from
$m$ to $u$ units has $m u + u$. With **grouped** convolution in $g$ groups, each
output channel reads only the $c_{in}/g$ channels of its own group, so the weights
drop to $k^2 (c_{in}/g) c_{out}$.

AlexNet was trained on two GTX 580 GPUs with 3 GB each, and the network did not fit
on one: half the kernels of each layer lived on each GPU. conv2, conv4 and conv5 read
only the maps of their own GPU; conv3 and the dense layers read both. In Keras this is
`Conv2D(..., groups=2)` on conv2, conv4 and conv5, or two explicit towers.
"""


def conv_count(k, c_in, c_out, groups=1):
    return k * k * (c_in // groups) * c_out + c_out


def alexnet_count(groups=1, classes=1000):
    convs = [conv_count(11, 3, 96), conv_count(5, 96, 256, groups), conv_count(3, 256, 384),
             conv_count(3, 384, 384, groups), conv_count(3, 384, 256, groups)]
    dense = [6 * 6 * 256 * 4096 + 4096, 4096 * 4096 + 4096, 4096 * classes + classes]
    return convs, dense


convs, dense = alexnet_count()
print("conv layers:", [f"{c:,}" for c in convs], f"sum {sum(convs):,}")
print("dense layers:", [f"{d:,}" for d in dense], f"sum {sum(dense):,}")
print(f"AlexNet total: {sum(convs) + sum(dense):,}")
grouped = sum(sum(part) for part in alexnet_count(groups=2))
print(f"with conv2, conv4, conv5 split in two groups: {grouped:,}")
assert sum(convs) + sum(dense) == 62_378_344 and grouped == 60_965_224

r"""
| layer | kernel / stride | output (227 input) | parameters |
| --- | --- | --- | --- |
| conv1 + ReLU | 96 x 11x11x3, stride 4, valid | 55 x 55 x 96 | 34,944 |
| LRN, max-pool 3/2 | | 27 x 27 x 96 | 0 |
| conv2 + ReLU | 256 x 5x5x96, same | 27 x 27 x 256 | 614,656 (307,456 grouped) |
| LRN, max-pool 3/2 | | 13 x 13 x 256 | 0 |
| conv3 + ReLU | 384 x 3x3x256, same | 13 x 13 x 384 | 885,120 |
| conv4 + ReLU | 384 x 3x3x384, same | 13 x 13 x 384 | 1,327,488 (663,936 grouped) |
| conv5 + ReLU | 256 x 3x3x384, same | 13 x 13 x 256 | 884,992 (442,624 grouped) |
| max-pool 3/2, flatten | | 6 x 6 x 256 = 9,216 | 0 |
| fc6 + ReLU, dropout | 9,216 -> 4,096 | 4,096 | 37,752,832 |
| fc7 + ReLU, dropout | 4,096 -> 4,096 | 4,096 | 16,781,312 |
| fc8 + softmax | 4,096 -> 1,000 | 1,000 | 4,097,000 |
| total | | | 62,378,344 (60,965,224 grouped) |

The paper rounds this to "60 million parameters". Two things stand out: the five
convolutions hold only 6% of the parameters (3,747,200) but do almost all of the
arithmetic, and fc6 alone holds 60%. That is why later networks replaced the big
dense layers with global pooling.

## Compute and memory

Parameters say what a network stores, not how much work one image costs. Each output
value of a convolution is the dot product of one filter with one window of the input:
$k^2 c_{in}/g$ products, each added into a running sum, one **multiply-accumulate**
(MAC) apiece. A layer whose output is $h_{out} \times w_{out} \times c_{out}$ therefore
computes

$$\text{MACs} = h_{out}\, w_{out}\, c_{out} \cdot k^2 \frac{c_{in}}{g}
= h_{out}\, w_{out} \times \text{(weights of the layer)} .$$

Every weight is used once per output position. Weight sharing makes the parameter
count independent of the image size, and the compute proportional to it. A dense layer
from $m$ to $u$ units has a single output position: it is a convolution whose kernel
covers its whole input (fc6 is a $6 \times 6$ convolution of the
$6 \times 6 \times 256$ maps into 4096 filters), with $m u$ MACs, one per weight. The
bias additions and the ReLUs, one per output value, are few beside the products and
are not counted; the zeros that "same" padding adds are multiplied like any input, as
the hardware does. (FLOP counts usually count a MAC as two operations, a multiply and
an add, so they are twice the MAC count.)

An activation takes its number of values times the bytes per value: 4 in float32, 2
in float16. At inference, a layer's input can be freed as soon as its output exists.
Training cannot do that: backpropagation needs the activations again, so they are all
kept until the backward pass, for every image of the batch.

The code counts AlexNet layer by layer, checks each convolution against the output
shape and weight count of a Keras `Conv2D`, and adds up the activations.
"""

GPU_SPLIT = {"conv2", "conv4", "conv5"}  # the layers that read one GPU's maps only


def cost_table(n=227, channels=3, groups=1, bytes_per_value=4):
    """Per weight layer, for one image: (name, MACs, parameters, bytes of its output,
    output positions, i.e. how many times each weight is used)."""
    rows = []
    for name, k, s, padding, filters in ALEXNET:
        n_out = out_size(n, k, s, padding)
        if filters is not None:  # a convolution (pools have no weights and no MACs)
            g = groups if name in GPU_SPLIT else 1
            weights = k * k * (channels // g) * filters
            rows.append((name, n_out * n_out * weights, weights + filters,
                         n_out * n_out * filters * bytes_per_value, n_out * n_out))
            channels = filters
        n = n_out
    flat = n * n * channels  # 6 * 6 * 256 = 9,216
    for name, units in (("fc6", 4096), ("fc7", 4096), ("fc8", 1000)):
        rows.append((name, flat * units, flat * units + units, units * bytes_per_value, 1))
        flat = units
    return rows


costs, costs_split = cost_table(), cost_table(groups=2)
n, channels, conv_rows = 227, 3, iter(costs)
for name, k, s, padding, filters in ALEXNET:
    if filters is None:  # a pool: the next convolution sees a smaller map
        n = out_size(n, k, s, padding)
        continue
    layer = keras.layers.Conv2D(filters, k, strides=s, padding=padding, use_bias=False)
    layer.build((None, n, n, channels))
    _, height, width, _ = layer.compute_output_shape((None, n, n, channels))
    assert height * width * layer.count_params() == next(conv_rows)[1], name  # Keras agrees
    n, channels = height, filters

totals = [sum(row[i] for row in costs) for i in (1, 2, 3)]
print(f"{'layer':6s} {'MACs':>13s} {'groups=2':>13s} {'parameters':>11s} {'output bytes':>13s}")
for (name, macs, params, size, _), split in zip(costs, costs_split, strict=True):
    print(f"{name:6s} {macs:13,d} {split[1]:13,d} {params:11,d} {size:13,d}")
print(f"{'total':6s} {totals[0]:13,d} {sum(r[1] for r in costs_split):13,d} {totals[1]:11,d} "
      f"{totals[2]:13,d}")
conv_share = [sum(row[i] for row in costs[:5]) / totals[i - 1] for i in (1, 2, 3)]
print("share of the five convolutions: MACs {:.1%}, parameters {:.1%}, outputs {:.1%}"
      .format(*conv_share))

# Every activation of one image, float32: the input, each layer's output, LRN and pools too
widths = {name: n for name, n, _, _ in trace(227, ALEXNET)}
maps = {"input": 227 * 227 * 3, "lrn1": 55 * 55 * 96, "lrn2": 27 * 27 * 256,
        **{name: widths[name] ** 2 * (f or {"pool1": 96, "pool2": 256, "pool5": 256}[name])
           for name, _, _, _, f in ALEXNET}, "fc6": 4096, "fc7": 4096, "fc8": 1000}
per_image = 4 * sum(maps.values())
print(f"all activations of one image: {per_image:,} bytes; a batch of 128: "
      f"{128 * per_image / 2**20:,.0f} MiB; the weights: {4 * totals[1] / 2**20:,.0f} MiB")
assert totals[:2] == [1_135_256_096, 62_378_344] and sum(r[1] for r in costs_split) == 724_406_816

r"""
| layer | output | MACs | MACs, groups=2 | parameters | output, float32 |
| --- | --- | --- | --- | --- | --- |
| conv1 | 55 x 55 x 96 | 105,415,200 | 105,415,200 | 34,944 | 1,161,600 B |
| conv2 | 27 x 27 x 256 | 447,897,600 | 223,948,800 | 614,656 | 746,496 B |
| conv3 | 13 x 13 x 384 | 149,520,384 | 149,520,384 | 885,120 | 259,584 B |
| conv4 | 13 x 13 x 384 | 224,280,576 | 112,140,288 | 1,327,488 | 259,584 B |
| conv5 | 13 x 13 x 256 | 149,520,384 | 74,760,192 | 884,992 | 173,056 B |
| fc6 | 4,096 | 37,748,736 | 37,748,736 | 37,752,832 | 16,384 B |
| fc7 | 4,096 | 16,777,216 | 16,777,216 | 16,781,312 | 16,384 B |
| fc8 | 1,000 | 4,096,000 | 4,096,000 | 4,097,000 | 4,000 B |
| total | | 1,135,256,096 | 724,406,816 | 62,378,344 | 2,637,088 B |

Each conv1 output value costs $11 \cdot 11 \cdot 3 = 363$ MACs and there are
$55 \cdot 55 \cdot 96 = 290{,}400$ of them: 105,415,200. conv2 is the most expensive
layer: $27 \cdot 27 \cdot 256$ outputs of $5 \cdot 5 \cdot 96 = 2{,}400$ MACs each.
The two-GPU split halves conv2, conv4 and conv5 and brings the total from 1.14 to 0.72
billion MACs. The parameters and the compute sit at opposite ends of the network:

- the five convolutions do 95% of the arithmetic with 6% of the parameters: each of
  their weights is used at every output position, 3,025 times per image in conv1 and
  169 times in conv3 to conv5;
- the three dense layers hold 94% of the parameters and do 5% of the arithmetic: each
  of their weights is used once per image;
- the activations are largest at the bottom, where the maps are wide: conv1's output
  is 1.16 MB per image in float32 (2.3 MB with the LRN's output of the same size),
  fc6's 16 KB. The five convolutions write 99% of the layer outputs.

All the activations of one image, input, LRN and pool outputs included, take 5.7 MB
in float32, so a training batch of 128 keeps about 690 MiB of them for the backward
pass: nearly three times the 238 MiB of the weights (to which training adds as much
again for their gradients, and again for the momentum). The paper puts it plainly: a GTX 580 had 3 GB,
the network was too big for one of them, so it was spread over two.

The figure shows the three shares per layer, and how often each weight is used.
"""

names = [row[0] for row in costs]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), gridspec_kw={"width_ratios": [1.6, 1]})
x = np.arange(len(names))
for i, (label, column) in enumerate((("MACs", 1), ("parameters", 2), ("output bytes", 3))):
    share = np.array([row[column] for row in costs]) / totals[column - 1]
    axes[0].bar(x + (i - 1) * 0.27, 100 * share, width=0.27, label=label)
axes[0].set_xticks(x, names, fontsize=8)
axes[0].set(ylabel="% of the network's total", title="AlexNet per layer: one 227x227 image, float32")
axes[0].legend(fontsize=8)
uses = [row[4] for row in costs]
axes[1].bar(x, uses, color="tab:gray")
for i, use in enumerate(uses):
    axes[1].annotate(f"{use:,}", (i, use), textcoords="offset points", xytext=(0, 3),
                     ha="center", fontsize=7)
axes[1].set_xticks(x, names, fontsize=8)
axes[1].set(yscale="log", ylim=(0.5, 10_000), ylabel="uses of each weight per image",
            title="MACs / weights = output positions")
fig.tight_layout()
fig.savefig(FIGURES / "compute_and_memory.png", dpi=120)
plt.close(fig)

r"""
## Where the common blog version goes wrong

A widely copied description of AlexNet (in many languages, the source of this course
among them) says: input $224 \times 224 \times 3$, conv1 with 96 kernels of
$11 \times 11$, then **$2 \times 2$ max pooling** after conv1, conv2 and conv5, and
leaves out the normalisation layers. Three corrections:

1. **The pools are $3 \times 3$ with stride 2**, overlapping, not $2 \times 2$.
2. **LRN follows conv1 and conv2** (after the ReLU, before the pool).
3. **224 does not work with the paper's layers.** The paper itself writes 224, but
   $(224 - 11)/4 + 1 = 54.25$ is not an integer: conv1 gives 54, and with the
   paper's $3 \times 3$/2 pools the chain is $54 \to 26 \to 26 \to 12 \to 12 \to 5$,
   a $5 \times 5 \times 256$ map (6,400 features), not the $6 \times 6 \times 256$ =
   9,216 that fc6 expects. With 227 the first division is exact and everything fits.
   Implementations that keep 224 pad instead: 3 extra pixels, or 2 zeros on each side
   of conv1 (as torchvision does), giving $\lfloor (224 + 4 - 11)/4 \rfloor + 1 = 55$.

Oddly, the blog's own $2 \times 2$ pools on an unpadded 224 do reach 6, by the luck of
the floors ($54 \to 27 \to 13 \to 6$); but that network is not AlexNet: its pools do
not overlap and its sizes only agree by rounding. The check below runs all three
chains through the size formula.
"""

for label, n, pool in (("paper, 227, pools 3/2", 227, None),
                       ("224 unpadded, pools 3/2", 224, None),
                       ("blog: 224, pools 2/2", 224, (2, 2))):
    widths = [r[1] for r in trace(n, ALEXNET, pool)]
    print(f"{label:26s} widths {widths} -> flatten {widths[-1] ** 2 * 256:,}")

r"""
Working backwards gives 227 directly. The smallest input with $n_{out}$ "valid"
windows is the one whose last window ends on its last pixel,

$$n = (n_{out} - 1)\, s + k ,$$

and then $(n - k)/s$ is a whole number: no pixel is left over. Inputs up to $s - 1$
pixels wider give the same $n_{out}$ and never look at their extra pixels (228, 229
and 230 also give 55 after conv1). From the $6 \times 6$ maps that fc6 expects, back
through pool5, pool2 and pool1 (the "same" convolutions keep the width) and conv1:
"""


def input_size(n_out, k, s):
    """The smallest width with n_out 'valid' windows of width k and stride s."""
    return (n_out - 1) * s + k


chain = [6]
for _name, k, s, padding, _filters in reversed(ALEXNET):
    if padding == "valid":  # pools and conv1; the "same" convolutions keep the width
        chain.append(input_size(chain[-1], k, s))
print("back from fc6:", " <- ".join(map(str, chain)))
print("inputs with 55 conv1 windows:", [m for m in range(220, 236) if out_size(m, 11, 4, "valid") == 55])
assert chain[-1] == 227

r"""
## Local response normalisation

ReLU units are unbounded, and the paper borrows from neuroscience the idea of
*lateral inhibition*: a strongly active kernel should damp its neighbours. For the
activity $a^i_{x,y}$ of kernel $i$ (of $N$) at position $(x, y)$,

$$b^i_{x,y} = a^i_{x,y} \Big/ \Big(k + \alpha \sum_{j=\max(0,\, i - n/2)}^{\min(N-1,\, i + n/2)}
\big(a^j_{x,y}\big)^2\Big)^{\beta},$$

with $k = 2$, $n = 5$, $\alpha = 10^{-4}$, $\beta = 0.75$. The sum runs over
neighbouring **channels** at the same pixel (the order of the kernels is arbitrary
and fixed before training), never over neighbouring pixels. The paper reports 1.4%
(top-1) and 1.2% (top-5) lower error with it. TensorFlow's
`tf.nn.local_response_normalization(x, depth_radius, bias, alpha, beta)` computes
exactly this with `depth_radius` $= n/2 = 2$. Caffe and PyTorch divide $\alpha$ by
$n$ instead: the same layer needs `alpha=5e-4` there.

Below, the formula with explicit loops is checked against TensorFlow, and the
$\alpha / n$ variant is measured: on unit-scale inputs with the paper's $\alpha$ it
changes the output by only a few $10^{-4}$, which is why a test must use large
activations (or $\alpha = 1$) to tell them apart.
"""


def lrn_loops(a, r, k, alpha, beta):
    """a (..., N) -> b (..., N): each channel divided by its window of 2r + 1 channels."""
    b = np.empty_like(a)
    channels = a.shape[-1]
    for i in range(channels):
        lo, hi = max(0, i - r), min(channels - 1, i + r)
        b[..., i] = a[..., i] / (k + alpha * np.sum(a[..., lo:hi + 1] ** 2, axis=-1)) ** beta
    return b


paper = dict(depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)
for scale in (1.0, 30.0):
    a = scale * rng.normal(size=(2, 4, 4, 16)).astype("float32")
    ref = tf.nn.local_response_normalization(a, **paper).numpy()
    ours = lrn_loops(a.astype(float), 2, 2.0, 1e-4, 0.75)
    caffe = lrn_loops(a.astype(float), 2, 2.0, 1e-4 / 5, 0.75)
    errors = [float(np.max(np.abs(u - ref) / (np.abs(ref) + 1e-12))) for u in (ours, caffe)]
    print(f"activations ~{scale:4.0f}: loops vs TF {errors[0]:.1e}, "
          f"alpha/n variant vs TF {errors[1]:.1e}")

r"""
Modern networks dropped LRN: batch normalisation (2015) does the job of keeping
activations in range much better, and later work found LRN's gain small.

## Dropout

fc6 and fc7 hold 54 million parameters and overfit easily. Dropout sets each unit's
output to zero with probability $p = 0.5$ during training, so no unit can rely on a
particular partner, and every step trains a different thinned network; at test time
all units are used. To keep the expected activation the same in both modes, Keras
uses *inverted dropout*: the kept units are multiplied by $1/(1 - p)$ during training,
so $\mathbb{E}[\tilde h] = (1 - p) \cdot h / (1 - p) = h$ and nothing changes at test
time. (The paper instead multiplied the outputs by 0.5 at test time: the same in
expectation.) The paper reports that without dropout AlexNet overfits substantially;
with it, training takes about twice as many iterations.
"""

drop = keras.layers.Dropout(0.5, seed=0)
h = np.ones((1, 100_000), dtype="float32")
trained = np.asarray(drop(h, training=True))
print("share kept:", float((trained > 0).mean()), " kept value:", float(trained.max()),
      " mean:", float(trained.mean()), " at test time:", float(np.asarray(drop(h)).mean()))

r"""
The rest of the recipe: ReLU instead of tanh (the paper's four-layer CNN reached 25%
training error on CIFAR-10 six times faster with ReLU), data augmentation (random
$224 \times 224$ crops of $256 \times 256$ images, horizontal flips, and PCA colour
noise), SGD with momentum 0.9, weight decay $5 \cdot 10^{-4}$, batch 128, learning
rate 0.01 divided by 10 when validation error stalled, about 90 epochs in five to six
days. On ILSVRC-2010 it reached 37.5% top-1 and 17.0% top-5 error; at ILSVRC-2012 an
ensemble won with 15.3% top-5 error against 26.2% for the runner-up.

## A mini-AlexNet on digits

The same ideas at a scale a laptop trains in seconds: scikit-learn's $8 \times 8$
digits, enlarged three times and padded to $32 \times 32 \times 1$; a
$5 \times 5$ convolution, two $3 \times 3$ ones, overlapping $3 \times 3$/2 pools
($28 \to 13 \to 6 \to 2$), a dense head with dropout and a softmax.
"""

digits = load_digits()
images = np.pad(np.kron(digits.images / 16.0, np.ones((3, 3))), ((0, 0), (4, 4), (4, 4)))
images = images[..., None].astype("float32")  # (1797, 32, 32, 1)
order = rng.permutation(len(images))
train, held_out = order[:1297], order[1297:]

mini = keras.Sequential([
    keras.Input(shape=(32, 32, 1)),
    keras.layers.Conv2D(32, 5, activation="relu"),
    keras.layers.MaxPooling2D(3, strides=2),
    keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
    keras.layers.MaxPooling2D(3, strides=2),
    keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
    keras.layers.MaxPooling2D(3, strides=2),
    keras.layers.Flatten(),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(10, activation="softmax"),
])
mini.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
start = time.perf_counter()
history = mini.fit(images[train], digits.target[train], batch_size=32, epochs=6, verbose=0,
                   validation_data=(images[held_out], digits.target[held_out]))
print(f"{mini.count_params():,} parameters, 6 epochs in {time.perf_counter() - start:.0f} s, "
      f"held-out accuracy per epoch {np.round(history.history['val_accuracy'], 3)}")

fig, ax = plt.subplots(figsize=(4.5, 3))
epochs = np.arange(1, 7)
ax.plot(epochs, history.history["accuracy"], "o-", label="training (with dropout)")
ax.plot(epochs, history.history["val_accuracy"], "s--", label="held-out")
ax.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02), title="mini-AlexNet on 32x32 digits")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(FIGURES / "mini_alexnet_training.png", dpi=120)
plt.close(fig)

r"""
Training accuracy sits *below* held-out accuracy: it is measured with dropout
switched on, on thinned networks, and averaged over the epoch while the weights are
still improving; held-out accuracy uses the whole network as it stands at the end of
the epoch.

What did conv1 learn? Each of its 32 kernels turns a digit into a $28 \times 28$
feature map. The figure pairs eight kernels (top) with the maps they make from one
held-out digit (bottom), drawn *before* the ReLU so that the sign shows: red is
positive (what the ReLU passes on), blue negative (what it zeroes), white zero. All
kernels share one colour scale and all maps another, symmetric about zero, so
colours compare across panels. A kernel whose positive weights sit on one side and
negative weights on the other is an edge detector: its map lights up along the
strokes of one orientation, or along one side of a stroke. This is the same kind of
detector the first layer of AlexNet learned on ImageNet (the paper's Figure 3 shows
its 96 kernels).
"""

digit = images[held_out[0]]  # (32, 32, 1)
kernels, biases = mini.layers[0].get_weights()  # (5, 5, 1, 32), (32,)
pre_relu = conv2d_loops(digit, kernels, biases, stride=1)  # (28, 28, 32): the maps before the ReLU
assert np.allclose(np.maximum(pre_relu, 0), np.asarray(mini.layers[0](digit[None]))[0], atol=1e-4)
shown = range(8)
w_lim = np.abs(kernels[..., 0, list(shown)]).max()  # one symmetric scale for all kernels ...
z_lim = np.abs(pre_relu[..., list(shown)]).max()  # ... and one for all maps
fig = plt.figure(figsize=(11, 3.0))
grid = fig.add_gridspec(2, 11, width_ratios=[2.2, 0.3] + [1] * 8 + [0.12], wspace=0.15, hspace=0.3)
ax = fig.add_subplot(grid[:, 0])
ax.imshow(digit[..., 0], cmap="gray_r")
ax.set_title(f"input: a {digits.target[held_out[0]]}", fontsize=9)
ax.set_xticks([])
ax.set_yticks([])
for col, j in enumerate(shown):
    top, bottom = fig.add_subplot(grid[0, col + 2]), fig.add_subplot(grid[1, col + 2])
    kernel_image = top.imshow(kernels[..., 0, j], cmap="RdBu_r", vmin=-w_lim, vmax=w_lim)
    map_image = bottom.imshow(pre_relu[..., j], cmap="RdBu_r", vmin=-z_lim, vmax=z_lim)
    top.set_title(f"kernel {j}", fontsize=8)
    bottom.set_title(f"map {j}", fontsize=8)
    for a in (top, bottom):
        a.set_xticks([])
        a.set_yticks([])
fig.colorbar(kernel_image, cax=fig.add_subplot(grid[0, -1])).ax.tick_params(labelsize=7)
fig.colorbar(map_image, cax=fig.add_subplot(grid[1, -1])).ax.tick_params(labelsize=7)
fig.suptitle("conv1 of the trained mini-AlexNet: kernels (5x5, top) and their feature maps "
             "before the ReLU (28x28, bottom); red > 0 > blue", fontsize=9)
fig.savefig(FIGURES / "conv1_feature_maps.png", dpi=120, bbox_inches="tight")
plt.close(fig)

r"""
## Summary

- Convolutions share one small kernel over all positions: few parameters, features
  that work anywhere. Pooling shrinks maps and adds a little shift tolerance.
- Sizes: $\lfloor (n - k)/s \rfloor + 1$ for "valid", $\lceil n/s \rceil$ for
  "same"; receptive fields grow by $(k - 1)$ times the product of earlier strides.
- Parameters: $k^2 (c_{in}/g) c_{out} + c_{out}$ per convolution; AlexNet has
  62,378,344 (60,965,224 with the two-GPU split), 60% of them in fc6.
- Compute: a convolution makes $h_{out} w_{out} c_{out} \cdot k^2 c_{in}/g$
  multiply-accumulates, each weight once per output position. AlexNet's convolutions
  do 95% of its 1.1 billion MACs (0.72 billion split in two groups) with 6% of the
  parameters; its dense layers hold the rest of the parameters, each weight used
  once per image. Activations, values times bytes per value, are largest at the
  bottom and are all kept for training.
- A "valid" window tiles $n = (n_{out} - 1)s + k$ pixels exactly: 55 windows of
  11 with stride 4 need 227, and 224 gives 54.
- AlexNet is 227 in, 3x3/2 overlapping pools, LRN after conv1 and conv2, ReLU,
  dropout 0.5 on fc6 and fc7; "224 with 2x2 pools" is a different network.
"""
