"""The mean squared error loss ``MeanSquaredError``."""

from __future__ import annotations

import numpy as np

from manual_bp._checks import as_float_array, check_shape, require_forward, shape_str

__all__ = ["MeanSquaredError"]


class MeanSquaredError:
    """``loss = mean((y - t)**2)`` over **all** entries, a scalar.

    Shapes: ``y`` any shape, ``t`` the same shape (no broadcasting: a mismatch is an error,
    not a silently different loss). The book's ``mean_squared_error`` is
    ``0.5 * sum((y - t)**2)`` (no mean, a factor 1/2); this is the mean, as in frameworks.

    Backward: ``dy = dout * 2 * (y - t) / y.size``; ``dout`` (default 1) scales it; ``t`` is
    data, not differentiated.
    """

    def __init__(self):
        self.diff = None  # y - t: the gradient is proportional to it
        self.loss = None  # the last forward's loss

    def forward(self, y, t):
        y = as_float_array("y", y)
        t = as_float_array("t", t)
        check_shape("t", t, y.shape, "the shape of y")
        if y.size == 0:
            raise ValueError(f"y must not be empty, got shape {shape_str(y.shape)}")
        self.diff = (y - t).astype(y.dtype, copy=False)
        self.loss = np.mean(self.diff * self.diff, dtype=y.dtype)
        return self.loss

    def backward(self, dout=1.0):
        require_forward(self, self.diff)
        dout = as_float_array("dout", dout)
        check_shape("dout", dout, (), "the loss is a scalar")
        return (self.diff * (2 * dout / self.diff.size)).astype(self.diff.dtype, copy=False)
