"""Time layers (the sequel, ch. 5-6): the cells and layers of ``recurrent``/``affine``/``embedding`` run over
a block of ``T`` time steps at once. Batch-major shapes as in the book: ``xs (N, T, D)``, ids ``(N, T)``.

Recurrent layers (``TimeRNN``, ``TimeLSTM``, ``TimeGRU``) do the input product ``xs @ Wx + b``
and, in backward, the weight-gradient products ``xs^T dA``, ``hs_prev^T dA`` and ``dA Wx^T``
once for the whole block; only ``h @ Wh`` and ``dA_t @ Wh^T`` are per step. Their buffers are
allocated once per shape and reused. The dtype is the one NumPy gives ``xs`` and the
parameters (float32 stays float32); nothing is hard-coded.
"""

from __future__ import annotations

import numbers

import numpy as np

from manual_bp._checks import (
    HasParams,
    as_float_array,
    as_indices,
    check_dout,
    check_shape,
    require_finite,
    require_forward,
    shape_str,
)
from manual_bp.functions import log_softmax
from manual_bp.layers.affine import affine_params
from manual_bp.layers.dropout import Dropout
from manual_bp.layers.embedding import Embedding
from manual_bp.layers.recurrent import (
    check_recurrent_params,
    check_state,
    gru_step_backward,
    gru_step_forward,
)

__all__ = [
    "TimeAffine",
    "TimeBiLSTM",
    "TimeDropout",
    "TimeEmbedding",
    "TimeGRU",
    "TimeLSTM",
    "TimeRNN",
    "TimeSoftmaxWithLoss",
]


def _buffer(owner, name: str, shape: tuple, dtype) -> np.ndarray:
    """``owner.<name>``, reallocated only when the shape or dtype changes (buffers reused block after block)."""
    buffer = getattr(owner, name, None)
    if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
        buffer = np.empty(shape, dtype)
        setattr(owner, name, buffer)
    return buffer


class _TimeRecurrent(HasParams):
    """Shared by ``TimeRNN``/``TimeLSTM``/``TimeGRU``: parameters, state, the block-wide products."""

    param_names = ("Wx", "Wh", "b")
    gates = 1
    layout = "[h]"
    state_names: tuple[str, ...] = ("h",)

    def __init__(self, Wx, Wh, b, stateful=False):
        self.Wx, self.Wh, self.b = check_recurrent_params(Wx, Wh, b, self.gates, self.layout)
        self.hidden = self.Wh.shape[0]
        self.stateful = bool(stateful)
        self.h = None  # the carried hidden state (N, H): the last h of the previous block when stateful
        self.dh = None  # dL/d(initial h) of the last backward (the book's self.dh; the seq2seq decoders use it)
        self.xs2 = None  # xs time-major, flattened to (T*N, D): dWx and dxs need it
        self.shape = None  # (N, T): dhs must be (N, T, H)
        self.xs_dtype = None  # dxs has xs's dtype
        self.dWx = self.dWh = self.db = None  # parameter gradients, set by backward

    def set_state(self, h):
        """Start the next block from ``h (N, H)`` (a stateful layer; a stateless one starts from zeros anyway)."""
        self.h = as_float_array("h", h).copy()

    def reset_state(self):
        """Forget the carried state: the next block starts from zeros."""
        self.h = None

    def _check_xs(self, xs) -> np.ndarray:
        """``xs`` as a finite float array of shape ``(N, T, D)``, or a ``ValueError`` (``inf`` or ``NaN``
        would only give NaN states: ``NonFiniteInputError``)."""
        xs = as_float_array("xs", xs)
        if xs.ndim != 3 or xs.shape[2] != self.Wx.shape[0]:
            raise ValueError(
                f"xs must have shape (N, T, {self.Wx.shape[0]}) (Wx has shape "
                f"{shape_str(self.Wx.shape)}), got {shape_str(xs.shape)}"
            )
        return require_finite("xs", xs)

    def _begin(self, xs):
        """Validate ``xs``, pick the working dtype, compute ``ax = xs @ Wx + b`` time-major ``(T, N, G)``."""
        xs = self._check_xs(xs)
        n, t, d = xs.shape
        self.shape, self.xs_dtype = (n, t), xs.dtype
        dtype = np.result_type(xs, self.Wx, self.Wh, self.b)
        self.xs2 = np.ascontiguousarray(xs.transpose(1, 0, 2), dtype=dtype).reshape(t * n, d)
        ax = self.xs2 @ self.Wx
        ax += self.b
        return ax.reshape(t, n, -1), dtype

    def _initial(self, name, carried, n, dtype):
        if not self.stateful or carried is None:
            return np.zeros((n, self.hidden), dtype)
        return check_state(name, carried, n, self.hidden).astype(dtype, copy=False)

    def _end(self, dA, hs_prev2):
        """The block-wide products: ``dWx = xs^T dA``, ``dWh = hs_prev^T dA``, ``db = sum dA``; returns ``dxs``."""
        n, t = self.shape
        dA2 = dA.reshape(t * n, -1)
        self.dWx = _buffer(self, "_dWx", self.Wx.shape, self.Wx.dtype)
        self.dWx[...] = self.xs2.T @ dA2
        if hs_prev2 is not None:
            self.dWh = _buffer(self, "_dWh", self.Wh.shape, self.Wh.dtype)
            self.dWh[...] = hs_prev2.T @ dA2
        self.db = _buffer(self, "_db", self.b.shape, self.b.dtype)
        self.db[...] = dA2.sum(axis=0)
        return (dA2 @ self.Wx.T).reshape(t, n, -1).transpose(1, 0, 2).astype(self.xs_dtype)

    def _dhs(self, dhs):
        require_forward(self, self.shape)
        n, t = self.shape
        return check_dout(dhs, (n, t, self.hidden)).transpose(1, 0, 2)


