"""``Conv2d`` and ``Deconv2d``: filters created on the first call from the input's channels."""

from __future__ import annotations

import numpy as np

from manual_bp.dezero.core import Parameter
from manual_bp.dezero.functions.convolution import conv2d, deconv2d, kernel_pair
from manual_bp.dezero.layers.base import Layer, as_generator, normal

__all__ = ["Conv2d", "Deconv2d"]


class _Filters(Layer):
    """Shared by ``Conv2d`` and ``Deconv2d``: filters ``W`` created lazily from the input's channels."""

    def __init__(
        self, out_channels, kernel_size, stride=1, pad=0, nobias=False, dtype=np.float32, in_channels=None, rng=None
    ):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.pad = kernel_pair(kernel_size), stride, pad
        self.dtype, self.rng = np.dtype(dtype), as_generator(rng)
        self.W = Parameter(None, name="W")
        if in_channels is not None:
            self._init_W()
        self.b = None if nobias else Parameter(np.zeros(out_channels, dtype=self.dtype), name="b")

    def _filter_shape(self, C: int, OC: int, KH: int, KW: int) -> tuple:
        raise NotImplementedError

    def _init_W(self) -> None:
        C, OC = int(self.in_channels), self.out_channels  # in_channels is set by __init__ or the first call
        KH, KW = self.kernel_size
        scale = np.sqrt(1.0 / (C * KH * KW))
        self.W.data = normal(self.rng, self._filter_shape(C, OC, KH, KW), scale, self.dtype)

    def _prepare(self, x) -> None:
        if self.W.data is None:
            self.in_channels = x.shape[1]
            self._init_W()


class Conv2d(_Filters):
    """``y = conv2d(x, W, b, stride, pad)``: ``x`` ``(N, C, H, W)``, ``W`` ``(OC, C, KH, KW)``, ``b`` ``(OC,)``.

    ``in_channels=None`` infers ``C`` from the first input; ``W`` is drawn standard normal
    times ``sqrt(1 / (C * KH * KW))`` from ``rng``; ``b`` starts at zero.
    """

    def _filter_shape(self, C, OC, KH, KW):
        return (OC, C, KH, KW)

    def forward(self, x):
        self._prepare(x)
        return conv2d(x, self.W, self.b, self.stride, self.pad)


class Deconv2d(_Filters):
    """``y = deconv2d(x, W, b, stride, pad)`` (transposed convolution): ``W`` ``(C, OC, KH, KW)``.

    Initialised as ``Conv2d`` (same scale, ``C`` inferred from the first input).
    """

    def _filter_shape(self, C, OC, KH, KW):
        return (C, OC, KH, KW)

    def forward(self, x):
        self._prepare(x)
        return deconv2d(x, self.W, self.b, self.stride, self.pad)
