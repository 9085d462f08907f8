"""Reductions: the tie convention of max/min, axes and keepdims, float32 kept."""

import numpy as np

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable


def test_max_and_min_split_the_gradient_among_ties():
    for f in (F.max, F.min):
        x = Variable(np.array([[0.0, 2.0, 2.0, 0.0]]) * (1 if f is F.max else -1))
        y = f(x, axis=1)
        y.grad = Variable(np.array([3.0]))
        y.backward()
        np.testing.assert_array_equal(x.grad.data, [[0.0, 1.5, 1.5, 0.0]])  # the book gives 3 to each


def test_sum_with_axes_and_keepdims_sends_each_output_gradient_to_its_inputs():
    x = Variable(np.ones((2, 3, 2)))
    y = F.sum(x, axis=(0, 2))
    y.grad = Variable(np.array([1.0, 2.0, 3.0]))
    y.backward()
    np.testing.assert_array_equal(x.grad.data[1, :, 1], [1.0, 2.0, 3.0])


def test_average_keeps_float32():
    x = Variable(np.ones((2, 3), dtype=np.float32))
    y = F.mean(x, axis=0)
    y.backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, np.full((2, 3), 0.5, np.float32))