class TimeRNN(_TimeRecurrent):
    """``h_t = tanh(h_{t-1} @ Wh + x_t @ Wx + b)`` for ``t = 1..T``; returns ``hs = (h_1, ..., h_T)``.

    Shapes: ``xs (N, T, D)``, ``Wx (D, H)``, ``Wh (H, H)``, ``b (H,)``; ``hs (N, T, H)``.
    ``h_0`` is zeros, or, when ``stateful=True``, the last ``h`` of the previous block (or what
    ``set_state(h)`` gave; ``reset_state()`` forgets it).

    Backward(``dhs``), truncated BPTT: the gradient of the block's last state is taken as 0 (no
    gradient crosses the boundary to the next block), then for ``t = T..1``:
    ``dt = (dhs_t + dh) (1 - h_t^2)``, ``dh = dt Wh^T``. ``self.dh`` ends as dL/dh_0. Parameter
    gradients are summed over the block in one product each. Returns ``dxs (N, T, D)``.
    """

    def forward(self, xs):
        ax, dtype = self._begin(xs)
        t, n, _ = ax.shape
        hs = _buffer(self, "_hs", (t + 1, n, self.hidden), dtype)  # hs[0] = h_0, hs[k] = h_k
        hs[0] = self._initial("h", self.h, n, dtype)
        for k in range(t):
            a = ax[k]
            a += hs[k] @ self.Wh
            np.tanh(a, out=hs[k + 1])
        self.h = hs[t].copy()
        return hs[1:].transpose(1, 0, 2).copy()

    def backward(self, dhs):
        dhs = self._dhs(dhs)
        hs = self._hs
        t, n, h = hs.shape[0] - 1, hs.shape[1], self.hidden
        dA = _buffer(self, "_dA", (t, n, h), np.result_type(hs, dhs))
        dh = np.zeros((n, h), dA.dtype)
        for k in reversed(range(t)):
            np.multiply(dhs[k] + dh, 1 - hs[k + 1] * hs[k + 1], out=dA[k])
            dh = dA[k] @ self.Wh.T
        self.dh = dh
        return self._end(dA, hs[:-1].reshape(t * n, h))


