"""Reductions along axes: sum, average/mean, max, min.

``axis`` is None (all axes), an int or a tuple of ints; ``keepdims`` keeps the reduced axes
with size 1. Each backward first puts the reduced axes back (a reshape of ``gy``) and then
broadcasts to the input's shape.
"""

from __future__ import annotations

import numpy as np

from manual_bp.dezero.core import Function, Variable, as_variable
from manual_bp.dezero.functions.shapes import broadcast_to, reshape

__all__ = ["Max", "Min", "Sum", "average", "max", "mean", "min", "sum"]


def _axes(axis, ndim: int) -> tuple:
    """``axis`` as a sorted tuple of non-negative axes (None: every axis)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(sorted(ax % ndim for ax in axis))


def keepdims_shape(x_shape: tuple, axis) -> tuple:
    """The shape of a reduction of ``x_shape`` over ``axis`` with ``keepdims=True``."""
    reduced = _axes(axis, len(x_shape))
    return tuple(1 if i in reduced else size for i, size in enumerate(x_shape))


def _restore_axes(gy: Variable, x_shape: tuple, axis, keepdims: bool) -> Variable:
    """``gy`` reshaped so that it broadcasts against ``x_shape`` (the reduced axes back as size 1)."""
    if keepdims or len(x_shape) == 0:
        return gy
    return reshape(gy, keepdims_shape(x_shape, axis))


class Sum(Function):
    """``y = x.sum(axis, keepdims)``. Backward: ``gx = broadcast_to(gy with the axes restored, x.shape)``."""

    def __init__(self, axis=None, keepdims: bool = False):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        self.x_shape = x.shape  # backward broadcasts back to it
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        return broadcast_to(_restore_axes(gy, self.x_shape, self.axis, self.keepdims), self.x_shape)


def sum(x, axis=None, keepdims: bool = False):
    return Sum(axis, keepdims)(x)


def average(x, axis=None, keepdims: bool = False):
    """The mean over ``axis``: ``sum(x, axis, keepdims) * (y.size / x.size)``."""
    x = as_variable(x)
    y = sum(x, axis, keepdims)
    return y * (y.data.size / x.data.size)


mean = average


class Max(Function):
    """``y = x.max(axis, keepdims)``.

    Backward: ``gx = gy * mask``, with ``mask = (x == y) / (number of tied maxima)``: when
    ``k`` entries tie for the maximum each gets ``1/k`` of the gradient (JAX's ``jnp.max``
    convention; the book gives the whole gradient to each of them, so its gradients sum to
    ``k * gy``). The mask is data (piecewise constant in ``x``; its derivative is 0 almost
    everywhere), so the second derivative with respect to ``x`` is 0 and with respect to
    ``gy`` it is the mask.
    """

    reduce = staticmethod(np.max)

    def __init__(self, axis=None, keepdims: bool = False):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        return self.reduce(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        (x,) = self.inputs
        extreme = self.reduce(x.data, axis=self.axis, keepdims=True)
        hits = x.data == extreme
        mask = hits / hits.sum(axis=self.axis, keepdims=True)
        gy = broadcast_to(_restore_axes(gy, x.shape, self.axis, self.keepdims), x.shape)
        return gy * mask.astype(x.dtype)


class Min(Max):
    """``y = x.min(axis, keepdims)``; ties share the gradient equally, as in ``Max``."""

    reduce = staticmethod(np.min)


def max(x, axis=None, keepdims: bool = False):
    return Max(axis, keepdims)(x)


def min(x, axis=None, keepdims: bool = False):
    return Min(axis, keepdims)(x)
