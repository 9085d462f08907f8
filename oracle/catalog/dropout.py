"""Dropout (chapter 6): the mask drawn by the layer from a seeded Generator.

The family's catalog rows (``ROWS``) and the strategies that draw their cases; its layers are in
``manual_bp/layers/dropout.py``, its oracles in ``oracle/layers/dropout.py``, its kink and error
tests in ``tests/layers/test_dropout.py``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from oracle.layers.dropout import seeded_dropout, seeded_dropout_layer
from oracle.verify.distribution import Distribution, Tally
from oracle.verify.entry import CatalogEntry, ErrorInput
from oracle.verify.error_inputs import bad_dout, before_forward, ones
from oracle.verify.strategies import (
    ELEMENTWISE_SHAPES,
    SEEDS,
    Case,
    draw_array,
    draw_cotangent,
    in_mode,
    sampled,
)

# (x shape, dropout_ratio, train_flg): ratios 0.5, 0 (keep all), 0.2, 0.8; inference after a
# training forward.
DROPOUT_BUCKETS = (
    *((s, 0.5, True) for s in ELEMENTWISE_SHAPES),
    ((2, 3), 0.0, True),
    ((2, 3, 2), 0.2, True),
    ((5,), 0.8, True),
    ((2, 3), 0.5, False),
    ((2, 3, 2), 0.2, False),
)


@st.composite
def dropout_cases(
    draw, dtype, *, dropout_ratio: float | None = None, shapes=ELEMENTWISE_SHAPES, max_value: float = 10.0
):
    """``x``, a Generator ``seed`` and the ``mask`` that ``Dropout`` draws from ``np.random.default_rng(seed)``;
    ``dropout_ratio`` (``Case.config``) and ``train_flg`` (``Case.forward``) from ``DROPOUT_BUCKETS``.

    The mask (1.0 kept, 0.0 dropped, in ``dtype``) is ``manual_bp.dropout.dropout_mask`` of
    that Generator: a layer built with the same seeded Generator must draw the same one (see
    ``oracle.dropout.seeded_dropout``). An inference case carries an earlier training
    forward's input (``Case.before``): the layer must forget that forward's mask.

    - ``dropout_ratio``: give it to fix the ratio (training mode, shapes from ``shapes``,
      default ``ELEMENTWISE_SHAPES``; no ``config``).
    - ``max_value`` (default ``10.0``).
    """
    from manual_bp.layers.dropout import dropout_mask

    if dropout_ratio is None:
        shape, ratio, train = draw(sampled(tuple(DROPOUT_BUCKETS)))
        config = {"dropout_ratio": ratio}
    else:
        shape, ratio, train, config = draw(sampled(tuple(shapes))), dropout_ratio, True, {}
    x = draw_array(draw, dtype, shape, max_value=max_value)
    seed = draw(SEEDS)
    mask = dropout_mask(np.random.default_rng(seed), shape, ratio).astype(dtype)  # 1.0 kept, 0.0 dropped
    dout = draw_cotangent(draw, dtype, shape)
    return in_mode(draw, train, Case({"x": x}, {"mask": mask, "seed": seed}, dout, config=config), max_value)


# The keep-rate check: ratios including 0 (keep all) and ones other than 0.5 (where keeping with
# probability ratio and with 1 - ratio differ); 20,000 units a forward (2 ms a ratio).
KEEP_RATE_RATIOS = (0.0, 0.2, 0.5, 0.8)
KEEP_RATE_SHAPE = (10, 20, 100)


def keep_rate_tally(two_masks, dtype, draws: str = "forwards") -> Tally:
    """The keep-rate tally of a dropout: ``two_masks(ratio, ones)`` gives the units kept (output not
    0) by two training draws on ``ones`` at each ratio ``p``. Each unit is kept with probability
    ``1 - p``, and the two masks are independent, so a unit is kept or dropped alike by both with
    probability ``(1 - p)^2 + p^2`` (a mask reused, or drawn once, fails that). ``draws`` names the
    two draws in the report ("forwards" of a layer, "calls" of a Function)."""
    names, counts, expected = [], [], []
    ones = np.ones(KEEP_RATE_SHAPE, dtype)
    for ratio in KEEP_RATE_RATIOS:
        first, second = two_masks(ratio, ones)
        keep = 1.0 - ratio
        names += [f"unit kept at dropout_ratio={ratio}", f"unit kept alike by two {draws} at dropout_ratio={ratio}"]
        counts += [int(first.sum()), int((first == second).sum())]
        expected += [keep, keep**2 + ratio**2]
    return Tally(names, counts, int(np.prod(KEEP_RATE_SHAPE)), expected)


def keep_rates(make_layer, dtype, rng) -> Tally:
    """``keep_rate_tally`` of two training forwards through one ``make_layer(mask, seed, dropout_ratio=p)``
    (a catalog dropout factory) per ratio."""

    def two_forwards(ratio, ones):
        layer = make_layer(None, int(rng.integers(2**32)), dropout_ratio=ratio)
        return layer.forward(ones) != 0, layer.forward(ones) != 0

    return keep_rate_tally(two_forwards, dtype)


KEEP_RATE = Distribution(
    "keep rate",
    keep_rates,
    "each unit kept with probability 1 - dropout_ratio (0, 0.2, 0.5, 0.8), a new independent mask "
    "every training forward (20,000 units, two forwards a ratio)",
)


_DROPOUT = lambda layer: layer(np.ones(3), 0)  # noqa: E731 - a factory per row, read as data


DROPOUT_ERRORS = (
    before_forward(_DROPOUT),
    bad_dout(_DROPOUT, ones(2, 3)),
    ErrorInput(
        "a dropout ratio of 1",
        lambda layer: layer(np.ones(3), 0, dropout_ratio=1.0),
        ValueError,
        r"dropout_ratio must lie in \[0, 1\)",
    ),
)


ROWS: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "Dropout",
        seeded_dropout_layer,
        seeded_dropout,
        ("x",),
        ("mask", "seed"),
        dropout_cases,
        nondiff=frozenset({"mask", "seed"}),
        conventions="draws dropout_ratio 0 / 0.2 / 0.5 / 0.8 and train_flg (inference after a training "
        "forward: the identity); inverted; the layer draws its mask from "
        "np.random.default_rng(seed), the oracle takes that mask as data",
        errors=DROPOUT_ERRORS,
        distributions=(KEEP_RATE,),
    ),
)
