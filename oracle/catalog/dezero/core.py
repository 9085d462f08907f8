"""Rows of the core's arithmetic Functions: ``+ - * / ** neg`` with NumPy broadcasting.

Functions in ``manual_bp/dezero/core.py``, oracles in ``oracle/dezero/core.py``, tests in
``tests/dezero/test_core.py``.
"""

from __future__ import annotations

from manual_bp.dezero import core
from oracle.dezero import core as oracle
from oracle.verify.function_entry import Arg, Bucket, FunctionEntry, function_cases

# Broadcast pairs, simplest first: same shape, a row vector, leading axes added, both stretched.
PAIRS: tuple[Bucket, ...] = (({}, ((2, 3), (2, 3))), ({}, ((2, 3), (3,))), ({}, ((3,), (2, 3))), ({}, ((2, 1), (1, 3))))
REAL, NONZERO, POSITIVE = Arg(), Arg("nonzero"), Arg("positive", 3.0)
BROADCAST = "broadcasting: each gradient summed back to its input's shape (sum_to)"


def _binary(name, function, oracle_function, second=REAL):
    args = {"x0": REAL, "x1": second}
    return FunctionEntry(
        name=name,
        layer=function,
        function=oracle_function,
        inputs=("x0", "x1"),
        cases=lambda dtype: function_cases(dtype, oracle=oracle_function, args=args, buckets=PAIRS),
        conventions=f"x0, x1 from broadcast pairs {[s for _, s in PAIRS]}; {BROADCAST}",
    )


POWERS: tuple[Bucket, ...] = (
    ({"c": 2}, ((2, 3),)),
    ({"c": 3}, ((5,),)),
    ({"c": 0.5}, ((2, 3),)),
    ({"c": -1.5}, ((5,),)),
)

ROWS = (
    _binary("F.add", core.add, oracle.add),
    _binary("F.sub", core.sub, oracle.sub),
    _binary("F.mul", core.mul, oracle.mul),
    _binary("F.div", core.div, oracle.div, NONZERO),
    FunctionEntry(
        name="F.neg",
        layer=core.neg,
        function=oracle.neg,
        inputs=("x",),
        cases=lambda dtype: function_cases(dtype, oracle=oracle.neg, args={"x": REAL}, buckets=(({}, ((2, 3),)),)),
        conventions="x (2, 3)",
    ),
    FunctionEntry(
        name="F.pow",
        layer=core.pow,
        function=oracle.pow,
        inputs=("x",),
        cases=lambda dtype: function_cases(dtype, oracle=oracle.pow, args={"x": POSITIVE}, buckets=POWERS),
        conventions="x ** c, c in 2, 3, 0.5, -1.5; x in [0.5, 3.5]",
    ),
)
