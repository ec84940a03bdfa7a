"""Hidden tests: greedy layer-wise pretraining, the Keras copy of the stack, fine-tuning."""

import json

import numpy as np

from autograder.checks import expect_close, expect_raises_value_error, named, wants_integer_labels
from autograder.engine.remote import type_name
from autograder.marks import graded


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def digits(n=None):
    from sklearn.datasets import load_digits

    data = load_digits()
    X, y = data.data / 16.0, data.target
    return (X, y) if n is None else (X[:n], y[:n])


def params(rbm):
    return tuple(np.asarray(x, dtype=float) for x in (rbm.W, rbm.b, rbm.c))


# ---------------------------------------------------------------- pretraining


@graded(points=2, task="pretrain_dbn")
def test_stack_shapes(sub, seed):
    """Does pretrain_dbn(X, [24, 12]) return two RBMs with W (64, 24) and (24, 12)?"""
    X, _ = digits(200)
    rbms = sub.pretrain_dbn(X, [24, 12], epochs=1, seed=seed)
    assert len(rbms) == 2, f"two layer sizes should give two RBMs, got {len(rbms)}"
    for i, shape in enumerate([(64, 24), (24, 12)]):
        W = params(rbms[i])[0]
        assert W.shape == shape, \
            f"RBM {i} has W of shape {W.shape}, expected {shape}: layer {i} sees " \
            f"{'the pixels' if i == 0 else 'the previous layer features'} ({shape[0]} values)"


TRAINING_METHODS = ("fit", "contrastive_divergence")


def record_training_data(sub):
    """Record what every RBM is trained on: the arguments of each call of RBM.fit and
    RBM.contrastive_divergence, on any instance (the class's methods are spied on)."""
    cls = sub.RBM
    originals = {name: getattr(cls, name) for name in TRAINING_METHODS}
    for name in TRAINING_METHODS:
        sub.spy(cls, name)

    def restore():
        for name, method in originals.items():
            setattr(cls, name, method)

    def fed():
        """{method: {id(rbm handle): [rows of each call]}}"""
        out = {name: {} for name in TRAINING_METHODS}
        for name in TRAINING_METHODS:
            for args, kwargs in sub.spied(cls, name):
                rbm, rest = (args[0], args[1:]) if args else (None, ())
                data = rest[0] if rest else kwargs.get("X", kwargs.get("v"))
                if data is not None:
                    out[name].setdefault(id(rbm), []).append(np.array(data, dtype=float))
        return out

    return fed, restore


def rows_fed(fed, rbm, i):
    batches = fed["fit"].get(id(rbm)) or fed["contrastive_divergence"].get(id(rbm))
    if not batches:
        raise AssertionError(f"RBM {i} was never trained with its fit (or contrastive_divergence) "
                             "method: train each layer with rbm.fit(features, epochs=epochs)")
    return np.vstack(batches)


FEATURE_TOLERANCE = 1e-5  # float32 features differ from the grader's float64 ones by about 1e-7


@graded(points=3, task="pretrain_dbn")
def test_each_layer_trains_on_previous_hidden_probabilities(sub, seed):
    """Is RBM 0 trained on X and RBM i+1 on the hidden probabilities of RBM i (after its training)?"""
    X, _ = digits(150)
    recorded, restore = record_training_data(sub)
    try:
        rbms = sub.pretrain_dbn(X, [20, 10, 6], epochs=2, seed=seed)
        fed = recorded()
    finally:
        restore()
    expected = X
    for i, rbm in enumerate(rbms):
        rows = rows_fed(fed, rbm, i)
        what = "X" if i == 0 else f"the hidden probabilities of RBM {i - 1}"
        if rows.shape[1] != expected.shape[1]:
            raise AssertionError(f"RBM {i} was trained on rows of {rows.shape[1]} values, "
                                 f"expected {expected.shape[1]} ({what})"
                                 + (": you fed the raw X to a deeper layer" if rows.shape[1] ==
                                    X.shape[1] else ""))
        gaps = np.min(np.abs(rows[:, None, :] - expected[None, :, :]).max(axis=2), axis=1)
        if i > 0 and np.all(np.isin(rows, (0.0, 1.0))):
            raise AssertionError(f"RBM {i} was trained on binary samples of RBM {i - 1}'s hidden "
                                 "units: feed it the hidden probabilities (hidden_probs), which "
                                 "carry more information and no sampling noise")
        assert np.max(gaps) < FEATURE_TOLERANCE, \
            f"RBM {i} was trained on rows that are not {what} (largest gap " \
            f"{np.max(gaps):.3g}): compute the next layer's data with the trained RBM's " \
            "hidden_probs, after fitting it"
        W, _, c = params(rbm)
        expected = sigmoid(expected @ W + c)


