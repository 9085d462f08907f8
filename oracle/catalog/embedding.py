"""The sequel's Embedding and EmbeddingDot: word ids with many repeats (scatter-adds).

The family's catalog rows (``ROWS``) and the strategies that draw their cases; its layers are in
``manual_bp/layers/embedding.py``, its oracles in ``oracle/layers/embedding.py``, its kink and
error tests in ``tests/layers/test_embedding.py``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from manual_bp.layers import embedding as _embedding
from oracle.layers.embedding import embedding, embedding_dot
from oracle.verify.entry import CatalogEntry
from oracle.verify.strategies import (
    Case,
    cotangents,
    float_arrays,
    ids,
    param_dtype,
)

VOCAB = 5  # embedding rows V


EMBED = 3  # embedding width D


@st.composite
def embedding_cases(draw, dtype, *, shapes=((4,), (2, 3)), max_value: float = 1e2):
    """Ids ``idx`` (any shape, repeats likely) into ``W (V, D)``, ``dout (*idx.shape, D)``."""
    shape = draw(st.sampled_from(shapes))
    idx = draw(ids(VOCAB, shape))
    W = draw(float_arrays(dtype, (VOCAB, EMBED), max_value=max_value))
    return Case({"idx": idx}, {"W": W}, draw(cotangents(dtype, (*shape, EMBED))))


@st.composite
def embedding_dot_cases(draw, dtype, *, batch_sizes=(1, 4), max_value: float = 1e2, mixed: bool = True):
    """Contexts ``h (N, D)``, ids ``idx (N,)``, ``W (V, D)``, ``dout (N,)``; ``mixed`` (default
    True): ``W`` sometimes of the other float width."""
    n = draw(st.sampled_from(batch_sizes))
    h = draw(float_arrays(dtype, (n, EMBED), max_value=max_value))
    W = draw(float_arrays(param_dtype(draw, dtype, mixed), (VOCAB, EMBED), max_value=max_value))
    return Case({"h": h, "idx": draw(ids(VOCAB, (n,)))}, {"W": W}, draw(cotangents(np.result_type(h, W), (n,))))


ROWS: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "Embedding",
        _embedding.Embedding,
        embedding,
        ("idx",),
        ("W",),
        embedding_cases,
        nondiff=frozenset({"idx"}),
        conventions="W[idx]; repeated ids accumulate in dW (scatter-add); idx is data, backward returns None",
    ),
    CatalogEntry(
        "EmbeddingDot",
        _embedding.EmbeddingDot,
        embedding_dot,
        ("h", "idx"),
        ("W",),
        embedding_dot_cases,
        nondiff=frozenset({"idx"}),
        conventions="sum_d W[idx] * h; repeated ids accumulate in dW; W of either float width (dh in h's dtype)",
    ),
)