class _LSTMBlock:
    """TimeLSTM's buffers for one ``(T, N, D, H, dtype)``, reused block after block, and their per-step views.

    ``xh[k] = [x_k, 1, h_{k-1}]`` side by side (``(T+1, N, D+1+H)``; ``xh[T, :, D+1:]`` holds ``h_T``),
    so ``xs Wx + b`` is one product ``[xs, 1] [Wx; b]`` and ``[dWx; db; dWh]`` one product ``xh^T dA``;
    ``gates`` the activated ``f, g, i, o`` gate-major ``(4, T, N, H)``, so that every operand of the
    elementwise work is contiguous (on a column slice of an ``(N, 4H)`` block NumPy runs one short
    inner loop per row: 5-7x slower);
    ``cs[k] = c_{k-1}``; ``tanh_c[k] = tanh(c_k)``. The views are built once here, so the step
    loops do no indexing (a NumPy view costs about a third of a small ufunc call).
    """

    def __init__(self, t: int, n: int, d: int, h: int, dtype) -> None:
        self.key = (t, n, d, h, np.dtype(dtype))
        # [Wx; b] stacked and Wh, both in the block's dtype
        self.Wxb, self.Wh = np.empty((d + 1, 4 * h), dtype), np.empty((h, 4 * h), dtype)
        self.xh = np.empty((t + 1, n, d + 1 + h), dtype)
        self.xh[:, :, d] = 1
        self.ax = np.empty((t, n, 4 * h), dtype)
        # [c, f, g, i, o]: c_{k-1} beside the gates of step k, so that [c, g] * [f, i] is one call
        cells = np.empty((5, t + 1, n, h), dtype)
        self.cs, self.gates = cells[0], cells[1:, :t]
        self.tanh_c = np.empty((t, n, h), dtype)
        self.products, self.hWh = np.empty((2, n, h), dtype), np.empty((n, 4 * h), dtype)
        self.f, self.g, self.i, self.o = self.gates
        self.xs, self.hs = self.xh[:t, :, :d], self.xh[:, :, d + 1 :]
        self.steps = [
            (self.ax[k], self.ax[k].reshape(n, 4, h), cells[1:, k].transpose(1, 0, 2), self.hs[k], self.hs[k + 1])
            + (cells[0:3:2, k], cells[1:4:2, k], self.cs[k + 1], self.tanh_c[k], self.o[k])
            for k in range(t)
        ]
        self.backward: dict = {}  # the backward buffers, by dtype

    def backward_buffers(self, dtype) -> _LSTMBackward:
        dtype = np.dtype(dtype)
        if dtype not in self.backward:
            self.backward[dtype] = _LSTMBackward(self, dtype)
        return self.backward[dtype]


class _LSTMBackward:
    """TimeLSTM's backward buffers: the block-wide local derivatives, ``dA`` ``(T, N, 4H)``, per-step views."""

    def __init__(self, block: _LSTMBlock, dtype) -> None:
        t, n, d, h, _ = block.key
        self.through_h = np.empty((t, n, h), dtype)  # o (1 - tanh(c)^2): ds = dc' + dh' * through_h
        self.fgi = np.empty((3, t, n, h), dtype)  # [c f (1 - f), i (1 - g^2), g i (1 - i)]: [df, dg, di] = ds * fgi
        self.out_gate = np.empty((t, n, h), dtype)  # tanh(c) o (1 - o): do = dh' * out_gate
        self.dA = np.empty((t, n, 4 * h), dtype)
        self.dxh = np.empty((d + 1 + h, 4 * h), dtype)  # [dWx; db; dWh]
        self.WhT = np.empty((4 * h, h), dtype)  # Wh^T contiguous: the per-step dA Wh^T is ~8% faster than on a view
        self.dh_total, self.ds, self.dh, self.dc = (np.empty((n, h), dtype) for _ in range(4))
        self.ds3 = self.ds[:, None, :]
        self.steps = [
            (
                self.through_h[k],
                self.fgi[:, k].transpose(1, 0, 2),
                self.out_gate[k],
                block.f[k],
                self.dA[k, :, : 3 * h].reshape(n, 3, h),
                self.dA[k, :, 3 * h :],
                self.dA[k],
            )
            for k in reversed(range(t))
        ]


