"""Pooling layers (book ch. 7): max pooling ``Pooling`` and average pooling ``AvgPooling``."""

from __future__ import annotations

import numpy as np

from manual_bp._checks import check_dout, require_forward
from manual_bp.layers.im2col import (
    _check_images,
    _gather,
    _geometry,
    _int,
    _pad,
    _scatter_add,
    _unpad,
)

__all__ = ["AvgPooling", "Pooling"]


class _Pool:
    """What both pooling layers share: the window, its checks, gathering windows and folding them back."""

    def __init__(self, pool_h, pool_w, stride, pad):
        self.pool_h, self.pool_w = _int("pool_h", pool_h, 1), _int("pool_w", pool_w, 1)
        self.stride, self.pad = _int("stride", stride, 1), _int("pad", pad, 0)
        if self.pad >= min(self.pool_h, self.pool_w):
            raise ValueError(
                f"pad must be smaller than the window {self.pool_h}x{self.pool_w}, got {self.pad}: "
                "a window of padding alone has nothing to pool"
            )
        self.x_shape = None  # (N, C, H, W) of x: dx has it
        self.x_dtype = None  # dtype of x: out and dx have it

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.pool_h}, {self.pool_w}, stride={self.stride}, pad={self.pad})"

    def _start(self, x) -> np.ndarray:
        """Validate ``x`` and remember its shape and dtype."""
        x = _check_images("x", x)
        _geometry(x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
        self.x_shape, self.x_dtype = x.shape, x.dtype
        return x

    def _windows(self, x: np.ndarray, fill: float) -> np.ndarray:
        """The windows of ``x`` padded with ``fill``: ``(C, pool_h*pool_w, N, OH, OW)``, row-major in the window."""
        out_h, out_w = _geometry(x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
        n, c = x.shape[:2]
        cols = np.empty((c, self.pool_h, self.pool_w, n, out_h, out_w), dtype=x.dtype)
        _gather(_pad(x, self.pad, fill), cols, self.stride)
        return cols.reshape(c, self.pool_h * self.pool_w, n, out_h, out_w)

    def _out_shape(self) -> tuple:
        n, c = self.x_shape[:2]
        return (n, c, *_geometry(self.x_shape, self.pool_h, self.pool_w, self.stride, self.pad))

    def _fold(self, dwindows: np.ndarray) -> np.ndarray:
        """Add window gradients ``(C, pool_h*pool_w, N, OH, OW)`` back onto x's cells; drop the padding."""
        c, _, n, out_h, out_w = dwindows.shape
        _, _, height, width = self.x_shape
        padded = np.empty((c, n, height + 2 * self.pad, width + 2 * self.pad), dtype=self.x_dtype)
        _scatter_add(dwindows.reshape(c, self.pool_h, self.pool_w, n, out_h, out_w), padded, self.stride)
        return _unpad(padded, self.pad, height, width, self.x_dtype)


class Pooling(_Pool):
    """Max pooling: ``out[n, c, oh, ow] = max_{i,j} xp[n, c, s*oh + i, s*ow + j]`` over a ``pool_h x pool_w`` window.

    Shapes: ``x`` is ``(N, C, H, W)``, ``out`` is ``(N, C, OH, OW)`` with
    ``OH = (H + 2*pad - pool_h) // stride + 1`` (likewise ``OW``); ``xp`` is ``x`` padded with
    ``-inf``, so a padded cell never wins (``pad < pool_h, pool_w``: every window holds a real
    cell). ``stride`` (default 2) may be smaller than the window (overlapping windows), equal
    or larger (cells no window covers).

    Backward: ``dx`` receives each window's ``dout`` at the cell that won it, summed when one
    cell wins several overlapping windows. Ties: the gradient goes to the **first** maximum in
    row-major window order (as ``lax.reduce_window`` max and ``np.argmax``), never split.
    """

    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        super().__init__(pool_h, pool_w, stride, pad)
        self.arg_max = None  # (C, N, OH, OW): index in its window of each window's first maximum

    def forward(self, x):
        windows = self._windows(self._start(x), -np.inf)
        self.arg_max = windows.argmax(axis=1)
        return windows.max(axis=1).transpose(1, 0, 2, 3).copy()

    def backward(self, dout):
        require_forward(self, self.arg_max)
        dout = check_dout(dout, self._out_shape())
        c, n, out_h, out_w = self.arg_max.shape
        dwindows = np.zeros((c, self.pool_h * self.pool_w, n, out_h, out_w), dtype=self.x_dtype)
        np.put_along_axis(dwindows, self.arg_max[:, None], dout.transpose(1, 0, 2, 3)[:, None], axis=1)
        return self._fold(dwindows)


class AvgPooling(_Pool):
    """Average pooling: ``out[n, c, oh, ow]`` = the mean of window ``(oh, ow)``'s cells that lie inside ``x``.

    Shapes and window as ``Pooling`` (``stride`` default 2). Padding convention: padded cells
    are **not** counted, so a window at the border averages over fewer cells
    (``count[oh, ow]``, the number of its cells inside ``x``), as PyTorch's
    ``avg_pool2d(..., count_include_pad=False)``. With ``pad=0`` every count is
    ``pool_h * pool_w``.

    Backward: ``dx`` receives ``dout[n, c, oh, ow] / count[oh, ow]`` at every real cell of
    window ``(oh, ow)``, summed over overlapping windows.
    """

    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        super().__init__(pool_h, pool_w, stride, pad)
        self.count = None  # (OH, OW): real cells per window; forward divides by it, so does backward

    def forward(self, x):
        x = self._start(x)
        ones = np.ones((1, 1, *x.shape[2:]), dtype=x.dtype)
        self.count = self._windows(ones, 0.0).sum(axis=1)[0, 0]
        return (self._windows(x, 0.0).sum(axis=1) / self.count).transpose(1, 0, 2, 3).copy()

    def backward(self, dout):
        require_forward(self, self.count)
        dout = check_dout(dout, self._out_shape())
        share = (dout / self.count).astype(self.x_dtype, copy=False).transpose(1, 0, 2, 3)[:, None]
        c, n = share.shape[0], share.shape[2]
        return self._fold(np.broadcast_to(share, (c, self.pool_h * self.pool_w, n, *self.count.shape)))
