"""MultiLayerNet and SimpleConvNet: backprop gradients equal jax.grad of their JAX losses; interface."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from manual_bp import MultiLayerNet, SimpleConvNet
from oracle.networks.deep import multi_layer_net_gradient, simple_conv_net_gradient
from oracle.verify.strategies import float_arrays
from oracle.verify.tolerance import Tolerance, compare

# Batch norm inside the network inherits its conditioning (gradients cancel terms up to
# 1/sqrt(eps) = 1000 times larger than themselves; see the BatchNormalization catalog row).
TOLERANCE = Tolerance(atol=1e-9, rtol=1e-9, ntol=1e-10)
CONFIGS = {
    "relu-he": dict(activation="relu", weight_init_std="he"),
    "sigmoid-xavier-decay": dict(activation="sigmoid", weight_init_std="xavier", weight_decay_lambda=0.1),
    "relu-batchnorm": dict(weight_init_std=0.5, use_batchnorm=True),
    "relu-dropout-batchnorm-decay": dict(
        use_dropout=True, dropout_ratio=0.3, use_batchnorm=True, weight_decay_lambda=0.05
    ),
}


def inputs(shape):
    """Drawn ``x`` with entries below 1e-150 in magnitude set to 0: their products with the weights
    would be subnormal, which XLA on CPU flushes to zero and NumPy keeps, and the ReLU after
    the first layer then sees 0 in the oracle but a tiny positive number in the network."""
    return float_arrays(np.float64, shape, max_value=10.0).map(lambda x: np.where(np.abs(x) < 1e-150, 0.0, x))


CONV = dict(
    input_dim=(1, 6, 6),
    conv_param={"filter_num": 2, "filter_size": 3, "pad": 1, "stride": 1},
    hidden_size=4,
    output_size=3,
    weight_init_std=0.5,
)


def assert_gradients_equal(grads, reference):
    assert set(grads) == set(reference)
    for name, value in grads.items():
        result = compare(value, reference[name], TOLERANCE)
        assert result.passed, f"{name}:\n{result.report}"


@pytest.mark.parametrize("config", CONFIGS)
@given(seed=st.integers(0, 2**32 - 1), x=inputs((4, 4)), t=st.lists(st.integers(0, 2), min_size=4, max_size=4))
def test_multi_layer_net_gradient_is_jax_grad_of_its_loss(config, seed, x, t):
    options = CONFIGS[config]
    net = MultiLayerNet(4, [5, 3], 3, seed=seed, **options)
    t = np.array(t)
    grads = net.gradient(x, t)
    loss, reference = multi_layer_net_gradient(
        net.params,
        x,
        t,
        net.dropout_masks() if net.use_dropout else None,
        activation=net.activation,
        weight_decay_lambda=net.weight_decay_lambda,
        dropout_ratio=net.dropout_ratio,
    )
    assert_gradients_equal(grads, reference)
    assert compare(net.loss_with({}, x, t), np.float64(loss), TOLERANCE).passed


@given(seed=st.integers(0, 2**32 - 1), x=inputs((2, 1, 6, 6)), t=st.lists(st.integers(0, 2), min_size=2, max_size=2))
def test_simple_conv_net_gradient_is_jax_grad_of_its_loss(seed, x, t):
    net = SimpleConvNet(**CONV, seed=seed)
    t = np.array(t)
    grads = net.gradient(x, t)
    loss, reference = simple_conv_net_gradient(net.params, x, t, stride=1, pad=1)
    assert_gradients_equal(grads, reference)
    assert net.loss(x, t) == pytest.approx(loss, rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_simple_conv_net_on_8x8_digits(dtype):
    net = SimpleConvNet(
        input_dim=(1, 8, 8),
        conv_param={"filter_num": 4, "filter_size": 3, "pad": 1},
        hidden_size=10,
        output_size=10,
        seed=0,
        dtype=dtype,
    )
    x, t = np.random.default_rng(0).uniform(0, 16, size=(5, 1, 8, 8)), np.array([0, 1, 2, 3, 9])
    assert net.params["W2"].shape == (4 * 4 * 4, 10)
    assert net.predict(x).shape == (5, 10) and net.predict(x).dtype == dtype
    np.testing.assert_array_equal(net.predict(x.reshape(5, 64)), net.predict(x))  # flat rows are accepted
    grads = net.gradient(x, t)
    assert all(grads[name].shape == net.params[name].shape and grads[name].dtype == dtype for name in net.params)
    assert 0.0 <= net.accuracy(x, t, batch_size=2) <= 1.0


def test_book_default_simple_conv_net_shapes():
    net = SimpleConvNet(seed=0)
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (30, 1, 5, 5),
        "b1": (30,),
        "W2": (4320, 100),
        "b2": (100,),
        "W3": (100, 10),
        "b3": (10,),
    }
    assert list(net.layers) == ["Conv1", "Relu1", "Pool1", "Affine1", "Relu2", "Affine2"]


@pytest.mark.parametrize(
    "net",
    [
        lambda: MultiLayerNet(4, [5, 3], 3, use_dropout=True, use_batchnorm=True, weight_decay_lambda=0.1, seed=1),
        lambda: SimpleConvNet(**CONV, seed=1),
    ],
    ids=["multi-layer", "conv"],
)
def test_backprop_agrees_with_numerical_gradient(net):
    net = net()
    shape = (3, 4) if isinstance(net, MultiLayerNet) else (3, 1, 6, 6)
    x, t = np.random.default_rng(2).normal(size=shape), np.array([0, 2, 1])
    backprop = net.gradient(x, t)
    numerical = net.numerical_gradient(x, t)  # with the dropout masks that gradient just drew
    for name in net.params:
        np.testing.assert_allclose(numerical[name], backprop[name], rtol=1e-5, atol=1e-7, err_msg=name)


def test_an_in_place_parameter_update_reaches_the_layers():
    net = MultiLayerNet(4, [5], 3, use_batchnorm=True, seed=0)
    x, t = np.random.default_rng(0).normal(size=(6, 4)), np.array([0, 1, 2, 0, 1, 2])
    before = net.loss(x, t, train_flg=True)
    for _ in range(20):
        for name, grad in net.gradient(x, t).items():
            net.params[name] -= 0.1 * grad
    assert net.loss(x, t, train_flg=True) < before
    assert net.layers["Affine1"].W is net.params["W1"] and net.layers["BatchNorm1"].gamma is net.params["gamma1"]


def test_one_seed_gives_one_network_and_one_sequence_of_masks():
    first, second = (MultiLayerNet(4, [5], 3, use_dropout=True, seed=7) for _ in range(2))
    x, t = np.ones((2, 4)), np.array([0, 1])
    for name in first.params:
        np.testing.assert_array_equal(first.params[name], second.params[name])
    np.testing.assert_array_equal(first.gradient(x, t)["W1"], second.gradient(x, t)["W1"])


def test_inference_mode_is_deterministic_with_dropout_and_batch_norm():
    net = MultiLayerNet(4, [8, 8], 3, use_dropout=True, use_batchnorm=True, seed=0)
    x = np.random.default_rng(0).normal(size=(5, 4))
    np.testing.assert_array_equal(net.predict(x), net.predict(x))
    assert not np.array_equal(net.predict(x, train_flg=True), net.predict(x, train_flg=True))


def test_he_and_xavier_scale_the_initial_weights_by_fan_in():
    he = MultiLayerNet(400, [300], 10, weight_init_std="he", seed=0)
    xavier = MultiLayerNet(400, [300], 10, weight_init_std="sigmoid", seed=0)
    assert he.params["W1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert xavier.params["W2"].std() == pytest.approx(np.sqrt(1 / 300), rel=0.05)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: MultiLayerNet(4, [5], 3, activation="tanh"), ValueError, "activation must be 'relu' or 'sigmoid'"),
        (
            lambda: MultiLayerNet(4, [5], 3, weight_init_std="lecun"),
            ValueError,
            "weight_init_std must be 'he', 'xavier'",
        ),
        (lambda: MultiLayerNet(4, [0], 3), ValueError, "hidden_size_list entries must be at least 1"),
        (lambda: SimpleConvNet(input_dim=(1, 3, 3)), ValueError, r"conv_param .* does not fit input_dim \(1, 3, 3\)"),
        (lambda: SimpleConvNet(conv_param={"filters": 3}), ValueError, "conv_param may only have keys"),
        (lambda: SimpleConvNet(seed=1, rng=np.random.default_rng(1)), ValueError, "give seed or rng, not both"),
    ],
)
def test_bad_configurations_are_rejected(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_input_of_the_wrong_shape_names_the_expected_one():
    with pytest.raises(
        ValueError,
        match=r"x must have shape \(N, 1, 8, 8\) \(input_dim\) or \(N, 64\), "
        r"got \(2, 8, 8\)",
    ):
        SimpleConvNet(input_dim=(1, 8, 8), conv_param={"filter_size": 3}).predict(np.ones((2, 8, 8)))
    with pytest.raises(ValueError, match=r"x must have shape \(N, 4\)"):
        MultiLayerNet(4, [5], 3).predict(np.ones((2, 5)))


def test_predicting_in_batches_gives_the_same_scores_with_memory_bounded_by_the_batch():
    import tracemalloc

    x = np.random.default_rng(0).random((120, 1, 8, 8))

    def peak(batch_size):
        net = SimpleConvNet(
            input_dim=(1, 8, 8), conv_param={"filter_num": 8, "filter_size": 3, "pad": 1}, hidden_size=10, seed=0
        )  # fresh: layers keep their buffers between calls
        tracemalloc.start()
        scores = net.predict(x, batch_size=batch_size)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return scores, top

    (whole, whole_peak), (batched, batched_peak) = peak(None), peak(10)
    np.testing.assert_allclose(batched, whole, rtol=1e-12, atol=1e-15)
    assert batched_peak < whole_peak / 5  # a twelfth of the samples at a time
    net = MultiLayerNet(64, [20], 10, use_batchnorm=True, use_dropout=True, seed=0)
    np.testing.assert_allclose(
        net.predict(x.reshape(120, 64), batch_size=7), net.predict(x.reshape(120, 64)), rtol=1e-12, atol=1e-15
    )
    assert net.accuracy(x.reshape(120, 64), np.zeros(120, int), batch_size=7) == net.accuracy(
        x.reshape(120, 64), np.zeros(120, int), batch_size=120
    )
