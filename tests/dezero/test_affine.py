"""matmul and linear: shape errors naming both shapes, the optional bias."""

import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable


def test_matmul_names_both_shapes_when_they_do_not_fit():
    with pytest.raises(ValueError, match=r"W of shape \(D, H\), got \(2, 3\) and \(4, 2\)"):
        F.matmul(np.ones((2, 3)), np.ones((4, 2)))


def test_linear_without_a_bias_has_two_gradients():
    x, W = Variable(np.ones((2, 3))), Variable(np.ones((3, 4)))
    F.linear(x, W).backward()
    np.testing.assert_array_equal(x.grad.data, np.full((2, 3), 4.0))
    np.testing.assert_array_equal(W.grad.data, np.full((3, 4), 2.0))
