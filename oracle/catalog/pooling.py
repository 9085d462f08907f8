"""Pooling and AvgPooling (chapter 7): windows, strides and padding drawn together.

The family's catalog rows (``ROWS``) and the strategies that draw their cases; its layers are in
``manual_bp/layers/pooling.py``, its oracles in ``oracle/layers/pooling.py``, its kink and error
tests in ``tests/layers/test_pooling.py``.
"""

from __future__ import annotations

from hypothesis import strategies as st

import manual_bp
from oracle.layers.pooling import avg_pooling, pooling
from oracle.verify.entry import CatalogEntry, ErrorInput
from oracle.verify.error_inputs import bad_dout, before_forward, ones
from oracle.verify.strategies import (
    Case,
    draw_array,
    draw_cotangent,
    sampled,
    windows,
)

# (x shape, pool_h, pool_w, stride, pad): the book's 2x2/2, overlapping 3x3/2/1, non-square
# 2x3 at stride 1, 3x2 padded at stride 1, stride 3 > window 2.
POOL_BUCKETS = (
    ((2, 2, 4, 4), 2, 2, 2, 0),
    ((1, 3, 5, 6), 3, 3, 2, 1),
    ((1, 2, 5, 6), 2, 3, 1, 0),
    ((1, 2, 4, 5), 3, 2, 1, 1),
    ((2, 1, 7, 7), 2, 2, 3, 0),
)


POOL_SHAPES = ((2, 2, 4, 4), (1, 3, 5, 6))


@st.composite
def pooling_cases(
    draw,
    dtype,
    *,
    pool_h: int | None = None,
    pool_w: int | None = None,
    stride: int | None = None,
    pad: int | None = None,
    shapes=POOL_SHAPES,
    max_value: float = 10.0,
):
    """Images ``x (N, C, H, W)`` full of ties, ``dout (N, C, OH, OW)`` and the window
    ``{"pool_h", "pool_w", "stride", "pad"}`` drawn from ``POOL_BUCKETS`` into ``Case.config``.

    - ``pool_h``, ``pool_w``, ``stride``, ``pad``: give any to fix the window instead (defaults
      2, 2, 2, 0; the case then carries no ``config``) and draw ``x``'s shape from ``shapes``
      (default ``POOL_SHAPES``).
    - ``max_value`` (default ``10.0``): bound on the magnitude of the values.
    """
    if pool_h is None and pool_w is None and stride is None and pad is None:
        shape, ph, pw, s, p = draw(sampled(tuple(POOL_BUCKETS)))
        config = {"pool_h": ph, "pool_w": pw, "stride": s, "pad": p}
    else:
        shape, config = draw(sampled(tuple(shapes))), {}
        ph, pw, s, p = pool_h or 2, pool_w or 2, 2 if stride is None else stride, pad or 0
    x = draw_array(draw, dtype, shape, max_value=max_value)
    out = (*shape[:2], windows(shape[2], ph, s, p), windows(shape[3], pw, s, p))
    return Case({"x": x}, {}, draw_cotangent(draw, dtype, out), config=config)


_POOL = lambda layer: layer(pool_h=2, pool_w=2)  # noqa: E731 - a factory per row, read as data


POOLING_ERRORS = (
    before_forward(_POOL),
    bad_dout(_POOL, ones(1, 1, 4, 4)),
    ErrorInput(
        "pad as wide as the window",
        lambda layer: layer(pool_h=2, pool_w=2, pad=2),
        ValueError,
        r"pad must be smaller than the window",
    ),
    ErrorInput(
        "a 3-D x",
        lambda layer: _POOL(layer).forward(ones(1, 4, 4)),
        ValueError,
        r"x must have shape \(N, C, H, W\)",
    ),
)


ROWS: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "Pooling",
        manual_bp.Pooling,
        pooling,
        ("x",),
        (),
        pooling_cases,
        conventions="draws windows 2x2, 3x3, 2x3, 3x2, stride 1-3 (below, at and above the window), "
        "pad 0-1; padding is -inf, never wins; ties: all to the first maximum in row-major "
        "window order",
        errors=POOLING_ERRORS,
    ),
    CatalogEntry(
        "AvgPooling",
        manual_bp.AvgPooling,
        avg_pooling,
        ("x",),
        (),
        pooling_cases,
        conventions="draws the windows of Pooling; mean over each window's real cells (padded cells are not counted)",
        errors=POOLING_ERRORS,
    ),
)
