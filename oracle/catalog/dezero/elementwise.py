"""Rows of ``sin cos tanh exp log``: first and second order, and derivatives 1 to 6 by repeated
double backprop (the orders the book plots for tanh).

Functions in ``manual_bp/dezero/functions/elementwise.py``, oracles in
``oracle/dezero/elementwise.py``, tests in ``tests/dezero/test_elementwise.py``.
"""

from __future__ import annotations

import manual_bp.dezero.functions as F
from oracle.dezero import elementwise as oracle
from oracle.verify.function_entry import DERIVATIVE_SHARE, Arg, Bucket, FunctionEntry, function_cases

SHAPES: tuple[Bucket, ...] = (({}, ((5,),)), ({}, ((2, 3),)))
ORDER = 6  # derivatives checked: the sixth is the highest the book draws for tanh


BOUNDED = Arg(max_value=5.0)


def elementwise_row(name, function, oracle_function, arg=BOUNDED, note=""):
    args = {"x": arg}
    return FunctionEntry(
        name=name,
        layer=function,
        function=oracle_function,
        inputs=("x",),
        cases=lambda dtype: function_cases(dtype, oracle=oracle_function, args=args, buckets=SHAPES, derivatives=True),
        derivatives=ORDER,
        conventions=f"x of shape (5,) or (2, 3), {note or f'|x| <= {arg.max_value:g}'}; "
        f"derivatives 1-{ORDER} on one case in {DERIVATIVE_SHARE}",
    )


ROWS = (
    elementwise_row("F.sin", F.sin, oracle.sin),
    elementwise_row("F.cos", F.cos, oracle.cos),
    elementwise_row("F.tanh", F.tanh, oracle.tanh),
    elementwise_row("F.exp", F.exp, oracle.exp),
    elementwise_row("F.log", F.log, oracle.log, Arg("positive", 4.0), "x in [0.5, 4.5]"),
)
