"""The book's computational-graph nodes: ``AddLayer`` and ``MulLayer``.

Both accept Python scalars (the book's apple example) and any two NumPy-broadcastable
arrays; each returned gradient has the shape of its own input (broadcast axes summed).
"""

from __future__ import annotations

import numpy as np

from manual_bp._checks import as_float_array, check_dout, require_forward, shape_str

__all__ = ["AddLayer", "MulLayer", "unbroadcast"]


def unbroadcast(grad: np.ndarray, shape: tuple, dtype) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, to get ``shape``.

    The adjoint of ``np.broadcast_to(a, grad.shape)``: leading axes are summed away and
    axes of length 1 in ``shape`` are summed with ``keepdims``. Always returns a new array
    of ``dtype`` (never an alias of ``grad``).
    """
    extra = grad.ndim - len(shape)
    summed = grad.sum(axis=tuple(range(extra))) if extra else grad
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and summed.shape[axis] != 1)
    if stretched:
        summed = summed.sum(axis=stretched, keepdims=True)
    return np.array(summed, dtype=dtype, copy=True).reshape(shape)


def _broadcast_shape(x: np.ndarray, y: np.ndarray) -> tuple:
    try:
        return np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ValueError(
            f"x and y must be broadcastable to one shape, got x {shape_str(x.shape)} and y {shape_str(y.shape)}"
        ) from None


class AddLayer:
    """``out = x + y`` with NumPy broadcasting.

    Backward: ``dx = unbroadcast(dout, x.shape)``, ``dy = unbroadcast(dout, y.shape)``.
    """

    def __init__(self):
        self.x_meta = None  # (shape, dtype) of x: the shape dx is summed back to
        self.y_meta = None  # (shape, dtype) of y
        self.out_shape = None  # broadcast shape: what dout must look like

    def forward(self, x, y):
        x, y = as_float_array("x", x), as_float_array("y", y)
        self.out_shape = _broadcast_shape(x, y)
        self.x_meta, self.y_meta = (x.shape, x.dtype), (y.shape, y.dtype)
        return x + y

    def backward(self, dout):
        require_forward(self, self.out_shape)
        dout = check_dout(dout, self.out_shape)
        return unbroadcast(dout, *self.x_meta), unbroadcast(dout, *self.y_meta)


class MulLayer:
    """``out = x * y`` with NumPy broadcasting.

    Backward: ``dx = unbroadcast(dout * y, x.shape)``, ``dy = unbroadcast(dout * x, y.shape)``.
    """

    def __init__(self):
        self.x = None  # forward's x: dy needs it
        self.y = None  # forward's y: dx needs it
        self.out_shape = None  # broadcast shape: what dout must look like

    def forward(self, x, y):
        x, y = as_float_array("x", x), as_float_array("y", y)
        self.out_shape = _broadcast_shape(x, y)
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        require_forward(self, self.out_shape)
        dout = check_dout(dout, self.out_shape)
        dx = unbroadcast(dout * self.y, self.x.shape, self.x.dtype)
        dy = unbroadcast(dout * self.x, self.y.shape, self.y.dtype)
        return dx, dy
