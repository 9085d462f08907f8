"""MeanSquaredError: the mean over all entries, dout, t not differentiated, errors."""

import numpy as np
import pytest
from hypothesis import example, given

from manual_bp import MeanSquaredError
from oracle.catalog import find_entry, verify_case
from oracle.strategies import Case, mean_squared_error_cases

EXACT = Case({"y": np.array([[1.0, 2.0], [3.0, 4.0]]), "t": np.array([[1.0, 2.0], [3.0, 4.0]])}, {}, np.float64(2.5))
ONE_ENTRY_F32 = Case({"y": np.array([3.0], np.float32), "t": np.array([1.0], np.float32)}, {}, np.float32(-0.5))


@given(case=mean_squared_error_cases(np.float32))
@example(case=EXACT)
@example(case=ONE_ENTRY_F32)
def test_mean_squared_error_matches_oracle(case):
    verify_case(find_entry("MeanSquaredError"), case)


def test_loss_is_the_mean_over_all_entries_and_gradient_is_its_derivative():
    y, t = np.array([[1.0, 2.0], [3.0, 6.0]]), np.array([[0.0, 2.0], [3.0, 4.0]])
    layer = MeanSquaredError()
    assert layer.forward(y, t) == pytest.approx((1 + 4) / 4)
    np.testing.assert_allclose(layer.backward(), 2 * (y - t) / 4)
    np.testing.assert_allclose(layer.backward(3.0), 3 * 2 * (y - t) / 4)


def test_integer_targets_are_accepted_and_float32_is_kept():
    layer = MeanSquaredError()
    loss = layer.forward(np.array([0.5, 1.5], np.float32), np.array([0, 1]))
    assert loss.dtype == layer.backward(np.float32(1.0)).dtype == np.float32


def test_targets_must_have_the_shape_of_predictions():
    with pytest.raises(ValueError, match=r"t must have shape \(2, 3\) \(the shape of y\), got \(3,\)"):
        MeanSquaredError().forward(np.ones((2, 3)), np.ones(3))


def test_dout_must_be_a_scalar():
    layer = MeanSquaredError()
    layer.forward(np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match=r"dout must have shape \(\) \(the loss is a scalar\), got \(2,\)"):
        layer.backward(np.ones(2))


def test_backward_before_forward_says_so():
    with pytest.raises(RuntimeError, match="MeanSquaredError.backward called before MeanSquaredError.forward"):
        MeanSquaredError().backward()
