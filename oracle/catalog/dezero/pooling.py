"""Rows of ``pooling`` (max), ``average_pooling`` and ``pooling_simple``: windows, strides and padding drawn together,
values full of ties.

Functions in ``manual_bp/dezero/functions/pooling.py``, oracles in ``oracle/dezero/pooling.py``,
tests in ``tests/dezero/test_pooling.py``.
"""

from __future__ import annotations

import numpy as np

import manual_bp.dezero.functions as F
from oracle.dezero import pooling as oracle
from oracle.verify.entry import ErrorInput
from oracle.verify.function_entry import Arg, Bucket, function_row

REAL = Arg()

# The book's 2x2/2, DeZero's default stride 1, overlapping 3x3/2/1, non-square 2x3, a padded
# 3x2, stride 3 above the window.
WINDOWS: tuple[Bucket, ...] = (
    ({"kernel_size": 2, "stride": 2, "pad": 0}, ((2, 2, 4, 4),)),
    ({"kernel_size": 2, "stride": 1, "pad": 0}, ((1, 2, 3, 4),)),
    ({"kernel_size": 3, "stride": 2, "pad": 1}, ((1, 3, 5, 6),)),
    ({"kernel_size": (2, 3), "stride": 1, "pad": 0}, ((1, 2, 5, 6),)),
    ({"kernel_size": (3, 2), "stride": 1, "pad": 1}, ((1, 2, 4, 5),)),
    ({"kernel_size": 2, "stride": 3, "pad": 0}, ((2, 1, 7, 7),)),
)

ERRORS = (
    ErrorInput(
        "pad as wide as the window",
        lambda f: f(np.ones((1, 1, 4, 4)), 2, pad=2),
        ValueError,
        r"pad must be smaller than the window",
    ),
    ErrorInput("a 3-D x", lambda f: f(np.ones((1, 4, 4)), 2), ValueError, r"x must have shape \(N, C, H, W\)"),
)


def _row(name, function, oracle_function, conventions, errors=ERRORS):
    return function_row(name, function, oracle_function, WINDOWS, conventions=conventions, errors=errors)


ROWS = (
    _row(
        "F.pooling",
        F.pooling,
        oracle.pooling,
        "windows 2x2, 3x3, 2x3, 3x2, stride 1-3, pad 0-1; padding is -inf, never wins; ties: all to "
        "the first maximum in row-major window order; the argmax mask is data: second derivative in x is 0",
    ),
    _row(
        "F.average_pooling",
        F.average_pooling,
        oracle.average_pooling,
        "the windows of F.pooling; mean over each window's real cells (padded cells are not counted)",
    ),
    _row(
        "F.pooling_simple",
        F.pooling_simple,
        oracle.pooling_simple,
        "the windows of F.pooling; composed from im2col and max, so their conventions: zero padding "
        "(a padded 0 can win), ties share the gradient equally (jnp.max)",
        ERRORS[1:],  # im2col accepts a pad as wide as the window
    ),
)
