"""ReLU, Sigmoid, Tanh, LeakyReLU and Softmax: elementwise (and per-axis) activations.

The family's catalog rows (``ROWS``) and the strategies that draw their cases; its layers are in
``manual_bp/layers/activations.py``, its oracles in ``oracle/layers/activations.py``, its kink
and error tests in ``tests/layers/test_activations.py``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import manual_bp
from oracle.layers.activations import leaky_relu, relu, sigmoid, softmax, tanh
from oracle.verify.entry import CatalogEntry, ErrorInput
from oracle.verify.error_inputs import elementwise_errors, ones
from oracle.verify.strategies import (
    ELEMENTWISE_SHAPES,
    Case,
    draw_array,
    draw_cotangent,
    sampled,
)


@st.composite
def elementwise_cases(
    draw, dtype, *, shapes=ELEMENTWISE_SHAPES, max_value: float = 10.0, large: float = 1e4, configs=None
):
    """``x`` of a shape from ``shapes`` (a 1-D one is a single sample) with many exact zeros and some
    large entries; ``dout`` alike.

    - ``shapes`` (default ``ELEMENTWISE_SHAPES``): the shapes to draw from.
    - ``max_value`` (default ``10.0``): bound on ordinary values.
    - ``large`` (default ``1e4``): bound on the large-magnitude third of the draws.
    - ``configs`` (default ``None``: none): ``(config, shape)`` buckets to draw from instead of
      ``shapes``, simplest first; the config goes into ``Case.config``.
    """
    config, shape = draw(sampled(tuple(configs))) if configs else ({}, draw(sampled(tuple(shapes))))
    x = draw_array(draw, dtype, shape, max_value=max_value, large=large)
    return Case({"x": x}, {}, draw_cotangent(draw, dtype, shape), config=dict(config))


# (config, shape) buckets: each is one JAX compile; the default configuration on every shape,
# the others on one shape each.
LEAKY_RELU_BUCKETS = (
    *(({"alpha": 0.01}, s) for s in ELEMENTWISE_SHAPES),
    ({"alpha": 0.0}, (2, 3)),
    ({"alpha": 0.3}, (2, 3, 2)),
    ({"alpha": -0.5}, (5,)),
    ({"alpha": 2.0}, (2, 3)),
)


SOFTMAX_BUCKETS = (
    *(({"axis": -1}, s) for s in ELEMENTWISE_SHAPES),
    ({"axis": 0}, (2, 3)),
    ({"axis": 1}, (2, 3, 2)),
    ({"axis": 0}, (2, 3, 2)),
    ({"axis": -2}, (2, 3)),
)


def leaky_relu_cases(dtype, **kwargs):
    """``elementwise_cases`` with ``alpha`` drawn from ``LEAKY_RELU_BUCKETS`` (0.01, 0, 0.3, -0.5, 2)."""
    return elementwise_cases(dtype, configs=LEAKY_RELU_BUCKETS, **kwargs)


def softmax_cases(dtype, **kwargs):
    """``elementwise_cases`` with ``axis`` drawn from ``SOFTMAX_BUCKETS`` (last, first, middle, negative)."""
    return elementwise_cases(dtype, configs=SOFTMAX_BUCKETS, **kwargs)


RELU_ERRORS = elementwise_errors()


SIGMOID_ERRORS = elementwise_errors()


TANH_ERRORS = elementwise_errors()


LEAKY_RELU_ERRORS = (
    *elementwise_errors(),
    ErrorInput("an infinite alpha", lambda layer: layer(alpha=np.inf), ValueError, r"alpha must be finite"),
)


SOFTMAX_ERRORS = (
    *elementwise_errors(),
    ErrorInput(
        "an axis out of range",
        lambda layer: layer(axis=2).forward(ones(2, 3)),
        ValueError,
        r"axis 2 is out of range",
    ),
)


ROWS: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "ReLU",
        manual_bp.ReLU,
        relu,
        ("x",),
        (),
        elementwise_cases,
        conventions="ReLU'(0) = 0 (jnp.where(x > 0, x, 0)); draws 1-D (one sample) to 3-D x, exact zeros, up to 1e4",
        errors=RELU_ERRORS,
    ),
    CatalogEntry(
        "Sigmoid",
        manual_bp.Sigmoid,
        sigmoid,
        ("x",),
        (),
        elementwise_cases,
        conventions="draws 1-D to 3-D x up to 1e4; no overflow for any finite x; gradient out * (1 - out)",
        errors=SIGMOID_ERRORS,
    ),
    CatalogEntry(
        "Tanh",
        manual_bp.Tanh,
        tanh,
        ("x",),
        (),
        elementwise_cases,
        conventions="draws 1-D to 3-D x up to 1e4; gradient 1 - out**2; saturates to exactly +-1 (gradient 0) "
        "for large |x|",
        errors=TANH_ERRORS,
    ),
    CatalogEntry(
        "LeakyReLU",
        manual_bp.LeakyReLU,
        leaky_relu,
        ("x",),
        (),
        leaky_relu_cases,
        conventions="draws alpha 0.01, 0, 0.3, -0.5, 2; gradient at x = 0 is alpha "
        "(jnp.where(x > 0, x, alpha * x)); 1-D x is one sample",
        errors=LEAKY_RELU_ERRORS,
    ),
    CatalogEntry(
        "Softmax",
        manual_bp.Softmax,
        softmax,
        ("x",),
        (),
        softmax_cases,
        conventions="draws axis -1, -2, 0, 1 on 1-D to 3-D x; max-shifted; dx = y * (dout - sum(dout * y))",
        errors=SOFTMAX_ERRORS,
    ),
)
