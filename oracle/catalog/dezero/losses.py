"""Rows of the losses: ``mean_squared_error softmax_cross_entropy sigmoid_cross_entropy
binary_cross_entropy`` (``accuracy`` is not differentiable: tested in ``tests/dezero/test_losses.py``).

Functions in ``manual_bp/dezero/functions/losses.py``, oracles in ``oracle/dezero/losses.py``.
"""

from __future__ import annotations

import numpy as np

import manual_bp.dezero.functions as F
from oracle.dezero import losses as oracle
from oracle.verify.entry import ErrorInput
from oracle.verify.function_entry import Arg, Bucket, function_row

REAL, LABELS, BINARY, PROBABILITY = Arg(), Arg("labels"), Arg("binary"), Arg("probability")
PAIRS: tuple[Bucket, ...] = (({}, ((4, 3), (4, 3))), ({}, ((5,), (5,))))
SCORES: tuple[Bucket, ...] = (({}, ((4, 3), (4,))), ({}, ((1, 5), (1,))))
ELEMENTS: tuple[Bucket, ...] = (({}, ((4, 3), (4, 3))), ({}, ((5,), (5,))))


def _row(name, function, oracle_function, args, buckets, conventions, errors=()):
    return function_row(name, function, oracle_function, buckets, args=args, conventions=conventions, errors=errors)


ROWS = (
    _row(
        "F.mean_squared_error",
        F.mean_squared_error,
        oracle.mean_squared_error,
        {"x0": REAL, "x1": REAL},
        PAIRS,
        "sum((x0 - x1)**2) / len(x0), both differentiated",
        (
            ErrorInput(
                "x1 of another shape",
                lambda f: f(np.ones((2, 3)), np.ones(3)),
                ValueError,
                r"x1 must have the shape of x, \(2, 3\), got \(3,\)",
            ),
        ),
    ),
    _row(
        "F.softmax_cross_entropy",
        F.softmax_cross_entropy,
        oracle.softmax_cross_entropy,
        {"x": REAL, "t": LABELS},
        SCORES,
        "x (N, C), t class indices (N,), data; log-sum-exp",
        (
            ErrorInput(
                "a label out of range",
                lambda f: f(np.ones((2, 3)), np.array([0, 3])),
                ValueError,
                r"must lie in \[0, 3\)",
            ),
        ),
    ),
    _row(
        "F.sigmoid_cross_entropy",
        F.sigmoid_cross_entropy,
        oracle.sigmoid_cross_entropy,
        {"x": REAL, "t": BINARY},
        ELEMENTS,
        "logits x, 0/1 targets t (data) of x's shape; softplus(x) - t x, no clipping",
    ),
    _row(
        "F.binary_cross_entropy",
        F.binary_cross_entropy,
        oracle.binary_cross_entropy,
        {"p": PROBABILITY, "t": BINARY},
        ELEMENTS,
        "p in (0.0025, 0.9975), 0/1 targets t (data); log p and log1p(-p), no clipping",
    ),
)
