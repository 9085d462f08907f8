"""Activations: sigmoid, relu, leaky_relu, clip, softmax, log_softmax.

The smooth ones (sigmoid, softmax, log_softmax) differentiate through their output
Variable, so every order is exact. The piecewise-linear ones (relu, leaky_relu, clip) take
their mask from ``x.data``: the mask is piecewise constant, its derivative is 0 away from
the kinks, so it may be data; their second derivative with respect to ``x`` is 0 and with
respect to ``gy`` it is the mask.
"""

from __future__ import annotations

import numpy as np

import manual_bp.functions as stable
from manual_bp.dezero.core import Function
from manual_bp.dezero.functions.elementwise import exp

__all__ = [
    "Clip",
    "LeakyReLU",
    "LogSoftmax",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "clip",
    "leaky_relu",
    "log_softmax",
    "relu",
    "sigmoid",
    "softmax",
]


class Sigmoid(Function):
    """``y = 1 / (1 + exp(-x))``, without overflow for any finite ``x`` (the book's form
    overflows below about -709 and warns). Backward: ``gx = gy * y * sigmoid(-x)``.

    ``sigmoid(-x) = 1 - y`` computed directly keeps its relative accuracy where ``y`` rounds
    to 1 (the book's ``y * (1 - y)`` is 0 there for ``x`` above about 37 in float64).
    """

    def forward(self, x):
        return stable.sigmoid(x)

    def backward(self, gy):
        (x,) = self.inputs
        y = self.outputs[0]()
        return gy * y * sigmoid(-x)


def sigmoid(x):
    return Sigmoid()(x)


class ReLU(Function):
    """``y = max(x, 0)``. Backward: ``gx = gy * (x > 0)``: the gradient at 0 is 0 (JAX's ``relu``);
    the mask is data."""

    def forward(self, x):
        return np.where(x > 0, x, np.zeros((), dtype=x.dtype))

    def backward(self, gy):
        (x,) = self.inputs
        return gy * (x.data > 0).astype(x.dtype)


def relu(x):
    return ReLU()(x)


class LeakyReLU(Function):
    """``y = x`` for ``x > 0``, ``slope * x`` otherwise. Backward: ``gx = gy * mask`` with
    ``mask = 1`` where ``x > 0`` and ``slope`` elsewhere (the slope at 0, as in the book); data."""

    def __init__(self, slope: float = 0.2):
        self.slope = slope

    def forward(self, x):
        return np.where(x > 0, x, x * x.dtype.type(self.slope))

    def backward(self, gy):
        (x,) = self.inputs
        mask = np.where(x.data > 0, 1.0, self.slope).astype(x.dtype)
        return gy * mask


def leaky_relu(x, slope: float = 0.2):
    return LeakyReLU(slope)(x)


class Clip(Function):
    """``y = min(max(x, x_min), x_max)``. Backward: ``gx = gy * (x_min <= x <= x_max)``: both
    bounds count as inside (the book's convention); the mask is data."""

    def __init__(self, x_min: float, x_max: float):
        if not x_min <= x_max:
            raise ValueError(f"clip needs x_min <= x_max, got x_min={x_min}, x_max={x_max}")
        self.x_min = x_min
        self.x_max = x_max

    def forward(self, x):
        return np.clip(x, x.dtype.type(self.x_min), x.dtype.type(self.x_max))

    def backward(self, gy):
        (x,) = self.inputs
        inside = (x.data >= self.x_min) & (x.data <= self.x_max)
        return gy * inside.astype(x.dtype)


def clip(x, x_min: float, x_max: float):
    return Clip(x_min, x_max)(x)


class Softmax(Function):
    """``y = exp(x) / sum(exp(x), axis)``, max-shifted (never overflows).

    Backward: ``gx = y * gy - y * sum(y * gy, axis)`` with ``y`` the output Variable.
    """

    def __init__(self, axis: int = 1):
        self.axis = axis

    def forward(self, x):
        return stable.softmax(x, axis=self.axis)

    def backward(self, gy):
        y = self.outputs[0]()
        gx = y * gy
        return gx - y * gx.sum(axis=self.axis, keepdims=True)


def softmax(x, axis: int = 1):
    return Softmax(axis)(x)


class LogSoftmax(Function):
    """``y = x - logsumexp(x, axis)``, max-shifted (finite wherever the result is representable).

    Backward: ``gx = gy - exp(y) * sum(gy, axis)`` with ``y`` the output Variable.
    """

    def __init__(self, axis: int = 1):
        self.axis = axis

    def forward(self, x):
        return stable.log_softmax(x, axis=self.axis)

    def backward(self, gy):
        y = self.outputs[0]()
        return gy - exp(y) * gy.sum(axis=self.axis, keepdims=True)


def log_softmax(x, axis: int = 1):
    return LogSoftmax(axis)(x)
