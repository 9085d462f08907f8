"""Max and average pooling: ties, padding, stride vs window, the invariants, errors."""

import dataclasses
import functools

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from manual_bp import AvgPooling, Pooling, col2im
from oracle.catalog import find_entry
from oracle.catalog.pooling import pooling_cases
from oracle.layers.pooling import avg_pooling, pooling
from oracle.verify.binding import bind
from oracle.verify.entry import verify_case
from oracle.verify.runner import run_entry
from oracle.verify.strategies import Case, float_arrays

# The catalog row draws its window; these hand-picked cases fix it at 3x3, stride 2, pad 1.
MAX_3X3 = dataclasses.replace(
    find_entry("Pooling"),
    name="Pooling-3x3s2p1",
    layer=functools.partial(Pooling, 3, 3, stride=2, pad=1),
    function=bind(pooling, pool_h=3, pool_w=3, stride=2, pad=1),
)
# (pool_h, pool_w, stride, pad) beyond the catalog rows: stride larger than the window, a
# non-square overlapping window with padding, stride 1.
WINDOWS = ((2, 2, 3, 0), (3, 2, 1, 1), (2, 3, 1, 0))
MAX_ORACLES = {w: bind(pooling, pool_h=w[0], pool_w=w[1], stride=w[2], pad=w[3]) for w in WINDOWS}
AVG_ORACLES = {w: bind(avg_pooling, pool_h=w[0], pool_w=w[1], stride=w[2], pad=w[3]) for w in WINDOWS}
ALL_TIED = Case({"x": np.ones((1, 1, 4, 4))}, {}, np.arange(1.0, 5.0).reshape(1, 1, 2, 2))
NEGATIVE_PADDED = Case({"x": -np.arange(1.0, 17.0).reshape(1, 1, 4, 4)}, {}, np.arange(1.0, 5.0).reshape(1, 1, 2, 2))
ZERO_TIES_F32 = Case(
    {
        "x": np.array(
            [[[[0.0, -0.0, 0.0, 0.0], [0.0, 0.0, -1.0, 0.0], [2.0, 2.0, 0.0, 0.0], [2.0, 1.0, 0.0, 0.0]]]], np.float32
        )
    },
    {},
    np.array([[[[1.5, -2.0], [3.0, 0.5]]]], np.float32),
)


@given(case=pooling_cases(np.float64, pool_h=3, pool_w=3, stride=2, pad=1))
@example(case=ALL_TIED)
@example(case=NEGATIVE_PADDED)
@example(case=ZERO_TIES_F32)
def test_max_pooling_matches_oracle_on_ties_and_padding(case):
    verify_case(MAX_3X3, case)


@pytest.mark.parametrize("window", WINDOWS, ids=str)
@pytest.mark.parametrize(("layer", "oracles"), [(Pooling, MAX_ORACLES), (AvgPooling, AVG_ORACLES)], ids=["max", "avg"])
def test_any_window_stride_and_padding_matches_oracle(layer, oracles, window):
    pool_h, pool_w, stride, pad = window
    strategy = pooling_cases(np.float64, pool_h=pool_h, pool_w=pool_w, stride=stride, pad=pad, shapes=((1, 2, 5, 6),))
    entry = dataclasses.replace(
        MAX_3X3,
        name=f"{layer.__name__}{window}",
        function=oracles[window],
        layer=lambda: layer(pool_h, pool_w, stride, pad),
        cases=lambda dtype: strategy,
    )
    result = run_entry(entry, np.float64, examples=20)
    assert result.passed, result.failure


def _window_cells(x_shape, window, index):
    """The real cells (row, col) of window ``index = (oh, ow)`` in row-major order."""
    pool_h, pool_w, stride, pad = window
    oh, ow = index
    rows = range(max(oh * stride - pad, 0), min(oh * stride - pad + pool_h, x_shape[2]))
    cols = range(max(ow * stride - pad, 0), min(ow * stride - pad + pool_w, x_shape[3]))
    return [(r, c) for r in rows for c in cols]


@given(
    x=float_arrays(np.float64, (1, 2, 5, 5), max_value=3.0, kinks=(0.0, 1.0, -1.0)),
    window=st.sampled_from([(3, 3, 2, 1), (2, 2, 1, 0), (2, 2, 3, 1)]),
    value=st.floats(-5, 5).filter(bool),
)
def test_each_windows_gradient_sums_to_its_cotangent_and_sits_on_its_first_maximum(x, window, value):
    layer = Pooling(*window)
    out = layer.forward(x)
    for n, c, oh, ow in np.ndindex(*out.shape):
        dout = np.zeros(out.shape)
        dout[n, c, oh, ow] = value
        dx = layer.backward(dout)
        assert dx.sum() == value and np.count_nonzero(dx) == 1  # one cell receives it all
        (hit,) = zip(*np.nonzero(dx[n, c]))
        cells = _window_cells(x.shape, window, (oh, ow))
        assert hit in cells
        assert x[n, c][hit] == out[n, c, oh, ow] == max(x[n, c][cell] for cell in cells)
        assert cells.index(hit) == [x[n, c][cell] for cell in cells].index(out[n, c, oh, ow])  # the first maximum


