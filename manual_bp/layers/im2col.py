"""``im2col`` and its adjoint ``col2im``: sliding windows as the rows of a matrix (book ch. 7).

``im2col`` turns every ``filter_h x filter_w`` window of a (zero-padded) batch of images into
one row, so that a convolution becomes one matrix product; ``col2im`` is its adjoint (its
transpose as a linear map): it adds every row back onto the window it came from. Windows
overlap when ``stride < filter``, so ``col2im`` must *accumulate* (``+=``), not assign, and
it is not an inverse of ``im2col``: ``<im2col(x), c> == <x, col2im(c)>`` for all ``x``, ``c``.

The private ``_gather`` / ``_scatter_add`` kernels work on the transposed layout
``(C, FH, FW, N, OH, OW)``: one copy or add per window offset ``(i, j)``, each over arrays
whose innermost axis is contiguous. ``Convolution`` and the pooling layers use them directly
with buffers they keep; ``im2col`` returns the book's ``(N*OH*OW, C*FH*FW)`` matrix as a
transposed view of that layout (no copy).
"""

from __future__ import annotations

import numbers

import numpy as np

from manual_bp._checks import as_float_array, shape_str

__all__ = ["col2im", "conv_output_size", "im2col"]


def _int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def conv_output_size(input_size: int, filter_size: int, stride: int = 1, pad: int = 0) -> int:
    """``(input_size + 2*pad - filter_size) // stride + 1``: windows along one axis.

    Rows or columns left over at the far edge (when the division is not exact) are not
    covered by any window, as in the book and ``lax.conv_general_dilated``. Raises
    ``ValueError`` if the filter is larger than the padded input.
    """
    input_size, filter_size = _int("input size", input_size, 1), _int("filter size", filter_size, 1)
    stride, pad = _int("stride", stride, 1), _int("pad", pad, 0)
    if filter_size > input_size + 2 * pad:
        raise ValueError(
            f"filter size {filter_size} is larger than the padded input {input_size} + 2*{pad} = {input_size + 2 * pad}"
        )
    return (input_size + 2 * pad - filter_size) // stride + 1


def _geometry(x_shape: tuple, filter_h, filter_w, stride, pad) -> tuple:
    """``(out_h, out_w)`` for images ``x_shape = (N, C, H, W)``, with errors naming both shapes."""
    _, _, height, width = x_shape
    try:
        return (conv_output_size(height, filter_h, stride, pad), conv_output_size(width, filter_w, stride, pad))
    except ValueError as error:
        raise ValueError(
            f"window {filter_h}x{filter_w} (stride {stride}, pad {pad}) does not fit images of shape "
            f"{shape_str(x_shape)}: {error}"
        ) from None


def _check_images(name: str, x) -> np.ndarray:
    x = as_float_array(name, x)
    if x.ndim != 4:
        raise ValueError(f"{name} must have shape (N, C, H, W), got {shape_str(x.shape)}")
    return x


def _pad(x: np.ndarray, pad: int, fill: float, buffer: np.ndarray | None = None) -> np.ndarray:
    """``x`` with ``pad`` cells of ``fill`` around H and W; ``x`` itself when ``pad == 0``.

    ``buffer``, if given and of the right shape and dtype, is reused: its border must already
    hold ``fill`` (only the interior is written).
    """
    if pad == 0:
        return x
    n, c, h, w = x.shape
    shape = (n, c, h + 2 * pad, w + 2 * pad)
    if buffer is None or buffer.shape != shape or buffer.dtype != x.dtype:
        buffer = np.full(shape, fill, dtype=x.dtype)
    buffer[:, :, pad : pad + h, pad : pad + w] = x
    return buffer


def _gather(xp: np.ndarray, out: np.ndarray, stride: int) -> np.ndarray:
    """Copy the windows of padded images ``xp (N, C, Hp, Wp)`` into ``out (C, FH, FW, N, OH, OW)``."""
    _, filter_h, filter_w, _, out_h, out_w = out.shape
    for i in range(filter_h):
        for j in range(filter_w):
            out[:, i, j] = xp[:, :, i : i + stride * out_h : stride, j : j + stride * out_w : stride].transpose(
                1, 0, 2, 3
            )
    return out


