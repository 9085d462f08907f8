"""TwoLayerNet: backprop equals jax.grad of the oracle, finite differences agree away from kinks,
the book's gradient check reproduces, and nothing is random behind the caller's back."""

from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from manual_bp import Affine, ReLU, SoftmaxWithLoss, TwoLayerNet
from manual_bp.numerical import numerical_gradient
from oracle.networks.two_layer import PARAM_NAMES, two_layer_net_gradient
from oracle.verify.strategies import float_arrays, labels
from oracle.verify.tolerance import TOLERANCES, Tolerance, compare

# Each new shape costs a JAX compile: sizes come from these buckets, values are free.
ARCHITECTURES = (((4,), 5, 3), ((2, 3), 4, 2))  # (feature shape of one sample, hidden, classes)
BATCH_SIZES = (1, 4)
WEIGHT_STDS = (0.01, 1.0)  # the book's init, and one that makes every layer matter
# float32 stays where activations are O(1): with weights of std 1 and inputs up to 10 the
# softmax saturates, y - t cancels, and float32 leaves an absolute error of eps32 * |z1|
# (measured 1.7e-6 on a dW2 entry of 5e-5) that the float32 tolerance rightly does not absorb.
WEIGHT_STDS_FLOAT32 = (0.01, 0.1)
# Central differences of the loss with h = 1e-4 on the inputs in [-1, 1] drawn below:
# truncation h^2 |f'''| / 6 plus rounding eps |f| / h. Measured over 500 cases: worst error
# 1.1e-8 absolute (on a large entry), at most 4 % of this bound.
FD_TOLERANCE = Tolerance(atol=1e-8, rtol=1e-6, ntol=1e-7)


