"""SoftmaxWithLoss, MeanSquaredError and the sequel's SigmoidWithLoss.

The family's catalog rows (``ROWS``) and the strategies that draw their cases; its layers are in
``manual_bp/layers/losses.py``, its oracles in ``oracle/layers/losses.py``, its kink and error
tests in ``tests/layers/test_losses.py``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import manual_bp
from manual_bp.layers.losses import SigmoidWithLoss
from oracle.layers.losses import mean_squared_error, sigmoid_with_loss, softmax_with_loss
from oracle.verify.entry import CatalogEntry, ErrorInput
from oracle.verify.error_inputs import forwarded, ones
from oracle.verify.strategies import (
    BATCH_SIZES,
    ELEMENTWISE_SHAPES,
    FOURS,
    NUM_CLASSES,
    Case,
    cotangents,
    draw_array,
    draw_cotangent,
    float_arrays,
    labels,
    sampled,
)

# (batch shape, classes): () is one 1-D sample; one class; each pair is a compile per label kind.
SOFTMAX_WITH_LOSS_BUCKETS = (((4,), 3), ((), 3), ((1,), 2), ((2,), 5), ((3,), 1))


@st.composite
def softmax_with_loss_cases(
    draw, dtype, *, batch_sizes=None, num_classes=None, max_value: float = 10.0, large: float = 1e4
):
    """Scores ``x`` of ``(N, C)`` or one sample ``(C,)``, labels ``t``, scalar ``dout``.

    ``t``: integer indices, one-hot, probability rows, or dense rows of any non-negative sum
    (all-zero rows included). ``(N, C)`` come from ``SOFTMAX_WITH_LOSS_BUCKETS`` (1 to 5 classes).

    - ``batch_sizes``, ``num_classes`` (default ``None``: the buckets): draw ``N`` (and ``()``)
      and ``C`` from these instead.
    - ``max_value`` (default ``10.0``) and ``large`` (default ``1e4``): as ``float_arrays``.
    """
    if batch_sizes is None and num_classes is None:
        batch_shape, c = draw(sampled(tuple(SOFTMAX_WITH_LOSS_BUCKETS)))
    else:
        c = draw(sampled(tuple(num_classes or NUM_CLASSES)))
        batch_shape = draw(sampled(tuple([(), *((n,) for n in batch_sizes or BATCH_SIZES)])))
    x = draw_array(draw, dtype, (*batch_shape, c), max_value=max_value, large=large)
    t = draw(labels(c, batch_shape, dtype, any_sums=True))
    dout = draw_cotangent(draw, dtype, ())
    return Case({"x": x, "t": t}, {}, dout)


@st.composite
def mean_squared_error_cases(draw, dtype, *, shapes=ELEMENTWISE_SHAPES, max_value: float = 10.0):
    """Predictions ``y`` and targets ``t`` of one shape (with exact ties ``y == t``), scalar ``dout``.

    - ``shapes`` (default ``ELEMENTWISE_SHAPES``), ``max_value`` (default ``10.0``).
    """
    shape = draw(sampled(tuple(shapes)))
    y = draw_array(draw, dtype, shape, max_value=max_value)
    t = y.copy() if draw(FOURS) == 0 else draw_array(draw, dtype, shape, max_value=max_value)
    return Case({"y": y, "t": t}, {}, draw_cotangent(draw, dtype, ()))


@st.composite
def sigmoid_with_loss_cases(draw, dtype, *, shapes=((4,), (2, 3)), max_value: float = 10.0, large: float = 1e4):
    """Logits ``x`` (some huge: stability), targets ``t`` (0/1 ints or probabilities), scalar ``dout``."""
    shape = draw(st.sampled_from(shapes))
    x = draw(float_arrays(dtype, shape, max_value=max_value, large=large))
    labels = hnp.arrays(np.int64, shape, elements=st.integers(0, 1))
    soft = hnp.arrays(
        np.dtype(dtype), shape, elements=st.floats(0, 1, width=np.dtype(dtype).itemsize * 8, allow_subnormal=False)
    )
    t = draw(st.one_of(labels, soft))
    return Case({"x": x, "t": t}, {}, draw(cotangents(dtype, ())))


SOFTMAX_WITH_LOSS_ERRORS = (
    ErrorInput(
        "an empty batch",
        lambda layer: layer().forward(np.zeros((0, 3)), np.zeros(0, int)),
        ValueError,
        r"empty batch",
    ),
    ErrorInput(
        "a label out of range",
        lambda layer: layer().forward(ones(2, 3), np.array([0, 3])),
        ValueError,
        r"must lie in \[0, 3\)",
    ),
    ErrorInput(
        "float labels of the index shape",
        lambda layer: layer().forward(ones(2, 3), np.array([0.0, 1.0])),
        TypeError,
        r"integer dtype",
    ),
    ErrorInput(
        "a dout that is not a scalar",
        lambda layer: forwarded(layer(), ones(2, 3), np.array([0, 1])).backward(ones(2)),
        ValueError,
        r"dout must have shape \(\)",
    ),
    ErrorInput("backward before forward", lambda layer: layer().backward(), RuntimeError, r"before .*forward"),
)


MEAN_SQUARED_ERROR_ERRORS = (
    ErrorInput(
        "t of another shape",
        lambda layer: layer().forward(ones(2, 3), ones(3)),
        ValueError,
        r"t must have shape \(2, 3\)",
    ),
    ErrorInput("backward before forward", lambda layer: layer().backward(), RuntimeError, r"before .*forward"),
)


ROWS: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "SoftmaxWithLoss",
        manual_bp.SoftmaxWithLoss,
        softmax_with_loss,
        ("x", "t"),
        (),
        softmax_with_loss_cases,
        nondiff=frozenset({"t"}),
        conventions="draws 1-5 classes, a 1-D x (one sample) or N = 1-4, t as indices, one-hot, "
        "probabilities or dense rows of any non-negative sum (all-zero rows too); mean over "
        "the batch; t not differentiated",
        errors=SOFTMAX_WITH_LOSS_ERRORS,
    ),
    CatalogEntry(
        "MeanSquaredError",
        manual_bp.MeanSquaredError,
        mean_squared_error,
        ("y", "t"),
        (),
        mean_squared_error_cases,
        nondiff=frozenset({"t"}),
        conventions="draws 1-D to 3-D y, t == y a quarter of the time; mean over all entries (the book: 0.5 * sum); "
        "t not differentiated; dout defaults to 1",
        errors=MEAN_SQUARED_ERROR_ERRORS,
    ),
    CatalogEntry(
        "SigmoidWithLoss",
        SigmoidWithLoss,
        sigmoid_with_loss,
        ("x", "t"),
        (),
        sigmoid_with_loss_cases,
        nondiff=frozenset({"t"}),
        conventions="mean(softplus(x) - t x) from the logits, no 1e-7; t: 0/1 or probabilities, data",
    ),
)
