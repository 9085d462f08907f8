"""``Linear``: the fully connected layer, its input size inferred on the first call."""

from __future__ import annotations

import numpy as np

import manual_bp.dezero.functions as F
from manual_bp._checks import shape_str
from manual_bp.dezero.core import Parameter
from manual_bp.dezero.layers.base import Layer, as_generator, normal

__all__ = ["Linear"]


class Linear(Layer):
    """``y = x @ W + b``: ``x`` ``(N, in_size)``, ``W`` ``(in_size, out_size)``, ``b`` ``(out_size,)``.

    ``in_size=None`` infers it from the first input. ``W`` is drawn as
    ``rng.standard_normal((in_size, out_size), dtype) * sqrt(1 / in_size)`` (the book's scale) from
    ``rng`` (a Generator, a seed, or None for fresh entropy); ``b`` starts at zero.
    ``dtype`` (default float32, as the book) is the parameters' dtype.
    """

    def __init__(self, out_size: int, nobias: bool = False, dtype=np.float32, in_size: int | None = None, rng=None):
        super().__init__()
        self.in_size, self.out_size, self.dtype = in_size, out_size, np.dtype(dtype)
        self.rng = as_generator(rng)
        self.W = Parameter(None, name="W")
        if in_size is not None:
            self._init_W()
        self.b = None if nobias else Parameter(np.zeros(out_size, dtype=self.dtype), name="b")

    def _init_W(self) -> None:
        in_size = int(self.in_size)  # type: ignore[arg-type]  # set by __init__ or the first call
        scale = np.sqrt(1.0 / in_size)
        self.W.data = normal(self.rng, (in_size, self.out_size), scale, self.dtype)

    def forward(self, x):
        if self.W.data is None:
            self.in_size = x.shape[1]
            self._init_W()
        elif x.ndim == 2 and x.shape[1] != self.W.data.shape[0]:
            raise ValueError(
                f"x must have shape (N, {self.W.data.shape[0]}) (the in_size of this Linear), got {shape_str(x.shape)}"
            )
        return F.linear(x, self.W, self.b)
