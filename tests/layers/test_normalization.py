"""BatchNormalization: per-channel statistics, both modes, running statistics, batch of one, errors."""

import warnings

import jax
import numpy as np
import pytest
from hypothesis import example, given

from manual_bp import BatchNormalization
from oracle.catalog import find_entry
from oracle.catalog.normalization import batch_norm_cases, new_layer_statistics
from oracle.layers.normalization import batch_normalization
from oracle.verify.entry import verify_case
from oracle.verify.strategies import Case
from oracle.verify.verifier import verify_layer

BATCH_NORM = find_entry("BatchNormalization")
RNG = np.random.default_rng(0)
ONE_SAMPLE = Case(
    {"x": np.array([[1.0, -2.0, 3.0]])},
    {"gamma": np.array([2.0, 1.0, -1.0]), "beta": np.array([0.5, 0.0, 1.0])},
    np.array([[1.0, 2.0, 3.0]]),
    state=new_layer_statistics(3),
)
CHANNELS_FIRST = np.stack([np.full((2, 2, 3), 7.25), RNG.normal(size=(2, 2, 3))]).astype(np.float32)  # (C, N, H, W)
CONSTANT_CHANNEL_F32 = Case(
    {"x": CHANNELS_FIRST.transpose(1, 0, 2, 3)},
    {"gamma": np.array([3.0, -2.0], np.float32), "beta": np.array([1.0, 0.5], np.float32)},
    RNG.normal(size=(2, 2, 2, 3)).astype(np.float32),
    state=new_layer_statistics(2),
)
NEARLY_CONSTANT = Case(
    {"x": np.array([[1.0, 5.0], [1.0 + 2**-40, 5.0], [1.0, 5.0 - 2**-48], [1.0, 5.0]])},
    {"gamma": np.array([1.5, -2.0]), "beta": np.array([0.0, 1.0])},
    np.array([[1.0, -1.0], [2.0, 0.5], [-3.0, 0.25], [0.5, 2.0]]),
    state=new_layer_statistics(2),
)


@given(case=batch_norm_cases(np.float32))
@example(case=ONE_SAMPLE)
@example(case=CONSTANT_CHANNEL_F32)
@example(case=NEARLY_CONSTANT)
def test_batch_norm_matches_oracle_including_batch_of_one_and_constant_features(case):
    verify_case(BATCH_NORM, case)


def test_4d_input_is_normalised_per_channel_not_per_element():
    x = RNG.normal(3.0, 2.0, size=(4, 2, 3, 3))
    out = BatchNormalization(np.ones(2), np.zeros(2)).forward(x)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, rtol=1e-5)
    assert abs(out[:, 0, 0, 0].mean()) > 1e-3  # a single pixel is not centred (the book's per-element choice would)


