"""Rows of ``sigmoid relu leaky_relu clip softmax log_softmax``.

Functions in ``manual_bp/dezero/functions/activations.py``, oracles in
``oracle/dezero/activations.py``, tests in ``tests/dezero/test_activations.py``.
"""

from __future__ import annotations

import numpy as np

import manual_bp.dezero.functions as F
from oracle.catalog.dezero.elementwise import SHAPES, elementwise_row
from oracle.dezero import activations as oracle
from oracle.verify.entry import ErrorInput
from oracle.verify.function_entry import Arg, Bucket, function_row

REAL = Arg()
MASK = "the mask is data (piecewise constant): second derivative in x is 0"


def _row(name, function, oracle_function, buckets, conventions, errors=()):
    return function_row(name, function, oracle_function, buckets, conventions=conventions, errors=errors)


SLOPES: tuple[Bucket, ...] = (({}, ((2, 3),)), ({"slope": 0.01}, ((5,),)), ({"slope": -0.5}, ((2, 3),)))
BOUNDS: tuple[Bucket, ...] = (({"x_min": -1.0, "x_max": 1.0}, ((2, 3),)), ({"x_min": 0.0, "x_max": 2.0}, ((5,),)))
AXES: tuple[Bucket, ...] = (
    ({}, ((2, 3),)),
    ({"axis": 0}, ((2, 3),)),
    ({"axis": 2}, ((2, 3, 2),)),
    ({"axis": -1}, ((4, 3),)),
)

ROWS = (
    elementwise_row("F.sigmoid", F.sigmoid, oracle.sigmoid, Arg(max_value=10.0)),
    _row("F.relu", F.relu, oracle.relu, SHAPES, f"x (5,) or (2, 3), many exact zeros; gradient 0 at 0; {MASK}"),
    _row(
        "F.leaky_relu",
        F.leaky_relu,
        oracle.leaky_relu,
        SLOPES,
        f"slope 0.2 (default), 0.01, -0.5; the slope at 0; {MASK}",
    ),
    _row(
        "F.clip",
        F.clip,
        oracle.clip,
        BOUNDS,
        f"[x_min, x_max] = [-1, 1] or [0, 2], values on the bounds drawn often; gradient 1 on both bounds; {MASK}",
        (ErrorInput("x_min above x_max", lambda clip: clip(np.ones(3), 1.0, 0.0), ValueError, "x_min <= x_max"),),
    ),
    _row("F.softmax", F.softmax, oracle.softmax, AXES, "axis 1 (default), 0, 2, -1; max-shifted"),
    _row("F.log_softmax", F.log_softmax, oracle.log_softmax, AXES, "axis 1 (default), 0, 2, -1; log-sum-exp"),
)
