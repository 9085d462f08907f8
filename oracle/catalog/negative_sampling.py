"""The sequel's NegativeSamplingLoss: negatives drawn by the layer from a seeded Generator.

The family's catalog rows (``ROWS``) and the strategies that draw their cases; its layers are in
``manual_bp/layers/negative_sampling.py``, its oracles in
``oracle/layers/negative_sampling.py``, its kink and error tests in
``tests/layers/test_negative_sampling.py``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from oracle.catalog.embedding import EMBED, VOCAB
from oracle.layers.negative_sampling import seeded_negative_sampling_layer, seeded_negative_sampling_loss
from oracle.verify.entry import CatalogEntry
from oracle.verify.strategies import (
    Case,
    cotangents,
    float_arrays,
    ids,
)


@st.composite
def negative_sampling_cases(draw, dtype, *, batch_sizes=(3,), corpus_extra: int = 7, max_value: float = 10.0):
    """``h (N, D)``, ``target (N,)``, ``W (V, D)``, a corpus, a Generator seed and the negatives
    ``UnigramSampler(corpus, power, sample_size, rng=np.random.default_rng(seed))`` draws for
    ``target``: the layer, built with the same seeded Generator, must draw them itself.

    ``config``: ``power`` (0.75 or 1.0) and ``sample_size`` (1 or 3). The corpus holds every id
    once plus ``corpus_extra`` drawn ones (a fixed length: one compile).
    """
    from manual_bp.layers.negative_sampling import UnigramSampler

    n = draw(st.sampled_from(batch_sizes))
    config = {"power": draw(st.sampled_from((0.75, 1.0))), "sample_size": draw(st.sampled_from((1, 3)))}
    corpus = np.concatenate([np.arange(VOCAB), draw(ids(VOCAB, (corpus_extra,)))])
    target = draw(ids(VOCAB, (n,)))
    seed = draw(st.integers(0, 2**32 - 1))
    negatives = UnigramSampler(corpus, rng=np.random.default_rng(seed), **config).get_negative_sample(target)
    h = draw(float_arrays(dtype, (n, EMBED), max_value=max_value))
    W = draw(float_arrays(dtype, (VOCAB, EMBED), max_value=max_value))
    params = {"W": W, "negatives": negatives, "corpus": corpus, "seed": seed}
    return Case({"h": h, "target": target}, params, draw(cotangents(dtype, ())), config=config)


ROWS: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "NegativeSamplingLoss",
        seeded_negative_sampling_layer,
        seeded_negative_sampling_loss,
        ("h", "target"),
        ("W", "negatives", "corpus", "seed"),
        negative_sampling_cases,
        nondiff=frozenset({"target", "negatives", "corpus", "seed"}),
        conventions="BCE(s(target), 1) + sum_k BCE(s(neg_k), 0), each a batch mean; config power, "
        "sample_size drawn; the layer draws its negatives from np.random.default_rng(seed) "
        "(target excluded, no repeats in a row), the oracle takes them as data; W listed once",
    ),
)
