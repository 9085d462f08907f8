"""Recurrent cells (the sequel, ch. 5-6): ``RNN``, ``LSTM`` and ``GRU``, one time step each.

Row-vector convention as in the book: ``x @ Wx + h @ Wh + b``. The step functions below are
shared with the time layers (``time_layers``), which run them over a whole block.
"""

from __future__ import annotations

import numpy as np

from manual_bp._checks import HasParams, as_float_array, check_dout, require_forward, shape_str
from manual_bp.functions import sigmoid

__all__ = ["GRU", "LSTM", "RNN"]


def check_recurrent_params(Wx, Wh, b, gates: int, layout: str):
    """``Wx (D, gates*H)``, ``Wh (H, gates*H)``, ``b (gates*H,)`` as float arrays, or a ``ValueError``."""
    Wx, Wh, b = as_float_array("Wx", Wx), as_float_array("Wh", Wh), as_float_array("b", b)
    if Wh.ndim != 2 or Wh.shape[1] != gates * Wh.shape[0]:
        raise ValueError(f"Wh must have shape (H, {gates}*H) (gates {layout}), got {shape_str(Wh.shape)}")
    if Wx.ndim != 2 or Wx.shape[1] != Wh.shape[1]:
        raise ValueError(f"Wx must have shape (D, {Wh.shape[1]}) (gates {layout}, like Wh), got {shape_str(Wx.shape)}")
    if b.shape != (Wh.shape[1],):
        raise ValueError(f"b must have shape ({Wh.shape[1]},) (gates {layout}), got {shape_str(b.shape)}")
    return Wx, Wh, b


def check_state(name: str, value, n: int, hidden: int) -> np.ndarray:
    """A hidden or cell state of shape ``(N, H)``, or a ``ValueError``."""
    value = as_float_array(name, value)
    if value.shape != (n, hidden):
        raise ValueError(f"{name} must have shape ({n}, {hidden}) (batch, hidden), got {shape_str(value.shape)}")
    return value


# -- the step functions: a = x @ Wx + b is given (the time layers compute it for a whole block) --


