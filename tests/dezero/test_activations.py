"""Activations: stability fixes over the book, and the kink conventions the oracles share."""

import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable


def _grad(f, x, **kwargs):
    v = Variable(np.asarray(x, dtype=float))
    f(v, **kwargs).backward()
    return v.grad.data


def test_sigmoid_never_overflows_and_keeps_the_tiny_gradient():
    x = Variable(np.array([-1000.0, -40.0, 40.0, 1000.0]))
    y = F.sigmoid(x)  # the book's 1 / (1 + exp(-x)) warns (an error here) below about -709
    y.backward()
    np.testing.assert_array_equal(y.data[[0, 3]], [0.0, 1.0])
    # sigmoid'(40) = exp(-40) / (1 + exp(-40))**2: the book's y * (1 - y) rounds it to 0.
    np.testing.assert_allclose(x.grad.data[[1, 2]], np.exp(-40.0), rtol=1e-14)


def test_sigmoid_second_derivative_at_zero_is_zero_and_at_one_is_exact():
    x = Variable(np.array([0.0, 1.0]))
    F.sigmoid(x).backward(create_graph=True)
    gx = x.grad
    x.cleargrad()
    gx.backward()
    s = 1 / (1 + np.exp(-1.0))
    np.testing.assert_allclose(x.grad.data, [0.0, s * (1 - s) * (1 - 2 * s)], atol=1e-17, rtol=1e-14)


def test_softmax_and_log_softmax_of_huge_logits_are_finite_with_finite_gradients():
    for f in (F.softmax, F.log_softmax):
        x = Variable(np.array([[1000.0, 0.0, -1000.0]]))
        y = f(x)
        y.grad = Variable(np.array([[1.0, 2.0, 3.0]]))
        y.backward()
        assert np.all(np.isfinite(y.data[:, :2])) and np.all(np.isfinite(x.grad.data))


def test_relu_has_gradient_zero_at_zero():
    np.testing.assert_array_equal(_grad(F.relu, [-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])


def test_leaky_relu_takes_the_slope_at_zero():
    np.testing.assert_array_equal(_grad(F.leaky_relu, [-1.0, 0.0, 2.0], slope=0.1), [0.1, 0.1, 1.0])


def test_clip_passes_the_gradient_on_both_bounds():
    np.testing.assert_array_equal(_grad(F.clip, [-2.0, -1.0, 0.5, 1.0, 3.0], x_min=-1.0, x_max=1.0), [0, 1, 1, 1, 0])


def test_clip_rejects_bounds_in_the_wrong_order():
    with pytest.raises(ValueError, match="clip needs x_min <= x_max, got x_min=1.0, x_max=0.0"):
        F.clip(np.ones(2), 1.0, 0.0)


def test_masks_are_data_so_second_derivatives_of_piecewise_linear_functions_are_zero():
    for f in (F.relu, F.leaky_relu):
        x = Variable(np.array([-1.0, 2.0]))
        f(x).backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.backward()
        assert x.grad is None  # nothing in the gradient depends on x: d2 = 0