def test_a_padded_cell_never_wins_even_against_negative_values():
    x = -np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    out = Pooling(2, 2, stride=2, pad=1).forward(x)
    np.testing.assert_array_equal(out[0, 0], [[-1.0, -2.0], [-4.0, -5.0]])


def test_avg_pooling_does_not_count_padded_cells():
    layer = AvgPooling(2, 2, stride=2, pad=1)
    out = layer.forward(np.full((1, 1, 2, 2), 4.0))
    np.testing.assert_array_equal(out, np.full((1, 1, 2, 2), 4.0))  # each window holds one real cell
    np.testing.assert_array_equal(layer.backward(np.ones((1, 1, 2, 2))), np.ones((1, 1, 2, 2)))


def test_book_default_max_pooling_of_a_ramp():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    layer = Pooling(2, 2)
    np.testing.assert_array_equal(layer.forward(x)[0, 0], [[5.0, 7.0], [13.0, 15.0]])
    dx = layer.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    assert dx[0, 0, 1, 1] == 1.0 and dx[0, 0, 3, 3] == 4.0 and dx.sum() == 10.0


def test_stride_larger_than_the_window_leaves_cells_without_gradient():
    layer = Pooling(1, 1, stride=2)
    layer.forward(np.ones((1, 1, 3, 3)))
    dx = layer.backward(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(dx[0, 0], [[1, 0, 1], [0, 0, 0], [1, 0, 1]])


@pytest.mark.parametrize("layer", [Pooling, AvgPooling])
def test_float32_in_gives_float32_out_and_gradient(layer):
    pool = layer(2, 2, pad=1)
    out = pool.forward(np.ones((1, 2, 3, 3), np.float32))
    assert out.dtype == pool.backward(np.ones_like(out)).dtype == np.float32


@pytest.mark.parametrize("dout_dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_float32_overlapping_windows_add_up_in_float32_like_col2im(dout_dtype):
    # Each cell of a 3x3, stride-1 pooling receives 9 shares dout / 9, rounded to float32 and
    # summed in float32 (the book's col2im, window offset by window offset): a float64 sum, or
    # shares left in a float64 dout's precision, round differently.
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 2, 6, 6)).astype(np.float32)
    dout = (rng.normal(size=(2, 2, 4, 4)) * 10.0 ** rng.uniform(-4, 4, size=(2, 2, 4, 4))).astype(dout_dtype)
    layer = AvgPooling(3, 3, stride=1)
    layer.forward(x)
    share = (dout / 9).astype(np.float32)  # every window holds 9 real cells
    col = np.repeat(share.transpose(0, 2, 3, 1)[..., None], 9, axis=-1).reshape(2 * 4 * 4, 2 * 9)
    np.testing.assert_array_equal(layer.backward(dout), col2im(col, x.shape, 3, 3, stride=1))


def test_a_float64_dout_on_float32_max_pooling_is_rounded_to_float32_first():
    # The centre of each 5x5 image wins all 9 windows of a 3x3, stride-1 pooling: its gradient
    # is a float32 sum of 9 entries of dout, which rounds otherwise if they keep float64 digits.
    rng = np.random.default_rng(7)
    x = np.zeros((4, 4, 5, 5), np.float32)
    x[:, :, 2, 2] = 1.0
    dout = rng.normal(size=(4, 4, 3, 3)) * 10.0 ** rng.uniform(-4, 4, size=(4, 4, 3, 3))
    layer = Pooling(3, 3, stride=1)
    layer.forward(x)
    np.testing.assert_array_equal(layer.backward(dout), layer.backward(dout.astype(np.float32)))


@pytest.mark.parametrize("layer", [Pooling, AvgPooling])
def test_padding_as_wide_as_the_window_is_rejected(layer):
    with pytest.raises(
        ValueError,
        match=r"^pad must be smaller than the window 2x3, got 2: a window of padding alone has nothing to pool$",
    ):
        layer(2, 3, pad=2)


@pytest.mark.parametrize("layer", [Pooling, AvgPooling])
def test_input_must_be_4d(layer):
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\), got \(4, 4\)"):
        layer(2, 2).forward(np.ones((4, 4)))


@pytest.mark.parametrize("layer", [Pooling, AvgPooling])
def test_dout_of_the_wrong_shape_is_rejected(layer):
    pool = layer(2, 2)
    pool.forward(np.ones((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"dout must have shape \(1, 1, 2, 2\) \(the shape of the forward output\)"):
        pool.backward(np.ones((1, 1, 4, 4)))


@pytest.mark.parametrize("layer", [Pooling, AvgPooling])
def test_backward_before_forward_says_so(layer):
    with pytest.raises(RuntimeError, match=f"{layer.__name__}.backward called before {layer.__name__}.forward"):
        layer(2, 2).backward(np.ones((1, 1, 1, 1)))


def test_repr_shows_the_window():
    assert repr(AvgPooling(3, 2, stride=1, pad=1)) == "AvgPooling(3, 2, stride=1, pad=1)"
