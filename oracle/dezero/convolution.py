"""Oracles of ``conv2d deconv2d im2col col2im conv2d_simple``: pure JAX, NCHW images.

``conv2d`` is the layers' ``lax.conv_general_dilated``; ``deconv2d`` is an independent
construction (a convolution of the input dilated by ``stride``, with the filters flipped and
their channel axes swapped), not the adjoint trick the Function uses; ``im2col`` gathers
windows by strided slices and ``col2im`` adds them back with ``.at[].add``.
"""

import jax.numpy as jnp
from jax import lax

from oracle.layers.convolution import convolution

__all__ = ["col2im", "conv2d", "conv2d_simple", "deconv2d", "im2col"]

_NCHW = ("NCHW", "OIHW", "NCHW")


def _pair(kernel_size) -> tuple:
    return (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)


def _plus_bias(y, b):
    return y if b is None else y + b[None, :, None, None]


def conv2d(x, W, b=None, *, stride=1, pad=0):
    """``(N, C, H, W), (OC, C, KH, KW), (OC,) -> (N, OC, OH, OW)``, cross-correlation with zero padding."""
    if b is None:
        return lax.conv_general_dilated(x, W, (stride, stride), [(pad, pad)] * 2, dimension_numbers=_NCHW)
    return convolution(x, W, b, stride=stride, pad=pad)


conv2d_simple = conv2d


def deconv2d(x, W, b=None, *, stride=1, pad=0, outsize=None):
    """``(N, C, H, W), (C, OC, KH, KW), (OC,) -> (N, OC, OH, OW)``, ``OH = stride*(H-1) + KH - 2*pad``
    unless ``outsize`` is given (the extra rows and columns at the far edge get only the bias).

    Computed as a convolution of ``x`` dilated by ``stride`` (``lhs_dilation``), padded by
    ``K - 1 - pad`` (plus the extra rows at the far edge), with the filters flipped in space and
    ``(C, OC)`` read as ``(I, O)``.
    """
    _, _, kh, kw = W.shape
    h, w = x.shape[2:]
    smallest = (stride * (h - 1) + kh - 2 * pad, stride * (w - 1) + kw - 2 * pad)
    out_h, out_w = smallest if outsize is None else outsize
    padding = [
        (kh - 1 - pad, kh - 1 - pad + out_h - smallest[0]),
        (kw - 1 - pad, kw - 1 - pad + out_w - smallest[1]),
    ]
    flipped = jnp.flip(W, axis=(2, 3)).transpose(1, 0, 2, 3)  # (OC, C, KH, KW)
    y = lax.conv_general_dilated(x, flipped, (1, 1), padding, lhs_dilation=(stride, stride), dimension_numbers=_NCHW)
    return _plus_bias(y, b)


def _windows(x, kh, kw, stride, pad):
    """``(N, C, KH, KW, OH, OW)``: window ``(oh, ow)``'s cell ``(i, j)`` of ``x`` zero-padded."""
    xp = jnp.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out_h = (xp.shape[2] - kh) // stride + 1
    out_w = (xp.shape[3] - kw) // stride + 1
    rows = [
        jnp.stack([xp[:, :, i : i + stride * out_h : stride, j : j + stride * out_w : stride] for j in range(kw)], 2)
        for i in range(kh)
    ]
    return jnp.stack(rows, 2)


def im2col(x, *, kernel_size, stride=1, pad=0, to_matrix=True):
    """The windows as ``(N*OH*OW, C*KH*KW)`` rows in ``(c, i, j)`` order, or ``(N, C, KH, KW, OH, OW)``."""
    kh, kw = _pair(kernel_size)
    cols = _windows(x, kh, kw, stride, pad)
    if not to_matrix:
        return cols
    n, c, _, _, out_h, out_w = cols.shape
    return cols.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, c * kh * kw)


def col2im(col, *, input_shape, kernel_size, stride=1, pad=0, to_matrix=True):
    """Every window of ``col`` added onto zeros of ``input_shape`` (padded), the padding dropped."""
    kh, kw = _pair(kernel_size)
    n, c, h, w = input_shape
    out_h = (h + 2 * pad - kh) // stride + 1
    out_w = (w + 2 * pad - kw) // stride + 1
    if to_matrix:
        col = col.reshape(n, out_h, out_w, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    xp = jnp.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=col.dtype)
    for i in range(kh):
        for j in range(kw):
            xp = xp.at[:, :, i : i + stride * out_h : stride, j : j + stride * out_w : stride].add(col[:, :, i, j])
    return xp[:, :, pad : pad + h, pad : pad + w]
