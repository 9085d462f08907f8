"""Gradient clipping by the global norm (the sequel's ``clip_grads``), without writing into the gradients."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["clip_grads", "global_norm"]


def global_norm(grads) -> float:
    """``sqrt(sum over every array g of sum(g**2))`` of a ``{name: array}`` mapping (or a list)."""
    values = grads.values() if hasattr(grads, "values") else grads
    return float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in values)))


def clip_grads(grads, max_norm):
    """``grads`` scaled by ``max_norm / norm`` if their global norm ``norm >= max_norm``, else unchanged.

    Returns a new ``{name: array}`` (each array keeps its dtype); the arrays passed in are never
    written (the book scales them in place). Same rule as ``optax.clip_by_global_norm`` (no
    ``1e-6`` in the divisor, unlike the book's ``max_norm / (norm + 1e-6)``). Call it on the
    model's ``grads``, where a shared or tied array appears once, so it is counted once.

    - ``max_norm``: a positive number.
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, numbers.Real) or not max_norm > 0:
        raise ValueError(f"max_norm must be a positive number, got {max_norm!r}")
    norm = global_norm(grads)
    items = grads.items() if hasattr(grads, "items") else enumerate(grads)
    if norm < max_norm:
        clipped = {k: np.array(g, copy=True) for k, g in items}
    else:
        clipped = {k: (g * (max_norm / norm)).astype(np.asarray(g).dtype, copy=False) for k, g in items}
    return clipped if hasattr(grads, "items") else list(clipped.values())
