"""``RNN`` and ``LSTM`` cells: one time step per call, the state kept until ``reset_state()``."""

from __future__ import annotations

import numpy as np

import manual_bp.dezero.functions as F
from manual_bp.dezero.layers.affine import Linear
from manual_bp.dezero.layers.base import Layer, as_generator

__all__ = ["LSTM", "RNN"]


class RNN(Layer):
    """An Elman cell: ``h' = tanh(x @ Wx + bx + h @ Wh)``; the state ``h`` is kept between calls.

    The first call after ``reset_state()`` has no ``h`` term. ``x2h`` and ``h2h`` are ``Linear``
    layers (``h2h`` without bias) drawing from ``rng``.
    """

    def __init__(self, hidden_size: int, in_size: int | None = None, dtype=np.float32, rng=None):
        super().__init__()
        rng = as_generator(rng)
        self.x2h = Linear(hidden_size, in_size=in_size, dtype=dtype, rng=rng)
        self.h2h = Linear(hidden_size, in_size=hidden_size, nobias=True, dtype=dtype, rng=rng)
        self.h = None

    def reset_state(self) -> None:
        self.h = None

    def forward(self, x):
        if self.h is None:
            h_new = F.tanh(self.x2h(x))
        else:
            h_new = F.tanh(self.x2h(x) + self.h2h(self.h))
        self.h = h_new
        return h_new


class LSTM(Layer):
    """An LSTM cell; the state ``(h, c)`` is kept between calls.

    ``f, i, o = sigmoid(x @ Wx_g + b_g + h @ Wh_g)`` for the gates, ``u = tanh(x @ Wx_u + b_u +
    h @ Wh_u)``, ``c' = f * c + i * u`` (``i * u`` on the first call), ``h' = o * tanh(c')``.
    """

    def __init__(self, hidden_size: int, in_size: int | None = None, dtype=np.float32, rng=None):
        super().__init__()
        rng = as_generator(rng)
        H, I = hidden_size, in_size  # noqa: E741  # the book's names
        for gate in "fiou":
            setattr(self, f"x2{gate}", Linear(H, in_size=I, dtype=dtype, rng=rng))
        for gate in "fiou":
            setattr(self, f"h2{gate}", Linear(H, in_size=H, nobias=True, dtype=dtype, rng=rng))
        self.reset_state()

    def reset_state(self) -> None:
        self.h = None
        self.c = None

    def forward(self, x):
        pre = {gate: getattr(self, f"x2{gate}")(x) for gate in "fiou"}
        if self.h is not None:
            pre = {gate: pre[gate] + getattr(self, f"h2{gate}")(self.h) for gate in "fiou"}
        f, i, o = F.sigmoid(pre["f"]), F.sigmoid(pre["i"]), F.sigmoid(pre["o"])
        u = F.tanh(pre["u"])
        c_new = i * u if self.c is None else f * self.c + i * u
        h_new = o * F.tanh(c_new)
        self.h, self.c = h_new, c_new
        return h_new