@st.composite
def network_cases(draw, dtype, *, max_value=10.0, kinks=(0.0, 1.0, -1.0), stds=WEIGHT_STDS):
    """``(net, x, t)``: a TwoLayerNet from a drawn seed, random biases, drawn inputs and labels.

    Weights and biases come from the seeded generator (continuous values, so a pre-activation
    is exactly 0 only when its input row is 0 and never within rounding of 0 otherwise); ``x``
    is drawn by Hypothesis (``max_value``, ``kinks`` as in ``float_elements``); ``t`` is class
    indices, one-hot or probability rows; the weights' std comes from ``stds``.
    """
    feature, hidden, classes = draw(st.sampled_from(ARCHITECTURES))
    n = draw(st.sampled_from(BATCH_SIZES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    net = TwoLayerNet(int(np.prod(feature)), hidden, classes, draw(st.sampled_from(stds)), rng=rng, dtype=dtype)
    for name in ("b1", "b2"):  # in place: the layers share these arrays
        net.params[name][...] = 0.5 * rng.standard_normal(net.params[name].shape)
    x = draw(float_arrays(dtype, (n, *feature), max_value=max_value, kinks=kinks))
    t = draw(labels(classes, (n,), dtype))
    return net, x, t


def assert_matches_oracle(net, x, t):
    loss, expected = two_layer_net_gradient(net.params, x, t)
    got = net.gradient(x, t)
    tol = TOLERANCES[net.dtype]
    failures = []
    for name in PARAM_NAMES:
        assert got[name].dtype == net.dtype and got[name].shape == net.params[name].shape
        comparison = compare(got[name], expected[name], tol)
        if not comparison.passed:
            failures.append(f"TwoLayerNet: d{name} ({net.dtype})\n{comparison.report}")
    loss_comparison = compare(net.loss(x, t), loss, tol)
    if not loss_comparison.passed:
        failures.append(f"TwoLayerNet: loss ({net.dtype})\n{loss_comparison.report}")
    assert not failures, "\n".join(failures)


# -- backprop vs JAX ---------------------------------------------------------------------------
@given(case=network_cases(np.float64))
def test_gradient_equals_jax_grad_of_the_oracle_in_float64(case):
    assert_matches_oracle(*case)


@given(case=network_cases(np.float32, stds=WEIGHT_STDS_FLOAT32))
def test_gradient_equals_jax_grad_of_the_oracle_in_float32(case):
    assert_matches_oracle(*case)


def test_float32_network_computes_in_float32_whatever_the_input_dtype():
    net = TwoLayerNet(4, 3, 2, seed=0, dtype="float32")
    x = np.linspace(-1, 1, 8).reshape(2, 4)  # float64 in
    assert all(p.dtype == np.float32 for p in net.params.values())
    assert net.predict(x).dtype == np.float32
    assert np.asarray(net.loss(x, [0, 1])).dtype == np.float32
    assert all(g.dtype == np.float32 for g in net.gradient(x, [0, 1]).values())


# -- finite differences ------------------------------------------------------------------------
@given(case=network_cases(np.float64, max_value=1.0, kinks=(0.5, -0.5)))
def test_numerical_gradient_agrees_with_backprop_away_from_kinks(case):
    net, x, t = case
    assume(not net.finite_difference_kinks(x).any())
    numerical, backprop = net.numerical_gradient(x, t), net.gradient(x, t)
    for name in PARAM_NAMES:
        comparison = compare(numerical[name], backprop[name], FD_TOLERANCE)
        assert comparison.passed, f"{name}:\n{comparison.report}"


def test_numerical_gradient_leaves_params_layers_and_last_loss_untouched():
    net = TwoLayerNet(4, 3, 2, 1.0, seed=3)
    x, t = np.linspace(-1, 1, 8).reshape(2, 4), np.array([1, 0])
    last_loss = net.loss(x, t)
    before = {name: value.copy() for name, value in net.params.items()}
    arrays = dict(net.params)
    net.numerical_gradient(x, t)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(net.params[name], before[name])
        assert net.params[name] is arrays[name]
    assert net.layers["Affine1"].W is net.params["W1"] and net.layers["Affine2"].b is net.params["b2"]
    assert net.last_layer.loss == last_loss


def test_kink_flags_mark_exactly_the_units_whose_numerical_gradient_is_off():
    net = TwoLayerNet(3, 4, 2, 1.0, seed=1)
    # Sample 0 is all zeros, so a1[0] = b1 = 0: every hidden unit sits on ReLU's kink, and a
    # step of h on b1[j] crosses it (the central difference sees half a slope). A step on
    # W1[i, j] moves a1[0, j] by h * x[0, i] = 0, so W1 is unaffected.
    x = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]])
    t = np.array([0, 1])
    kinks = net.finite_difference_kinks(x)
    np.testing.assert_array_equal(kinks, [[True] * 4, [False] * 4])
    numerical, backprop = net.numerical_gradient(x, t), net.gradient(x, t)
    for name in ("W1", "W2", "b2"):
        assert compare(numerical[name], backprop[name], FD_TOLERANCE).passed, name
    off = np.abs(numerical["b1"] - backprop["b1"]) > 1e-3 * np.abs(backprop["b1"]).max()
    np.testing.assert_array_equal(off, kinks.any(axis=0))


# -- the book's gradient_check.py: TwoLayerNet(784, 50, 10), 3 samples ---------------------------
W1_ENTRIES = 400  # of 39 200: the full W1 is 78 400 forward passes, about 14 s here