class TimeLSTM(_TimeRecurrent):
    """The ``LSTM`` cell (gates ``[f, g, i, o]``) over ``T`` steps; returns ``hs (N, T, H)``.

    ``A_t = x_t Wx + h_{t-1} Wh + b``; ``c_t = f c_{t-1} + g i``; ``h_t = o tanh(c_t)``.
    Shapes: ``xs (N, T, D)``, ``Wx (D, 4H)``, ``Wh (H, 4H)``, ``b (4H,)``. ``h_0, c_0`` are zeros,
    or, when ``stateful=True``, the previous block's last ``h, c`` (``set_state(h, c=None)``:
    ``c=None`` starts ``c`` from zeros, as the book; ``reset_state()`` forgets both).

    Backward(``dhs``), truncated BPTT: ``dh = dc = 0`` after the last step, then the cell's
    backward per step; ``self.dh`` and ``self.dc`` end as dL/dh_0 and dL/dc_0 (the book keeps no
    ``dc``). Returns ``dxs (N, T, D)``.
    """

    gates = 4
    layout = "[f, g, i, o]"
    state_names = ("h", "c")

    def __init__(self, Wx, Wh, b, stateful=False):
        super().__init__(Wx, Wh, b, stateful)
        self.c = None  # the carried cell state
        self.dc = None  # dL/d(initial c) of the last backward
        self._block: _LSTMBlock | None = None  # the buffers, reused while the shapes and dtype stay

    def set_state(self, h, c=None):
        """Start the next block from ``h`` and ``c`` (zeros when ``c`` is None)."""
        super().set_state(h)
        self.c = None if c is None else as_float_array("c", c).copy()

    def reset_state(self):
        self.h = self.c = None

    def forward(self, xs):
        xs = self._check_xs(xs)
        n, t, d = xs.shape
        H = self.hidden
        dtype = np.result_type(xs, self.Wx, self.Wh, self.b)
        block = self._block
        if block is None or block.key != (t, n, d, H, dtype):
            block = self._block = _LSTMBlock(t, n, d, H, dtype)
        hWh, Wh = block.hWh, block.Wh
        products = block.products
        fc, ig = products
        np.copyto(block.Wxb[:d], self.Wx)
        np.copyto(block.Wxb[d], self.b)
        np.copyto(Wh, self.Wh)
        np.copyto(block.xs, xs.transpose(1, 0, 2))
        np.matmul(block.xh[:t, :, : d + 1].reshape(t * n, d + 1), block.Wxb, out=block.ax.reshape(t * n, 4 * H))
        block.hs[0] = self._initial("h", self.h, n, dtype)
        block.cs[0] = self._initial("c", self.c, n, dtype)
        # sigmoid(a) = 1 / (1 + exp(-a)), to a few ulps of its own size (not (1 + tanh(a / 2)) / 2, which
        # keeps only an absolute accuracy of eps / 2: a gate of 5e-9 came out 6x too large in float32);
        # exp(-a) overflows to inf below a = -88 (float32), giving the limit 0
        with np.errstate(over="ignore"):
            for a, a3, gates, h, h_next, cg, fi, c_next, tanh_c, o in block.steps:
                np.matmul(h, Wh, out=hWh)
                a += hWh
                np.tanh(a3[:, 1], out=gates[:, 1])  # g
                np.negative(a, out=a)
                np.exp(a, out=a)
                a += 1
                np.reciprocal(a, out=a)
                np.copyto(gates[:, 0], a3[:, 0])  # f
                np.copyto(gates[:, 2:], a3[:, 2:])  # i, o
                np.multiply(cg, fi, out=products)  # [c f, g i]
                np.add(fc, ig, out=c_next)
                np.tanh(c_next, out=tanh_c)
                np.multiply(o, tanh_c, out=h_next)
        self.shape, self.xs_dtype = (n, t), xs.dtype
        self.h, self.c = block.hs[t].copy(), block.cs[t].copy()
        return block.hs[1:].transpose(1, 0, 2).copy()

    def backward(self, dhs):
        dhs = self._dhs(dhs)
        block = self._block
        t, n, d, H, _ = block.key
        back = block.backward_buffers(np.result_type(block.gates, dhs))
        f, g, i, o, tanh_c = block.f, block.g, block.i, block.o, block.tanh_c
        # the local derivatives of the whole block at once, so each step is a handful of NumPy calls:
        # ds = dc' + dh' o (1 - tanh^2 c'), [df, dg, di] = ds * [c f (1 - f), i (1 - g^2), g i (1 - i)],
        # do = dh' tanh(c') o (1 - o), dc = ds f
        through_h, out_gate = back.through_h, back.out_gate
        np.multiply(tanh_c, tanh_c, out=through_h)
        np.subtract(1, through_h, out=through_h)
        through_h *= o
        fc, gi, ig = back.fgi
        np.subtract(1, f, out=fc)
        fc *= f
        fc *= block.cs[:-1]
        np.multiply(g, g, out=gi)
        np.subtract(1, gi, out=gi)
        gi *= i
        np.subtract(1, i, out=ig)
        ig *= i
        ig *= g
        np.subtract(1, o, out=out_gate)
        out_gate *= o
        out_gate *= tanh_c
        dh_total, ds, ds3, dh, dc = back.dh_total, back.ds, back.ds3, back.dh, back.dc
        dh.fill(0)
        dc.fill(0)
        WhT = back.WhT
        np.copyto(WhT, self.Wh.T)
        for dhs_k, (th, fgi, og, f_k, dfgi, do, dA) in zip(dhs[::-1], back.steps):
            np.add(dhs_k, dh, out=dh_total)
            np.multiply(dh_total, th, out=ds)
            ds += dc
            np.multiply(ds3, fgi, out=dfgi)
            np.multiply(dh_total, og, out=do)
            np.multiply(ds, f_k, out=dc)
            np.matmul(dA, WhT, out=dh)
        self.dh, self.dc = dh.copy(), dc.copy()
        # the block-wide products: [dWx; db; dWh] = [xs, 1, hs_prev]^T dA in one, dxs = dA Wx^T
        dA2 = back.dA.reshape(t * n, 4 * H)
        np.matmul(block.xh[:t].reshape(t * n, d + 1 + H).T, dA2, out=back.dxh)
        self.dWx = _buffer(self, "_dWx", self.Wx.shape, self.Wx.dtype)
        self.dWh = _buffer(self, "_dWh", self.Wh.shape, self.Wh.dtype)
        self.db = _buffer(self, "_db", self.b.shape, self.b.dtype)
        self.dWx[...] = back.dxh[:d]
        self.db[...] = back.dxh[d]
        self.dWh[...] = back.dxh[d + 1 :]
        return (dA2 @ self.Wx.T).reshape(t, n, d).transpose(1, 0, 2).astype(self.xs_dtype)


