"""Convolution Functions (DeZero's ``functions_conv``): conv2d, deconv2d, im2col, col2im.

Shapes: images ``x`` ``(N, C, H, W)``; ``conv2d`` filters ``W`` ``(OC, C, KH, KW)``, output
``(N, OC, OH, OW)`` with ``OH = (H + 2*pad - KH) // stride + 1`` (likewise ``OW``);
``deconv2d`` (the transposed convolution, the adjoint of ``conv2d`` in ``x``) filters ``W``
``(C, OC, KH, KW)``, output ``(N, OC, OH, OW)`` with ``OH = stride*(H - 1) + KH - 2*pad``
unless ``outsize`` says otherwise; biases ``b`` ``(OC,)``. ``stride`` and ``pad`` are ints
(the same on both axes; DeZero also takes pairs); ``kernel_size`` is an int or ``(KH, KW)``.

Every backward is built from these Functions, so it is differentiable to any order:

- ``conv2d``: ``gx = deconv2d(gy, W, outsize=(H, W))``, ``gW = Conv2DGradW(x, gy)``,
  ``gb = sum(gy, (0, 2, 3))``;
- ``deconv2d``: ``gx = conv2d(gy, W)``, ``gW = Conv2DGradW(gy, x)``, ``gb = sum(gy, (0, 2, 3))``;
- ``Conv2DGradW(x, gy)`` (bilinear) receives the incoming gradient ``ggW`` and returns
  ``gx = deconv2d(gy, ggW, outsize=(H, W))``, ``ggy = conv2d(x, ggW)``. The book's version
  passes its own *output* (a weak reference) where ``ggW`` belongs, so differentiating a
  convolution's weight gradient crashes with ``TypeError``;
- ``im2col`` and ``col2im`` are each other's adjoint (both linear).

The NumPy forwards reuse ``manual_bp.layers.im2col``.
"""

from __future__ import annotations

import numbers

import numpy as np

from manual_bp._checks import shape_str
from manual_bp.dezero.core import Function, as_variable
from manual_bp.dezero.functions.affine import linear
from manual_bp.dezero.functions.reductions import sum as sum_
from manual_bp.dezero.functions.shapes import reshape, transpose
from manual_bp.layers.im2col import _geometry, _int
from manual_bp.layers.im2col import col2im as col2im_array
from manual_bp.layers.im2col import im2col as im2col_array

__all__ = [
    "Col2im",
    "Conv2DGradW",
    "Conv2d",
    "Deconv2d",
    "Im2col",
    "col2im",
    "conv2d",
    "conv2d_simple",
    "deconv2d",
    "deconv_output_size",
    "im2col",
    "kernel_pair",
]


def kernel_pair(kernel_size) -> tuple[int, int]:
    """``kernel_size`` (an int or a pair of ints) as ``(KH, KW)``."""
    if isinstance(kernel_size, numbers.Integral) and not isinstance(kernel_size, bool):
        kernel_size = (kernel_size, kernel_size)
    if not isinstance(kernel_size, (tuple, list)) or len(kernel_size) != 2:
        raise TypeError(f"kernel_size must be an int or a pair (KH, KW), got {kernel_size!r}")
    return _int("kernel height", kernel_size[0], 1), _int("kernel width", kernel_size[1], 1)


def deconv_output_size(size: int, kernel: int, stride: int, pad: int) -> int:
    """``stride * (size - 1) + kernel - 2 * pad``: the smallest image a convolution maps to ``size``."""
    return stride * (size - 1) + kernel - 2 * pad


def _check_filters(x: np.ndarray, W: np.ndarray, b, in_axis: int, out_axis: int, layout: str) -> None:
    """``x (N, C, H, W)``, 4-D ``W`` with ``C`` on ``in_axis``, ``b`` with one entry per output channel."""
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got {shape_str(x.shape)}")
    if W.ndim != 4 or W.shape[in_axis] != x.shape[1]:
        raise ValueError(f"W must have shape {layout} with C = {x.shape[1]} (x's channels), got {shape_str(W.shape)}")
    if b is not None and b.shape != (W.shape[out_axis],):
        raise ValueError(f"b must have shape ({W.shape[out_axis]},) (one per output channel), got {shape_str(b.shape)}")


def _plus_bias(y: np.ndarray, b) -> np.ndarray:
    return y if b is None else y + b.reshape(1, -1, 1, 1)


