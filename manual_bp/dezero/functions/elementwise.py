"""Smooth elementwise Functions: sin, cos, tanh, exp, log.

Each backward is one line of Functions, so every order of derivative is available:
``sin' = cos``, ``cos' = -sin``, ``tanh' = 1 - y**2``, ``exp' = y``, ``log' = 1/x``, where
``y`` is the output Variable itself (not a cached array), so differentiating the backward
also differentiates ``y``.
"""

from __future__ import annotations

import numpy as np

from manual_bp.dezero.core import Function

__all__ = ["Cos", "Exp", "Log", "Sin", "Tanh", "cos", "exp", "log", "sin", "tanh"]


class Sin(Function):
    """``y = sin(x)``. Backward: ``gx = gy * cos(x)``."""

    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * cos(x)


class Cos(Function):
    """``y = cos(x)``. Backward: ``gx = gy * -sin(x)``."""

    def forward(self, x):
        return np.cos(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * -sin(x)


class Tanh(Function):
    """``y = tanh(x)``. Backward: ``gx = gy * (1 - y * y)`` with ``y`` the output Variable."""

    def forward(self, x):
        return np.tanh(x)

    def backward(self, gy):
        y = self.outputs[0]()
        return gy * (1 - y * y)


class Exp(Function):
    """``y = exp(x)``. Backward: ``gx = gy * y`` with ``y`` the output Variable."""

    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        y = self.outputs[0]()
        return gy * y


class Log(Function):
    """``y = log(x)`` for ``x > 0``. Backward: ``gx = gy / x``."""

    def forward(self, x):
        return np.log(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy / x


def sin(x):
    return Sin()(x)


def cos(x):
    return Cos()(x)


def tanh(x):
    return Tanh()(x)


def exp(x):
    return Exp()(x)


def log(x):
    return Log()(x)
