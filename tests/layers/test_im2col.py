"""im2col and col2im: the book's layout, col2im as the adjoint of im2col, geometry and errors."""

import numpy as np
import pytest
from broken_layers import book_col2im
from hypothesis import given
from hypothesis import strategies as st

from manual_bp import col2im, conv_output_size, im2col
from oracle.verify.strategies import float_arrays

# (x shape, filter_h, filter_w, stride, pad): overlapping (stride < filter), tiling, skipping
# (stride > filter), padding wider than the filter, a non-square window.
GEOMETRIES = (
    ((2, 2, 5, 5), 3, 3, 1, 0),
    ((1, 3, 4, 5), 2, 3, 1, 1),
    ((2, 1, 6, 6), 2, 2, 2, 0),
    ((1, 2, 5, 4), 1, 2, 3, 0),
    ((2, 2, 3, 3), 2, 2, 1, 3),
    ((1, 1, 7, 6), 3, 2, 2, 1),
)


def book_im2col(x, filter_h, filter_w, stride=1, pad=0):
    """The book's im2col, verbatim in structure: the reference for the layout."""
    n, c, h, w = x.shape
    out_h, out_w = (h + 2 * pad - filter_h) // stride + 1, (w + 2 * pad - filter_w) // stride + 1
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((n, c, filter_h, filter_w, out_h, out_w), dtype=x.dtype)
    for y in range(filter_h):
        for xx in range(filter_w):
            col[:, :, y, xx, :, :] = img[:, :, y : y + stride * out_h : stride, xx : xx + stride * out_w : stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1)


@st.composite
def adjoint_cases(draw):
    shape, fh, fw, stride, pad = draw(st.sampled_from(GEOMETRIES))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    out_h, out_w = conv_output_size(shape[2], fh, stride, pad), conv_output_size(shape[3], fw, stride, pad)
    x = draw(float_arrays(dtype, shape, max_value=10.0))
    c = draw(float_arrays(dtype, (shape[0] * out_h * out_w, shape[1] * fh * fw), max_value=10.0))
    return x, c, (fh, fw, stride, pad)


@given(case=adjoint_cases())
def test_col2im_is_the_adjoint_of_im2col(case):
    x, c, geometry = case
    lhs = np.vdot(im2col(x, *geometry).astype(np.float64), c.astype(np.float64))
    rhs = np.vdot(x.astype(np.float64), col2im(c, x.shape, *geometry).astype(np.float64))
    scale = np.abs(x).max() * np.abs(c).max() * c.size + 1e-300
    assert abs(lhs - rhs) <= (1e-12 if x.dtype == np.float64 else 1e-5) * scale


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_im2col_has_the_books_layout(geometry):
    shape, *window = geometry
    x = np.random.default_rng(0).normal(size=shape)
    np.testing.assert_array_equal(im2col(x, *window), book_im2col(x, *window))


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_col2im_counts_how_many_windows_cover_each_cell(geometry):
    shape, fh, fw, stride, pad = geometry
    ones = np.ones_like(im2col(np.zeros(shape), fh, fw, stride, pad))
    covered = col2im(ones, shape, fh, fw, stride, pad)
    expected = im2col(np.ones(shape), fh, fw, stride, pad)  # 1 where a window meets a real cell
    assert covered.sum() == expected.sum()
    if stride < max(fh, fw) and pad == 0:
        assert covered.max() > 1  # overlapping windows add up


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=str)
def test_col2im_adds_float32_windows_in_float32_in_the_books_order(geometry):
    # Values spread over 8 decades: a cell's float32 sum then depends on the dtype of the
    # additions (a float64 buffer gives other roundings), not only on their order.
    shape, *window = geometry
    rng = np.random.default_rng(1)
    ones = im2col(np.ones(shape, np.float32), *window)
    col = (rng.normal(size=ones.shape) * 10.0 ** rng.uniform(-4, 4, size=ones.shape)).astype(np.float32)
    np.testing.assert_array_equal(col2im(col, shape, *window), book_col2im(col, shape, *window))


def test_col2im_drops_cells_no_window_covers():
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    back = col2im(im2col(x, 1, 1, 3), x.shape, 1, 1, 3)
    np.testing.assert_array_equal(back[0, 0, ::3, ::3], x[0, 0, ::3, ::3])
    assert back.sum() == x[0, 0, ::3, ::3].sum()


def test_im2col_keeps_float32_and_never_writes_its_input():
    x = np.ones((1, 2, 4, 4), np.float32)
    x.flags.writeable = False
    col = im2col(x, 3, 3, 1, 1)
    assert col.dtype == np.float32 and col.shape == (16, 18)
    assert col2im(col, x.shape, 3, 3, 1, 1).dtype == np.float32


@pytest.mark.parametrize(
    ("size", "filter_size", "stride", "pad", "expected"),
    [(28, 5, 1, 0, 24), (28, 3, 1, 1, 28), (5, 3, 2, 1, 3), (6, 2, 3, 0, 2), (7, 2, 2, 0, 3)],
)
def test_conv_output_size_floors_like_the_book(size, filter_size, stride, pad, expected):
    assert conv_output_size(size, filter_size, stride, pad) == expected


def test_conv_output_size_defaults_to_stride_one_and_no_padding():
    assert conv_output_size(28, 5) == 24


@pytest.mark.parametrize(("size", "filter_size", "pad"), [(4, 4, 0), (3, 5, 1), (1, 1, 0)])
def test_a_filter_as_large_as_the_padded_input_fits_once(size, filter_size, pad):
    assert conv_output_size(size, filter_size, pad=pad) == 1


def test_a_filter_larger_than_the_padded_input_is_rejected_with_the_padded_size():
    with pytest.raises(ValueError, match=r"^filter size 5 is larger than the padded input 2 \+ 2\*1 = 4$"):
        conv_output_size(2, 5, pad=1)


def test_a_filter_larger_than_the_padded_input_names_both_sizes():
    with pytest.raises(
        ValueError,
        match=r"window 5x5 \(stride 1, pad 0\) does not fit images of shape \(1, 1, 4, 4\): "
        r"filter size 5 is larger than the padded input 4 \+ 2\*0 = 4",
    ):
        im2col(np.zeros((1, 1, 4, 4)), 5, 5)


def test_col_of_the_wrong_shape_names_the_expected_one():
    with pytest.raises(
        ValueError,
        match=r"col must have shape \(4, 9\) \(im2col of images \(1, 1, 4, 4\) with a 3x3 "
        r"window, stride 1, pad 0\), got \(9, 4\)",
    ):
        col2im(np.zeros((9, 4)), (1, 1, 4, 4), 3, 3)


def test_images_must_be_4d():
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\), got \(4, 4\)"):
        im2col(np.zeros((4, 4)), 2, 2)


@pytest.mark.parametrize(
    ("stride", "pad", "message"),
    [(0, 0, "stride must be at least 1, got 0"), (1, -1, "pad must be at least 0, got -1")],
)
def test_bad_stride_or_pad_is_rejected(stride, pad, message):
    with pytest.raises(ValueError, match=message):
        im2col(np.zeros((1, 1, 4, 4)), 2, 2, stride, pad)


def test_a_float_stride_is_a_type_error():
    with pytest.raises(TypeError, match="stride must be an int, got float"):
        im2col(np.zeros((1, 1, 4, 4)), 2, 2, 1.5)
