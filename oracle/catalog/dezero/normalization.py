"""Rows of ``batch_norm``: training and inference drawn as configurations, ``(N, D)`` and
``(N, C, H, W)``; the running statistics are data.

Function in ``manual_bp/dezero/functions/normalization.py``, oracle in
``oracle/dezero/normalization.py``, tests in ``tests/dezero/test_normalization.py``.
"""

from __future__ import annotations

import numpy as np

import manual_bp.dezero.functions as F
from manual_bp.dezero import as_variable, using_config
from oracle.dezero import normalization as oracle
from oracle.verify.entry import ErrorInput
from oracle.verify.function_entry import Arg, Bucket, FunctionEntry, function_cases


def batch_norm(x, gamma, beta, mean, var, *, train=True):
    """``F.batch_norm`` in the mode ``train``, on copies of the running statistics (updated in place)."""
    with using_config("train", train):
        return F.batch_norm(x, gamma, beta, np.array(as_variable(mean).data), np.array(as_variable(var).data))


ARGS = {"x": Arg(), "gamma": Arg(), "beta": Arg(), "mean": Arg(), "var": Arg("positive", 2.0)}
BUCKETS: tuple[Bucket, ...] = tuple(
    ({"train": train}, shapes)
    for train in (True, False)
    for shapes in (((6, 3), (3,), (3,), (3,), (3,)), ((2, 3, 2, 2), (3,), (3,), (3,), (3,)))
)

ROWS = (
    FunctionEntry(
        name="F.batch_norm",
        layer=batch_norm,
        function=oracle.batch_norm,
        inputs=tuple(ARGS),
        cases=lambda dtype: function_cases(dtype, oracle=oracle.batch_norm, args=ARGS, buckets=BUCKETS),
        nondiff=frozenset({"mean", "var"}),
        conventions="x (6, 3) per feature or (2, 3, 2, 2) per channel; training (batch statistics, biased "
        "variance) and inference (running mean and var, data); eps 2e-5; backward recomputes 1/std from x",
        errors=(
            ErrorInput(
                "x with other features than gamma",
                lambda f: f(np.ones((4, 2)), np.ones(3), np.zeros(3), np.zeros(3), np.ones(3)),
                ValueError,
                r"x must have shape \(N, 3\) or \(N, 3, H, W\)",
            ),
        ),
    ),
)
