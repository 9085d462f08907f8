"""Builders of the ``ErrorInput``s that many rows share: ``backward`` before ``forward``, a ``dout``
of the wrong shape, a boolean ``x``. Each takes ``make(layer)``, which builds the layer from
the row's factory."""

from __future__ import annotations

import numpy as np

from oracle.verify.entry import ErrorInput

__all__ = ["bad_dout", "before_forward", "boolean_x", "elementwise_errors", "forwarded", "ones"]


def ones(*shape):
    return np.ones(shape)


def before_forward(make):
    return ErrorInput(
        "backward before forward",
        lambda layer: make(layer).backward(ones(2, 3)),
        RuntimeError,
        r"backward called before .*forward",
    )


def bad_dout(make, x, *more):
    return ErrorInput(
        "a dout of the wrong shape",
        lambda layer: forwarded(make(layer), x, *more).backward(ones(7)),
        ValueError,
        r"dout must have shape",
    )


def forwarded(layer, *inputs):
    layer.forward(*inputs)
    return layer


def boolean_x(make, *more):
    return ErrorInput(
        "a boolean x",
        lambda layer: make(layer).forward(np.ones((2, 3), bool), *more),
        TypeError,
        r"x must be a real numeric array",
    )


def elementwise_errors(make=lambda layer: layer()):
    return (before_forward(make), bad_dout(make, ones(2, 3)), boolean_x(make))