class TimeGRU(_TimeRecurrent):
    """The ``GRU`` cell (the book's form, gates ``[z, r, h_hat]``) over ``T`` steps; returns ``hs (N, T, H)``.

    Shapes: ``xs (N, T, D)``, ``Wx (D, 3H)``, ``Wh (H, 3H)``, ``b (3H,)``. State, ``stateful``,
    ``set_state``/``reset_state`` and truncated BPTT as ``TimeRNN``; ``self.dh`` is dL/dh_0.
    """

    gates = 3
    layout = "[z, r, h_hat]"

    def forward(self, xs):
        ax, dtype = self._begin(xs)
        t, n, _ = ax.shape
        H = self.hidden
        hs = _buffer(self, "_hs", (t + 1, n, H), dtype)
        self._steps = []  # (z, r, h_hat, rh) per step
        hs[0] = self._initial("h", self.h, n, dtype)
        rhs = _buffer(self, "_rhs", (t, n, H), dtype)
        for k in range(t):
            hs[k + 1], z, r, h_hat, rhs[k] = gru_step_forward(ax[k], hs[k], self.Wh)
            self._steps.append((z, r, h_hat))
        self.h = hs[t].copy()
        return hs[1:].transpose(1, 0, 2).copy()

    def backward(self, dhs):
        dhs = self._dhs(dhs)
        hs, rhs = self._hs, self._rhs
        t, n, H = rhs.shape
        dA = _buffer(self, "_dA", (t, n, 3 * H), np.result_type(hs, dhs))
        dh = np.zeros((n, H), dA.dtype)
        for k in reversed(range(t)):
            z, r, h_hat = self._steps[k]
            dh = gru_step_backward(dhs[k] + dh, hs[k], z, r, h_hat, self.Wh, dA[k])
        self.dh = dh
        dxs = self._end(dA, None)
        dA2 = dA.reshape(t * n, 3 * H)
        self.dWh = _buffer(self, "_dWh", self.Wh.shape, self.Wh.dtype)
        self.dWh[:, : 2 * H] = hs[:-1].reshape(t * n, H).T @ dA2[:, : 2 * H]
        self.dWh[:, 2 * H :] = rhs.reshape(t * n, H).T @ dA2[:, 2 * H :]
        return dxs


class TimeEmbedding(Embedding):
    """``out[n, t] = W[xs[n, t]]``: the ``Embedding`` lookup for a ``(N, T)`` block of ids.

    Shapes: ``xs (N, T)`` ints in ``[0, V)``, ``W (V, D)``; ``out (N, T, D)``.

    Backward (``Embedding``'s): **one** scatter-add of the ``N*T`` rows of ``dout`` into **one**
    ``(V, D)`` gradient buffer, allocated at the first backward and reused by every later one
    (the book allocates ``T`` full ``V x D`` arrays per forward). Repeated ids accumulate.
    Returns ``None``.
    """

    def forward(self, xs):
        xs = as_indices("xs", xs, self.W.shape[0])
        if xs.ndim != 2:
            raise ValueError(f"xs must be a (N, T) array of word ids, got {shape_str(xs.shape)}")
        self.idx_shape, self.idx = xs.shape, xs.reshape(-1)
        return self.W[xs]