def _scatter_add(cols: np.ndarray, out: np.ndarray, stride: int) -> np.ndarray:
    """Zero ``out (C, N, Hp, Wp)``, then add every window of ``cols (C, FH, FW, N, OH, OW)`` onto it.

    Overlapping windows (``stride < filter``) add up: this ``+=`` is what makes it the adjoint.
    ``out`` has the channel axis first, like ``cols``, so each add runs over matching layouts
    (about 30 % faster than adding into NCHW); callers transpose once at the end.
    """
    _, filter_h, filter_w, _, out_h, out_w = cols.shape
    out[...] = 0
    for i in range(filter_h):
        for j in range(filter_w):
            out[:, :, i : i + stride * out_h : stride, j : j + stride * out_w : stride] += cols[:, i, j]
    return out


def _unpad(padded_cnhw: np.ndarray, pad: int, height: int, width: int, dtype) -> np.ndarray:
    """The interior of a ``(C, N, Hp, Wp)`` array as a new C-ordered ``(N, C, H, W)`` array of ``dtype``."""
    interior = padded_cnhw[:, :, pad : pad + height, pad : pad + width].transpose(1, 0, 2, 3)
    return np.array(interior, dtype=dtype, order="C")


def im2col(x, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """The windows of ``x`` as rows: shape ``(N*OH*OW, C*FH*FW)``, the book's layout.

    ``x`` is ``(N, C, H, W)``, zero-padded by ``pad`` on each side of H and W; windows are
    ``filter_h x filter_w`` at steps of ``stride``; ``OH``, ``OW`` come from
    ``conv_output_size``. Row ``(n*OH + oh)*OW + ow`` holds window ``(oh, ow)`` of image
    ``n``, flattened in ``(c, i, j)`` order, so ``im2col(x, ...) @ W.reshape(FN, -1).T`` is
    the convolution (cross-correlation) with filters ``W (FN, C, FH, FW)``.

    The result is a new array, Fortran-ordered (the transpose of a C-ordered
    ``(C*FH*FW, N*OH*OW)`` array): NumPy products and reshapes accept it like any other.
    """
    x = _check_images("x", x)
    filter_h, filter_w = _int("filter_h", filter_h, 1), _int("filter_w", filter_w, 1)
    stride, pad = _int("stride", stride, 1), _int("pad", pad, 0)
    out_h, out_w = _geometry(x.shape, filter_h, filter_w, stride, pad)
    n, c = x.shape[:2]
    cols = np.empty((c, filter_h, filter_w, n, out_h, out_w), dtype=x.dtype)
    _gather(_pad(x, pad, 0.0), cols, stride)
    return cols.reshape(c * filter_h * filter_w, n * out_h * out_w).T


def col2im(col, input_shape, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """The adjoint of ``im2col``: add every row of ``col`` back onto its window, drop the padding.

    ``col`` is ``(N*OH*OW, C*FH*FW)`` as ``im2col`` returns it (any memory order);
    ``input_shape`` is ``(N, C, H, W)``. Returns a new ``(N, C, H, W)`` array of ``col``'s
    dtype. Cells covered by several windows receive the sum of their entries; cells covered
    by none (when ``stride > filter``) and padding cells' entries are dropped.
    """
    col = as_float_array("col", col)
    input_shape = tuple(_int("input_shape entries", s, 1) for s in input_shape)
    if len(input_shape) != 4:
        raise ValueError(f"input_shape must be (N, C, H, W), got {shape_str(input_shape)}")
    filter_h, filter_w = _int("filter_h", filter_h, 1), _int("filter_w", filter_w, 1)
    stride, pad = _int("stride", stride, 1), _int("pad", pad, 0)
    n, c, height, width = input_shape
    out_h, out_w = _geometry(input_shape, filter_h, filter_w, stride, pad)
    expected = (n * out_h * out_w, c * filter_h * filter_w)
    if col.shape != expected:
        raise ValueError(
            f"col must have shape {shape_str(expected)} (im2col of images {shape_str(input_shape)} with "
            f"a {filter_h}x{filter_w} window, stride {stride}, pad {pad}), got {shape_str(col.shape)}"
        )
    cols = col.reshape(n, out_h, out_w, c, filter_h, filter_w).transpose(3, 4, 5, 0, 1, 2)
    padded = np.empty((c, n, height + 2 * pad, width + 2 * pad), dtype=col.dtype)
    _scatter_add(cols, padded, stride)
    return _unpad(padded, pad, height, width, col.dtype)