@graded(points=1, task="pretrain_dbn")
def test_seed_makes_pretraining_reproducible(sub, seed):
    """Do two calls with the same seed give the same weights in every layer?"""
    X, _ = digits(100)
    first = sub.pretrain_dbn(X, [16, 8], epochs=1, seed=seed)
    second = sub.pretrain_dbn(X, [16, 8], epochs=1, seed=seed)
    for i, (a, b) in enumerate(zip(first, second)):
        for name, x, y in zip("Wbc", params(a), params(b)):
            assert np.array_equal(x, y), \
                f"RBM {i}'s {name} differs between two runs with seed={seed}: pass a seed " \
                "derived from `seed` to every RBM you create"


@graded(points=1, task="pretrain_dbn")
def test_invalid_layer_sizes(sub):
    """Does an empty layer_sizes raise ValueError naming `layer_sizes`?"""
    expect_raises_value_error(named(sub, "pretrain_dbn"), digits(20)[0], [], argument="layer_sizes")


# ---------------------------------------------------------------- Keras


def grader_rbms(sub, seed, sizes=(20, 20, 12)):
    """Student RBMs with random parameters chosen by the grader (one square layer)."""
    rng = np.random.default_rng(seed)
    rbms = []
    for n_visible, n_hidden in zip(sizes[:-1], sizes[1:]):
        rbm = sub.RBM(n_visible, n_hidden, seed=seed)
        rbm.W = rng.normal(0, 1, (n_visible, n_hidden))
        rbm.b, rbm.c = rng.normal(0, 1, n_visible), rng.normal(0, 1, n_hidden)
        rbms.append(rbm)
    return rbms


def dense_layers(model):
    return [layer for layer in model.layers if getattr(layer, "kernel", None) is not None]


def judge_copy(sub, model):
    """A stock Keras copy of the student's model, built here from its config and weights
    (so the grader inspects and runs the model itself, not what the student's objects say)."""
    import keras

    try:
        data = sub.model_data(model)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001  (not a Keras model)
        raise AssertionError(f"dbn_to_keras should return a keras.Model, got a "
                             f"{type_name(model)} ({str(exc)[:200]})") from None
    config = json.loads(data["config"])
    config.pop("compile_config", None)  # the architecture and weights are what is checked here
    try:
        copy = keras.models.model_from_json(json.dumps(config))
        copy.set_weights(data["weights"])
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"your model could not be rebuilt from its Keras config "
                             f"({type(exc).__name__}: {str(exc)[:200]}): build it from stock "
                             "Keras layers (Input, Dense)") from None
    return copy


@graded(points=2, task="dbn_to_keras")
def test_model_structure(sub, seed):
    """Does the model map (batch, 20) to (batch, 5) with one sigmoid Dense per RBM and a softmax head?"""
    model = judge_copy(sub, sub.dbn_to_keras(grader_rbms(sub, seed), 5))
    assert tuple(model.input_shape) == (None, 20), \
        f"input shape should be (None, 20) (the first RBM's n_visible), got {model.input_shape}"
    assert tuple(model.output_shape) == (None, 5), \
        f"output shape should be (None, 5) for num_classes=5, got {model.output_shape}"
    layers = dense_layers(model)
    assert len(layers) == 3, f"2 RBMs should give 3 Dense layers (2 hidden + head), got " \
                             f"{len(layers)}"
    names = [getattr(layer.activation, "__name__", str(layer.activation)) for layer in layers]
    assert names == ["sigmoid", "sigmoid", "softmax"], \
        f"activations should be sigmoid, sigmoid, softmax, got {names}: an RBM's hidden units " \
        "are sigmoid units"


