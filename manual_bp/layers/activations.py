"""Activation layers, elementwise and along an axis: ``ReLU`` (alias ``Relu``), ``Sigmoid``,
``Tanh``, ``LeakyReLU`` and a stand-alone ``Softmax``."""

from __future__ import annotations

import numbers

import numpy as np

from manual_bp._checks import as_float_array, check_dout, require_finite, require_forward, shape_str
from manual_bp.functions import sigmoid_pair, softmax

__all__ = ["LeakyReLU", "ReLU", "Relu", "Sigmoid", "Softmax", "Tanh"]


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

    Backward: ``dx = dout * out * (1 - out)``, with ``1 - out = sigmoid(-x)`` computed
    directly (``functions.sigmoid_pair``): from a rounded ``out`` near 1, ``1 - out`` would
    keep only ``eps / 2`` absolute accuracy where the derivative itself is about that small.
    """

    def __init__(self):
        self.out = None  # forward output: the derivative is out * (1 - out)
        self.out_c = None  # 1 - out, as sigmoid(-x): accurate where out rounds to nearly 1

    def forward(self, x):
        self.out, self.out_c = sigmoid_pair(x)
        return self.out.copy()  # the caller may edit what it gets; backward reads self.out

    def backward(self, dout):
        require_forward(self, self.out)
        dout = check_dout(dout, self.out.shape)
        return (dout * self.out * self.out_c).astype(self.out.dtype, copy=False)


class Tanh:
    """``out = tanh(x)`` elementwise, any shape; finite for any finite ``x`` (``np.tanh`` saturates at +-1).

    Backward: ``dx = dout * (1 - out**2)``.
    """

    def __init__(self):
        self.out = None  # forward output: the derivative is 1 - out**2

    def forward(self, x):
        self.out = np.tanh(as_float_array("x", x))
        return self.out.copy()  # the caller may edit what it gets; backward reads self.out

    def backward(self, dout):
        require_forward(self, self.out)
        dout = check_dout(dout, self.out.shape)
        return (dout * (1 - self.out * self.out)).astype(self.out.dtype, copy=False)


class LeakyReLU:
    """``out = x`` where ``x > 0``, else ``alpha * x``; elementwise, any shape.

    Backward: ``dx = dout`` where ``x > 0``, else ``alpha * dout``. Convention at the kink: the
    gradient at exactly ``x == 0`` is ``alpha`` (the left slope; the same ``x > 0`` test as
    ``ReLU``, whose gradient at 0 is 0 = its left slope).

    - ``alpha`` (default ``0.01``): the slope for ``x <= 0``; any real number.
    """

    def __init__(self, alpha=0.01):
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
            raise TypeError(f"alpha must be a real number, got {type(alpha).__name__}")
        if not np.isfinite(alpha):
            raise ValueError(f"alpha must be finite, got {alpha}")
        self.alpha = float(alpha)
        self.mask = None  # x > 0 from forward: where the slope is 1 instead of alpha
        self.x_dtype = None  # dtype of x: dx is returned in it

    def forward(self, x):
        x = as_float_array("x", x)
        self.mask, self.x_dtype = x > 0, x.dtype
        return np.where(self.mask, x, self.alpha * x).astype(x.dtype, copy=False)

    def backward(self, dout):
        require_forward(self, self.mask)
        dout = check_dout(dout, self.mask.shape)
        return np.where(self.mask, dout, self.alpha * dout).astype(self.x_dtype, copy=False)


class Softmax:
    """``out = exp(x) / sum(exp(x), axis)``, max-shifted (never overflows); any shape, any axis.

    Backward: ``dx = out * (dout - sum(dout * out, axis))`` (the sum kept as a broadcast axis):
    the softmax Jacobian ``diag(y) - y y^T`` applied to ``dout`` without forming it.

    - ``axis`` (default ``-1``): the axis along which the entries sum to 1.

    ``x`` must be finite: ``inf`` or ``NaN`` is a ``NonFiniteInputError`` (a ``ValueError``) naming it.
    """

    def __init__(self, axis=-1):
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"axis must be an int, got {type(axis).__name__}")
        self.axis = int(axis)
        self.out = None  # forward output: the Jacobian is built from it

    def forward(self, x):
        x = require_finite("x", as_float_array("x", x))  # inf or NaN give only NaN: refused, naming x
        if not -x.ndim <= self.axis < x.ndim:
            raise ValueError(f"axis {self.axis} is out of range for x of shape {shape_str(x.shape)}")
        self.out = softmax(x, axis=self.axis)
        return self.out.copy()

    def backward(self, dout):
        require_forward(self, self.out)
        dout = check_dout(dout, self.out.shape)
        y = self.out
        return (y * (dout - (dout * y).sum(axis=self.axis, keepdims=True))).astype(y.dtype, copy=False)
