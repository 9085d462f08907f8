"""Dropout (chapter 6): the mask drawn by the layer from a seeded Generator.

The family's catalog rows (``ROWS``) and the strategies that draw their cases; its layers are in
``manual_bp/layers/dropout.py``, its oracles in ``oracle/layers/dropout.py``, its kink and error
tests in ``tests/layers/test_dropout.py``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from oracle.layers.dropout import seeded_dropout, seeded_dropout_layer
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
    ),
)