class TimeAffine(HasParams):
    """``out[n, t] = xs[n, t] @ W + b``, all ``N*T`` rows in one product.

    Shapes: ``xs (N, T, D)``, ``W (D, M)``, ``b (M,)``; ``out (N, T, M)``.
    Backward: ``dxs = dout @ W^T``, ``dW = xs2^T dout2``, ``db = sum dout2`` over the ``N*T`` rows.
    """

    param_names = ("W", "b")

    def __init__(self, W, b):
        self.W, self.b = affine_params(W, b)
        self.xs2 = None  # xs as (N*T, D): dW needs it
        self.xs_shape = self.xs_dtype = None
        self.dW = self.db = None

    def forward(self, xs):
        xs = as_float_array("xs", xs)
        if xs.ndim != 3 or xs.shape[2] != self.W.shape[0]:
            raise ValueError(
                f"xs must have shape (N, T, {self.W.shape[0]}) (W has shape {shape_str(self.W.shape)}), "
                f"got {shape_str(xs.shape)}"
            )
        self.xs_shape, self.xs_dtype = xs.shape, xs.dtype
        self.xs2 = xs.reshape(-1, self.W.shape[0])
        return (self.xs2 @ self.W + self.b).reshape(*xs.shape[:2], -1)

    def backward(self, dout):
        require_forward(self, self.xs2)
        dout = check_dout(dout, (*self.xs_shape[:2], self.W.shape[1]))
        dout2 = dout.reshape(-1, self.W.shape[1])
        if self.dW is None:
            self.dW, self.db = np.empty_like(self.W), np.empty_like(self.b)
        self.dW[...] = self.xs2.T @ dout2
        self.db[...] = dout2.sum(axis=0)
        return (dout2 @ self.W.T).reshape(self.xs_shape).astype(self.xs_dtype, copy=False)


class TimeSoftmaxWithLoss:
    """``loss = -sum_{n,t} m[n,t] log softmax(xs[n,t])[ts[n,t]] / max(1, sum m)``, ``m = (ts != ignore_label)``.

    Shapes: scores ``xs (N, T, V)``, labels ``ts (N, T)`` ints in ``[0, V)`` or ``ignore_label``.
    Ignored positions contribute nothing (their label is never used as an index: the book indexes
    class -1 there, whose ``log(0) * 0`` turns a float32 loss into NaN); the divisor is the number
    of **unmasked** positions. If every position is ignored the loss is defined as ``0.0`` with a
    zero gradient (the divisor is ``max(1, count)``), never NaN.

    Backward: ``dxs = dout * m * (softmax(xs) - onehot(ts)) / max(1, sum m)``; ``dout`` (default 1)
    scales it; ``ts`` is data. ``backward`` never writes into its cache (the book's does, so its
    second call differs).

    - ``ignore_label`` (default -1): the label of positions left out of the loss.
    """

    def __init__(self, ignore_label=-1):
        if isinstance(ignore_label, bool) or not isinstance(ignore_label, numbers.Integral):
            raise TypeError(f"ignore_label must be an int, got {type(ignore_label).__name__}")
        self.ignore_label = int(ignore_label)
        self.ys = None  # softmax(xs): the gradient's first term
        self.ts = None  # labels with ignored positions replaced by 0 (never used there: masked)
        self.mask = None  # (N, T) bool, True where the position counts
        self.loss = None

    def forward(self, xs, ts):
        xs = as_float_array("xs", xs)
        if xs.ndim != 3:
            raise ValueError(f"xs must have shape (N, T, V), got {shape_str(xs.shape)}")
        require_finite("xs", xs)  # inf or NaN scores give only NaN: refused, naming them
        ts = as_indices("ts", ts, xs.shape[2], allow=self.ignore_label)
        check_shape("ts", ts, xs.shape[:2], "one label per position of xs")
        self.mask = ts != self.ignore_label
        self.ts = np.where(self.mask, ts, 0)
        logp = log_softmax(xs)
        self.ys = np.exp(logp)
        picked = np.take_along_axis(logp, self.ts[..., None], axis=-1)[..., 0]
        count = max(1, int(self.mask.sum()))
        self.loss = -np.sum(np.where(self.mask, picked, 0), dtype=xs.dtype) / xs.dtype.type(count)
        return self.loss

    def backward(self, dout=1.0):
        require_forward(self, self.ys)
        dout = as_float_array("dout", dout)
        check_shape("dout", dout, (), "the loss is a scalar")
        dxs = self.ys.copy()
        np.put_along_axis(dxs, self.ts[..., None], np.take_along_axis(dxs, self.ts[..., None], -1) - 1, axis=-1)
        dxs *= self.mask[..., None]
        return (dxs * (dout / max(1, int(self.mask.sum())))).astype(self.ys.dtype, copy=False)


