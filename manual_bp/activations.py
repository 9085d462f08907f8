"""Elementwise activation layers: ``ReLU`` (alias ``Relu``) and ``Sigmoid``."""

from __future__ import annotations

import numpy as np

from manual_bp._checks import as_float_array, check_dout, require_forward
from manual_bp.functions import sigmoid

__all__ = ["ReLU", "Relu", "Sigmoid"]


class ReLU:
    """``out = max(x, 0)`` elementwise, any shape.

    Backward: ``dx = dout * (x > 0)``. Convention at the kink: the gradient at exactly
    ``x == 0`` is 0 (as in the book and ``jax.nn.relu``; ``jnp.maximum(x, 0)`` would give 0.5).
    """

    def __init__(self):
        self.mask = None  # x > 0 from forward: where the gradient passes through
        self.x_dtype = None  # dtype of x: dx is returned in it

    def forward(self, x):
        x = as_float_array("x", x)
        self.mask, self.x_dtype = x > 0, x.dtype
        return np.where(self.mask, x, 0).astype(x.dtype, copy=False)

    def backward(self, dout):
        require_forward(self, self.mask)
        dout = check_dout(dout, self.mask.shape)
        # np.where builds a new array: the book's `dout[mask] = 0` wrote into the caller's dout.
        return np.where(self.mask, dout, 0).astype(self.x_dtype, copy=False)


Relu = ReLU  # the book's spelling


class Sigmoid:
    """``out = 1 / (1 + exp(-x))`` elementwise, any shape; stable for any finite ``x``.

    Backward: ``dx = dout * out * (1 - out)``.
    """

    def __init__(self):
        self.out = None  # forward output: the derivative is out * (1 - out)

    def forward(self, x):
        self.out = sigmoid(x)
        return self.out.copy()  # the caller may edit what it gets; backward reads self.out

    def backward(self, dout):
        require_forward(self, self.out)
        dout = check_dout(dout, self.out.shape)
        return (dout * self.out * (1 - self.out)).astype(self.out.dtype, copy=False)
