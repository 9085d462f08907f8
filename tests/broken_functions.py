"""Deliberately broken DeZero Functions: each has one bug the second-order verifier must catch.

``BROKEN`` maps a short bug name to (the catalog row with the broken Function, the quantity the
verifier's report must name); ``CATALOG`` is the rows, for
``manual-bp verify --catalog tests/broken_functions.py:CATALOG``. The first three are right to
the first order: only the second-order check sees them.
"""

import dataclasses

import numpy as np

from manual_bp.dezero import Function, Variable
from manual_bp.dezero.functions.shapes import get_item, sum_to_array
from oracle.catalog import FUNCTIONS, find_entry


class CachedTanh(Function):
    """Backward reuses the array ``tanh(x)`` cached in forward: ``gy * (1 - y**2)`` with ``y`` a
    constant, so the dependence of ``y`` on ``x`` is lost when the backward is differentiated
    (the book's BatchNorm bug, on tanh)."""

    def forward(self, x):
        self.y = np.tanh(x)  # the planted cache
        return self.y

    def backward(self, gy):
        y = Variable(self.y)
        return gy * (1 - y * y)


class OwnOutputGetItemGrad(Function):
    """``GetItemGrad`` whose own backward indexes its output where the incoming gradient belongs
    (the book's conv2d weight-gradient bug, on indexing)."""

    def __init__(self, slices, in_shape):
        self.slices, self.in_shape = slices, in_shape

    def forward(self, gy):
        gx = np.zeros(self.in_shape, dtype=gy.dtype)
        np.add.at(gx, self.slices, gy)
        return gx

    def backward(self, ggx):
        return get_item(self.outputs[0](), self.slices)  # the planted argument: should be ggx


class GetItemWithBrokenGrad(Function):
    def __init__(self, slices):
        self.slices = slices

    def forward(self, x):
        return x[self.slices]

    def backward(self, gy):
        return OwnOutputGetItemGrad(self.slices, self.inputs[0].shape)(gy)


class DataSin(Function):
    """Backward computes with the plain array ``cos(x.data)``: right to the first order, and its
    second derivative is silently zero (no graph from ``x`` into the gradient)."""

    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * np.cos(x.data)  # the planted .data


class LeadingFromTheEndSumTo(Function):
    """``sum_to`` that sums the axes broadcasting added at the *end* instead of the front: right
    whenever no leading axis was added."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        lead = x.ndim - len(self.shape)
        if lead > 0:
            x = x.sum(axis=tuple(range(x.ndim - lead, x.ndim)))  # the planted axes
        return sum_to_array(x, self.shape) if x.ndim == len(self.shape) else x

    def backward(self, gy):
        raise NotImplementedError("never reached: the forward is already wrong")


def _broken(name: str, function, label: str):
    entry = find_entry(name, FUNCTIONS)
    return dataclasses.replace(entry, name=f"{name}[{label}]", layer=function)


def _get_item(x, *, index):
    from oracle.dezero.shapes import INDEXES

    return GetItemWithBrokenGrad(INDEXES[index])(x)


BROKEN = {
    "tanh's backward reuses the output cached in forward": (
        _broken("F.tanh", lambda x: CachedTanh()(x), "CachedTanh"),
        "d/dx <g, w>",
    ),
    "GetItemGrad's backward passes its own output": (
        _broken("F.get_item", _get_item, "OwnOutputGetItemGrad"),
        "d/dgy <g, w>",
    ),
    "sin's backward computes with x.data": (_broken("F.sin", lambda x: DataSin()(x), "DataSin"), "d/dx <g, w>"),
    "sum_to sums trailing axes when leading ones were added": (
        _broken("F.sum_to", lambda x, shape: LeadingFromTheEndSumTo(shape)(x), "LeadingFromTheEndSumTo"),
        "forward",
    ),
}

CATALOG = tuple(entry for entry, _ in BROKEN.values())
