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
from oracle.layers.convolution import convolution
from oracle.layers.dropout import seeded_dropout, seeded_dropout_layer
from oracle.layers.losses import mean_squared_error, softmax_with_loss
from oracle.layers.normalization import batch_normalization
from oracle.layers.pooling import avg_pooling, pooling
from oracle.verify import strategies
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


CATALOG = (
    CatalogEntry("AddLayer", manual_bp.AddLayer, add, ("x", "y"), (), strategies.binary_cases,
                 conventions="broadcasting undone by summing the cotangent over broadcast axes"),
    CatalogEntry("MulLayer", manual_bp.MulLayer, mul, ("x", "y"), (), strategies.binary_cases,
                 conventions="broadcasting undone by summing over broadcast axes"),
    CatalogEntry("ReLU", manual_bp.ReLU, relu, ("x",), (), strategies.elementwise_cases,
                 conventions="ReLU'(0) = 0 (jnp.where(x > 0, x, 0))"),
    CatalogEntry("Sigmoid", manual_bp.Sigmoid, sigmoid, ("x",), (), strategies.elementwise_cases,
                 conventions="no overflow for any finite x; gradient out * (1 - out)"),
    CatalogEntry("Affine", manual_bp.Affine, affine, ("x",), ("W", "b"), functools.partial(strategies.affine_cases, mixed=True),
                 conventions="draws N 1 or 4, 1-D or 2-D features, W and b of either float width; x of shape (N, ...) flattened to (N, D)"),
    CatalogEntry("SoftmaxWithLoss", manual_bp.SoftmaxWithLoss, softmax_with_loss, ("x", "t"), (),
                 strategies.softmax_with_loss_cases, nondiff=frozenset({"t"}),
                 conventions="draws 1-5 classes, a 1-D x (one sample) or N = 1-4, t as indices, one-hot, "
                             "probabilities or dense rows of any non-negative sum (all-zero rows too); mean over "
                             "the batch; t not differentiated"),
    # -- chapters 6 and 7. Each case draws its configuration (Case.config, bound into the oracle
    # once per configuration: the jitted VJP is cached per bound function and shape).
    CatalogEntry("Convolution", manual_bp.Convolution, convolution, ("x",), ("W", "b"),
                 functools.partial(strategies.convolution_cases, mixed=True),
                 conventions="draws stride 1-3, pad 0-2, square and non-square filters (3x3, 2x3, 3x2, 1x1, 2x2), "
                             "W and b of either float width; cross-correlation, NCHW x, OIHW W, zero padding; "
                             "overlapping windows add up in dx"),
    CatalogEntry("Pooling", manual_bp.Pooling, pooling, ("x",), (), strategies.pooling_cases,
                 conventions="draws windows 2x2, 3x3, 2x3, 3x2, stride 1-3 (below, at and above the window), "
                             "pad 0-1; padding is -inf, never wins; ties: all to the first maximum in row-major "
                             "window order"),
    CatalogEntry("AvgPooling", manual_bp.AvgPooling, avg_pooling, ("x",), (), strategies.pooling_cases,
                 conventions="draws the windows of Pooling; mean over each window's real cells (padded cells "
                             "are not counted)"),
    CatalogEntry("BatchNormalization", manual_bp.BatchNormalization, batch_normalization, ("x",), ("gamma", "beta"),
                 functools.partial(strategies.batch_norm_cases, mixed=True),
                 tolerance={np.dtype(np.float64): Tolerance(atol=1e-9, rtol=1e-10, ntol=1e-12),
                            np.dtype(np.float32): Tolerance(atol=1e-4, rtol=1e-5, ntol=1e-5)},
                 tolerance_reason="dx cancels terms of size |gamma * dout| / std, up to 1e5 here (values <= 10, "
                                  "std >= sqrt(eps) = 1e-3); when dout lies in the span of 1 and xn per feature "
                                  "(Hypothesis often draws dout == x, or constant x and dout) the exact dx is ~0 "
                                  "and rounding of those terms remains: up to 1.6e-10 (float64, the reference's "
                                  "own) and 1.1e-5 (float32) absolute in 5000 examples. The planted bugs still fail.",
                 conventions="draws train_flg (inference after one training forward, whose input sets the running "
                             "statistics), momentum 0.9 / 0.5, eps 1e-6 / 1e-3 / 1e-2, (N, D) and (N, C, H, W), "
                             "gamma and beta of either float width; biased variance, per feature / per channel; "
                             "batch of one and constant features give beta"),
    CatalogEntry("Dropout", seeded_dropout_layer, seeded_dropout, ("x",), ("mask", "seed"), strategies.dropout_cases,
                 nondiff=frozenset({"mask", "seed"}),
                 conventions="draws dropout_ratio 0 / 0.2 / 0.5 / 0.8 and train_flg (inference after a training "
                             "forward: the identity); inverted; the layer draws its mask from "
                             "np.random.default_rng(seed), the oracle takes that mask as data"),
    CatalogEntry("Tanh", manual_bp.Tanh, tanh, ("x",), (), strategies.elementwise_cases,
                 tolerance={np.dtype(np.float32): Tolerance(atol=1e-5, rtol=1e-5, ntol=1e-5)},
                 tolerance_reason="1 - out**2 is computed from out rounded to float32: where |x| > 4 the exact "
                                  "derivative is < 1e-3 but carries an absolute error of ~2 eps32 = 1.2e-7 per unit "
                                  "of dout (up to 10): up to 1.3e-6 seen in 3000 examples, above the default 1e-6.",
                 conventions="gradient 1 - out**2; saturates to exactly +-1 (gradient 0) for large |x|"),
    CatalogEntry("LeakyReLU", manual_bp.LeakyReLU, leaky_relu, ("x",), (), strategies.leaky_relu_cases,
                 conventions="draws alpha 0.01, 0, 0.3, -0.5, 2; gradient at x = 0 is alpha "
                             "(jnp.where(x > 0, x, alpha * x)); 1-D x is one sample"),
    CatalogEntry("Softmax", manual_bp.Softmax, softmax, ("x",), (), strategies.softmax_cases,
                 tolerance={np.dtype(np.float32): Tolerance(atol=1e-5, rtol=1e-5, ntol=1e-5)},
                 tolerance_reason="dx = y * (dout - sum(dout * y)) cancels when y is nearly one-hot: the float32 "
                                  "sum carries ~eps32 * |dout| (dout up to 10) while the exact dx is ~0: up to "
                                  "1.7e-6 absolute seen in 5000 examples, above the default 1e-6.",
                 conventions="draws axis -1, -2, 0, 1 on 1-D to 3-D x; max-shifted; dx = y * (dout - sum(dout * y))"),
    CatalogEntry("MeanSquaredError", manual_bp.MeanSquaredError, mean_squared_error, ("y", "t"), (),
                 strategies.mean_squared_error_cases, nondiff=frozenset({"t"}),
                 conventions="mean over all entries (the book: 0.5 * sum); t not differentiated; dout defaults to 1"),
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
    forward = getattr(case, "forward", None) or {}
    if case.config:
        layer = functools.partial(layer, **case.config)
    if case.config or forward:
        function = bind(function, **case.config, **forward)
    return verify_layer(
        layer, function,
        {k: case.inputs[k] for k in entry.inputs}, {k: case.params[k] for k in entry.params}, case.dout,
        nondiff=entry.nondiff, name=entry.name, tolerance=overrides.pop("tolerance", entry.tolerance or None),
        forward=forward, before=getattr(case, "before", ()), **overrides,
    )
