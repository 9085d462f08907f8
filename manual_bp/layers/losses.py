"""Loss layers: softmax and cross-entropy fused (``SoftmaxWithLoss``), ``MeanSquaredError`` and, from the
sequel, binary cross-entropy from logits (``SigmoidWithLoss``)."""

from __future__ import annotations

import numpy as np

from manual_bp._checks import as_float_array, check_shape, require_forward, shape_str
from manual_bp.functions import (
    _batch_size,
    _check_scores,
    _mean_nll,
    as_labels,
    log_softmax,
    sigmoid,
)

__all__ = ["MeanSquaredError", "SigmoidWithLoss", "SoftmaxWithLoss", "softplus"]


class SoftmaxWithLoss:
    """``loss = -(1/N) sum_i sum_c t_ic log softmax(x_i)_c``, a scalar.

    Shapes: scores ``x`` are ``(N, C)``, or ``(C,)`` for one sample (then ``N = 1``); labels
    ``t`` are integer class indices ``(N,)`` (a scalar for one sample) or dense one-hot /
    probability targets of ``x``'s shape. The log-probabilities come from log-sum-exp of the
    logits, so the loss is finite for any finite ``x`` and is exactly the function whose
    gradient ``backward`` returns (the book adds ``1e-7`` inside the log; this does not).

    Backward: ``dx = dout * (softmax(x) * sum_c t_c - t) / N`` which, for one-hot or
    probability rows (``sum_c t_c = 1``), is the book's ``(y - t) / N``. ``dout`` (default 1)
    scales it, as in the book's sequel; ``t`` is not differentiated. Where a probability is
    nearly 1 the difference cancels: ``y - 1`` is computed as ``expm1(log y)`` (at the label,
    and at each row's largest probability for dense targets, where ``y * s - t`` is
    ``(y - 1) * s + (s - t)``), so a confident prediction's tiny gradient keeps its relative
    accuracy in float32 instead of an absolute error of ``eps``.
    """

    def __init__(self):
        self.y = None  # softmax(x): the gradient's first term
        self.logp = None  # log softmax(x): y - 1 = expm1(logp) without cancellation
        self.t = None  # validated labels: the gradient's second term
        self.loss = None  # the last forward's loss

    def forward(self, x, t):
        x = _check_scores("x", x)
        self.t = as_labels(t, x.shape)
        self.logp = log_softmax(x)
        self.y = np.exp(self.logp)
        self.loss = _mean_nll(self.logp, self.t)
        return self.loss

    def backward(self, dout=1.0):
        require_forward(self, self.y)
        dout = as_float_array("dout", dout)
        check_shape("dout", dout, (), "the loss is a scalar")
        if self.t.dtype.kind == "f":
            total = self.t.sum(axis=-1, keepdims=True)
            dx = self.y * total - self.t
            top = np.argmax(self.y, axis=-1)[..., None]  # there: (y - 1) * s + (the other targets' sum)
            others = np.where(np.arange(self.t.shape[-1]) != top, self.t, 0).sum(axis=-1, keepdims=True)
            near = np.expm1(np.take_along_axis(self.logp, top, -1)) * total + others
            np.put_along_axis(dx, top, near, axis=-1)
        else:
            dx = self.y.copy()
            label = self.t[..., None]
            np.put_along_axis(dx, label, np.expm1(np.take_along_axis(self.logp, label, -1)), axis=-1)
        return (dx * (dout / _batch_size(self.y.shape))).astype(self.y.dtype, copy=False)


class MeanSquaredError:
    """``loss = mean((y - t)**2)`` over **all** entries, a scalar.

    Shapes: ``y`` any shape, ``t`` the same shape (no broadcasting: a mismatch is an error,
    not a silently different loss). The book's ``mean_squared_error`` is
    ``0.5 * sum((y - t)**2)`` (no mean, a factor 1/2); this is the mean, as in frameworks.

    Backward: ``dy = dout * 2 * (y - t) / y.size``; ``dout`` (default 1) scales it; ``t`` is
    data, not differentiated.
    """

    def __init__(self):
        self.diff = None  # y - t: the gradient is proportional to it
        self.loss = None  # the last forward's loss

    def forward(self, y, t):
        y = as_float_array("y", y)
        t = as_float_array("t", t)
        check_shape("t", t, y.shape, "the shape of y")
        if y.size == 0:
            raise ValueError(f"y must not be empty, got shape {shape_str(y.shape)}")
        self.diff = (y - t).astype(y.dtype, copy=False)
        self.loss = np.mean(self.diff * self.diff, dtype=y.dtype)
        return self.loss

    def backward(self, dout=1.0):
        require_forward(self, self.diff)
        dout = as_float_array("dout", dout)
        check_shape("dout", dout, (), "the loss is a scalar")
        return (self.diff * (2 * dout / self.diff.size)).astype(self.diff.dtype, copy=False)


def softplus(x):
    """``log(1 + exp(x))`` as ``max(x, 0) + log1p(exp(-|x|))``: no overflow, exact for large ``|x|``."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


class SigmoidWithLoss:
    """``loss = mean(softplus(x) - t * x)``: binary cross-entropy of ``sigmoid(x)`` from the logits.

    ``softplus(x) - t x = -[t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))]`` exactly, computed
    without forming ``sigmoid(x)`` first, so it is finite for any finite ``x`` and never saturates
    (the book takes ``log(y + 1e-7)`` of the sigmoid: the loss of ``x = -800, t = 1`` is 16.1
    there, 800 here) and it is exactly the function whose gradient ``backward`` returns.

    Shapes: logits ``x`` of any shape (``(N,)`` in the book), targets ``t`` of ``x``'s shape,
    integer 0/1 labels or floats in ``[0, 1]``; the mean is over all entries.

    Backward: ``dx = dout * (sigmoid(x) - t) / x.size``; ``dout`` (default 1) scales it; ``t``
    is data, not differentiated.
    """

    def __init__(self):
        self.y = None  # sigmoid(x): the gradient's first term
        self.t = None  # the targets in x's dtype: the gradient's second term
        self.loss = None  # the last forward's loss

    def forward(self, x, t):
        x = as_float_array("x", x)
        t_array = np.asarray(t)
        if t_array.dtype.kind not in "iufb":
            raise TypeError(f"t must be 0/1 labels or floats in [0, 1], got dtype {t_array.dtype}")
        check_shape("t", t_array, x.shape, "one target per logit")
        if x.size == 0:
            raise ValueError(f"x must not be empty, got shape {shape_str(x.shape)}")
        if np.any((t_array < 0) | (t_array > 1)):
            raise ValueError("t must lie in [0, 1] (0/1 labels or probabilities)")
        self.t = t_array.astype(x.dtype)
        self.y = sigmoid(x).astype(x.dtype, copy=False)
        self.loss = np.mean(softplus(x) - self.t * x, dtype=x.dtype)
        return self.loss

    def backward(self, dout=1.0):
        require_forward(self, self.y)
        dout = as_float_array("dout", dout)
        check_shape("dout", dout, (), "the loss is a scalar")
        return ((self.y - self.t) * (dout / self.y.size)).astype(self.y.dtype, copy=False)