def _conv_array(x: np.ndarray, W: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """Cross-correlation ``(N, C, H, W), (OC, C, KH, KW) -> (N, OC, OH, OW)`` as one matrix product."""
    oc, _, kh, kw = W.shape
    out_h, out_w = _geometry(x.shape, kh, kw, stride, pad)
    y = im2col_array(x, kh, kw, stride, pad) @ W.reshape(oc, -1).T  # (N*OH*OW, OC)
    return y.reshape(x.shape[0], out_h, out_w, oc).transpose(0, 3, 1, 2)


def _deconv_array(x: np.ndarray, W: np.ndarray, stride: int, pad: int, out_hw: tuple) -> np.ndarray:
    """Transposed convolution ``(N, C, H, W), (C, OC, KH, KW) -> (N, OC, *out_hw)``: col2im of ``x W``."""
    c, oc, kh, kw = W.shape
    n, _, h, w = x.shape
    col = x.transpose(0, 2, 3, 1).reshape(n * h * w, c) @ W.reshape(c, oc * kh * kw)
    return col2im_array(col, (n, oc, *out_hw), kh, kw, stride, pad)


def _grad_w_array(x: np.ndarray, gy: np.ndarray, kh: int, kw: int, stride: int, pad: int) -> np.ndarray:
    """``gW[oc, c, i, j] = sum_{n, oh, ow} gy[n, oc, oh, ow] * xp[n, c, s*oh + i, s*ow + j]``."""
    oc = gy.shape[1]
    gy_rows = gy.transpose(0, 2, 3, 1).reshape(-1, oc)  # (N*OH*OW, OC)
    return (gy_rows.T @ im2col_array(x, kh, kw, stride, pad)).reshape(oc, x.shape[1], kh, kw)


class Conv2d(Function):
    """``y = conv(x, W) + b`` (cross-correlation, zero padding). Backward: see the module docstring."""

    def __init__(self, stride: int = 1, pad: int = 0):
        self.stride, self.pad = _int("stride", stride, 1), _int("pad", pad, 0)

    def forward(self, x, W, b=None):
        _check_filters(x, W, b, 1, 0, "(OC, C, KH, KW)")
        return _plus_bias(_conv_array(x, W, self.stride, self.pad), b)

    def backward(self, gy):
        x, W = self.inputs[:2]
        needs = self.needs_input_grad
        gx = deconv2d(gy, W, stride=self.stride, pad=self.pad, outsize=x.shape[2:]) if needs[0] else None
        gW = Conv2DGradW(W.shape[2:], self.stride, self.pad)(x, gy) if needs[1] else None
        if len(self.inputs) == 2:
            return gx, gW
        return gx, gW, sum_(gy, axis=(0, 2, 3)) if needs[2] else None


def conv2d(x, W, b=None, stride: int = 1, pad: int = 0):
    """Convolution (cross-correlation) of images ``x`` with filters ``W``, plus ``b`` per filter."""
    f = Conv2d(stride, pad)
    return f(x, W) if b is None else f(x, W, b)


class Deconv2d(Function):
    """``y = deconv(x, W) + b``, the transposed convolution: ``<deconv(x, W), g> = <x, conv(g, W)>``.

    Each input pixel ``x[n, c, h, w]`` adds ``x[n, c, h, w] * W[c, :, :, :]`` onto the output
    window at ``(stride*h - pad, stride*w - pad)``. ``outsize`` (default: the smallest,
    ``deconv_output_size``) may be up to ``stride - 1`` larger on each axis; the extra rows
    and columns receive only the bias. Backward: see the module docstring.
    """

    def __init__(self, stride: int = 1, pad: int = 0, outsize=None):
        self.stride, self.pad = _int("stride", stride, 1), _int("pad", pad, 0)
        self.outsize = None if outsize is None else tuple(int(s) for s in outsize)

    def _out_hw(self, x_shape: tuple, kh: int, kw: int) -> tuple:
        h, w = x_shape[2:]
        smallest = (deconv_output_size(h, kh, self.stride, self.pad), deconv_output_size(w, kw, self.stride, self.pad))
        if self.outsize is None:
            return smallest
        if len(self.outsize) != 2 or not all(m <= o < m + self.stride for m, o in zip(smallest, self.outsize)):
            raise ValueError(
                f"outsize must be (OH, OW) with {smallest[0]} <= OH < {smallest[0] + self.stride} and "
                f"{smallest[1]} <= OW < {smallest[1] + self.stride} (a convolution maps it back to {h}x{w}), "
                f"got {self.outsize}"
            )
        return self.outsize

    def forward(self, x, W, b=None):
        _check_filters(x, W, b, 0, 1, "(C, OC, KH, KW)")
        out_hw = self._out_hw(x.shape, *W.shape[2:])
        return _plus_bias(_deconv_array(x, W, self.stride, self.pad, out_hw), b)

    def backward(self, gy):
        x, W = self.inputs[:2]
        needs = self.needs_input_grad
        gx = conv2d(gy, W, stride=self.stride, pad=self.pad) if needs[0] else None
        gW = Conv2DGradW(W.shape[2:], self.stride, self.pad)(gy, x) if needs[1] else None
        if len(self.inputs) == 2:
            return gx, gW
        return gx, gW, sum_(gy, axis=(0, 2, 3)) if needs[2] else None


def deconv2d(x, W, b=None, stride: int = 1, pad: int = 0, outsize=None):
    """Transposed convolution of ``x`` with filters ``W (C, OC, KH, KW)``, plus ``b`` per output channel."""
    f = Deconv2d(stride, pad, outsize)
    return f(x, W) if b is None else f(x, W, b)


class Conv2DGradW(Function):
    """The weight gradient of ``conv2d`` as a Function of ``(x, gy)``: ``gW (OC, C, KH, KW)``.

    ``gW[oc, c, i, j] = sum_{n, oh, ow} gy[n, oc, oh, ow] * xp[n, c, stride*oh + i, stride*ow + j]``
    (``xp``: ``x`` zero-padded). Bilinear in ``(x, gy)``, so its backward, given the incoming
    gradient ``ggW``, is ``gx = deconv2d(gy, ggW, outsize=(H, W))``, ``ggy = conv2d(x, ggW)``.
    """

    def __init__(self, kernel_size, stride: int = 1, pad: int = 0):
        self.kh, self.kw = kernel_pair(tuple(kernel_size))
        self.stride, self.pad = _int("stride", stride, 1), _int("pad", pad, 0)

    def forward(self, x, gy):
        return _grad_w_array(x, gy, self.kh, self.kw, self.stride, self.pad)

    def backward(self, ggW):
        x, gy = self.inputs
        needs = self.needs_input_grad
        gx = deconv2d(gy, ggW, stride=self.stride, pad=self.pad, outsize=x.shape[2:]) if needs[0] else None
        ggy = conv2d(x, ggW, stride=self.stride, pad=self.pad) if needs[1] else None
        return gx, ggy


class Im2col(Function):
    """The windows of ``x (N, C, H, W)`` as ``(N*OH*OW, C*KH*KW)`` rows (``to_matrix``) or ``(N, C, KH, KW, OH, OW)``.

    Row ``(n*OH + oh)*OW + ow`` holds window ``(oh, ow)`` of image ``n`` in ``(c, i, j)`` order.
    Backward: ``gx = col2im(gy, x.shape, ...)``, its adjoint.
    """

    def __init__(self, kernel_size, stride: int = 1, pad: int = 0, to_matrix: bool = True):
        self.kh, self.kw = kernel_pair(kernel_size)
        self.stride, self.pad = _int("stride", stride, 1), _int("pad", pad, 0)
        self.to_matrix = bool(to_matrix)

    def forward(self, x):
        self.x_shape = x.shape  # backward folds back to it
        col = im2col_array(x, self.kh, self.kw, self.stride, self.pad)
        if self.to_matrix:
            return col
        n, c = x.shape[:2]
        out_h, out_w = _geometry(x.shape, self.kh, self.kw, self.stride, self.pad)
        return col.reshape(n, out_h, out_w, c, self.kh, self.kw).transpose(0, 3, 4, 5, 1, 2)

    def backward(self, gy):
        return col2im(gy, self.x_shape, (self.kh, self.kw), self.stride, self.pad, self.to_matrix)


def im2col(x, kernel_size, stride: int = 1, pad: int = 0, to_matrix: bool = True):
    return Im2col(kernel_size, stride, pad, to_matrix)(x)


class Col2im(Function):
    """The adjoint of ``im2col``: every window of ``col`` added back onto images of ``input_shape``.

    Backward: ``gcol = im2col(gx, ...)``.
    """

    def __init__(self, input_shape, kernel_size, stride: int = 1, pad: int = 0, to_matrix: bool = True):
        self.input_shape = tuple(int(s) for s in input_shape)
        self.kh, self.kw = kernel_pair(kernel_size)
        self.stride, self.pad = _int("stride", stride, 1), _int("pad", pad, 0)
        self.to_matrix = bool(to_matrix)

    def forward(self, col):
        if not self.to_matrix:
            if col.ndim != 6:
                raise ValueError(f"col must have shape (N, C, KH, KW, OH, OW), got {shape_str(col.shape)}")
            n, c, kh, kw, out_h, out_w = col.shape
            col = col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, c * kh * kw)
        return col2im_array(col, self.input_shape, self.kh, self.kw, self.stride, self.pad)

    def backward(self, gx):
        return im2col(gx, (self.kh, self.kw), self.stride, self.pad, self.to_matrix)


def col2im(col, input_shape, kernel_size, stride: int = 1, pad: int = 0, to_matrix: bool = True):
    return Col2im(input_shape, kernel_size, stride, pad, to_matrix)(col)


def conv2d_simple(x, W, b=None, stride: int = 1, pad: int = 0):
    """``conv2d`` composed from ``im2col``, ``linear``, ``reshape`` and ``transpose`` (the book's first version)."""
    x, W = as_variable(x), as_variable(W)
    oc, _, kh, kw = W.shape
    out_h, out_w = _geometry(x.shape, kh, kw, stride, pad)
    col = im2col(x, (kh, kw), stride, pad, to_matrix=True)  # (N*OH*OW, C*KH*KW)
    y = linear(col, transpose(reshape(W, (oc, -1))), b)  # (N*OH*OW, OC)
    return transpose(reshape(y, (x.shape[0], out_h, out_w, oc)), (0, 3, 1, 2))