def lstm_gates(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The activated gates ``[f, g, i, o]`` of the pre-activations ``a (N, 4H)``: sigmoid, tanh, sigmoid, sigmoid.

    The sigmoids as ``sigmoid`` computes them, from ``e = exp(-|a|) <= 1`` (no overflow), each to a
    few ulps of its own size: ``(1 + tanh(a / 2)) / 2`` keeps only an absolute accuracy of ``eps / 2``,
    so a gate of 5e-9 (``a = -19``) came out 6 times too large in float32.
    """
    H = a.shape[-1] // 4
    out = np.abs(a, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)  # e
    np.divide(np.where(a >= 0, 1, out), 1 + out, out=out)
    np.tanh(a[..., H : 2 * H], out=out[..., H : 2 * H])
    return out


def lstm_step_backward(dh_next, dc_next, gates, c_prev, tanh_c, dA):
    """One LSTM step's backward: writes ``dA = [df, dg, di, do]`` (pre-activations) and returns ``dc_prev``.

    ``ds = dc' + dh' o (1 - tanh(c')^2)``; ``dc = ds f``; ``df = ds c f (1 - f)``,
    ``dg = ds i (1 - g^2)``, ``di = ds g i (1 - i)``, ``do = dh' tanh(c') o (1 - o)``.
    """
    H = c_prev.shape[-1]
    f, g, i, o = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H : 3 * H], gates[:, 3 * H :]
    ds = dc_next + dh_next * o * (1 - tanh_c * tanh_c)
    dA[:, :H] = ds * c_prev * f * (1 - f)
    dA[:, H : 2 * H] = ds * i * (1 - g * g)
    dA[:, 2 * H : 3 * H] = ds * g * i * (1 - i)
    dA[:, 3 * H :] = dh_next * tanh_c * o * (1 - o)
    return ds * f


def gru_step_forward(ax, h_prev, Wh):
    """One GRU step (the book's form) from ``ax = x @ Wx + b (N, 3H)``: returns ``(h_next, z, r, h_hat, rh)``.

    ``z = sigmoid(ax_z + h Wh_z)``, ``r = sigmoid(ax_r + h Wh_r)``,
    ``h_hat = tanh(ax_h + (r h) Wh_h)``, ``h' = (1 - z) h + z h_hat``.
    """
    H = h_prev.shape[-1]
    zr = sigmoid(ax[:, : 2 * H] + h_prev @ Wh[:, : 2 * H])
    z, r = zr[:, :H], zr[:, H:]
    rh = r * h_prev
    h_hat = np.tanh(ax[:, 2 * H :] + rh @ Wh[:, 2 * H :])
    return h_prev + z * (h_hat - h_prev), z, r, h_hat, rh


def gru_step_backward(dh_next, h_prev, z, r, h_hat, Wh, dA):
    """One GRU step's backward: writes ``dA = [dz, dr, dh_hat]`` (pre-activations) and returns ``dh_prev``.

    ``dh_hat = dh' z (1 - h_hat^2)``, ``d(rh) = dh_hat Wh_h^T``, ``dr = d(rh) h r (1 - r)``,
    ``dz = dh' (h_hat - h) z (1 - z)``, ``dh = dh' (1 - z) + d(rh) r + [dz, dr] Wh_zr^T``.
    """
    H = h_prev.shape[-1]
    dt = dh_next * z * (1 - h_hat * h_hat)
    drh = dt @ Wh[:, 2 * H :].T
    dA[:, :H] = dh_next * (h_hat - h_prev) * z * (1 - z)
    dA[:, H : 2 * H] = drh * h_prev * r * (1 - r)
    dA[:, 2 * H :] = dt
    return dh_next * (1 - z) + drh * r + dA[:, : 2 * H] @ Wh[:, : 2 * H].T


class _Cell(HasParams):
    param_names = ("Wx", "Wh", "b")
    gates = 1
    layout = "[h]"

    def __init__(self, Wx, Wh, b):
        self.Wx, self.Wh, self.b = check_recurrent_params(Wx, Wh, b, self.gates, self.layout)
        self.hidden = self.Wh.shape[0]
        self.cache = None  # what backward needs: (x, h_prev, ...) of the last forward
        self.dWx = self.dWh = self.db = None  # parameter gradients, set by backward

    def _inputs(self, x, *states):
        x = as_float_array("x", x)
        if x.ndim != 2 or x.shape[1] != self.Wx.shape[0]:
            raise ValueError(
                f"x must have shape (N, {self.Wx.shape[0]}) (Wx has shape {shape_str(self.Wx.shape)}), "
                f"got {shape_str(x.shape)}"
            )
        names = ("h_prev", "c_prev")
        return x, *(check_state(names[k], s, x.shape[0], self.hidden) for k, s in enumerate(states))

    def _param_grads(self, x, h_prev, dA):
        self.dWx = (x.T @ dA).astype(self.Wx.dtype, copy=False)
        self.dWh = (h_prev.T @ dA).astype(self.Wh.dtype, copy=False)
        self.db = dA.sum(axis=0).astype(self.b.dtype, copy=False)


class RNN(_Cell):
    """``h' = tanh(h_prev @ Wh + x @ Wx + b)``, one step.

    Shapes: ``x (N, D)``, ``h_prev (N, H)``, ``Wx (D, H)``, ``Wh (H, H)``, ``b (H,)``; ``h' (N, H)``.

    Backward(``dh_next``): ``dt = dh' (1 - h'^2)``; ``dWx = x^T dt``, ``dWh = h^T dt``,
    ``db = sum_n dt``; returns ``(dx, dh_prev) = (dt Wx^T, dt Wh^T)``.
    """

    def forward(self, x, h_prev):
        x, h_prev = self._inputs(x, h_prev)
        h_next = np.tanh(x @ self.Wx + h_prev @ self.Wh + self.b)
        self.cache = (x, h_prev, h_next)
        return h_next.copy()  # the caller owns what forward returns; backward reads the cache

    def backward(self, dh_next):
        require_forward(self, self.cache)
        x, h_prev, h_next = self.cache
        dt = check_dout(dh_next, h_next.shape) * (1 - h_next * h_next)
        self._param_grads(x, h_prev, dt)
        return (dt @ self.Wx.T).astype(x.dtype, copy=False), (dt @ self.Wh.T).astype(h_prev.dtype, copy=False)


class LSTM(_Cell):
    """One LSTM step with the book's gate layout ``[f, g, i, o]`` along the ``4H`` axis.

    ``A = x @ Wx + h_prev @ Wh + b``; ``f, g, i, o = sigmoid(A_f), tanh(A_g), sigmoid(A_i), sigmoid(A_o)``;
    ``c' = f c_prev + g i``; ``h' = o tanh(c')``. PyTorch orders the gates ``[i, f, g, o]`` and
    Keras ``[i, f, c, o]``: weights moved between them must be re-sliced.

    Shapes: ``x (N, D)``, ``h_prev``, ``c_prev (N, H)``, ``Wx (D, 4H)``, ``Wh (H, 4H)``, ``b (4H,)``;
    forward returns ``(h_next, c_next)``.

    Backward(``dh_next, dc_next``): ``dA`` as in ``lstm_step_backward``; ``dWx = x^T dA``,
    ``dWh = h^T dA``, ``db = sum_n dA``; returns ``(dx, dh_prev, dc_prev) = (dA Wx^T, dA Wh^T, ds f)``.
    """

    gates = 4
    layout = "[f, g, i, o]"

    def forward(self, x, h_prev, c_prev):
        x, h_prev, c_prev = self._inputs(x, h_prev, c_prev)
        gates = lstm_gates(x @ self.Wx + h_prev @ self.Wh + self.b)
        H = self.hidden
        c_next = gates[:, :H] * c_prev + gates[:, H : 2 * H] * gates[:, 2 * H : 3 * H]
        tanh_c = np.tanh(c_next)
        h_next = gates[:, 3 * H :] * tanh_c
        self.cache = (x, h_prev, c_prev, gates, tanh_c)
        return h_next, c_next

    def backward(self, dh_next, dc_next):
        require_forward(self, self.cache)
        x, h_prev, c_prev, gates, tanh_c = self.cache
        dh_next, dc_next = check_dout(dh_next, h_prev.shape), check_dout(dc_next, c_prev.shape)
        dA = np.empty_like(gates, dtype=np.result_type(gates, dh_next, dc_next))
        dc_prev = lstm_step_backward(dh_next, dc_next, gates, c_prev, tanh_c, dA)
        self._param_grads(x, h_prev, dA)
        return (
            (dA @ self.Wx.T).astype(x.dtype, copy=False),
            (dA @ self.Wh.T).astype(h_prev.dtype, copy=False),
            dc_prev.astype(c_prev.dtype, copy=False),
        )


class GRU(_Cell):
    """One GRU step in the book's form, gate layout ``[z, r, h_hat]`` along the ``3H`` axis.

    ``z = sigmoid(x Wx_z + h Wh_z + b_z)``, ``r = sigmoid(x Wx_r + h Wh_r + b_r)``,
    ``h_hat = tanh(x Wx_h + (r * h) Wh_h + b_h)``, ``h' = (1 - z) * h + z * h_hat``.

    How it differs from PyTorch's ``nn.GRU`` (and cuDNN): PyTorch applies the reset gate *after*
    the product, ``n = tanh(x W_in + b_in + r * (h W_hn + b_hn))`` with a second bias inside, and
    keeps the old state with ``z``: ``h' = (1 - z) * n + z * h``; its gate order is ``[r, z, n]``.
    Both are GRUs, but weights do not transfer without rewriting ``z -> 1 - z`` and the reset
    product (the two are not the same function).

    Shapes: ``x (N, D)``, ``h_prev (N, H)``, ``Wx (D, 3H)``, ``Wh (H, 3H)``, ``b (3H,)``; ``h' (N, H)``.

    Backward(``dh_next``): ``dA = [dz, dr, dh_hat]`` as in ``gru_step_backward``; ``dWx = x^T dA``,
    ``dWh = [h^T dA_zr, (r h)^T dA_h]``, ``db = sum_n dA``; returns ``(dx, dh_prev)``.
    """

    gates = 3
    layout = "[z, r, h_hat]"

    def forward(self, x, h_prev):
        x, h_prev = self._inputs(x, h_prev)
        h_next, z, r, h_hat, rh = gru_step_forward(x @ self.Wx + self.b, h_prev, self.Wh)
        self.cache = (x, h_prev, z, r, h_hat, rh)
        return h_next

    def backward(self, dh_next):
        require_forward(self, self.cache)
        x, h_prev, z, r, h_hat, rh = self.cache
        dh_next = check_dout(dh_next, h_prev.shape)
        dA = np.empty((x.shape[0], 3 * self.hidden), np.result_type(h_hat, dh_next))
        dh_prev = gru_step_backward(dh_next, h_prev, z, r, h_hat, self.Wh, dA)
        H = self.hidden
        self.dWx = (x.T @ dA).astype(self.Wx.dtype, copy=False)
        self.dWh = np.concatenate([h_prev.T @ dA[:, : 2 * H], rh.T @ dA[:, 2 * H :]], axis=1).astype(
            self.Wh.dtype, copy=False
        )
        self.db = dA.sum(axis=0).astype(self.b.dtype, copy=False)
        return (dA @ self.Wx.T).astype(x.dtype, copy=False), dh_prev.astype(h_prev.dtype, copy=False)
