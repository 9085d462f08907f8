"""DeZero's transforms: callables on one sample's array, chained with ``Compose``.

transform = Compose([Flatten(), ToFloat(), Normalize(0.0, 255.0)])   # MNIST's default
x = transform(image)             # (1, 28, 28) uint8 -> (784,) float32 in [0, 1]
"""

from __future__ import annotations

import numpy as np

__all__ = ["AsType", "Compose", "Flatten", "Normalize", "ToFloat", "ToInt"]


class Compose:
    """Apply ``transforms`` in order; an empty list is the identity."""

    def __init__(self, transforms=()):
        self.transforms = list(transforms)

    def __call__(self, x):
        for transform in self.transforms:
            x = transform(x)
        return x


class Normalize:
    """``(x - mean) / std``; a per-channel ``mean`` or ``std`` (length ``C``) applies to a ``(C, H, W)`` image."""

    def __init__(self, mean=0.0, std=1.0):
        self.mean, self.std = mean, std

    def __call__(self, x):
        mean, std = np.asarray(self.mean), np.asarray(self.std)
        if x.ndim == 3:  # (C, H, W): a vector of C statistics broadcasts over H and W
            mean = mean.reshape(-1, 1, 1) if mean.ndim == 1 else mean
            std = std.reshape(-1, 1, 1) if std.ndim == 1 else std
        return ((x - mean) / std).astype(x.dtype, copy=False)


class Flatten:
    """``x`` as a 1-D array (a copy)."""

    def __call__(self, x):
        return x.flatten()


class AsType:
    """``x`` converted to ``dtype`` (default float32)."""

    def __init__(self, dtype=np.float32):
        self.dtype = dtype

    def __call__(self, x):
        return x.astype(self.dtype)


class ToFloat(AsType):
    """``x`` as ``dtype`` (default float32)."""


class ToInt(AsType):
    """``x`` as ``dtype`` (default ``int``)."""

    def __init__(self, dtype=int):
        super().__init__(dtype)
