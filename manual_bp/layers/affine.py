"""The fully connected layers: ``Affine(W, b)`` and, from the sequel, ``MatMul(W)`` (no bias)."""

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

__all__ = ["Affine", "MatMul", "affine_params"]


def affine_params(W, b) -> tuple[np.ndarray, np.ndarray]:
    """``(W, b)`` as float arrays, checked: ``W`` a matrix ``(D, M)``, ``b`` of shape ``(M,)``."""
    W, b = as_float_array("W", W), as_float_array("b", b)
    if W.ndim != 2:
        raise ValueError(f"W must be a matrix of shape (D, M), got {shape_str(W.shape)}")
    check_shape("b", b, (W.shape[1],), f"one bias per output column of W {shape_str(W.shape)}")
    return W, b


class Affine(HasParams):
    """``out = x2 @ W + b`` where ``x2 = x.reshape(N, D)``.

    Shapes: ``x`` is ``(N, D)`` or ``(N, d1, d2, ...)`` with ``d1 * d2 * ... == D`` (all but
    the first axis are flattened, as the book does for images); ``W`` is ``(D, M)``; ``b`` is
    ``(M,)``; ``out`` is ``(N, M)``.

    Backward: ``dx = (dout @ W.T).reshape(x.shape)``, ``dW = x2.T @ dout``,
    ``db = dout.sum(axis=0)``. ``dW`` and ``db`` (also ``grads["W"]``, ``grads["b"]``) are
    written in place into buffers of ``W``'s and ``b``'s dtype, so an optimizer holding them
    stays valid. ``W`` and ``b`` are kept by reference, never written.
    ``backward(dout, input_grad=False)`` skips ``dx`` (returns ``None``): for a first layer,
    whose input is data, that saves a third of the layer's work.
    """

    param_names = ("W", "b")

    def __init__(self, W, b):
        self.W, self.b = affine_params(W, b)
        self.x2 = None  # x flattened to (N, D): dW needs it
        self.x_shape = None  # x's original shape: dx is returned in it
        self.x_dtype = None  # x's dtype: dx is returned in it
        self.dW = None  # dL/dW, shape (D, M), allocated on the first backward, then reused
        self.db = None  # dL/db, shape (M,)

    def forward(self, x):
        x = as_float_array("x", x)
        features = self.W.shape[0]
        if x.ndim < 2 or int(np.prod(x.shape[1:])) != features:
            raise ValueError(
                f"x must have shape (N, {features}) or (N, ...) with {features} features per sample "
                f"(W has shape {shape_str(self.W.shape)}), got {shape_str(x.shape)}"
                + ("; for one sample use x[None]" if x.ndim == 1 and x.size == features else "")
            )
        self.x_shape, self.x_dtype = x.shape, x.dtype
        self.x2 = x.reshape(x.shape[0], features)
        out = self.x2 @ self.W
        if np.result_type(out, self.b) != out.dtype:
            return out + self.b
        out += self.b  # in place on the fresh product: no second (N, M) temporary
        return out

    def backward(self, dout, *, input_grad: bool = True):
        require_forward(self, self.x2)
        dout = check_dout(dout, (self.x2.shape[0], self.W.shape[1]))
        if self.dW is None:
            self.dW, self.db = np.empty_like(self.W), np.empty_like(self.b)
        if dout.dtype == self.dW.dtype == self.x2.dtype:
            np.matmul(self.x2.T, dout, out=self.dW)
            np.sum(dout, axis=0, out=self.db)
        else:  # mixed dtypes: compute in the promoted dtype, store in the parameter's
            self.dW[...] = self.x2.T @ dout
            self.db[...] = dout.sum(axis=0)
        if not input_grad:
            return None
        return (dout @ self.W.T).reshape(self.x_shape).astype(self.x_dtype, copy=False)


class MatMul(HasParams):
    """``out = x @ W`` (the sequel's bias-free product).

    Shapes: ``x`` is ``(..., D)`` (any leading axes, e.g. ``(N, D)``, or one-hot contexts of
    ``(N, V)``); ``W`` is ``(D, M)``; ``out`` is ``(..., M)``. Integer ``x`` (one-hot rows)
    computes in ``W``'s dtype.

    Backward: ``dx = dout @ W.T`` (in ``x``'s float dtype), ``dW = x2.T @ dout2`` with the leading
    axes flattened; ``dW`` (also ``grads["W"]``) is one buffer of ``W``'s dtype, reused.
    """

    param_names = ("W",)

    def __init__(self, W):
        W = as_float_array("W", W)
        if W.ndim != 2:
            raise ValueError(f"W must be a matrix of shape (D, M), got {shape_str(W.shape)}")
        self.W = W
        self.x2 = None  # x as (rows, D) in the working dtype: dW needs it
        self.x_shape = None  # x's shape: dx is returned in it
        self.x_dtype = None  # dx's dtype (x's float dtype, W's for integer x)
        self.dW = None  # dL/dW, shape (D, M), allocated on the first backward, then reused

    def forward(self, x):
        x = np.asarray(x)
        if x.dtype.kind in "iub":
            x = x.astype(self.W.dtype)
        x = as_float_array("x", x)
        if x.ndim < 1 or x.shape[-1] != self.W.shape[0]:
            raise ValueError(
                f"x must have shape (..., {self.W.shape[0]}) (W has shape {shape_str(self.W.shape)}), "
                f"got {shape_str(x.shape)}"
            )
        self.x_shape, self.x_dtype = x.shape, x.dtype
        self.x2 = x.reshape(-1, self.W.shape[0])
        return (self.x2 @ self.W).reshape(*x.shape[:-1], self.W.shape[1])

    def backward(self, dout):
        require_forward(self, self.x2)
        dout = check_dout(dout, (*self.x_shape[:-1], self.W.shape[1]))
        dout2 = dout.reshape(-1, self.W.shape[1])
        if self.dW is None:
            self.dW = np.empty_like(self.W)
        self.dW[...] = self.x2.T @ dout2
        return (dout2 @ self.W.T).reshape(self.x_shape).astype(self.x_dtype, copy=False)
