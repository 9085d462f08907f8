"""Losses (each a scalar averaged over the batch ``N = len(x)``) and ``accuracy``.

Labels and targets (``t``) are data: their gradient is None. Each loss is computed in a
stable form, where the book's is not:
- ``softmax_cross_entropy``: log-sum-exp, as the book does;
- ``sigmoid_cross_entropy``: ``softplus(x) - t * x`` from logits, where the book computes
  ``log(clip(sigmoid(x), 1e-15, 1))`` (wrong loss and zero gradient below x = -34.5);
- ``binary_cross_entropy``: ``log(p)`` and ``log1p(-p)`` of the probability itself, where the
  book clips ``p`` to ``[1e-15, 0.999]`` (so every ``p > 0.999`` gets a zero gradient).
"""

from __future__ import annotations

import numpy as np

import manual_bp.functions as stable
from manual_bp._checks import shape_str
from manual_bp.dezero.core import Function, Variable, as_array, as_variable
from manual_bp.dezero.functions.activations import sigmoid, softmax

__all__ = [
    "BinaryCrossEntropy",
    "MeanSquaredError",
    "SigmoidCrossEntropy",
    "SoftmaxCrossEntropy",
    "accuracy",
    "binary_cross_entropy",
    "mean_squared_error",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
]


def _check_same_shape(name: str, t: np.ndarray, x: np.ndarray) -> None:
    if t.shape != x.shape:
        raise ValueError(f"{name} must have the shape of x, {shape_str(x.shape)}, got {shape_str(t.shape)}")


class MeanSquaredError(Function):
    """``y = sum((x0 - x1) ** 2) / N``. Backward: ``gx0 = gy * (x0 - x1) * 2 / N``, ``gx1 = -gx0``."""

    def forward(self, x0, x1):
        _check_same_shape("x1", x1, x0)
        diff = x0 - x1
        return (diff**2).sum() / diff.dtype.type(len(diff))

    def backward(self, gy):
        x0, x1 = self.inputs
        diff = x0 - x1
        gx0 = gy * diff * (2.0 / len(diff))
        return gx0, -gx0


def mean_squared_error(x0, x1):
    return MeanSquaredError()(x0, x1)


class SoftmaxCrossEntropy(Function):
    """``y = -sum_n log_softmax(x)[n, t_n] / N`` for scores ``x`` ``(N, C)`` and class indices ``t`` ``(N,)``.

    Backward: ``gx = (softmax(x) - onehot(t)) * gy / N`` (``softmax`` of the input Variable, so
    the backward is differentiable again); ``t`` gets no gradient.
    """

    def forward(self, x, t):
        if x.ndim != 2:
            raise ValueError(f"x must have shape (N, C), got {shape_str(x.shape)}")
        t = stable.as_labels(t, x.shape)
        if t.ndim != 1:
            raise ValueError(f"t must be class indices of shape {shape_str(x.shape[:1])}, got {shape_str(t.shape)}")
        log_p = stable.log_softmax(x, axis=1)
        return -log_p[np.arange(len(x)), t].sum() / x.dtype.type(len(x))

    def backward(self, gy):
        x, t = self.inputs
        onehot = np.eye(x.shape[1], dtype=x.dtype)[t.data]
        return (softmax(x) - onehot) * (gy * (1.0 / len(x))), None


def softmax_cross_entropy(x, t):
    return SoftmaxCrossEntropy()(x, t)


class SigmoidCrossEntropy(Function):
    """``y = sum(softplus(x) - t * x) / N``: the binary cross-entropy of ``sigmoid(x)``
    against targets ``t`` in [0, 1] (same shape as ``x``), computed from the logits
    (``softplus(x) = max(x, 0) + log1p(exp(-|x|))`` never overflows).

    Backward: ``gx = (sigmoid(x) - t) * gy / N``; ``t`` gets no gradient.
    """

    def forward(self, x, t):
        _check_same_shape("t", t, x)
        t = t.astype(x.dtype)
        softplus = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
        return (softplus - t * x).sum() / x.dtype.type(len(x))

    def backward(self, gy):
        x, t = self.inputs
        return (sigmoid(x) - t.data.astype(x.dtype)) * (gy * (1.0 / len(x))), None


def sigmoid_cross_entropy(x, t):
    return SigmoidCrossEntropy()(x, t)


class BinaryCrossEntropy(Function):
    """``y = -sum(t * log(p) + (1 - t) * log1p(-p)) / N`` for probabilities ``p`` in (0, 1) and
    targets ``t`` in [0, 1] of the same shape. No clipping: the loss is exact, and a ``p`` at 0
    or 1 gives ``inf`` where the true loss is infinite.

    Backward: ``gp = gy * ((1 - t) / (1 - p) - t / p) / N`` (built from Functions of ``p``); ``t``
    gets no gradient. Its derivative, ``t / p**2 + (1 - t) / (1 - p)**2``, sums positive terms;
    the equal ``(p - t) / (p (1 - p))`` differentiates into terms of size ``1 / (1 - p)`` that
    cancel for a confident ``p`` near ``t = 1`` (float32's second order was 180 ulps off).
    """

    def forward(self, p, t):
        _check_same_shape("t", t, p)
        t = t.astype(p.dtype)
        with np.errstate(divide="ignore"):
            log_likelihood = t * np.log(p) + (1 - t) * np.log1p(-p)
        return -log_likelihood.sum() / p.dtype.type(len(p))

    def backward(self, gy):
        p, t = self.inputs
        t = t.data.astype(p.dtype)
        return gy * ((1 - t) / (1 - p) - t / p) * (1.0 / len(p)), None


def binary_cross_entropy(p, t):
    return BinaryCrossEntropy()(p, t)


def accuracy(y, t) -> Variable:
    """The fraction of rows of scores ``y`` ``(N, C)`` whose argmax is the label ``t`` ``(N,)``.

    Not differentiable: returns a Variable with no creator.
    """
    y, t = as_variable(y), as_variable(t)
    pred = y.data.argmax(axis=1).reshape(t.shape)
    return Variable(as_array((pred == t.data).mean(), dtype=y.dtype))
