"""Shapes: scatter-add under repeated indices, sum_to's axes, transpose's inverse."""

import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable


def test_repeated_indices_add_up_in_the_gradient_and_get_item_grad_differentiates_again():
    x = Variable(np.arange(4.0))
    y = F.get_item(x, np.array([0, 2, 0]))
    y.grad = Variable(np.array([1.0, 2.0, 3.0]))
    y.backward(create_graph=True)
    np.testing.assert_array_equal(x.grad.data, [4.0, 0.0, 2.0, 0.0])
    gy = Variable(np.array([1.0, 2.0, 3.0]))
    y = x[np.array([0, 2, 0])]
    y.grad = gy
    x.cleargrad()
    y.backward(create_graph=True)
    (x.grad * Variable(np.array([1.0, 10.0, 100.0, 1000.0]))).sum().backward()
    np.testing.assert_array_equal(gy.grad.data, [1.0, 100.0, 1.0])  # GetItemGrad's backward: a get_item


def test_sum_to_sums_the_leading_axes_and_the_stretched_ones():
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(F.sum_to(x, (3, 1)).data, x.sum(axis=(0, 2)).reshape(3, 1))
    np.testing.assert_array_equal(F.sum_to(x, (4,)).data, x.sum(axis=(0, 1)))
    with pytest.raises(ValueError, match=r"cannot sum an array of shape \(3,\) to the larger rank \(1, 3\)"):
        F.sum_to(np.ones(3), (1, 3))


def test_broadcast_to_and_sum_to_return_their_input_when_the_shape_is_already_right():
    x = Variable(np.ones((2, 3)))
    assert F.broadcast_to(x, (2, 3)) is x and F.sum_to(x, (2, 3)) is x and F.reshape(x, (2, 3)) is x


def test_transpose_with_axes_inverts_in_backward():
    x = Variable(np.arange(24.0).reshape(2, 3, 4))
    y = F.transpose(x, (2, 0, -2))
    assert y.shape == (4, 2, 3)
    y.grad = Variable(np.arange(24.0).reshape(4, 2, 3))
    y.backward()
    np.testing.assert_array_equal(x.grad.data, np.transpose(np.arange(24.0).reshape(4, 2, 3), (1, 2, 0)))
