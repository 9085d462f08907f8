"""Affine: N-d input, parameter gradients, dtype, errors."""

import numpy as np
import pytest
from hypothesis import example, given

from manual_bp import Affine
from oracle.catalog import find_entry
from oracle.catalog.affine import affine_cases
from oracle.verify.entry import verify_case
from oracle.verify.strategies import Case

RNG = np.random.default_rng(0)
IMAGE_CASE = Case(
    {"x": RNG.normal(size=(2, 2, 2))}, {"W": RNG.normal(size=(4, 3)), "b": RNG.normal(size=3)}, RNG.normal(size=(2, 3))
)
ZEROS_CASE = Case(
    {"x": np.zeros((4, 4), np.float32)},
    {"W": np.ones((4, 3), np.float32), "b": np.zeros(3, np.float32)},
    np.array([[1, 2, 3]] * 4, np.float32),
)


@given(case=affine_cases(np.float32))
@example(case=IMAGE_CASE)
@example(case=ZEROS_CASE)
def test_affine_matches_oracle(case):
    verify_case(find_entry("Affine"), case)


def test_nd_input_is_flattened_and_dx_keeps_its_shape():
    layer = Affine(np.ones((12, 2)), np.zeros(2))
    x = np.arange(24.0).reshape(2, 3, 4)
    out = layer.forward(x)
    dx = layer.backward(np.ones((2, 2)))
    assert out.shape == (2, 2) and dx.shape == x.shape
    np.testing.assert_array_equal(layer.dW, x.reshape(2, 12).T @ np.ones((2, 2)))


def test_params_and_grads_are_mappings_of_the_same_arrays():
    W, b = np.ones((3, 2)), np.zeros(2)
    layer = Affine(W, b)
    assert layer.params["W"] is W and layer.params["b"] is b
    layer.forward(np.ones((4, 3)))
    layer.backward(np.ones((4, 2)))
    assert layer.grads["W"] is layer.dW and layer.grads["b"] is layer.db
    np.testing.assert_array_equal(layer.db, [4.0, 4.0])


def test_gradient_buffers_are_reused_so_an_optimizer_can_hold_them():
    layer = Affine(np.ones((3, 2)), np.zeros(2))
    layer.forward(np.ones((1, 3)))
    layer.backward(np.ones((1, 2)))
    held = layer.grads["W"]
    layer.backward(2 * np.ones((1, 2)))
    assert layer.grads["W"] is held
    np.testing.assert_array_equal(held, 2 * np.ones((3, 2)))


def test_input_grad_false_skips_dx_but_sets_parameter_gradients():
    rng = np.random.default_rng(0)
    x, dout = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    full = Affine(rng.normal(size=(3, 2)), np.zeros(2))
    skipping = Affine(full.W, full.b)
    full.forward(x)
    skipping.forward(x)
    assert full.backward(dout) is not None and skipping.backward(dout, input_grad=False) is None
    np.testing.assert_array_equal(skipping.dW, full.dW)
    np.testing.assert_array_equal(skipping.db, full.db)


def test_mixed_dtypes_promote_like_numpy_and_keep_each_gradients_dtype():
    layer = Affine(np.ones((3, 2), np.float32), np.zeros(2, np.float64))
    out = layer.forward(np.ones((4, 3), np.float32))
    dx = layer.backward(np.ones((4, 2)))
    assert out.dtype == np.float64
    assert dx.dtype == layer.dW.dtype == np.float32 and layer.db.dtype == np.float64


def test_parameters_are_never_written():
    W, b = np.ones((3, 2)), np.zeros(2)
    W.flags.writeable = b.flags.writeable = False
    layer = Affine(W, b)
    layer.forward(np.ones((4, 3)))
    layer.backward(np.ones((4, 2)))


def test_float32_throughout():
    layer = Affine(np.ones((3, 2), np.float32), np.zeros(2, np.float32))
    out = layer.forward(np.ones((4, 3), np.float32))
    dx = layer.backward(np.ones((4, 2), np.float32))
    assert out.dtype == dx.dtype == layer.dW.dtype == layer.db.dtype == np.float32


def test_feature_mismatch_names_both_shapes():
    layer = Affine(np.ones((3, 2)), np.zeros(2))
    with pytest.raises(
        ValueError,
        match=r"x must have shape \(N, 3\) or \(N, ...\) with 3 features per sample "
        r"\(W has shape \(3, 2\)\), got \(4, 5\)",
    ):
        layer.forward(np.ones((4, 5)))


def test_a_single_sample_gets_a_hint():
    with pytest.raises(ValueError, match=r"got \(3,\); for one sample use x\[None\]"):
        Affine(np.ones((3, 2)), np.zeros(2)).forward(np.ones(3))


def test_bias_of_the_wrong_shape_is_rejected():
    with pytest.raises(
        ValueError, match=r"b must have shape \(2,\) \(one bias per output column of W \(3, 2\)\), got \(3,\)"
    ):
        Affine(np.ones((3, 2)), np.zeros(3))


def test_weight_must_be_a_matrix():
    with pytest.raises(ValueError, match=r"W must be a matrix of shape \(D, M\), got \(3,\)"):
        Affine(np.ones(3), np.zeros(3))


def test_dout_of_the_wrong_shape_is_rejected():
    layer = Affine(np.ones((3, 2)), np.zeros(2))
    layer.forward(np.ones((4, 3)))
    with pytest.raises(
        ValueError, match=r"dout must have shape \(4, 2\) \(the shape of the forward output\), got \(2, 4\)"
    ):
        layer.backward(np.ones((2, 4)))


def test_backward_before_forward_says_so():
    with pytest.raises(RuntimeError, match="Affine.backward called before Affine.forward"):
        Affine(np.ones((3, 2)), np.zeros(2)).backward(np.ones((1, 2)))


def test_non_numeric_weight_is_a_type_error():
    with pytest.raises(TypeError, match="W must be a real numeric array"):
        Affine(np.array([["a"]]), np.zeros(1))


# -- MatMul (the sequel) ---------------------------------------------------------------------


def test_matmul_of_one_hot_rows_picks_rows_of_W_and_keeps_W_dtype():
    from manual_bp import MatMul

    W = np.arange(6, dtype=np.float32).reshape(3, 2)
    layer = MatMul(W)
    out = layer.forward(np.array([[0, 1, 0], [0, 0, 1]]))  # one-hot contexts, integer
    np.testing.assert_array_equal(out, W[[1, 2]])
    assert out.dtype == np.float32
    layer.backward(np.ones((2, 2), np.float32))
    np.testing.assert_array_equal(layer.dW, [[0, 0], [1, 1], [1, 1]])
    assert layer.dW.dtype == np.float32


def test_matmul_names_a_mismatched_x():
    from manual_bp import MatMul

    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 3\) \(W has shape \(3, 2\)\), got \(4, 2\)"):
        MatMul(np.zeros((3, 2))).forward(np.zeros((4, 2)))