@pytest.fixture(scope="module")
def book_check():
    """Mean |numerical - backprop| and |backprop - JAX| per parameter, the book's setup in float64.

    Inputs uniform in [0, 1) stand in for MNIST pixels. ``b1``, ``W2``, ``b2`` are checked in
    full; ``W1`` on ``W1_ENTRIES`` random entries (each is a full numerical derivative).
    """
    net = TwoLayerNet(784, 50, 10, seed=0)
    rng = np.random.default_rng(1)
    x, t = rng.random((3, 784)), rng.integers(0, 10, size=3)
    assert not net.finite_difference_kinks(x).any(), "the fixed case must not straddle a ReLU kink"
    backprop = net.gradient(x, t)
    _, exact = two_layer_net_gradient(net.params, x, t)
    entries = rng.choice(net.params["W1"].size, size=W1_ENTRIES, replace=False)

    def loss_at_W1_entries(values):
        W1 = net.params["W1"].copy()
        W1.flat[entries] = values
        return net.loss_with({"W1": W1}, x, t)

    numerical = {"W1": numerical_gradient(loss_at_W1_entries, net.params["W1"].flat[entries])}
    numerical.update(
        {
            name: numerical_gradient(lambda v, name=name: net.loss_with({name: v}, x, t), net.params[name])
            for name in ("b1", "W2", "b2")
        }
    )
    picked = {name: (g.flat[entries] if name == "W1" else g) for name, g in backprop.items()}
    picked_exact = {name: (g.flat[entries] if name == "W1" else g) for name, g in exact.items()}
    return {
        "numerical_vs_backprop": {n: float(np.mean(np.abs(numerical[n] - picked[n]))) for n in PARAM_NAMES},
        "numerical_vs_jax": {n: float(np.mean(np.abs(numerical[n] - picked_exact[n]))) for n in PARAM_NAMES},
        "backprop_vs_jax": {n: float(np.mean(np.abs(backprop[n] - exact[n]))) for n in PARAM_NAMES},
        "backprop": backprop,
        "exact": exact,
    }


def test_book_gradient_check_reproduces_its_figures_without_the_log_delta(book_check):
    # Measured: W1 ~8e-13, b1 ~8e-13, W2 ~1e-12, b2 1.2e-10 (the book prints 2.2e-13, 9.7e-13,
    # 8.4e-13, 1.2e-10 on MNIST). The book's 1e-7 inside the log would put b2 near 1.4e-7.
    diff = book_check["numerical_vs_backprop"]
    assert diff["W1"] < 1e-11 and diff["b1"] < 1e-11 and diff["W2"] < 1e-11, diff
    assert diff["b2"] < 1e-9, diff


def test_book_network_backprop_equals_jax_to_rounding(book_check):
    for name in PARAM_NAMES:
        comparison = compare(book_check["backprop"][name], book_check["exact"][name], TOLERANCES[np.dtype(np.float64)])
        assert comparison.passed, f"{name}:\n{comparison.report}"
    assert max(book_check["backprop_vs_jax"].values()) < 1e-15


def test_jax_check_is_over_a_thousand_times_more_accurate_than_finite_differences(book_check):
    for name in PARAM_NAMES:
        numerical_error, backprop_error = book_check["numerical_vs_jax"][name], book_check["backprop_vs_jax"][name]
        assert numerical_error > 1000 * backprop_error, (name, numerical_error, backprop_error)


# -- the book's interface --------------------------------------------------------------------------
def test_layers_are_affine_relu_affine_sharing_the_parameter_arrays():
    net = TwoLayerNet(4, 3, 2, seed=0)
    assert isinstance(net.layers, OrderedDict) and list(net.layers) == ["Affine1", "Relu1", "Affine2"]
    assert [type(layer) for layer in net.layers.values()] == [Affine, ReLU, Affine]
    assert isinstance(net.last_layer, SoftmaxWithLoss)
    assert net.layers["Affine1"].W is net.params["W1"] and net.layers["Affine1"].b is net.params["b1"]
    assert net.layers["Affine2"].W is net.params["W2"] and net.layers["Affine2"].b is net.params["b2"]
    assert net.params["W1"].shape == (4, 3) and net.params["b2"].shape == (2,)
    np.testing.assert_array_equal(net.params["b1"], 0.0)


def test_an_in_place_sgd_step_on_params_changes_what_the_layers_compute():
    net = TwoLayerNet(4, 3, 2, 1.0, seed=0)
    x, t = np.linspace(-1, 1, 8).reshape(2, 4), np.array([0, 1])
    before = net.loss(x, t)
    grads = net.gradient(x, t)
    for name in PARAM_NAMES:
        net.params[name] -= 0.1 * grads[name]
    after = net.loss(x, t)
    assert after < before
    assert after == net.loss_with(dict(net.params), x, t)


def test_gradient_returns_new_arrays_that_a_later_call_does_not_overwrite():
    net = TwoLayerNet(4, 3, 2, 1.0, seed=0)
    x = np.linspace(-1, 1, 8).reshape(2, 4)
    first = net.gradient(x, [0, 1])
    saved = {name: g.copy() for name, g in first.items()}
    net.gradient(-x, [1, 0])
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(first[name], saved[name])


