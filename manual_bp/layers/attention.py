"""Attention layers of the sequel (chapter 8): ``WeightSum``, ``AttentionWeight``, ``Attention``,
``TimeAttention``. None has parameters.

Shapes: ``N`` batch, ``T`` encoder steps, ``H`` hidden size, ``T_d`` decoder steps.
``hs (N, T, H)`` are the encoder's hidden states, ``h (N, H)`` one decoder state.

Padded encoder steps (the book has no mask; a padded question's trailing spaces get
attention too): every layer that computes weights takes an optional ``mask`` in ``forward``,
a boolean ``(N, T)`` array, ``True`` where the encoder step is real. Masked steps get the score
``-inf``, hence weight exactly 0 and gradient exactly 0; ``mask=None`` (the default) and an
all-``True`` mask give bitwise the same results as the book's unmasked layers. Every row must
keep at least one step (a softmax over no steps is undefined): ``ValueError`` otherwise. The
mask is data, not differentiated: ``backward`` returns the gradients of the float inputs only.
"""

from __future__ import annotations

import numpy as np

from manual_bp._checks import (
    as_float_array,
    check_dout,
    check_shape,
    require_finite,
    require_forward,
    shape_str,
)
from manual_bp.functions import softmax

__all__ = ["Attention", "AttentionWeight", "TimeAttention", "WeightSum", "check_mask"]


def _states(name: str, value, *, min_steps: int = 0) -> np.ndarray:
    """``value`` as a finite float ``(N, T, H)`` array with ``T >= min_steps``, or a ``ValueError`` naming
    ``name`` (``NonFiniteInputError`` for ``inf`` or ``NaN``, which would only give NaN weights)."""
    array = as_float_array(name, value)
    if array.ndim != 3:
        raise ValueError(f"{name} must have shape (N, T, H) (batch, steps, hidden), got {shape_str(array.shape)}")
    if array.shape[1] < min_steps:
        raise ValueError(
            f"{name} must have at least {min_steps} step (T >= {min_steps}) to attend to, "
            f"got shape {shape_str(array.shape)}"
        )
    return require_finite(name, array)


def check_mask(mask, shape: tuple):
    """``mask`` as a boolean array of ``shape`` ``(N, T)`` (``None`` stays ``None``).

    ``TypeError`` unless boolean; ``ValueError`` for another shape or a row with no ``True``.
    """
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.dtype != np.bool_:
        raise TypeError(f"mask must be a boolean array (True where the encoder step is real), got dtype {mask.dtype}")
    check_shape("mask", mask, shape, "(N, T): one flag per encoder step")
    empty = np.flatnonzero(~mask.any(axis=1))
    if empty.size:
        raise ValueError(
            f"mask row {int(empty[0])} masks every encoder step: at least one step per row must be "
            "True (a softmax over no steps is undefined)"
        )
    return mask


def _masked_softmax(scores: np.ndarray, mask) -> np.ndarray:
    """Softmax over the last axis; where ``mask`` (broadcast to ``scores``) is False the score is ``-inf``."""
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)  # max-shift stays finite: every row keeps one real step
    return softmax(scores, axis=-1)


def _softmax_backward(a: np.ndarray, da: np.ndarray) -> np.ndarray:
    """``ds = a * (da - sum(da * a))`` over the last axis: 0 exactly where ``a`` is 0 (masked steps)."""
    return a * (da - (da * a).sum(axis=-1, keepdims=True))


class WeightSum:
    """``c[n] = sum_t a[n, t] * hs[n, t]``: ``hs (N, T, H)``, weights ``a (N, T)`` (any reals), ``c (N, H)``.

    Backward: ``dhs[n, t] = a[n, t] * dc[n]``, ``da[n, t] = <hs[n, t], dc[n]>``; returns ``(dhs, da)``.
    """

    def __init__(self):
        self.hs = None  # encoder states: da = <hs, dc>
        self.a = None  # weights: dhs = a * dc
        self.out_dtype = None  # dtype of the result (of hs and a together)

    def forward(self, hs, a):
        hs = _states("hs", hs)
        a = as_float_array("a", a)
        check_shape("a", a, hs.shape[:2], "(N, T): one weight per step of hs")
        self.hs, self.a = hs, a
        self.out_dtype = np.result_type(hs, a)
        return (a[:, None, :] @ hs)[:, 0, :].astype(self.out_dtype, copy=False)

    def backward(self, dc):
        require_forward(self, self.hs)
        n, _, h = self.hs.shape
        dc = check_dout(dc, (n, h))
        dhs = self.a[:, :, None] * dc[:, None, :]
        da = (self.hs @ dc[:, :, None])[:, :, 0]
        return dhs.astype(self.hs.dtype, copy=False), da.astype(self.a.dtype, copy=False)


