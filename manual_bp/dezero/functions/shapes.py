"""Functions that move entries without arithmetic: reshape, transpose, indexing, broadcasting.

Each backward is the adjoint move, written with these same Functions (so it is
differentiable to any order): reshape <-> reshape back, transpose <-> inverse transpose,
``get_item`` <-> ``GetItemGrad`` (scatter-add), ``broadcast_to`` <-> ``sum_to``.
"""

from __future__ import annotations

import numpy as np

from manual_bp._checks import shape_str
from manual_bp.dezero.core import Function, Variable, as_variable

__all__ = [
    "BroadcastTo",
    "GetItem",
    "GetItemGrad",
    "Reshape",
    "SumTo",
    "Transpose",
    "broadcast_to",
    "expand_dims",
    "flatten",
    "get_item",
    "reshape",
    "sum_to",
    "sum_to_array",
    "transpose",
]


def sum_to_array(x: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``x`` down to ``shape``: the adjoint of broadcasting ``shape`` to ``x.shape``.

    Broadcasting prepends ``x.ndim - len(shape)`` leading axes and stretches axes of size 1;
    both kinds are summed (the stretched ones with keepdims, so the result has ``shape``).
    """
    shape = tuple(shape)
    lead = x.ndim - len(shape)
    if lead < 0:
        raise ValueError(f"cannot sum an array of shape {shape_str(x.shape)} to the larger rank {shape_str(shape)}")
    lead_axes = tuple(range(lead))
    stretched = tuple(i + lead for i, size in enumerate(shape) if size == 1)
    y = x.sum(lead_axes + stretched, keepdims=True)
    if lead > 0:
        y = y.reshape(y.shape[lead:])
    return y


class Reshape(Function):
    """``y = x.reshape(shape)``. Backward: ``gx = reshape(gy, x.shape)``."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        self.x_shape = x.shape  # backward reshapes back to it
        return x.reshape(self.shape)

    def backward(self, gy):
        return reshape(gy, self.x_shape)


def reshape(x, shape):
    """``x`` with shape ``shape`` (one entry may be -1). Returns ``x`` itself when unchanged."""
    if tuple(shape) == as_variable(x).shape:
        return as_variable(x)
    return Reshape(shape)(x)


class Transpose(Function):
    """``y = x.transpose(axes)`` (``axes=None`` reverses). Backward: transpose by the inverse axes."""

    def __init__(self, axes=None):
        self.axes = None if axes is None else tuple(axes)

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, gy):
        if self.axes is None:
            return transpose(gy)
        inverse = tuple(np.argsort([ax % len(self.axes) for ax in self.axes]))
        return transpose(gy, inverse)


def transpose(x, axes=None):
    return Transpose(axes)(x)


class GetItem(Function):
    """``y = x[slices]`` (basic or integer-array indexing). Backward: ``GetItemGrad`` scatter-adds ``gy``."""

    def __init__(self, slices):
        self.slices = slices

    def forward(self, x):
        return x[self.slices]

    def backward(self, gy):
        (x,) = self.inputs
        return GetItemGrad(self.slices, x.shape)(gy)


class GetItemGrad(Function):
    """``gx = zeros(in_shape); gx[slices] += gy`` (repeated indices add up).

    Backward: ``ggy = ggx[slices]``, a ``get_item`` of the incoming gradient, since this map
    is linear in ``gy`` and ``get_item``'s adjoint.
    """

    def __init__(self, slices, in_shape):
        self.slices = slices
        self.in_shape = tuple(in_shape)

    def forward(self, gy):
        gx = np.zeros(self.in_shape, dtype=gy.dtype)
        np.add.at(gx, self.slices, gy)
        return gx

    def backward(self, ggx):
        return get_item(ggx, self.slices)


def get_item(x, slices):
    return GetItem(slices)(x)


def expand_dims(x, axis: int):
    """``x`` with a new axis of size 1 at ``axis`` (a reshape)."""
    x = as_variable(x)
    shape = list(x.shape)
    shape.insert(axis if axis >= 0 else len(shape) + 1 + axis, 1)
    return reshape(x, tuple(shape))


def flatten(x):
    """``(N, ...)`` to ``(N, prod(...))`` (a reshape)."""
    x = as_variable(x)
    return reshape(x, (x.shape[0], -1))


class BroadcastTo(Function):
    """``y = np.broadcast_to(x, shape)`` (a copy). Backward: ``gx = sum_to(gy, x.shape)``."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        self.x_shape = x.shape  # backward sums back to it
        return np.array(np.broadcast_to(x, self.shape))  # a copy: the result is writable and owns its data

    def backward(self, gy):
        return sum_to(gy, self.x_shape)


def broadcast_to(x, shape):
    """``x`` broadcast to ``shape``; ``x`` itself when it already has that shape."""
    if as_variable(x).shape == tuple(shape):
        return as_variable(x)
    return BroadcastTo(shape)(x)


class SumTo(Function):
    """``y = sum_to_array(x, shape)``. Backward: ``gx = broadcast_to(gy, x.shape)``."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        self.x_shape = x.shape  # backward broadcasts back to it
        return sum_to_array(x, self.shape)

    def backward(self, gy):
        return broadcast_to(gy, self.x_shape)


def sum_to(x, shape) -> Variable:
    """``x`` summed to ``shape`` (the adjoint of ``broadcast_to``); ``x`` itself when already that shape."""
    if as_variable(x).shape == tuple(shape):
        return as_variable(x)
    return SumTo(shape)(x)