def test_accuracy_counts_argmax_hits_for_indices_and_one_hot_alike():
    net = TwoLayerNet(2, 2, 2, seed=0)
    net.params["W1"][...] = np.eye(2)
    net.params["W2"][...] = np.eye(2)
    x = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]])  # predicted classes 0, 1, 0
    t = np.array([0, 1, 1])
    assert net.accuracy(x, t) == pytest.approx(2 / 3)
    assert net.accuracy(x, np.eye(2)[t]) == pytest.approx(2 / 3)
    assert net.predict(x).shape == (3, 2)


def test_loss_accepts_images_flattened_like_affine():
    net = TwoLayerNet(6, 3, 2, 1.0, seed=0)
    x = np.linspace(-1, 1, 12).reshape(2, 2, 3)
    assert net.loss(x, [0, 1]) == net.loss(x.reshape(2, 6), [0, 1])


# -- randomness ------------------------------------------------------------------------------------
def test_same_seed_gives_the_same_weights_and_rng_generator_is_equivalent():
    a, b = TwoLayerNet(5, 4, 3, seed=7), TwoLayerNet(5, 4, 3, seed=7)
    c = TwoLayerNet(5, 4, 3, rng=np.random.default_rng(7))
    d = TwoLayerNet(5, 4, 3, seed=8)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(a.params[name], b.params[name])
        np.testing.assert_array_equal(a.params[name], c.params[name])
    assert not np.array_equal(a.params["W1"], d.params["W1"])
    assert np.std(TwoLayerNet(100, 50, 3, seed=0).params["W1"]) == pytest.approx(0.01, rel=0.05)


def test_init_never_touches_the_global_numpy_random_state():
    np.random.seed(1234)
    state = np.random.get_state()
    TwoLayerNet(5, 4, 3, seed=1)
    TwoLayerNet(5, 4, 3)  # fresh OS entropy, still not the global generator
    TwoLayerNet(5, 4, 3, rng=np.random.default_rng(2))
    after = np.random.get_state()
    assert after[0] == state[0] and after[2:] == state[2:]
    np.testing.assert_array_equal(after[1], state[1])


# -- errors ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"input_size": 0}, ValueError, r"input_size must be at least 1, got 0"),
        ({"hidden_size": 2.5}, TypeError, r"hidden_size must be an int, got float"),
        ({"output_size": True}, TypeError, r"output_size must be an int, got bool"),
        ({"weight_init_std": -0.1}, ValueError, r"weight_init_std must be a finite number >= 0, got -0.1"),
        ({"seed": 1, "rng": np.random.default_rng(1)}, ValueError, r"give seed or rng, not both"),
        ({"rng": np.random.RandomState(0)}, TypeError, r"rng must be a numpy.random.Generator .*got RandomState"),
        ({"seed": 1.5}, TypeError, r"seed must be an int, got float"),
        ({"dtype": np.int32}, ValueError, r"dtype must be float32 or float64, got int32"),
        ({"dtype": "not a dtype"}, TypeError, r"dtype must be float32 or float64, got 'not a dtype'"),
    ],
)
def test_bad_constructor_arguments_raise_errors_naming_the_argument(kwargs, error, message):
    arguments = {"input_size": 4, "hidden_size": 3, "output_size": 2, **kwargs}
    with pytest.raises(error, match=message):
        TwoLayerNet(**arguments)


def test_bad_inputs_raise_errors_naming_the_argument():
    net = TwoLayerNet(4, 3, 2, seed=0)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 4\) .*got \(2, 5\)"):
        net.predict(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"got \(4,\); for one sample use x\[None\]"):
        net.loss(np.zeros(4), 0)
    with pytest.raises(ValueError, match=r"t \(class indices\) must lie in \[0, 2\)"):
        net.gradient(np.zeros((1, 4)), [2])
    with pytest.raises(ValueError, match=r"params may only name W1, b1, W2, b2, got 'W3'"):
        net.loss_with({"W3": np.zeros(1)}, np.zeros((1, 4)), [0])