class TimeDropout(Dropout):
    """Inverted dropout over a block: ``out = xs * mask / (1 - p)`` in training, ``out = xs`` at inference.

    ``mask = dropout_mask(rng, xs.shape, p)`` (each unit kept with probability ``1 - p``), a new
    one at every training forward, from the injected Generator (never the global ``np.random``).
    The mode is the attribute ``train_flg`` (the book's; ``BetterRnnlm`` sets it on every
    dropout layer), which ``forward(xs, train_flg=None)`` may override for one call.

    Backward (``Dropout``'s): ``dxs = dout * mask / (1 - p)`` (``dout`` after an inference forward).

    - ``dropout_ratio`` (default 0.5) in ``[0, 1)``; ``rng`` / ``seed`` (keywords); ``train_flg``
      (keyword, default True).
    """

    input_name = "xs"

    def __init__(self, dropout_ratio=0.5, *, rng=None, seed=None, train_flg=True):
        super().__init__(dropout_ratio, rng=rng, seed=seed)
        self.train_flg = bool(train_flg)

    def forward(self, xs, train_flg=None):
        return super().forward(xs, self.train_flg if train_flg is None else train_flg)


class TimeBiLSTM(HasParams):
    """Two ``TimeLSTM`` layers, one reading ``xs`` forward in time, one backward; outputs concatenated.

    ``hs = concat([lstm_1(xs), flip(lstm_2(flip(xs)))], axis=-1)`` with ``flip`` reversing the time
    axis (the book's order: forward direction first). Shapes: ``xs (N, T, D)``; each direction
    ``Wx (D, 4H)``, ``Wh (H, 4H)``, ``b (4H,)``; ``hs (N, T, 2H)``. Both directions start from
    zeros (not stateful).

    Backward: ``dxs = dxs_1 + flip(dxs_2)``; gradients ``dWx1 .. db2`` are the two layers'.
    """

    param_names = ("Wx1", "Wh1", "b1", "Wx2", "Wh2", "b2")

    def __init__(self, Wx1, Wh1, b1, Wx2, Wh2, b2):
        self.forward_lstm = TimeLSTM(Wx1, Wh1, b1)
        self.backward_lstm = TimeLSTM(Wx2, Wh2, b2)
        self.Wx1, self.Wh1, self.b1 = self.forward_lstm.params.values()
        self.Wx2, self.Wh2, self.b2 = self.backward_lstm.params.values()
        self.hidden = self.forward_lstm.hidden

    @property
    def grads(self) -> dict:
        one, two = self.forward_lstm.grads, self.backward_lstm.grads
        return {"Wx1": one["Wx"], "Wh1": one["Wh"], "b1": one["b"], "Wx2": two["Wx"], "Wh2": two["Wh"], "b2": two["b"]}

    def forward(self, xs):
        xs = as_float_array("xs", xs)
        o1 = self.forward_lstm.forward(xs)
        o2 = self.backward_lstm.forward(xs[:, ::-1])
        return np.concatenate([o1, o2[:, ::-1]], axis=2)

    def backward(self, dhs):
        require_forward(self, self.forward_lstm.shape)
        H = self.forward_lstm.hidden
        n, t = self.forward_lstm.shape
        dhs = check_dout(dhs, (n, t, 2 * H))
        dxs1 = self.forward_lstm.backward(dhs[:, :, :H])
        dxs2 = self.backward_lstm.backward(dhs[:, ::-1, H:])
        return dxs1 + dxs2[:, ::-1]
