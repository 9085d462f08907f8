"""Max and average pooling: the tie convention (whole, to the first maximum in row-major window
order), padding that never wins or counts, and exact second order. Drawn cases are the rows'."""

import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable
from oracle.dezero import pooling as oracle
from oracle.verify.binding import bind

from .exact import verify_exactly

DTYPES = (np.float64, np.float32)


def _grad(function, x, gy):
    xv = Variable(x)
    y = function(xv)
    y.grad = Variable(gy)
    y.backward()
    return y.data, xv.grad.data


def test_ties_go_whole_to_the_first_maximum_in_row_major_window_order():
    x = np.array([[[[1.0, 3.0, 3.0], [3.0, 3.0, 0.0]]]])  # both 2x2 windows (stride 1) tie at 3
    y, gx = _grad(lambda x: F.pooling(x, 2, stride=1), x, np.array([[[[10.0, 20.0]]]]))
    np.testing.assert_array_equal(y, [[[[3.0, 3.0]]]])
    np.testing.assert_array_equal(gx, [[[[0.0, 30.0, 0.0], [0.0, 0.0, 0.0]]]])  # both windows' first max is (0, 1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_each_window_gradient_sums_to_its_cotangent_and_sits_on_a_maximum(dtype):
    rng = np.random.default_rng(0)
    x = rng.integers(-2, 2, size=(2, 2, 6, 6)).astype(dtype)  # full of ties
    gy = rng.normal(size=(2, 2, 3, 3)).astype(dtype)
    y, gx = _grad(lambda x: F.pooling(x, 2, stride=2), x, gy)
    windows = gx.reshape(2, 2, 3, 2, 3, 2).transpose(0, 1, 2, 4, 3, 5).reshape(2, 2, 3, 3, 4)
    cells = x.reshape(2, 2, 3, 2, 3, 2).transpose(0, 1, 2, 4, 3, 5).reshape(2, 2, 3, 3, 4)
    np.testing.assert_array_equal(windows.sum(axis=-1), gy)
    assert np.all((windows == 0) | (cells == y[..., None]))


def test_padding_never_wins_a_max_and_is_not_counted_in_a_mean():
    x = -np.arange(1.0, 10.0).reshape(1, 1, 3, 3)  # all negative: a zero padding would win
    y_max = F.pooling(x, 2, stride=2, pad=1).data
    np.testing.assert_array_equal(y_max, [[[[-1.0, -2.0], [-4.0, -5.0]]]])
    y_mean = F.average_pooling(np.ones((1, 1, 3, 3)), 2, stride=2, pad=1).data
    np.testing.assert_array_equal(y_mean, np.ones((1, 1, 2, 2)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_pooling_second_order_is_zero_in_x_and_a_gather_in_gy(dtype):
    x = np.random.default_rng(1).integers(-3, 3, size=(1, 2, 5, 5)).astype(dtype)
    verification = verify_exactly(
        lambda x: F.pooling(x, (2, 3), stride=1, pad=1),
        bind(oracle.pooling, kernel_size=(2, 3), stride=1, pad=1),
        {"x": x},
    )
    assert verification.comparisons["d/dx <g, w>"].max_abs_error == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_average_pooling_is_exact_to_the_second_order(dtype):
    x = np.random.default_rng(2).normal(size=(2, 1, 5, 4)).astype(dtype)
    verify_exactly(
        lambda x: F.average_pooling(x, 3, stride=2, pad=1),
        bind(oracle.average_pooling, kernel_size=3, stride=2, pad=1),
        {"x": x},
    )


def test_a_pad_as_wide_as_the_window_is_an_error():
    with pytest.raises(ValueError, match="pad must be smaller than the window 2x2"):
        F.pooling(np.ones((1, 1, 4, 4)), 2, pad=2)
    with pytest.raises(TypeError, match=r"kernel_size must be an int or a pair \(KH, KW\)"):
        F.average_pooling(np.ones((1, 1, 4, 4)), (2, 2, 2))


def test_pooling_simple_has_the_conventions_of_its_parts_zero_padding_and_shared_ties():
    x = Variable(np.array([[[[1.0, 3.0, 3.0], [3.0, 3.0, 0.0]]]]))
    y = F.pooling_simple(x, 2, stride=1)
    y.backward()
    np.testing.assert_array_equal(y.data, [[[[3.0, 3.0]]]])
    np.testing.assert_allclose(x.grad.data, [[[[0.0, 2 / 3, 1 / 3], [1 / 3, 2 / 3, 0.0]]]], rtol=1e-15)
    negative = -np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    # the three border windows hold a padded 0, which wins; the inner one holds real cells only
    np.testing.assert_array_equal(F.pooling_simple(negative, 2, stride=2, pad=1).data, [[[[0.0, 0.0], [0.0, -5.0]]]])


def test_without_ties_or_padding_pooling_simple_equals_pooling():
    x = np.random.default_rng(4).normal(size=(2, 3, 5, 6))
    np.testing.assert_array_equal(F.pooling_simple(x, (2, 3), stride=2).data, F.pooling(x, (2, 3), stride=2).data)