class AttentionWeight:
    """``a = softmax_t(s)``, ``s[n, t] = <hs[n, t], h[n]>``: ``hs (N, T, H)``, ``h (N, H)``, ``a (N, T)``.

    Dot-product scores, unscaled, as the book. ``forward(hs, h, mask=None)``: masked steps
    (``mask[n, t]`` False) get ``s = -inf``, so ``a = 0`` there (see the module docstring).

    Backward: ``ds = a * (da - sum_t da * a)``; ``dhs[n, t] = ds[n, t] * h[n]``,
    ``dh[n] = sum_t ds[n, t] * hs[n, t]``; returns ``(dhs, dh)``.
    """

    def __init__(self):
        self.hs = None  # encoder states: dh = sum_t ds * hs
        self.h = None  # decoder state: dhs = ds * h
        self.a = None  # the weights: the softmax Jacobian is built from them

    def forward(self, hs, h, mask=None):
        hs = _states("hs", hs, min_steps=1)
        h = as_float_array("h", h)
        check_shape("h", h, (hs.shape[0], hs.shape[2]), "(N, H): one state per row of hs")
        mask = check_mask(mask, hs.shape[:2])
        dtype = np.result_type(hs, h)
        scores = (hs @ h[:, :, None])[:, :, 0].astype(dtype, copy=False)
        self.hs, self.h, self.a = hs, h, _masked_softmax(scores, mask)
        return self.a.copy()  # the caller may edit what it gets; backward reads self.a

    def backward(self, da):
        require_forward(self, self.a)
        da = check_dout(da, self.a.shape)
        ds = _softmax_backward(self.a, da)
        dhs = ds[:, :, None] * self.h[:, None, :]
        dh = (ds[:, None, :] @ self.hs)[:, 0, :]
        return dhs.astype(self.hs.dtype, copy=False), dh.astype(self.h.dtype, copy=False)


class Attention:
    """``c = WeightSum(hs, AttentionWeight(hs, h, mask))``: the context ``c (N, H)`` of one decoder state.

    ``forward(hs, h, mask=None)``; the weights of the last forward are ``attention_weight (N, T)``.

    Backward: ``hs`` is reached along two paths, through the weighted sum and through the
    scores: ``dhs = dhs_sum + dhs_score``; returns ``(dhs, dh)``.
    """

    def __init__(self):
        self.attention_weight_layer = AttentionWeight()  # the book's names for the two halves
        self.weight_sum_layer = WeightSum()

    @property
    def attention_weight(self):
        """The weights ``a (N, T)`` of the last forward (a copy), ``None`` before."""
        return None if self.attention_weight_layer.a is None else self.attention_weight_layer.a.copy()

    def forward(self, hs, h, mask=None):
        a = self.attention_weight_layer.forward(hs, h, mask)
        return self.weight_sum_layer.forward(hs, a)

    def backward(self, dc):
        require_forward(self, self.weight_sum_layer.hs)
        dhs_sum, da = self.weight_sum_layer.backward(dc)
        dhs_score, dh = self.attention_weight_layer.backward(da)
        return dhs_sum + dhs_score, dh


class TimeAttention:
    """One ``Attention`` per decoder step: ``out[:, j] = Attention(hs_enc, hs_dec[:, j], mask)``.

    ``hs_enc (N, T, H)``, ``hs_dec (N, T_d, H)``, ``out (N, T_d, H)``, all steps at once:
    ``S = hs_dec @ hs_enc^T (N, T_d, T)``, ``A = softmax(S)`` over the encoder axis (``-inf`` at
    masked steps), ``out = A @ hs_enc``. ``attention_weights (N, T_d, T)`` keeps ``A`` of the
    last forward for plotting (``attention_weights[n]`` is one heat map: decoder steps by
    encoder steps); the book keeps a list of ``T_d`` arrays ``(N, T)`` instead.

    Backward: ``dA = dout @ hs_enc^T``, ``dS = A * (dA - sum dA * A)``;
    ``dhs_enc = A^T @ dout + dS^T @ hs_dec`` (summed over decoder steps: every step attends to
    all of ``hs_enc``), ``dhs_dec = dS @ hs_enc``; returns ``(dhs_enc, dhs_dec)``.
    """

    def __init__(self):
        self.hs_enc = None  # encoder states: both gradients read them
        self.hs_dec = None  # decoder states: dhs_enc's score path reads them
        self.a = None  # weights A (N, T_d, T): the softmax Jacobian and dhs_enc's sum path
        self.out_dtype = None  # dtype of the result

    @property
    def attention_weights(self):
        """The weights ``A (N, T_d, T)`` of the last forward (a copy), ``None`` before."""
        return None if self.a is None else self.a.copy()

    def forward(self, hs_enc, hs_dec, mask=None):
        hs_enc = _states("hs_enc", hs_enc, min_steps=1)
        hs_dec = _states("hs_dec", hs_dec)
        if hs_dec.shape[0] != hs_enc.shape[0] or hs_dec.shape[2] != hs_enc.shape[2]:
            raise ValueError(
                f"hs_dec must have shape ({hs_enc.shape[0]}, T_d, {hs_enc.shape[2]}) (the batch and hidden "
                f"size of hs_enc {shape_str(hs_enc.shape)}), got {shape_str(hs_dec.shape)}"
            )
        mask = check_mask(mask, hs_enc.shape[:2])
        self.out_dtype = np.result_type(hs_enc, hs_dec)
        scores = (hs_dec @ hs_enc.transpose(0, 2, 1)).astype(self.out_dtype, copy=False)
        self.hs_enc, self.hs_dec = hs_enc, hs_dec
        self.a = _masked_softmax(scores, None if mask is None else mask[:, None, :])
        return (self.a @ hs_enc).astype(self.out_dtype, copy=False)

    def backward(self, dout):
        require_forward(self, self.a)
        dout = check_dout(dout, self.hs_dec.shape)
        da = dout @ self.hs_enc.transpose(0, 2, 1)
        ds = _softmax_backward(self.a, da)
        dhs_enc = self.a.transpose(0, 2, 1) @ dout + ds.transpose(0, 2, 1) @ self.hs_dec
        dhs_dec = ds @ self.hs_enc
        return dhs_enc.astype(self.hs_enc.dtype, copy=False), dhs_dec.astype(self.hs_dec.dtype, copy=False)
