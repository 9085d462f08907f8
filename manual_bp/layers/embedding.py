"""Embeddings (the sequel, ch. 4): ``Embedding(W)`` (a row lookup) and ``EmbeddingDot(W)``."""

from __future__ import annotations

import numpy as np

from manual_bp._checks import HasParams, as_float_array, as_indices, check_dout, require_forward, shape_str

__all__ = ["Embedding", "EmbeddingDot", "context_vectors", "scatter_add_rows"]


def scatter_add_rows(out: np.ndarray, idx: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``out[...] = 0``, then ``out[idx[k]] += rows[k]`` for every ``k``, repeated ids accumulating.

    ``out`` is ``(V, D)`` and is written in place (the caller's reused gradient buffer); ``idx``
    is ``(K,)`` ints, ``rows`` ``(K, D)``. The book's first version, ``dW[idx] = dout``, keeps
    only the last of repeated ids; ``np.add.at`` adds them all.
    """
    out[...] = 0
    np.add.at(out, idx, rows)
    return out


def _check_table(W) -> np.ndarray:
    W = as_float_array("W", W)
    if W.ndim != 2:
        raise ValueError(f"W must be an embedding table of shape (V, D), got {shape_str(W.shape)}")
    return W


def context_vectors(h, W: np.ndarray) -> np.ndarray:
    """``h`` as a float array of shape ``(N, D)``, one vector per row to dot with rows of ``W (V, D)``."""
    h = as_float_array("h", h)
    if h.ndim != 2 or h.shape[1] != W.shape[1]:
        raise ValueError(
            f"h must have shape (N, {W.shape[1]}) (W has shape {shape_str(W.shape)}), got {shape_str(h.shape)}"
        )
    return h


class Embedding(HasParams):
    """``out = W[idx]``: the rows of ``W`` at the word ids ``idx``.

    Shapes: ``W`` is ``(V, D)``; ``idx`` is an integer array of any shape with ids in
    ``[0, V)``; ``out`` is ``(*idx.shape, D)``, a new array (never a view of ``W``).

    Backward: ``dW = scatter_add(idx, dout)`` (``dW[v] = sum of dout[k] over the k with
    idx[k] == v``: repeated ids accumulate), in one ``(V, D)`` buffer reused by every backward.
    Returns ``None``, as the book does: the ids are data, they have no gradient.
    """

    param_names = ("W",)

    def __init__(self, W):
        self.W = _check_table(W)
        self.idx = None  # the ids of the last forward, flattened: dW scatters dout to them
        self.idx_shape = None  # idx's shape: dout must be (*idx_shape, D)
        self.dW = None  # dL/dW, (V, D), one buffer reused

    def forward(self, idx):
        idx = as_indices("idx", idx, self.W.shape[0])
        self.idx_shape, self.idx = idx.shape, idx.reshape(-1)
        return self.W[idx]

    def backward(self, dout):
        require_forward(self, self.idx)
        dout = check_dout(dout, (*self.idx_shape, self.W.shape[1]))
        if self.dW is None:
            self.dW = np.empty_like(self.W)
        scatter_add_rows(self.dW, self.idx, dout.reshape(-1, self.W.shape[1]))
        return None


class EmbeddingDot(HasParams):
    """``out[n] = sum_d W[idx[n], d] * h[n, d]``: the score of word ``idx[n]`` for context ``h[n]``.

    Shapes: ``h`` is ``(N, D)``, ``idx`` ``(N,)`` ints in ``[0, V)``, ``W`` ``(V, D)``; ``out`` is ``(N,)``.

    Backward: ``dh = dout[:, None] * W[idx]``; ``dW = scatter_add(idx, dout[:, None] * h)``
    (repeated ids accumulate), one ``(V, D)`` buffer reused. ``h`` and ``W`` may differ in float
    width: ``out`` has the wider dtype, ``dh`` the dtype of ``h``, ``dW`` that of ``W``.
    """

    param_names = ("W",)

    def __init__(self, W):
        self.W = _check_table(W)
        self.h = None  # the context vectors: dW needs them
        self.idx = None  # the ids: dW scatters to them
        self.target_W = None  # W[idx]: dh needs it
        self.dW = None  # dL/dW, (V, D), one buffer reused

    def forward(self, h, idx):
        h = context_vectors(h, self.W)
        idx = as_indices("idx", idx, self.W.shape[0])
        if idx.shape != (h.shape[0],):
            raise ValueError(f"idx must have shape ({h.shape[0]},) (one id per row of h), got {shape_str(idx.shape)}")
        self.h, self.idx, self.target_W = h, idx, self.W[idx]
        return np.sum(self.target_W * h, axis=1)

    def backward(self, dout):
        require_forward(self, self.h)
        dout = check_dout(dout, (self.h.shape[0],))
        if self.dW is None:
            self.dW = np.empty_like(self.W)
        scatter_add_rows(self.dW, self.idx, dout[:, None] * self.h)
        return (dout[:, None] * self.target_W).astype(self.h.dtype, copy=False)  # dh in h's dtype, whatever W's
