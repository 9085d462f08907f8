"""Rows of ``matmul`` and ``linear`` (with and without a bias).

Functions in ``manual_bp/dezero/functions/affine.py``, oracles in ``oracle/dezero/affine.py``,
tests in ``tests/dezero/test_affine.py``.
"""

from __future__ import annotations

import numpy as np

import manual_bp.dezero.functions as F
from oracle.dezero import affine as oracle
from oracle.verify.entry import ErrorInput
from oracle.verify.function_entry import Arg, Bucket, function_row

REAL = Arg()
PRODUCTS: tuple[Bucket, ...] = (({}, ((1, 4), (4, 3))), ({}, ((4, 2), (2, 3))))
WITH_BIAS: tuple[Bucket, ...] = (({}, ((1, 4), (4, 3), (3,))), ({}, ((4, 2), (2, 3), (3,))))
MISMATCH = ErrorInput(
    "W of the wrong rows", lambda f: f(np.ones((2, 3)), np.ones((4, 2))), ValueError, r"got \(2, 3\) and \(4, 2\)"
)


def _row(name, function, oracle_function, inputs, buckets):
    conventions = f"(x, W{', b' if len(inputs) == 3 else ''}) shapes {[s for _, s in buckets]}"
    args = dict.fromkeys(inputs, REAL)
    return function_row(
        name, function, oracle_function, buckets, args=args, conventions=conventions, errors=(MISMATCH,)
    )


ROWS = (
    _row("F.matmul", F.matmul, oracle.matmul, ("x", "W"), PRODUCTS),
    _row("F.linear", F.linear, oracle.linear, ("x", "W", "b"), WITH_BIAS),
    _row("F.linear[no bias]", F.linear, oracle.linear, ("x", "W"), PRODUCTS),
)
