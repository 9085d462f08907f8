"""Rows of ``embed_id``: ids (data, with repeats) of any shape picking rows of ``W``.

Function in ``manual_bp/dezero/functions/embedding.py``, oracle in ``oracle/dezero/embedding.py``,
tests in ``tests/dezero/test_embedding.py``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import manual_bp.dezero.functions as F
from oracle.dezero import embedding as oracle
from oracle.verify.entry import ErrorInput
from oracle.verify.function_entry import FunctionCase, FunctionEntry
from oracle.verify.strategies import SEEDS, draw_array, draw_cotangent, sampled

# ((V, D), ids shape): more ids than rows, so ids repeat.
BUCKETS = (((4, 3), (5,)), ((3, 2), (2, 4)), ((6, 4), (3,)))


@st.composite
def embed_id_cases(draw, dtype):
    """``x`` ids in ``[0, V)`` of a shape from ``BUCKETS`` and ``W (V, D)``; ``w`` for ``W`` only."""
    (vocab, dim), shape = draw(sampled(BUCKETS))
    ids = np.random.default_rng(draw(SEEDS)).integers(0, vocab, shape)
    W = draw_array(draw, dtype, (vocab, dim))
    dout, w = draw_cotangent(draw, dtype, (*shape, dim)), {"W": draw_cotangent(draw, dtype, W.shape)}
    return FunctionCase({"x": ids, "W": W}, {}, dout, w=w)


ROWS = (
    FunctionEntry(
        name="F.embed_id",
        layer=F.embed_id,
        function=oracle.embed_id,
        inputs=("x", "W"),
        cases=embed_id_cases,
        nondiff=frozenset({"x"}),
        conventions="W (V, D), ids x (data) of shape (5,), (2, 4) or (3,) with repeats: their rows' gradients add up",
        errors=(
            ErrorInput(
                "an id out of range",
                lambda f: f(np.array([0, 3]), np.ones((3, 2))),
                ValueError,
                r"x must hold ids in \[0, 3\), got 3",
            ),
        ),
    ),
)
