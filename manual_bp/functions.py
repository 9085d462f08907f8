"""Numerically stable functions behind the layers: sigmoid, softmax, log-softmax, cross-entropy.

All keep the input's floating dtype and never warn for finite input, however large.
"""

from __future__ import annotations

import numpy as np

from manual_bp._checks import as_float_array, require_finite, shape_str

__all__ = ["as_labels", "cross_entropy_error", "log_softmax", "sigmoid", "sigmoid_pair", "softmax"]


def sigmoid(x):
    """``sigmoid(x) = 1 / (1 + exp(-x))``, computed without overflow for any finite ``x``.

    Uses ``e = exp(-|x|) <= 1``: ``1 / (1 + e)`` for ``x >= 0`` and ``e / (1 + e)`` below,
    so no exponential ever exceeds 1 (the book's form overflows below about -709).
    """
    x = as_float_array("x", x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_pair(x):
    """``(sigmoid(x), sigmoid(-x)) = (s, 1 - s)``, each to a few ulps of its own size.

    ``1 - s`` computed from a rounded ``s`` near 1 keeps only an absolute accuracy of
    ``eps / 2`` (in float32, 6e-8 where the true value may be 1e-7); here both come from
    ``e = exp(-|x|)``: ``(1 / (1 + e), e / (1 + e))`` for ``x >= 0``, swapped below.
    """
    x = as_float_array("x", x)
    e = np.exp(-np.abs(x))
    big, small = 1 / (1 + e), e / (1 + e)
    positive = x >= 0
    return np.where(positive, big, small), np.where(positive, small, big)


def _shifted(x: np.ndarray, axis: int) -> np.ndarray:
    """``x - max(x)`` along ``axis``: every entry <= 0. Where the true difference is below the
    most negative float (entries more than ``1.8e308`` apart, e.g. ``1e308`` and ``-1e308``) it
    rounds to ``-inf``, the correctly rounded value, whose ``exp`` is exactly 0: no warning."""
    with np.errstate(over="ignore"):
        return x - x.max(axis=axis, keepdims=True)


def log_softmax(x, axis: int = -1):
    """``log_softmax(x)_i = x_i - log(sum_j exp(x_j))`` along ``axis`` (max-shifted log-sum-exp).

    After the shift the maximum contributes exactly 1 to the sum, so the log is taken as
    ``log1p(sum of the others)``: the log-probability of a dominant entry, ``-log1p(r)``
    with ``r`` tiny, keeps its relative accuracy (``log(1 + r)`` rounds ``1 + r`` first and
    keeps only ``eps`` absolute, which ``SoftmaxWithLoss``'s gradient ``p - 1`` would show).
    Finite wherever the true value is representable; ``-inf`` (no warning) for an entry more
    than the largest float below its row's maximum.
    """
    x = as_float_array("x", x)
    shifted = _shifted(x, axis)
    e = np.exp(shifted)
    top = np.expand_dims(np.argmax(shifted, axis=axis), axis)
    np.put_along_axis(e, top, 0, axis=axis)  # the maximum's exp(0) = 1, counted by log1p
    return shifted - np.log1p(e.sum(axis=axis, keepdims=True))


def softmax(x, axis: int = -1):
    """``softmax(x)_i = exp(x_i) / sum_j exp(x_j)`` along ``axis``, max-shifted so it never overflows."""
    x = as_float_array("x", x)
    e = np.exp(_shifted(x, axis))
    return e / e.sum(axis=axis, keepdims=True)


def as_labels(t, x_shape: tuple) -> np.ndarray:
    """Validate labels ``t`` against scores of shape ``x_shape`` (``(N, C)`` or one sample ``(C,)``).

    Accepted: integer class indices of shape ``x_shape[:-1]`` in ``[0, C)``, or dense targets
    (one-hot or probabilities, any real dtype) of shape ``x_shape``. Dense targets come back
    as a float array; indices as an integer array.
    """
    t = np.asarray(t)
    num_classes = x_shape[-1]
    if t.shape == tuple(x_shape):
        if t.dtype.kind not in "iuf":
            raise TypeError(f"t (one-hot targets) must be numeric, got dtype {t.dtype}")
        dense = t if t.dtype.kind == "f" else t.astype(np.float64)
        if not np.all(np.isfinite(dense)):
            raise ValueError("t (one-hot targets) must be finite")
        if np.any(dense < 0):
            bad = tuple(int(i) for i in np.argwhere(dense < 0)[0])
            raise ValueError(f"t (dense targets) must be non-negative, got {dense[bad]} at index {bad}")
        return dense
    if t.shape == tuple(x_shape[:-1]):
        if t.dtype.kind not in "iu":
            raise TypeError(f"t (class indices) must have an integer dtype, got {t.dtype}; cast with t.astype(int)")
        if t.size and (t.min() < 0 or t.max() >= num_classes):
            bad = t[(t < 0) | (t >= num_classes)].ravel()[0]
            raise ValueError(f"t (class indices) must lie in [0, {num_classes}) for {num_classes} classes, got {bad}")
        return t
    raise ValueError(
        f"t must be class indices of shape {shape_str(x_shape[:-1])} or one-hot targets of shape "
        f"{shape_str(x_shape)} (x has shape {shape_str(x_shape)}), got {shape_str(t.shape)}"
    )


def _batch_size(x_shape: tuple) -> int:
    return x_shape[0] if len(x_shape) == 2 else 1


def _check_scores(name: str, x) -> np.ndarray:
    x = as_float_array(name, x)
    if x.ndim not in (1, 2) or x.shape[-1] == 0:
        raise ValueError(f"{name} must have shape (N, C) or (C,) with C >= 1, got {shape_str(x.shape)}")
    if x.ndim == 2 and x.shape[0] == 0:
        raise ValueError(
            f"{name} is an empty batch (shape {shape_str(x.shape)}): the loss is a mean over "
            "the batch and needs at least one sample"
        )
    return require_finite(name, x)  # inf or NaN scores give only NaN: refused, naming them


def _mean_nll(logp: np.ndarray, t: np.ndarray):
    """``-sum(t * logp) / N`` for dense ``t``, ``-sum(logp[i, t_i]) / N`` for indices."""
    if t.dtype.kind == "f":
        with np.errstate(invalid="ignore"):  # 0 * -inf: a zero target ignores its class, even at log p = -inf
            total = -np.where(t != 0, t * logp, 0).sum()
    else:
        total = -np.take_along_axis(logp, t[..., None], axis=-1).sum()
    return (total / _batch_size(logp.shape)).astype(logp.dtype)


def cross_entropy_error(y, t, *, from_logits: bool = False):
    """Mean cross-entropy ``-(1/N) sum_i sum_c t_ic log p_ic`` of a batch (or one sample).

    - ``from_logits=False`` (the book's signature): ``y`` are probabilities ``p``; the log is
      taken exactly, with no ``1e-7`` added, so a zero probability on the true class gives
      ``inf`` (no warning), the true value.
    - ``from_logits=True``: ``y`` are scores ``x`` and ``log p = log_softmax(x)`` is computed
      with log-sum-exp: finite, and exactly the function whose gradient
      ``SoftmaxWithLoss.backward`` returns.

    ``t``: integer class indices ``(N,)`` or one-hot / probability targets ``(N, C)``.
    """
    y = _check_scores("y", y)
    t = as_labels(t, y.shape)
    if from_logits:
        logp = log_softmax(y)
    else:
        with np.errstate(divide="ignore"):
            logp = np.log(y)
    return _mean_nll(logp, t)
