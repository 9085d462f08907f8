"""BatchNormalization (chapter 6): training, and sequences of calls whose inference reads the running
statistics the layer's own training calls left.

The family's catalog rows (``ROWS``) and the strategies that draw their cases; its layers are in
``manual_bp/layers/normalization.py``, its oracles in ``oracle/layers/normalization.py``, its
kink and error tests in ``tests/layers/test_normalization.py``.
"""

from __future__ import annotations

import functools

import numpy as np
from hypothesis import strategies as st

import manual_bp
from oracle.layers.normalization import batch_normalization_running, batch_normalization_statistics
from oracle.verify.entry import CatalogEntry, ErrorInput
from oracle.verify.error_inputs import bad_dout, before_forward, ones
from oracle.verify.strategies import (
    Call,
    Case,
    draw_array,
    draw_cotangent,
    param_dtype,
    sampled,
)
from oracle.verify.tolerance import Tolerance

BATCH_NORM_SHAPES = ((4, 3), (1, 3), (2, 2, 2, 3))


# (x shape, momentum, eps, the modes of its calls on one layer: True trains, False infers): one
# training call on every shape; sequences where inference follows two training calls (running
# statistics moved twice; two momenta; a large eps, which changes the forward where the variance
# is small); inference first and last (a new layer's statistics, 0 and 1, then one update). Every
# inference call that follows training is the third.
BATCH_NORM_BUCKETS = (
    *((s, 0.9, 1e-6, (True,)) for s in BATCH_NORM_SHAPES),
    ((4, 3), 0.9, 1e-2, (True, True, False)),
    ((4, 3), 0.9, 1e-6, (True, True, False)),
    ((2, 2, 2, 3), 0.5, 1e-3, (True, True, False)),
    ((4, 3), 0.9, 1e-6, (False, True, False)),
)


def new_layer_statistics(features: int) -> dict:
    """The running statistics a new ``BatchNormalization`` starts from: mean 0, variance 1 (float64)."""
    return {"running_mean": np.zeros(features), "running_var": np.ones(features)}


@st.composite
def batch_norm_cases(draw, dtype, *, shapes=None, max_value: float = 10.0, mixed: bool = False):
    """``x`` of ``(N, D)`` or ``(N, C, H, W)``, ``gamma`` and ``beta`` of ``(D,)`` or ``(C,)``, ``dout`` like ``x``;
    ``momentum``, ``eps`` (``Case.config``) and the calls' ``train_flg`` (``Case.forward``, ``Call.forward``)
    from ``BATCH_NORM_BUCKETS``.

    A sequence case makes later calls on the same layer (``Case.calls``), each with its own ``x`` and
    ``dout``: the running statistics an inference call reads are the ones the layer's earlier training
    calls left (``Case.state``: a new layer's, 0 and 1). A batch of one and constant features (ties)
    are drawn too.

    - ``shapes``: give them to draw one training call of these shapes only, with the defaults
      (no ``config``).
    - ``max_value`` (default ``10.0``): bound on the magnitude of the values.
    - ``mixed`` (default False): ``gamma`` and ``beta`` sometimes of the other float width.
    """
    if shapes is None:
        shape, momentum, eps, modes = draw(sampled(tuple(BATCH_NORM_BUCKETS)))
        config = {"momentum": momentum, "eps": eps}
    else:
        shape, modes, config = draw(sampled(tuple(shapes))), (True,), {}
    pdtype = param_dtype(draw, dtype, mixed)
    gamma = draw_array(draw, pdtype, (shape[1],), max_value=max_value)
    beta = draw_array(draw, pdtype, (shape[1],), max_value=max_value)
    out_dtype = np.result_type(dtype, pdtype)

    def flags(train: bool) -> dict:
        return {} if train else {"train_flg": False}

    x = draw_array(draw, dtype, shape, max_value=max_value)
    dout = draw_cotangent(draw, out_dtype, shape)
    calls = tuple(
        Call(
            {"x": draw_array(draw, dtype, shape, max_value=max_value)},
            draw_cotangent(draw, out_dtype, shape),
            forward=flags(train),
        )
        for train in modes[1:]
    )
    params = {"gamma": gamma, "beta": beta}
    state = new_layer_statistics(shape[1])
    return Case({"x": x}, params, dout, config=config, forward=flags(modes[0]), calls=calls, state=state)


_BATCH_NORM = lambda layer: layer(ones(3), ones(3))  # noqa: E731 - a factory per row, read as data


BATCH_NORMALIZATION_ERRORS = (
    before_forward(_BATCH_NORM),
    bad_dout(_BATCH_NORM, ones(2, 3)),
    ErrorInput(
        "a non-positive eps", lambda layer: layer(ones(3), ones(3), eps=0.0), ValueError, r"eps must be positive"
    ),
    ErrorInput(
        "x with the wrong feature count",
        lambda layer: _BATCH_NORM(layer).forward(ones(2, 4)),
        ValueError,
        r"x must have shape \(N, 3\)",
    ),
)


ROWS: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "BatchNormalization",
        manual_bp.BatchNormalization,
        batch_normalization_running,
        ("x",),
        ("gamma", "beta"),
        functools.partial(batch_norm_cases, mixed=True),
        carry=batch_normalization_statistics,
        carried=("running_mean", "running_var"),
        sequences="training, training, inference (momentum 0.9 / 0.5, eps 1e-6 / 1e-3 / 1e-2) and "
        "inference, training, inference on one layer: the running statistics an inference call reads "
        "are the ones the layer's own earlier calls left (from 0 and 1), never set by the verifier; "
        "quantities of call k > 1 are named 'call k dx'",
        tolerance={
            np.dtype(np.float64): Tolerance(atol=1e-9, rtol=1e-10, ntol=1e-12),
        },
        tolerance_reason="dx cancels terms of size |gamma * dout| / std, up to 1e5 here (values <= 10, "
        "std >= sqrt(eps) = 1e-3); when dout lies in the span of 1 and xn per feature "
        "(Hypothesis often draws dout == x, or constant x and dout) the exact dx is ~0 "
        "and rounding of those terms remains: up to 1.6e-10 (float64, the reference's "
        "own) absolute in 5000 examples. The planted bugs still fail.",
        conventions="draws train_flg per call (sequences of calls on one layer, see sequences), momentum "
        "0.9 / 0.5, eps 1e-6 / 1e-3 / 1e-2, (N, D) and (N, C, H, W), "
        "gamma and beta of either float width; biased variance, per feature / per channel; "
        "batch of one and constant features give beta",
        errors=BATCH_NORMALIZATION_ERRORS,
    ),
)
