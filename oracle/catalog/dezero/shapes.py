"""Rows of ``reshape transpose get_item expand_dims flatten broadcast_to sum_to``.

Functions in ``manual_bp/dezero/functions/shapes.py``, oracles in ``oracle/dezero/shapes.py``,
tests in ``tests/dezero/test_shapes.py``.
"""

from __future__ import annotations

import numpy as np

import manual_bp.dezero.functions as F
from oracle.dezero import shapes as oracle
from oracle.verify.entry import ErrorInput
from oracle.verify.function_entry import Arg, Bucket, function_row

REAL = Arg()


def _row(name, function, oracle_function, buckets, conventions, errors=()):
    return function_row(name, function, oracle_function, buckets, conventions=conventions, errors=errors)


def get_item(x, *, index):
    """``F.get_item`` with the index named ``index`` in ``oracle.dezero.shapes.INDEXES``."""
    return F.get_item(x, oracle.INDEXES[index])


RESHAPES: tuple[Bucket, ...] = (
    ({"shape": (3, 2)}, ((2, 3),)),
    ({"shape": (6,)}, ((2, 3),)),
    ({"shape": (2, -1)}, ((2, 3, 2),)),
)
TRANSPOSES: tuple[Bucket, ...] = (
    ({}, ((2, 3),)),
    ({"axes": (1, 0, 2)}, ((2, 3, 2),)),
    ({"axes": (2, 0, 1)}, ((2, 3, 2),)),
)
INDEX_BUCKETS = tuple(({"index": name}, ((3, 4),)) for name in oracle.INDEXES)
EXPANDS: tuple[Bucket, ...] = (({"axis": 0}, ((2, 3),)), ({"axis": 1}, ((2, 3),)), ({"axis": -1}, ((5,),)))
FLATTENS: tuple[Bucket, ...] = (({}, ((2, 3, 2),)), ({}, ((4, 3),)))
BROADCASTS: tuple[Bucket, ...] = (
    ({"shape": (2, 3)}, ((3,),)),
    ({"shape": (2, 3)}, ((2, 1),)),
    ({"shape": (2, 2, 3)}, ((1, 3),)),
    ({"shape": (4, 3)}, ((),)),
    ({"shape": (3, 3)}, ((3,),)),  # square: an axis mixed up keeps the shape, so only values show it
)
SUMS_TO: tuple[Bucket, ...] = (
    ({"shape": (3,)}, ((2, 3),)),
    ({"shape": (2, 1)}, ((2, 3),)),
    ({"shape": (1, 3)}, ((2, 2, 3),)),
    ({"shape": (2, 3)}, ((4, 2, 3),)),
    ({"shape": ()}, ((2, 3),)),
    ({"shape": (3,)}, ((3, 3),)),  # square: an axis mixed up keeps the shape, so only values show it
)

ROWS = (
    _row("F.reshape", F.reshape, oracle.reshape, RESHAPES, f"shape from {[c['shape'] for c, _ in RESHAPES]}"),
    _row("F.transpose", F.transpose, oracle.transpose, TRANSPOSES, "axes None (reverse), (1, 0, 2), (2, 0, 1)"),
    _row(
        "F.get_item",
        get_item,
        oracle.get_item,
        INDEX_BUCKETS,
        f"x (3, 4) indexed by {', '.join(oracle.INDEXES)}: repeated indices add up in GetItemGrad",
    ),
    _row("F.expand_dims", F.expand_dims, oracle.expand_dims, EXPANDS, "axis 0, 1, -1"),
    _row("F.flatten", F.flatten, oracle.flatten, FLATTENS, "(N, ...) to (N, prod(...))"),
    _row(
        "F.broadcast_to",
        F.broadcast_to,
        oracle.broadcast_to,
        BROADCASTS,
        "leading axes added and axes of size 1 stretched; backward sum_to",
    ),
    _row(
        "F.sum_to",
        F.sum_to,
        oracle.sum_to,
        SUMS_TO,
        "leading axes summed away and axes of size 1 kept; backward broadcast_to",
        (
            ErrorInput(
                "a larger rank", lambda sum_to: sum_to(np.ones(3), (1, 3)), ValueError, r"cannot sum .* larger rank"
            ),
        ),
    ),
)
