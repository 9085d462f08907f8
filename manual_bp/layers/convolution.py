"""The convolution layer ``Convolution(W, b, stride=1, pad=0)`` (book ch. 7), by im2col."""

from __future__ import annotations

import numpy as np

from manual_bp._checks import (
    HasParams,
    as_float_array,
    check_dout,
    check_shape,
    require_forward,
    shape_str,
)
from manual_bp.layers.im2col import _gather, _geometry, _int, _pad, _scatter_add, _unpad

__all__ = ["Convolution"]


class Convolution(HasParams):
    """``out[n, f] = sum_{c,i,j} W[f, c, i, j] * xp[n, c, s*oh + i, s*ow + j] + b[f]``.

    A cross-correlation (the filter is not flipped), as in the book and in deep-learning
    libraries. Shapes: ``x`` is ``(N, C, H, W)`` (NCHW), ``W`` is ``(FN, C, FH, FW)``
    (OIHW), ``b`` is ``(FN,)``, ``out`` is ``(N, FN, OH, OW)`` with
    ``OH = (H + 2*pad - FH) // stride + 1`` (likewise ``OW``); ``xp`` is ``x`` zero-padded by
    ``pad`` cells on each side of H and W. Any ``stride >= 1`` and ``pad >= 0``: windows may
    overlap (``stride < FH``), tile, or skip cells (``stride > FH``).

    As matrices (``col = im2col(x)``, rows are windows): ``out2 = col @ W2.T + b`` with
    ``W2 = W.reshape(FN, C*FH*FW)``.

    Backward: ``dW = (dout2.T @ col).reshape(W.shape)``, ``db = dout.sum(axis=(0, 2, 3))``,
    ``dx = col2im(dout2 @ W2)``, where ``dout2`` is ``dout`` as ``(N*OH*OW, FN)``; ``col2im``
    adds overlapping windows up. ``dW``, ``db`` (also ``grads["W"]``, ``grads["b"]``) are
    written in place into buffers of ``W``'s and ``b``'s dtype. ``W`` and ``b`` are kept by
    reference, never written.

    Speed: the windows are gathered as ``(C*FH*FW, N*OH*OW)`` (the transpose of the book's
    ``col``) into buffers the layer keeps between calls, so each product is one BLAS call on
    contiguous data and a repeated batch shape allocates nothing large.
    """

    param_names = ("W", "b")

    def __init__(self, W, b, stride=1, pad=0):
        W, b = as_float_array("W", W), as_float_array("b", b)
        if W.ndim != 4:
            raise ValueError(
                f"W must have shape (FN, C, FH, FW) (filters, channels, height, width), got {shape_str(W.shape)}"
            )
        check_shape("b", b, (W.shape[0],), f"one bias per filter of W {shape_str(W.shape)}")
        self.W, self.b = W, b
        self.stride, self.pad = _int("stride", stride, 1), _int("pad", pad, 0)
        self.x_shape = None  # (N, C, H, W) of x: dx has it
        self.x_dtype = None  # dtype of x: dx is returned in it
        self.col = None  # the windows of x, (C*FH*FW, N*OH*OW): dW = dout2.T @ col.T; reused buffer
        self.dW = None  # dL/dW, shape W.shape, allocated on the first backward, then reused
        self.db = None  # dL/db, shape (FN,)
        self._xp = None  # reused buffer: x zero-padded (its border stays zero)
        self._dcol = None  # reused buffer: the gradient of col, (C*FH*FW, N*OH*OW)
        self._dxp = None  # reused buffer: the gradient of the padded x, channels first (C, N, Hp, Wp)

    def _out_hw(self) -> tuple:
        _, _, filter_h, filter_w = self.W.shape
        return _geometry(self.x_shape, filter_h, filter_w, self.stride, self.pad)

    def forward(self, x):
        x = as_float_array("x", x)
        filters, channels, filter_h, filter_w = self.W.shape
        if x.ndim != 4 or x.shape[1] != channels:
            raise ValueError(
                f"x must have shape (N, {channels}, H, W) ({channels} input channels: W has shape "
                f"{shape_str(self.W.shape)}), got {shape_str(x.shape)}"
            )
        out_h, out_w = _geometry(x.shape, filter_h, filter_w, self.stride, self.pad)
        self.x_shape, self.x_dtype = x.shape, x.dtype
        dtype = np.result_type(x, self.W, self.b)
        n = x.shape[0]
        col_shape = (channels, filter_h, filter_w, n, out_h, out_w)
        if self.col is None or self.col.shape != col_shape or self.col.dtype != dtype:
            self.col = np.empty(col_shape, dtype=dtype)
        self._xp = _pad(x.astype(dtype, copy=False), self.pad, 0.0, self._xp)
        _gather(self._xp, self.col, self.stride)
        product = self.W.reshape(filters, -1).astype(dtype, copy=False) @ self.col.reshape(-1, n * out_h * out_w)
        out = np.empty((n, filters, out_h, out_w), dtype=dtype)
        np.add(product.reshape(filters, n, out_h, out_w).transpose(1, 0, 2, 3), self.b[:, None, None], out=out)
        if self.pad == 0:
            self._xp = None  # it was x itself: do not keep the caller's array
        return out

    def backward(self, dout):
        require_forward(self, self.x_shape)
        filters = self.W.shape[0]
        n, _, height, width = self.x_shape
        out_h, out_w = self._out_hw()
        dout = check_dout(dout, (n, filters, out_h, out_w)).astype(self.col.dtype, copy=False)
        dout2t = dout.transpose(1, 0, 2, 3).reshape(filters, n * out_h * out_w)  # dout2.T, (FN, N*OH*OW)
        col2t = self.col.reshape(-1, n * out_h * out_w)
        if self.dW is None:
            self.dW, self.db = np.empty_like(self.W), np.empty_like(self.b)
        self.dW[...] = (dout2t @ col2t.T).reshape(self.W.shape)
        self.db[...] = dout.sum(axis=(0, 2, 3))
        if self._dcol is None or self._dcol.shape != self.col.shape or self._dcol.dtype != self.col.dtype:
            self._dcol = np.empty_like(self.col)
        np.matmul(
            self.W.reshape(filters, -1).T.astype(self.col.dtype, copy=False),
            dout2t,
            out=self._dcol.reshape(col2t.shape),
        )
        padded = (self.x_shape[1], n, height + 2 * self.pad, width + 2 * self.pad)
        if self._dxp is None or self._dxp.shape != padded or self._dxp.dtype != self.col.dtype:
            self._dxp = np.empty(padded, dtype=self.col.dtype)
        _scatter_add(self._dcol, self._dxp, self.stride)
        return _unpad(self._dxp, self.pad, height, width, self.x_dtype)