def test_a_batch_of_one_gives_beta_and_finite_zero_input_gradient():
    layer = BatchNormalization(np.array([2.0, 3.0]), np.array([0.5, -1.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = layer.forward(np.array([[10.0, -4.0]]))
        dx = layer.backward(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(out, [[0.5, -1.0]])
    np.testing.assert_array_equal(dx, [[0.0, 0.0]])
    np.testing.assert_array_equal(layer.dbeta, [1.0, 2.0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_constant_feature_gives_exactly_beta(dtype):
    x = np.full((5, 1), 7.77, dtype)
    assert x.mean(axis=0)[0] != x[0, 0]  # a plain mean leaves noise, which 1/std = 1000 would amplify
    layer = BatchNormalization(np.array([4.0], dtype), np.array([0.25], dtype))
    np.testing.assert_array_equal(layer.forward(x), np.full((5, 1), 0.25, dtype))
    dx = layer.backward(np.arange(5.0, dtype=dtype).reshape(5, 1))  # 4 * (dout - mean(dout)) / sqrt(1e-6)
    np.testing.assert_allclose(dx[:, 0], 4000 * np.array([-2.0, -1.0, 0.0, 1.0, 2.0]), rtol=1e-5)


def test_running_statistics_move_only_in_training_mode_and_never_in_backward():
    layer = BatchNormalization(np.ones(2), np.zeros(2), momentum=0.5)
    x = np.array([[1.0, 10.0], [3.0, 14.0]])
    layer.forward(x, train_flg=True)
    np.testing.assert_allclose(layer.running_mean, [1.0, 6.0])  # 0.5 * 0 + 0.5 * batch mean
    np.testing.assert_allclose(layer.running_var, [1.0, 2.5])  # 0.5 * 1 + 0.5 * biased var (1, 4)
    before = layer.running_mean.copy(), layer.running_var.copy()
    layer.backward(np.ones((2, 2)))
    layer.forward(x + 100, train_flg=False)
    layer.backward(np.ones((2, 2)))
    np.testing.assert_array_equal(layer.running_mean, before[0])
    np.testing.assert_array_equal(layer.running_var, before[1])


@pytest.mark.parametrize("momentum", [0, 1])
def test_momentum_may_be_zero_or_one(momentum):
    layer = BatchNormalization(np.ones(2), np.zeros(2), momentum=momentum)
    layer.forward(np.array([[1.0, 10.0], [3.0, 14.0]]))
    np.testing.assert_array_equal(layer.running_mean, [[2.0, 12.0], [0.0, 0.0]][momentum])  # this batch's, or as it was
    np.testing.assert_array_equal(layer.running_var, [[1.0, 4.0], [1.0, 1.0]][momentum])


def test_given_running_statistics_are_kept_as_float64_copies():
    running_mean = np.array([0.5, -1.0], np.float32)
    layer = BatchNormalization(np.ones(2), np.zeros(2), running_mean=running_mean, running_var=[2, 3])
    assert layer.running_mean.dtype == layer.running_var.dtype == np.float64
    assert not np.shares_memory(layer.running_mean, running_mean)
    np.testing.assert_array_equal(layer.running_var, [2.0, 3.0])


@pytest.mark.parametrize("wide", ["gamma", "beta"])
def test_a_float64_gamma_or_beta_makes_the_forward_float64(wide):
    x = RNG.normal(size=(5, 3)).astype(np.float32)
    params = {"gamma": RNG.normal(size=3).astype(np.float32), "beta": RNG.normal(size=3).astype(np.float32)}
    params[wide] = params[wide].astype(np.float64)
    out = BatchNormalization(**params).forward(x)
    in_float64 = {name: p.astype(np.float64) for name, p in params.items()}
    np.testing.assert_array_equal(out, BatchNormalization(**in_float64).forward(x.astype(np.float64)))


class InferenceBatchNorm(BatchNormalization):
    """The layer in inference mode, with its running statistics as (non-differentiated) parameters."""

    def __init__(self, gamma, beta, running_mean, running_var):
        super().__init__(gamma, beta, running_mean=running_mean, running_var=running_var)

    def forward(self, x):
        return super().forward(x, train_flg=False)


def batch_normalization_inference(x, gamma, beta, running_mean, running_var):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return gamma.reshape(shape) * (x - running_mean.reshape(shape)) / jax.numpy.sqrt(
        running_var.reshape(shape) + 1e-6
    ) + beta.reshape(shape)


@pytest.mark.parametrize("shape", [(3, 2), (2, 2, 2, 3)])
def test_inference_mode_backward_treats_running_statistics_as_constants(shape):
    x, dout = RNG.normal(size=shape), RNG.normal(size=shape)
    params = {
        "gamma": RNG.normal(size=2),
        "beta": RNG.normal(size=2),
        "running_mean": RNG.normal(size=2),
        "running_var": RNG.uniform(0.5, 2, size=2),
    }
    verify_layer(
        InferenceBatchNorm,
        batch_normalization_inference,
        {"x": x},
        params,
        dout,
        nondiff=("running_mean", "running_var"),
    )


def test_compact_backward_equals_the_books_node_per_line_chain():
    x, gamma, dout = RNG.normal(size=(5, 3)), RNG.normal(size=3), RNG.normal(size=(5, 3))
    layer = BatchNormalization(gamma, np.zeros(3))
    layer.forward(x)
    dx = layer.backward(dout)
    xc = x - x.mean(axis=0)  # the book's chain, one graph node per line
    std = np.sqrt(np.mean(xc**2, axis=0) + 1e-6)
    xn = xc / std
    dxn = gamma * dout
    dxc = dxn / std
    dstd = -np.sum((dxn * xc) / (std * std), axis=0)
    dvar = 0.5 * dstd / std
    dxc += (2.0 / 5) * xc * dvar
    dmu = np.sum(dxc, axis=0)
    np.testing.assert_allclose(dx, dxc - dmu / 5, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dgamma, np.sum(xn * dout, axis=0), rtol=1e-12)


def test_oracle_is_the_training_mode_function():
    x, gamma, beta = RNG.normal(size=(4, 3)), RNG.normal(size=3), RNG.normal(size=3)
    with jax.enable_x64(True):
        expected = np.asarray(batch_normalization(x, gamma, beta))
    np.testing.assert_allclose(BatchNormalization(gamma, beta).forward(x), expected, rtol=1e-12)


def test_float32_in_gives_float32_out_and_gradients():
    layer = BatchNormalization(np.ones(3, np.float32), np.zeros(3, np.float32))
    out = layer.forward(RNG.normal(size=(4, 3)).astype(np.float32))
    dx = layer.backward(np.ones((4, 3), np.float32))
    assert out.dtype == dx.dtype == layer.dgamma.dtype == layer.dbeta.dtype == np.float32


def test_input_with_the_wrong_feature_count_names_both_shapes():
    with pytest.raises(
        ValueError,
        match=r"x must have shape \(N, 3\) or \(N, 3, H, W\) \(gamma has shape \(3,\)\), "
        r"got \(4, 5\)",
    ):
        BatchNormalization(np.ones(3), np.zeros(3)).forward(np.ones((4, 5)))


def test_beta_must_match_gamma():
    with pytest.raises(ValueError, match=r"beta must have shape \(3,\) \(the shape of gamma\), got \(2,\)"):
        BatchNormalization(np.ones(3), np.zeros(2))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"momentum": 1.5}, r"momentum must lie in \[0, 1\], got 1.5"), ({"eps": 0.0}, "eps must be positive")],
)
def test_bad_hyperparameters_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BatchNormalization(np.ones(2), np.zeros(2), **kwargs)


def test_backward_before_forward_says_so():
    with pytest.raises(RuntimeError, match="BatchNormalization.backward called before BatchNormalization.forward"):
        BatchNormalization(np.ones(2), np.zeros(2)).backward(np.ones((1, 2)))
