"""Rows of ``sum average mean max min`` over drawn axes, with and without ``keepdims``.

Functions in ``manual_bp/dezero/functions/reductions.py``, oracles in
``oracle/dezero/reductions.py``, tests in ``tests/dezero/test_reductions.py``.
"""

from __future__ import annotations

import manual_bp.dezero.functions as F
from oracle.dezero import reductions as oracle
from oracle.verify.function_entry import Arg, Bucket, FunctionEntry, function_cases

# (axis, keepdims) on a (2, 3, 2) array and a (2, 3) one, simplest first.
AXES: tuple[Bucket, ...] = (
    ({}, ((2, 3),)),
    ({"axis": 1}, ((2, 3),)),
    ({"axis": 0, "keepdims": True}, ((2, 3),)),
    ({"axis": (0, 2)}, ((2, 3, 2),)),
    ({"axis": -1, "keepdims": True}, ((2, 3, 2),)),
    ({"keepdims": True}, ((2, 3, 2),)),
)
CONVENTIONS = "axis None, 1, 0, (0, 2), -1, with and without keepdims"
TIES = "; ties (drawn often) share the gradient equally (jnp.max's convention, not the book's); the mask is data"


def _row(name, function, oracle_function, note=""):
    args = {"x": Arg()}
    return FunctionEntry(
        name=name,
        layer=function,
        function=oracle_function,
        inputs=("x",),
        cases=lambda dtype: function_cases(dtype, oracle=oracle_function, args=args, buckets=AXES),
        conventions=CONVENTIONS + note,
    )


ROWS = (
    _row("F.sum", F.sum, oracle.sum),
    _row("F.average", F.average, oracle.average),
    _row("F.mean", F.mean, oracle.mean),
    _row("F.max", F.max, oracle.max, TIES),
    _row("F.min", F.min, oracle.min, TIES),
)
