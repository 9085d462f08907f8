"""Rows of ``dropout`` in training mode: the case draws a seed, the Function draws its mask from
``seed=seed`` and the oracle is given that very mask (data). Inference mode returns ``x`` itself,
as DeZero does (no graph node to verify): ``tests/dezero/test_dropout.py`` pins it.

Function in ``manual_bp/dezero/functions/dropout.py``, oracle in ``oracle/dezero/dropout.py``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import manual_bp.dezero.functions as F
from manual_bp.dezero import as_variable
from manual_bp.layers.dropout import dropout_mask
from oracle.catalog.dropout import keep_rate_tally
from oracle.dezero import dropout as oracle
from oracle.verify.distribution import Distribution, Tally
from oracle.verify.entry import ErrorInput
from oracle.verify.function_entry import FunctionCase, FunctionEntry
from oracle.verify.strategies import SEEDS, draw_array, draw_cotangent, sampled

SHAPES = ((5,), (3, 4))
RATIOS = (0.5, 0.2, 0.8)


def seeded_dropout(x, mask, seed, *, dropout_ratio):
    """``F.dropout(x, dropout_ratio, seed=seed)``; ``mask`` is the oracle's input, ignored here."""
    return F.dropout(x, dropout_ratio, seed=int(as_variable(seed).data))


@st.composite
def dropout_cases(draw, dtype):
    """``x`` of a shape from ``SHAPES``, a ratio from ``RATIOS``, a seed and the mask it draws."""
    shape, ratio, seed = draw(sampled(SHAPES)), draw(sampled(RATIOS)), draw(SEEDS)
    x = draw_array(draw, dtype, shape)
    mask = dropout_mask(np.random.default_rng(seed), shape, ratio).astype(dtype)
    inputs = {"x": x, "mask": mask, "seed": np.array(seed)}
    dout, w = draw_cotangent(draw, dtype, shape), {"x": draw_cotangent(draw, dtype, shape)}
    return FunctionCase(inputs, {}, dout, config={"dropout_ratio": ratio}, w=w)


def keep_rates(make_function, dtype, rng) -> Tally:
    """``keep_rate_tally`` of two training calls of ``make_function`` (``seeded_dropout``) per ratio,
    each with its own seed from ``rng``."""

    def two_calls(ratio, ones):
        return tuple(
            make_function(ones, None, np.array(rng.integers(2**32)), dropout_ratio=ratio).data != 0 for _ in range(2)
        )

    return keep_rate_tally(two_calls, dtype, draws="calls")


KEEP_RATE = Distribution(
    "keep rate",
    keep_rates,
    "each unit kept with probability 1 - dropout_ratio (0, 0.2, 0.5, 0.8), independent masks for "
    "two seeds (20,000 units, two calls a ratio)",
)

ROWS = (
    FunctionEntry(
        name="F.dropout",
        layer=seeded_dropout,
        function=oracle.seeded_dropout,
        inputs=("x", "mask", "seed"),
        cases=dropout_cases,
        nondiff=frozenset({"mask", "seed"}),
        conventions="training mode; ratio 0.5, 0.2, 0.8; the mask is drawn from an injected seed (never "
        "the global RNG), data: second derivative in x is 0; x / (1 - ratio) on kept units",
        distributions=(KEEP_RATE,),
        errors=(
            ErrorInput(
                "a ratio of 1",
                lambda f: f(np.ones(3), np.ones(3), np.array(0), dropout_ratio=1.0),
                ValueError,
                r"dropout_ratio must lie in \[0, 1\)",
            ),
        ),
    ),
)
