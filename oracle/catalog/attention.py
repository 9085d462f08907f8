"""Catalog rows and strategies of the family ``attention``: the sequel's attention layers (chapter 8).

Built on ``float_arrays``, ``cotangents`` and ``Case`` of ``oracle.verify.strategies``: shapes
from small buckets (each is a JAX compile), values free, with the kinks 0, 1, -1 drawn often,
so equal scores (ties in the softmax), zero states and one-step sequences all occur. States
are bounded by ``max_value`` (default 3): a score sums ``H`` products, and float32 scores of
large states are too coarse for the float32 tolerance (large magnitudes are tested, in
float64, in ``tests/layers/test_attention.py``).

Every case that computes weights carries a ``mask`` (boolean ``(N, T)``, data, not
differentiated), drawn in three kinds: all ``True`` (the book's unmasked attention),
padding (each row's real steps a prefix, or a suffix as after the book's ``--reverse``), and
any pattern; every row keeps at least one real step.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import manual_bp
from oracle.layers.attention import attention, attention_weight, time_attention, weight_sum
from oracle.verify.entry import CatalogEntry
from oracle.verify.strategies import (
    Case,
    cotangents,
    float_arrays,
    param_dtype,
)
from oracle.verify.tolerance import Tolerance

ATTENTION_FLOAT32 = {np.dtype(np.float32): Tolerance(atol=1e-4, rtol=1e-5, ntol=1e-5)}


ATTENTION_FLOAT32_REASON = (
    "float32 weights a do not sum to exactly 1 (off by ~T eps32), so ds = a * (da - sum(a * da)) carries "
    "~a |da| T eps32 where the exact ds is 0 (equal scores, equal states), with |da| = |<hs, dc>| up to "
    "H * 3 * 10 = 90; multiplied by |hs| <= 3 and summed over steps (and decoder steps) this reaches 1e-5 to 1e-4 "
    "absolute on a gradient whose exact value is 0 (2.2e-5 seen in 3000 examples); c = sum_t a * hs cancels "
    "alike. That is ~1e-6 of the terms' size (float32 round-off), and the planted bugs still fail in float32."
)


# (N, T, H): a batch with ties to break across rows, a single step (weight exactly 1), a longer one.
ATTENTION_SHAPES = ((2, 4, 3), (1, 1, 2), (3, 5, 2))


# (N, T, T_d, H): encoder steps T, decoder steps T_d.
TIME_ATTENTION_SHAPES = ((2, 4, 3, 3), (1, 1, 2, 2), (3, 5, 1, 2))


@st.composite
def encoder_masks(draw, n: int, t: int):
    """Boolean ``(n, t)`` masks, ``True`` where the step is real, at least one per row.

    Drawn as all ``True``, as padding (a prefix of real steps per row, or a suffix: the
    padding of a reversed question comes first), or as any pattern.
    """
    kind = draw(st.sampled_from(("all", "padded", "any")))
    if kind == "all":
        return np.ones((n, t), dtype=bool)
    if kind == "padded":
        lengths = np.array(draw(st.lists(st.integers(1, t), min_size=n, max_size=n)))
        mask = np.arange(t)[None, :] < lengths[:, None]
        return mask[:, ::-1].copy() if draw(st.booleans()) else mask
    mask = draw(hnp.arrays(np.bool_, (n, t))).copy()
    keep = draw(st.lists(st.integers(0, t - 1), min_size=n, max_size=n))
    mask[np.arange(n), keep] = True
    return mask


@st.composite
def weight_sum_cases(draw, dtype, *, shapes=ATTENTION_SHAPES, max_value: float = 3.0, mixed: bool = True):
    """``hs (N, T, H)``, weights ``a (N, T)`` (any reals: the layer is not told they sum to 1), ``dout (N, H)``.

    - ``shapes`` (default ``ATTENTION_SHAPES``): the ``(N, T, H)`` to draw from.
    - ``max_value`` (default ``3.0``): bound on the magnitude of the values.
    - ``mixed`` (default True): ``a`` sometimes of the other float width (``c`` then has the wider
      dtype, and each gradient the dtype of its own input).
    """
    n, t, h = draw(st.sampled_from(shapes))
    hs = draw(float_arrays(dtype, (n, t, h), max_value=max_value))
    a = draw(float_arrays(param_dtype(draw, dtype, mixed), (n, t), max_value=max_value))
    return Case({"hs": hs, "a": a}, {}, draw(cotangents(np.result_type(hs, a), (n, h))))


def _states_and_mask(draw, dtype, n, t, h, max_value):
    hs = draw(float_arrays(dtype, (n, t, h), max_value=max_value))
    return hs, draw(encoder_masks(n, t))


@st.composite
def attention_weight_cases(draw, dtype, *, shapes=ATTENTION_SHAPES, max_value: float = 3.0, mixed: bool = True):
    """``hs (N, T, H)``, ``h (N, H)``, ``mask (N, T)`` (see ``encoder_masks``), ``dout (N, T)``.

    - ``shapes`` (default ``ATTENTION_SHAPES``), ``max_value`` (default ``3.0``, see the module docstring).
    - ``mixed`` (default True): ``h`` sometimes of the other float width.
    """
    n, t, h = draw(st.sampled_from(shapes))
    hs, mask = _states_and_mask(draw, dtype, n, t, h, max_value)
    state = draw(float_arrays(param_dtype(draw, dtype, mixed), (n, h), max_value=max_value))
    return Case({"hs": hs, "h": state, "mask": mask}, {}, draw(cotangents(np.result_type(hs, state), (n, t))))


@st.composite
def attention_cases(draw, dtype, *, shapes=ATTENTION_SHAPES, max_value: float = 3.0, mixed: bool = True):
    """``hs (N, T, H)``, ``h (N, H)``, ``mask (N, T)``, ``dout (N, H)``.

    - ``shapes`` (default ``ATTENTION_SHAPES``), ``max_value`` (default ``3.0``).
    - ``mixed`` (default True): ``h`` sometimes of the other float width.
    """
    n, t, h = draw(st.sampled_from(shapes))
    hs, mask = _states_and_mask(draw, dtype, n, t, h, max_value)
    state = draw(float_arrays(param_dtype(draw, dtype, mixed), (n, h), max_value=max_value))
    return Case({"hs": hs, "h": state, "mask": mask}, {}, draw(cotangents(np.result_type(hs, state), (n, h))))


@st.composite
def time_attention_cases(draw, dtype, *, shapes=TIME_ATTENTION_SHAPES, max_value: float = 3.0, mixed: bool = True):
    """``hs_enc (N, T, H)``, ``hs_dec (N, T_d, H)``, ``mask (N, T)``, ``dout (N, T_d, H)``.

    - ``shapes`` (default ``TIME_ATTENTION_SHAPES``): the ``(N, T, T_d, H)`` to draw from.
    - ``max_value`` (default ``3.0``).
    - ``mixed`` (default True): ``hs_dec`` sometimes of the other float width.
    """
    n, t, t_dec, h = draw(st.sampled_from(shapes))
    hs_enc, mask = _states_and_mask(draw, dtype, n, t, h, max_value)
    hs_dec = draw(float_arrays(param_dtype(draw, dtype, mixed), (n, t_dec, h), max_value=max_value))
    dout = draw(cotangents(np.result_type(hs_enc, hs_dec), (n, t_dec, h)))
    return Case({"hs_enc": hs_enc, "hs_dec": hs_dec, "mask": mask}, {}, dout)


ROWS: tuple[CatalogEntry, ...] = (
    # -- the sequel: attention (Deep Learning from Scratch 2, chapter 8). No parameters, no
    # configuration; the mask (padded encoder steps) is an input, drawn, not differentiated.
    # float32 tolerance: ATTENTION_FLOAT32_REASON above.
    CatalogEntry(
        "WeightSum",
        manual_bp.WeightSum,
        weight_sum,
        ("hs", "a"),
        (),
        weight_sum_cases,
        conventions="c = sum_t a[:, t] * hs[:, t]; a any reals (not required to sum to 1), sometimes of the other "
        "float width; backward returns (dhs, da), each in its input's dtype",
    ),
    CatalogEntry(
        "AttentionWeight",
        manual_bp.AttentionWeight,
        attention_weight,
        ("hs", "h", "mask"),
        (),
        attention_weight_cases,
        nondiff=frozenset({"mask"}),
        conventions="softmax over the encoder axis of unscaled dot products <hs[:, t], h>; masked steps "
        "score -inf (weight and gradient exactly 0); mask None == all True; h sometimes of the other float "
        "width; returns (dhs, dh)",
    ),
    CatalogEntry(
        "Attention",
        manual_bp.Attention,
        attention,
        ("hs", "h", "mask"),
        (),
        attention_cases,
        nondiff=frozenset({"mask"}),
        conventions="WeightSum(hs, AttentionWeight(hs, h, mask)); dhs sums both paths into hs; "
        "h sometimes of the other float width; returns (dhs, dh); keeps attention_weight (N, T)",
    ),
    CatalogEntry(
        "TimeAttention",
        manual_bp.TimeAttention,
        time_attention,
        ("hs_enc", "hs_dec", "mask"),
        (),
        time_attention_cases,
        nondiff=frozenset({"mask"}),
        conventions="one Attention per decoder step (oracle: vmap of attention); dhs_enc summed over "
        "decoder steps; hs_dec sometimes of the other float width; returns (dhs_enc, dhs_dec); keeps "
        "attention_weights (N, T_d, T)",
    ),
)
