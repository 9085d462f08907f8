"""AddLayer and MulLayer (chapter 5): broadcastable pairs of inputs.

The family's catalog rows (``ROWS``) and the strategies that draw their cases; its layers are in
``manual_bp/layers/arithmetic.py``, its oracles in ``oracle/layers/arithmetic.py``, its kink and
error tests in ``tests/layers/test_arithmetic.py``.
"""

from __future__ import annotations

import functools

import numpy as np
from hypothesis import strategies as st

import manual_bp
from oracle.layers.arithmetic import add, mul
from oracle.verify.entry import CatalogEntry, ErrorInput
from oracle.verify.error_inputs import before_forward, ones
from oracle.verify.strategies import (
    BOOLEANS,
    Case,
    draw_array,
    draw_cotangent,
    param_dtype,
    sampled,
)

BROADCAST_PAIRS = (((), ()), ((3,), ()), ((2, 3), (3,)), ((2, 1), (1, 3)), ((2, 3), (2, 3)), ((4, 1, 3), (2, 1)))


@st.composite
def binary_cases(draw, dtype, *, pairs=BROADCAST_PAIRS, max_value: float = 1e3, mixed: bool = False):
    """``x`` and ``y`` of two broadcastable shapes (from ``pairs``), and ``dout`` of their broadcast.

    - ``pairs`` (default ``BROADCAST_PAIRS``): the shape pairs to draw from.
    - ``max_value`` (default ``1e3``): bound on the magnitude of the values.
    - ``mixed`` (default False): ``y`` sometimes of the other float width.
    """
    x_shape, y_shape = draw(sampled(tuple(pairs)))
    if draw(BOOLEANS):
        x_shape, y_shape = y_shape, x_shape
    y_dtype = param_dtype(draw, dtype, mixed)
    x = draw_array(draw, dtype, x_shape, max_value=max_value)
    y = draw_array(draw, y_dtype, y_shape, max_value=max_value)
    dout = draw_cotangent(draw, np.result_type(dtype, y_dtype), np.broadcast_shapes(x_shape, y_shape))
    return Case({"x": x, "y": y}, {}, dout)


ADD_LAYER_ERRORS = (
    before_forward(lambda layer: layer()),
    ErrorInput(
        "shapes that do not broadcast",
        lambda layer: layer().forward(ones(2, 3), ones(4)),
        ValueError,
        r"broadcast",
    ),
)


MUL_LAYER_ERRORS = (before_forward(lambda layer: layer()),)


ROWS: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "AddLayer",
        manual_bp.AddLayer,
        add,
        ("x", "y"),
        (),
        functools.partial(binary_cases, mixed=True),
        conventions="draws 6 broadcastable shape pairs (scalars too), either order, y sometimes of the other "
        "float width; broadcasting undone by "
        "summing the cotangent over broadcast axes",
        errors=ADD_LAYER_ERRORS,
    ),
    CatalogEntry(
        "MulLayer",
        manual_bp.MulLayer,
        mul,
        ("x", "y"),
        (),
        functools.partial(binary_cases, mixed=True),
        conventions="draws the shape pairs of AddLayer; broadcasting undone by summing over broadcast axes",
        errors=MUL_LAYER_ERRORS,
    ),
)
