"""The catalog: one row per layer, pairing the NumPy layer with its JAX oracle function.

The tests and ``manual-bp verify`` both read ``CATALOG``. Adding a layer is: write the layer,
write its function, add one row here, add its kink examples to its test module.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

import numpy as np

import manual_bp
from oracle.layers.activations import leaky_relu, relu, sigmoid, softmax, tanh
from oracle.layers.affine import affine
from oracle.layers.arithmetic import add, mul
from oracle.layers.attention import attention, attention_weight, time_attention, weight_sum
from oracle.layers.convolution import convolution
from oracle.layers.dropout import seeded_dropout, seeded_dropout_layer
from oracle.layers.losses import mean_squared_error, softmax_with_loss
from oracle.layers.normalization import batch_normalization
from oracle.layers.pooling import avg_pooling, pooling
from oracle.verify import attention_strategies, strategies
from oracle.verify.binding import bind
from oracle.verify.strategies import Case
from oracle.verify.tolerance import Tolerance
from oracle.verify.verifier import Verification, verify_layer

__all__ = ["CATALOG", "CatalogEntry", "DTYPES", "find_entry", "verify_case"]

DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


@dataclasses.dataclass(frozen=True)
class CatalogEntry:
    """A layer, its oracle function and how to draw and check its cases.

    - ``layer``: the class (called with the parameters, in ``params`` order).
    - ``function``: the oracle, ``function(*inputs, *params)``.
    - ``inputs``, ``params``: argument names, in order.
    - ``nondiff``: arguments that are data, not differentiated (labels).
    - ``cases``: ``cases(dtype)`` -> a Hypothesis strategy of ``Case``.
    - ``tolerance``: ``{dtype: Tolerance}`` overrides, each with ``tolerance_reason``.
    - ``conventions``: the kink / tie / edge conventions layer and oracle share.
    """

    name: str
    layer: Callable
    function: Callable
    inputs: tuple
    params: tuple
    cases: Callable
    nondiff: frozenset = frozenset()
    tolerance: dict = dataclasses.field(default_factory=dict)
    tolerance_reason: str = ""
    conventions: str = ""


ATTENTION_FLOAT32 = {np.dtype(np.float32): Tolerance(atol=1e-4, rtol=1e-5, ntol=1e-5)}
ATTENTION_FLOAT32_REASON = (
    "float32 weights a do not sum to exactly 1 (off by ~T eps32), so ds = a * (da - sum(a * da)) carries "
    "~a |da| T eps32 where the exact ds is 0 (equal scores, equal states), with |da| = |<hs, dc>| up to "
    "H * 3 * 10 = 90; multiplied by |hs| <= 3 and summed over steps (and decoder steps) this reaches 1e-5 to 1e-4 "
    "absolute on a gradient whose exact value is 0 (2.2e-5 seen in 3000 examples); c = sum_t a * hs cancels "
    "alike. That is ~1e-6 of the terms' size (float32 round-off), and the planted bugs still fail in float32.")

CATALOG = (
    CatalogEntry("AddLayer", manual_bp.AddLayer, add, ("x", "y"), (), strategies.binary_cases,
                 conventions="broadcasting undone by summing the cotangent over broadcast axes"),
    CatalogEntry("MulLayer", manual_bp.MulLayer, mul, ("x", "y"), (), strategies.binary_cases,
                 conventions="broadcasting undone by summing over broadcast axes"),
    CatalogEntry("ReLU", manual_bp.ReLU, relu, ("x",), (), strategies.elementwise_cases,
                 conventions="ReLU'(0) = 0 (jnp.where(x > 0, x, 0))"),
    CatalogEntry("Sigmoid", manual_bp.Sigmoid, sigmoid, ("x",), (), strategies.elementwise_cases,
                 conventions="no overflow for any finite x; gradient out * (1 - out)"),
    CatalogEntry("Affine", manual_bp.Affine, affine, ("x",), ("W", "b"), strategies.affine_cases,
                 conventions="x of shape (N, ...) flattened to (N, D)"),
    CatalogEntry("SoftmaxWithLoss", manual_bp.SoftmaxWithLoss, softmax_with_loss, ("x", "t"), (),
                 strategies.softmax_with_loss_cases, nondiff=frozenset({"t"}),
                 conventions="mean over the batch; t: indices or dense targets, not differentiated; "
                             "a 1-D x is one sample"),
    # -- chapters 6 and 7. Hyperparameters are bound once, here: the jitted oracle VJP is
    # cached per function object. Rows with other than the default ones name them.
    CatalogEntry("Convolution", manual_bp.Convolution, convolution, ("x",), ("W", "b"), strategies.convolution_cases,
                 conventions="stride 1, pad 0; cross-correlation, NCHW x, OIHW W; overlapping windows add up in dx"),
    CatalogEntry("Convolution-s2p1", functools.partial(manual_bp.Convolution, stride=2, pad=1),
                 bind(convolution, stride=2, pad=1), ("x",), ("W", "b"),
                 functools.partial(strategies.convolution_cases, stride=2, pad=1,
                                   geometries=strategies.CONV_GEOMETRIES_STRIDED),
                 conventions="stride 2, pad 1 (zeros): a 2x3 filter overlaps in W, a 1x1 one skips cells"),
    CatalogEntry("Pooling", functools.partial(manual_bp.Pooling, 2, 2), bind(pooling, pool_h=2, pool_w=2),
                 ("x",), (), strategies.pooling_cases,
                 conventions="max over 2x2, stride 2, pad 0; ties: all to the first maximum in row-major window order"),
    CatalogEntry("Pooling-3x3s2p1", functools.partial(manual_bp.Pooling, 3, 3, stride=2, pad=1),
                 bind(pooling, pool_h=3, pool_w=3, stride=2, pad=1), ("x",), (),
                 functools.partial(strategies.pooling_cases, pool_h=3, pool_w=3, stride=2, pad=1),
                 conventions="max over 3x3, stride 2, pad 1: overlapping windows; padding is -inf, never wins; "
                             "ties: first maximum"),
    CatalogEntry("AvgPooling-3x3s2p1", functools.partial(manual_bp.AvgPooling, 3, 3, stride=2, pad=1),
                 bind(avg_pooling, pool_h=3, pool_w=3, stride=2, pad=1), ("x",), (),
                 functools.partial(strategies.pooling_cases, pool_h=3, pool_w=3, stride=2, pad=1),
                 conventions="mean over 3x3, stride 2, pad 1; padded cells are not counted"),
    CatalogEntry("BatchNormalization", manual_bp.BatchNormalization, batch_normalization, ("x",), ("gamma", "beta"),
                 strategies.batch_norm_cases,
                 tolerance={np.dtype(np.float64): Tolerance(atol=1e-9, rtol=1e-10, ntol=1e-12),
                            np.dtype(np.float32): Tolerance(atol=1e-4, rtol=1e-5, ntol=1e-5)},
                 tolerance_reason="dx cancels terms of size |gamma * dout| / std, up to 1e5 here (values <= 10, "
                                  "std >= sqrt(eps) = 1e-3); when dout lies in the span of 1 and xn per feature "
                                  "(Hypothesis often draws dout == x, or constant x and dout) the exact dx is ~0 "
                                  "and rounding of those terms remains: up to 1.6e-10 (float64, the reference's "
                                  "own) and 1.1e-5 (float32) absolute in 5000 examples. The planted bugs still fail.",
                 conventions="training mode, eps 1e-6, biased variance; (N, D) per feature, (N, C, H, W) per channel; "
                             "batch of one and constant features give beta"),
    CatalogEntry("Dropout", seeded_dropout_layer, seeded_dropout, ("x",), ("mask", "seed"), strategies.dropout_cases,
                 nondiff=frozenset({"mask", "seed"}),
                 conventions="inverted, ratio 0.5, training mode; the layer draws its mask from "
                             "np.random.default_rng(seed), the oracle takes that mask as data"),
    CatalogEntry("Tanh", manual_bp.Tanh, tanh, ("x",), (), strategies.elementwise_cases,
                 tolerance={np.dtype(np.float32): Tolerance(atol=1e-5, rtol=1e-5, ntol=1e-5)},
                 tolerance_reason="1 - out**2 is computed from out rounded to float32: where |x| > 4 the exact "
                                  "derivative is < 1e-3 but carries an absolute error of ~2 eps32 = 1.2e-7 per unit "
                                  "of dout (up to 10): up to 1.3e-6 seen in 3000 examples, above the default 1e-6.",
                 conventions="gradient 1 - out**2; saturates to exactly +-1 (gradient 0) for large |x|"),
    CatalogEntry("LeakyReLU", manual_bp.LeakyReLU, bind(leaky_relu, alpha=0.01), ("x",), (),
                 strategies.elementwise_cases,
                 conventions="alpha 0.01; gradient at x = 0 is alpha (jnp.where(x > 0, x, alpha * x))"),
    CatalogEntry("Softmax", manual_bp.Softmax, softmax, ("x",), (), strategies.elementwise_cases,
                 tolerance={np.dtype(np.float32): Tolerance(atol=1e-5, rtol=1e-5, ntol=1e-5)},
                 tolerance_reason="dx = y * (dout - sum(dout * y)) cancels when y is nearly one-hot: the float32 "
                                  "sum carries ~eps32 * |dout| (dout up to 10) while the exact dx is ~0: up to "
                                  "1.7e-6 absolute seen in 5000 examples, above the default 1e-6.",
                 conventions="along the last axis, max-shifted; dx = y * (dout - sum(dout * y))"),
    CatalogEntry("MeanSquaredError", manual_bp.MeanSquaredError, mean_squared_error, ("y", "t"), (),
                 strategies.mean_squared_error_cases, nondiff=frozenset({"t"}),
                 conventions="mean over all entries (the book: 0.5 * sum); t not differentiated; dout defaults to 1"),
    # -- the sequel: attention (Deep Learning from Scratch 2, chapter 8). No parameters, no
    # configuration; the mask (padded encoder steps) is an input, drawn, not differentiated.
    # float32 tolerance: ATTENTION_FLOAT32_REASON above.
    CatalogEntry("WeightSum", manual_bp.WeightSum, weight_sum, ("hs", "a"), (), attention_strategies.weight_sum_cases,
                 tolerance=ATTENTION_FLOAT32, tolerance_reason=ATTENTION_FLOAT32_REASON,
                 conventions="c = sum_t a[:, t] * hs[:, t]; a any reals (not required to sum to 1); "
                             "backward returns (dhs, da)"),
    CatalogEntry("AttentionWeight", manual_bp.AttentionWeight, attention_weight, ("hs", "h", "mask"), (),
                 attention_strategies.attention_weight_cases, nondiff=frozenset({"mask"}),
                 tolerance=ATTENTION_FLOAT32, tolerance_reason=ATTENTION_FLOAT32_REASON,
                 conventions="softmax over the encoder axis of unscaled dot products <hs[:, t], h>; masked steps "
                             "score -inf (weight and gradient exactly 0); mask None == all True; returns (dhs, dh)"),
    CatalogEntry("Attention", manual_bp.Attention, attention, ("hs", "h", "mask"), (),
                 attention_strategies.attention_cases, nondiff=frozenset({"mask"}),
                 tolerance=ATTENTION_FLOAT32, tolerance_reason=ATTENTION_FLOAT32_REASON,
                 conventions="WeightSum(hs, AttentionWeight(hs, h, mask)); dhs sums both paths into hs; "
                             "returns (dhs, dh); keeps attention_weight (N, T)"),
    CatalogEntry("TimeAttention", manual_bp.TimeAttention, time_attention, ("hs_enc", "hs_dec", "mask"), (),
                 attention_strategies.time_attention_cases, nondiff=frozenset({"mask"}),
                 tolerance=ATTENTION_FLOAT32, tolerance_reason=ATTENTION_FLOAT32_REASON,
                 conventions="one Attention per decoder step (oracle: vmap of attention); dhs_enc summed over "
                             "decoder steps; returns (dhs_enc, dhs_dec); keeps attention_weights (N, T_d, T)"),
)


def find_entry(name: str, catalog=CATALOG) -> CatalogEntry:
    """The row named ``name`` (case-insensitive; ``Relu`` finds ``ReLU``)."""
    for entry in catalog:
        if entry.name.lower() == name.lower():
            return entry
    raise KeyError(f"no layer {name!r} in the catalog; known: {', '.join(e.name for e in catalog)}")


def verify_case(entry: CatalogEntry, case: Case, **overrides) -> Verification:
    """Run ``verify_layer`` for one drawn ``case`` of ``entry``: the layer built with, and the
    oracle bound to, the case's configuration."""
    layer, function = entry.layer, entry.function
    if case.config:
        layer, function = functools.partial(layer, **case.config), bind(function, **case.config)
    return verify_layer(
        layer, function,
        {k: case.inputs[k] for k in entry.inputs}, {k: case.params[k] for k in entry.params}, case.dout,
        nondiff=entry.nondiff, name=entry.name, tolerance=overrides.pop("tolerance", entry.tolerance or None),
        **overrides,
    )