@graded(points=3, task="dbn_to_keras")
def test_weights_carried_exactly(sub, seed):
    """Is hidden layer i's kernel RBM i's W and its bias RBM i's hidden bias c?"""
    rbms = grader_rbms(sub, seed)
    layers = dense_layers(judge_copy(sub, sub.dbn_to_keras(rbms, 5)))
    for i, (rbm, layer) in enumerate(zip(rbms, layers)):
        W, b, c = params(rbm)
        kernel, bias = np.asarray(layer.kernel), np.asarray(layer.bias)
        if kernel.shape == W.shape[::-1] and np.allclose(kernel, W.T, rtol=1e-6):
            raise AssertionError(f"Dense layer {i}'s kernel is RBM {i}'s W transposed: a Dense "
                                 "kernel is (inputs, units), the same layout as W (n_visible, "
                                 "n_hidden)")
        expect_close(kernel, W.astype(np.float32), f"Dense layer {i}'s kernel vs RBM {i}'s W",
                     rtol=1e-6, atol=0)
        if bias.shape == b.shape and np.allclose(bias, b, rtol=1e-6):
            raise AssertionError(f"Dense layer {i}'s bias is RBM {i}'s visible bias b: the "
                                 "layer computes the hidden units, so its bias is c")
        expect_close(bias, c.astype(np.float32), f"Dense layer {i}'s bias vs RBM {i}'s c",
                     rtol=1e-6, atol=0)


@graded(points=1, task="dbn_to_keras")
def test_forward_pass_is_the_stacked_rbms(sub, seed):
    """Does the model output softmax(head(sigmoid(... sigmoid(x W0 + c0) ...))) for given inputs?"""
    rbms = grader_rbms(sub, seed)
    model = judge_copy(sub, sub.dbn_to_keras(rbms, 5))
    x = np.random.default_rng(seed).random((6, 20)).astype(np.float32)
    hidden = x.astype(float)
    for rbm in rbms:
        W, _, c = params(rbm)
        hidden = sigmoid(hidden @ W + c)
    head = dense_layers(model)[-1]
    logits = hidden @ np.asarray(head.kernel, float) + np.asarray(head.bias, float)
    want = np.exp(logits - logits.max(1, keepdims=True))
    want /= want.sum(1, keepdims=True)
    expect_close(np.asarray(model.predict(x, verbose=0)), want, "model.predict(x)", rtol=1e-4,
                 atol=1e-5, hint="each hidden layer must compute the RBM's hidden_probs")


@graded(points=1, task="dbn_to_keras")
def test_model_is_compiled(sub, seed):
    """Is the returned model compiled (optimizer and loss set), ready to fine-tune?"""
    model = sub.dbn_to_keras(grader_rbms(sub, seed), 5)
    assert getattr(model, "optimizer", None) is not None and getattr(model, "loss", None), \
        "the model is not compiled: call model.compile(optimizer=..., loss=...) before " \
        "returning it"


# ---------------------------------------------------------------- fine-tuning


FINE_TUNE_EPOCHS = 20  # of batch 32 on 1,200 digits (760 steps)
ACCURACY_BAR = 0.85  # reference 0.96-0.98, Keras-default Adam 0.91-0.94 (bench/thresholds_dbn.md)


@graded(points=5, task="fine_tuning", timeout=60)
def test_fine_tuned_dbn_classifies_digits(sub, seed):
    """After pretraining [64] and 20 epochs of fine-tuning, is held-out digit accuracy above 0.85?"""
    X, y = digits()
    order = np.random.RandomState(0).permutation(len(X))
    train, test = order[:1200], order[1200:]
    rbms = sub.pretrain_dbn(X[train], [64], epochs=5, seed=seed)
    model = sub.dbn_to_keras(rbms, 10)
    targets = y[train] if wants_integer_labels(model) else np.eye(10)[y[train]]
    model.fit(X[train].astype(np.float32), targets, epochs=FINE_TUNE_EPOCHS, batch_size=32,
              verbose=0)  # the student's model, optimizer and loss, where the student's code runs
    tuned = judge_copy(sub, model)  # the held-out predictions are the grader's own
    predicted = np.asarray(tuned.predict(X[test].astype(np.float32), verbose=0)).argmax(axis=1)
    accuracy = float(np.mean(predicted == y[test]))
    assert accuracy > ACCURACY_BAR, \
        f"held-out accuracy {accuracy:.3f} after {FINE_TUNE_EPOCHS} epochs of fine-tuning, " \
        f"expected above {ACCURACY_BAR}: check the softmax head, the loss you compiled " \
        "(categorical cross-entropy) and the learning rate (Adam around 1e-3 to 1e-2 works)"
