"""Embedding lookup: ``embed_id(x, W) = W[x]``, rows of the table ``W (V, D)`` picked by integer ids.

``x`` holds ids in ``[0, V)`` of any shape (an array, or a Variable whose data is one: ids are
data, never differentiated); ``y`` has shape ``x.shape + (D,)``. It is ``get_item(W, x)``, so the
backward is ``GetItemGrad``: each row of ``gy`` is **added** to its id's row of ``gW`` (an id that
appears several times receives the sum), and that Function's backward is ``get_item`` again,
so every order is differentiable.
"""

from __future__ import annotations

import numpy as np

from manual_bp._checks import as_indices, shape_str
from manual_bp.dezero.core import Variable, as_variable
from manual_bp.dezero.functions.shapes import get_item

__all__ = ["embed_id"]


def embed_id(x, W) -> Variable:
    """The rows ``W[x]`` (ids validated against ``W``'s ``V`` rows)."""
    W = as_variable(W)
    if W.ndim != 2:
        raise ValueError(f"W must have shape (V, D) (one row per id), got {shape_str(W.shape)}")
    ids = as_indices("x", x.data if isinstance(x, Variable) else x, W.shape[0])
    return get_item(W, np.asarray(ids))
