"""Convolution (chapter 7): stride and padding drawn with the geometry.

The family's catalog rows (``ROWS``) and the strategies that draw their cases; its layers are in
``manual_bp/layers/convolution.py``, its oracles in ``oracle/layers/convolution.py``, its kink
and error tests in ``tests/layers/test_convolution.py``.
"""

from __future__ import annotations

import functools

import numpy as np
from hypothesis import strategies as st

import manual_bp
from oracle.layers.convolution import convolution
from oracle.verify.entry import CatalogEntry, ErrorInput
from oracle.verify.error_inputs import bad_dout, before_forward, ones
from oracle.verify.strategies import (
    Case,
    draw_array,
    draw_cotangent,
    param_dtype,
    sampled,
    windows,
)

# (x shape, W shape, stride, pad), simplest first. Overlapping windows (3x3 and 2x3 at stride
# 1), non-square filters both ways, padding 1 and 2, a 1x1 filter skipping cells at stride 2
# and a 2x2 one at stride 3 (stride > filter: cells no window covers). One compile each.
CONV_BUCKETS = (
    ((2, 2, 5, 5), (3, 2, 3, 3), 1, 0),
    ((1, 3, 4, 5), (2, 3, 2, 3), 1, 0),
    ((1, 3, 4, 5), (2, 3, 2, 3), 2, 1),
    ((2, 2, 4, 4), (2, 2, 1, 1), 2, 1),
    ((1, 2, 6, 5), (2, 2, 3, 2), 1, 2),
    ((1, 1, 7, 7), (2, 1, 2, 2), 3, 0),
)


CONV_GEOMETRIES = tuple((x, w) for x, w, s, p in CONV_BUCKETS if (s, p) == (1, 0))


CONV_GEOMETRIES_STRIDED = (((1, 3, 4, 5), (2, 3, 2, 3)), ((2, 2, 4, 4), (2, 2, 1, 1)))


@st.composite
def convolution_cases(
    draw,
    dtype,
    *,
    stride: int | None = None,
    pad: int | None = None,
    geometries=None,
    max_value: float = 10.0,
    mixed: bool = False,
):
    """Images ``x (N, C, H, W)``, filters ``W (FN, C, FH, FW)``, ``b (FN,)``, ``dout (N, FN, OH, OW)``,
    and the configuration ``{"stride", "pad"}`` drawn from ``CONV_BUCKETS``.

    - ``stride``, ``pad``, ``geometries`` (``(x shape, W shape)`` pairs): give them to fix the
      configuration instead (then the case carries no ``config``: stride 1, pad 0 by default).
    - ``max_value`` (default ``10.0``): bound on the magnitude of the values.
    - ``mixed`` (default False): ``W`` and ``b`` sometimes of the other float width.
    """
    if stride is None and pad is None and geometries is None:
        x_shape, w_shape, s, p = draw(sampled(tuple(CONV_BUCKETS)))
        config = {"stride": s, "pad": p}
    else:
        x_shape, w_shape = draw(sampled(tuple(geometries or CONV_GEOMETRIES)))
        s, p, config = stride or 1, pad or 0, {}
    pdtype = param_dtype(draw, dtype, mixed)
    x = draw_array(draw, dtype, x_shape, max_value=max_value)
    W = draw_array(draw, pdtype, w_shape, max_value=max_value)
    b = draw_array(draw, pdtype, (w_shape[0],), max_value=max_value)
    out = (x_shape[0], w_shape[0], windows(x_shape[2], w_shape[2], s, p), windows(x_shape[3], w_shape[3], s, p))
    return Case({"x": x}, {"W": W, "b": b}, draw_cotangent(draw, np.result_type(dtype, pdtype), out), config=config)


_CONV = lambda layer: layer(ones(2, 3, 2, 2), ones(2))  # noqa: E731 - a factory per row, read as data


CONVOLUTION_ERRORS = (
    before_forward(_CONV),
    bad_dout(_CONV, ones(1, 3, 4, 4)),
    ErrorInput(
        "x with the wrong channel count",
        lambda layer: _CONV(layer).forward(ones(1, 2, 4, 4)),
        ValueError,
        r"x must have shape \(N, 3, H, W\)",
    ),
    ErrorInput(
        "a stride of 0",
        lambda layer: layer(ones(2, 3, 2, 2), ones(2), stride=0),
        ValueError,
        r"stride must be at least 1",
    ),
)


ROWS: tuple[CatalogEntry, ...] = (
    # -- chapters 6 and 7. Each case draws its configuration (Case.config, bound into the oracle
    # once per configuration: the jitted VJP is cached per bound function and shape).
    CatalogEntry(
        "Convolution",
        manual_bp.Convolution,
        convolution,
        ("x",),
        ("W", "b"),
        functools.partial(convolution_cases, mixed=True),
        conventions="draws stride 1-3, pad 0-2, square and non-square filters (3x3, 2x3, 3x2, 1x1, 2x2), "
        "W and b of either float width; cross-correlation, NCHW x, OIHW W, zero padding; "
        "overlapping windows add up in dx",
        errors=CONVOLUTION_ERRORS,
    ),
)
