"""Pooling Functions: ``pooling`` (max) and ``average_pooling`` over ``KH x KW`` windows of NCHW images.

``x`` ``(N, C, H, W)`` -> ``(N, C, OH, OW)``, ``OH = (H + 2*pad - KH) // stride + 1`` (likewise
``OW``); ``kernel_size`` is an int or ``(KH, KW)``, ``stride`` (default 1, DeZero's) and ``pad``
are ints, ``pad`` smaller than the window. The NumPy work is done by the first book's layers
(``manual_bp.layers.pooling``), which each Function keeps as its window.

Conventions (the layers', and the oracles' in ``oracle/dezero/pooling.py``):

- max pooling pads with ``-inf`` (a padded cell never wins; DeZero pads with 0, which wins
  over negative windows); ties go to the **first** maximum in row-major window order, whole,
  never split (as ``lax.reduce_window`` max and ``np.argmax``);
- average pooling divides by the number of the window's cells inside ``x`` (padded cells are
  not counted; DeZero counts them as zeros). With ``pad=0`` the two agree.

Backward, built from Functions: max pooling's ``gx = PoolingGrad(gy)`` puts each window's
``gy`` on its recorded maximum; ``PoolingGrad``'s backward is ``PoolingWithIndexes``, which
reads each window's recorded maximum, and the other way round. The recorded positions (the
``argmax`` mask) are **data**: piecewise constant in ``x``, so the second derivative of max
pooling with respect to ``x`` is 0 (exactly JAX's). Average pooling is linear: its backward
``AveragePoolingGrad`` spreads ``gy / count`` over each window, and that Function's backward is
``average_pooling`` itself.

``pooling_simple`` is the book's first version, composed from ``im2col``, ``reshape``, ``max``
and ``transpose``: so it has *their* conventions, not ``pooling``'s: ``im2col`` pads with
zeros (a padded 0 wins over a negative window, as in DeZero), and ``max`` shares a tie's
gradient equally among the tied cells.
"""

from __future__ import annotations

import numpy as np

from manual_bp.dezero.core import Function, Variable, as_variable
from manual_bp.dezero.functions.convolution import im2col, kernel_pair
from manual_bp.dezero.functions.reductions import max as max_
from manual_bp.dezero.functions.shapes import reshape, transpose
from manual_bp.layers.im2col import _check_images, _geometry
from manual_bp.layers.pooling import AvgPooling as _AvgWindow
from manual_bp.layers.pooling import Pooling as _MaxWindow

__all__ = [
    "AveragePooling",
    "AveragePoolingGrad",
    "Pooling",
    "PoolingGrad",
    "PoolingWithIndexes",
    "average_pooling",
    "pooling",
    "pooling_simple",
]


class Pooling(Function):
    """``y[n, c, oh, ow] = max`` of window ``(oh, ow)`` of ``x[n, c]`` (padded with ``-inf``).

    Backward: ``gx = PoolingGrad(window)(gy)``; the window keeps the first maximum of each
    window (data, see the module docstring).
    """

    def __init__(self, kernel_size, stride: int = 1, pad: int = 0):
        self.window = _MaxWindow(*kernel_pair(kernel_size), stride=stride, pad=pad)

    def forward(self, x):
        return self.window.forward(x)

    def backward(self, gy):
        return PoolingGrad(self.window)(gy)


class PoolingGrad(Function):
    """``gx``: each window's ``gy`` added at its recorded maximum (zeros elsewhere); linear in ``gy``.

    Backward: ``ggy = PoolingWithIndexes(window)(ggx)``, the adjoint.
    """

    def __init__(self, window: _MaxWindow):
        self.window = window

    def forward(self, gy):
        return self.window.backward(gy)

    def backward(self, ggx):
        return PoolingWithIndexes(self.window)(ggx)


class PoolingWithIndexes(Function):
    """``y[n, c, oh, ow] = x`` at window ``(oh, ow)``'s recorded maximum; linear in ``x``.

    Backward: ``gx = PoolingGrad(window)(gy)``, the adjoint.
    """

    def __init__(self, window: _MaxWindow):
        self.window = window

    def forward(self, x):
        windows = self.window._windows(x, 0.0)  # (C, KH*KW, N, OH, OW)
        picked = np.take_along_axis(windows, self.window.arg_max[:, None], axis=1)[:, 0]
        return picked.transpose(1, 0, 2, 3).copy()

    def backward(self, gy):
        return PoolingGrad(self.window)(gy)


def pooling(x, kernel_size, stride: int = 1, pad: int = 0):
    """Max pooling; ties to the first maximum in row-major window order; padding never wins."""
    return Pooling(kernel_size, stride, pad)(x)


class AveragePooling(Function):
    """``y[n, c, oh, ow]`` = the mean of window ``(oh, ow)``'s cells inside ``x[n, c]``.

    Backward: ``gx = AveragePoolingGrad(window)(gy)``.
    """

    def __init__(self, kernel_size, stride: int = 1, pad: int = 0):
        self.kernel_size, self.stride, self.pad = kernel_pair(kernel_size), stride, pad
        self.window = _AvgWindow(*self.kernel_size, stride=stride, pad=pad)

    def forward(self, x):
        return self.window.forward(x)

    def backward(self, gy):
        return AveragePoolingGrad(self)(gy)


class AveragePoolingGrad(Function):
    """``gx``: ``gy[n, c, oh, ow] / count[oh, ow]`` added on every real cell of window ``(oh, ow)``.

    Backward: ``ggy = average_pooling(ggx)`` with the same window (the adjoint of this map).
    """

    def __init__(self, pooling: AveragePooling):
        self.pooling = pooling

    def forward(self, gy):
        return self.pooling.window.backward(gy)

    def backward(self, ggx):
        return average_pooling(ggx, self.pooling.kernel_size, self.pooling.stride, self.pooling.pad)


def average_pooling(x, kernel_size, stride: int = 1, pad: int = 0):
    """Average pooling over each window's real cells (padded cells are not counted)."""
    return AveragePooling(kernel_size, stride, pad)(x)


def pooling_simple(x, kernel_size, stride: int = 1, pad: int = 0) -> Variable:
    """Max pooling composed from ``im2col`` (zero padding), ``max`` (ties share), ``reshape``, ``transpose``."""
    x = as_variable(x)
    _check_images("x", x.data)
    kh, kw = kernel_pair(kernel_size)
    n, c = x.shape[:2]
    out_h, out_w = _geometry(x.shape, kh, kw, stride, pad)
    col = reshape(im2col(x, (kh, kw), stride, pad, to_matrix=True), (-1, kh * kw))  # one window per row
    y = reshape(max_(col, axis=1), (n, out_h, out_w, c))
    return transpose(y, (0, 3, 1, 2))
