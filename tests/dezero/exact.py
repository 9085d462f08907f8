"""``verify_exactly``: one example of a DeZero Function against its oracle, to the second order, with
a seeded cotangent and direction (the drawn cases are the catalog rows' job; these are fixed ones)."""

from __future__ import annotations

import numpy as np

from manual_bp.dezero import Variable
from oracle.verify.second_order import verify_function
from oracle.verify.verifier import Verification


def verify_exactly(function, oracle, inputs: dict, *, nondiff=(), order: int = 2, seed: int = 0) -> Verification:
    """``verify_function`` with ``gy`` of the output's shape and ``w`` drawn from ``default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    dtype = next(v.dtype for v in inputs.values() if v.dtype.kind == "f")
    out = function(*[Variable(v) for v in inputs.values()])
    gy = rng.normal(size=out.shape).astype(dtype)
    w = {k: rng.normal(size=v.shape).astype(dtype) for k, v in inputs.items() if k not in nondiff}
    return verify_function(function, oracle, inputs, gy, w, nondiff=nondiff, order=order)
