"""Affine (chapter 5) and the sequel's MatMul.

The family's catalog rows (``ROWS``) and the strategies that draw their cases; its layers are in
``manual_bp/layers/affine.py``, its oracles in ``oracle/layers/affine.py``, its kink and error
tests in ``tests/layers/test_affine.py``.
"""

from __future__ import annotations

import functools

import numpy as np
from hypothesis import strategies as st

import manual_bp
from manual_bp.layers.affine import MatMul
from oracle.layers.affine import affine, matmul
from oracle.verify.entry import CatalogEntry, ErrorInput
from oracle.verify.error_inputs import bad_dout, before_forward, ones
from oracle.verify.strategies import (
    BATCH_SIZES,
    Case,
    cotangents,
    draw_array,
    draw_cotangent,
    float_arrays,
    param_dtype,
    sampled,
)

AFFINE_FEATURES = ((4,), (2, 2))


AFFINE_OUTPUTS = (3,)


@st.composite
def affine_cases(
    draw,
    dtype,
    *,
    batch_sizes=BATCH_SIZES,
    features=AFFINE_FEATURES,
    outputs=AFFINE_OUTPUTS,
    max_value: float = 1e2,
    mixed: bool = False,
):
    """``x`` of shape ``(N, *feature)``, ``W`` of ``(prod(feature), M)``, ``b`` of ``(M,)``, ``dout`` ``(N, M)``.

    - ``batch_sizes`` (default ``BATCH_SIZES``), ``features`` (default ``AFFINE_FEATURES``),
      ``outputs`` (default ``AFFINE_OUTPUTS``): the buckets ``N``, ``feature``, ``M`` come from.
    - ``max_value`` (default ``1e2``): bound on the magnitude of the values.
    - ``mixed`` (default False): ``W`` and ``b`` sometimes of the other float width.
    """
    n, feature, m = draw(sampled(tuple(batch_sizes))), draw(sampled(tuple(features))), draw(sampled(tuple(outputs)))
    pdtype = param_dtype(draw, dtype, mixed)
    x = draw_array(draw, dtype, (n, *feature), max_value=max_value)
    W = draw(float_arrays(pdtype, (int(np.prod(feature)), m), max_value=max_value))
    b = draw_array(draw, pdtype, (m,), max_value=max_value)
    return Case({"x": x}, {"W": W, "b": b}, draw_cotangent(draw, np.result_type(dtype, pdtype), (n, m)))


@st.composite
def matmul_cases(draw, dtype, *, shapes=((4, 3), (2, 2, 3)), outputs=(2,), max_value: float = 1e2, mixed: bool = True):
    """``x (..., D)``, ``W (D, M)``, ``dout (..., M)``; ``mixed`` (default True): ``W`` sometimes of
    the other float width."""
    shape, m = draw(st.sampled_from(shapes)), draw(st.sampled_from(outputs))
    x = draw(float_arrays(dtype, shape, max_value=max_value))
    W = draw(float_arrays(param_dtype(draw, dtype, mixed), (shape[-1], m), max_value=max_value))
    return Case({"x": x}, {"W": W}, draw(cotangents(np.result_type(x, W), (*shape[:-1], m))))


_AFFINE = lambda layer: layer(ones(4, 3), ones(3))  # noqa: E731 - a factory per row, read as data


AFFINE_ERRORS = (
    before_forward(_AFFINE),
    bad_dout(_AFFINE, ones(2, 4)),
    ErrorInput(
        "x with the wrong feature count",
        lambda layer: _AFFINE(layer).forward(ones(2, 5)),
        ValueError,
        r"x must have shape \(N, 4\)",
    ),
    ErrorInput("a W that is not a matrix", lambda layer: layer(ones(4), ones(3)), ValueError, r"W must be a matrix"),
)


ROWS: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "Affine",
        manual_bp.Affine,
        affine,
        ("x",),
        ("W", "b"),
        functools.partial(affine_cases, mixed=True),
        conventions="draws N 1 or 4, 1-D or 2-D features, W and b of either float width; "
        "x of shape (N, ...) flattened to (N, D)",
        errors=AFFINE_ERRORS,
    ),
    # -- the sequel: Deep Learning from Scratch 2
    CatalogEntry(
        "MatMul",
        MatMul,
        matmul,
        ("x",),
        ("W",),
        matmul_cases,
        conventions="x @ W over the last axis of x (any leading axes); no bias; W of either float width",
    ),
)
