"""``EmbedID``: rows of a table picked by integer ids."""

from __future__ import annotations

import numpy as np

from manual_bp.dezero.core import Parameter
from manual_bp.dezero.functions.embedding import embed_id
from manual_bp.dezero.layers.base import Layer, as_generator, normal

__all__ = ["EmbedID"]


class EmbedID(Layer):
    """``y = W[x]``: rows of ``W`` ``(in_size, out_size)`` picked by integer ids ``x`` (any shape).

    ``W`` is drawn standard normal from ``rng``. Backward scatter-adds into the picked rows
    (an id picked twice gets both gradients).
    """

    def __init__(self, in_size: int, out_size: int, dtype=np.float32, rng=None):
        super().__init__()
        self.W = Parameter(normal(as_generator(rng), (in_size, out_size), 1.0, dtype), name="W")

    def forward(self, x):
        return embed_id(x, self.W)
