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
from oracle.verify.distribution import Distribution, Tally
from oracle.verify.entry import CatalogEntry
from oracle.verify.strategies import (
    Case,
    cotangents,
    float_arrays,
    ids,
    param_dtype,
)


@st.composite
def negative_sampling_cases(draw, dtype, *, batch_sizes=(3,), corpus_extra: int = 7, max_value: float = 10.0):
    """``h (N, D)``, ``target (N,)``, ``W (V, D)``, a corpus, a Generator seed and the negatives
    ``UnigramSampler(corpus, power, sample_size, rng=np.random.default_rng(seed))`` draws for
    ``target``: the layer, built with the same seeded Generator, must draw them itself.

    ``config``: ``power`` (0.75 or 1.0) and ``sample_size`` (1 or 3). ``W`` sometimes of the other
    float width (the loss has the wider dtype, ``dh`` the dtype of ``h``). The corpus holds every id
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
    W = draw(float_arrays(param_dtype(draw, dtype, True), (VOCAB, EMBED), max_value=max_value))
    params = {"W": W, "negatives": negatives, "corpus": corpus, "seed": seed}
    return Case({"h": h, "target": target}, params, draw(cotangents(dtype, ())), config=config)


# The sampler check's corpus: word w occurs SAMPLER_COUNTS[w] times (word 5 never: probability 0),
# counts far apart so that every power gives another law; every word is a target in turn.
SAMPLER_COUNTS = (1, 2, 4, 8, 16, 0, 32)
SAMPLER_ROWS = 1_500  # rows per target


def inclusion_probabilities(weights, k: int) -> np.ndarray:
    """``P(word w among k draws without replacement)``, each draw picking one of the words not yet
    drawn with probability proportional to ``weights`` (exact, by walking every ordered draw)."""
    weights = np.asarray(weights, dtype=np.float64)
    inclusion = np.zeros(weights.size)

    def walk(chosen: tuple, probability: float) -> None:
        if len(chosen) == k:
            inclusion[list(chosen)] += probability
            return
        left = weights.sum() - weights[list(chosen)].sum()
        for w in np.flatnonzero(weights):
            if w not in chosen:
                walk((*chosen, int(w)), probability * weights[w] / left)

    walk((), 1.0)
    return inclusion


def negative_samples(power: float, sample_size: int) -> Distribution:
    """The law of ``UnigramSampler.get_negative_sample`` as the row's layer draws it (``layer.sampler``,
    the book's attribute): per target ``t`` and word ``w``, ``w`` is among a row's ``sample_size``
    negatives with the probability of drawing without replacement from ``count ** power``
    (normalised, ``t`` excluded); structure: the target never drawn, no repeats in a row, ids in
    the vocabulary, shape ``(N, sample_size)``."""

    def tally(make_layer, dtype, rng) -> Tally:
        counts = np.asarray(SAMPLER_COUNTS)
        vocab = counts.size
        corpus = np.repeat(np.arange(vocab), counts)
        W = np.zeros((vocab, EMBED), dtype)
        layer = make_layer(W, None, corpus, int(rng.integers(2**32)), power=power, sample_size=sample_size)
        target = np.repeat(np.arange(vocab), SAMPLER_ROWS)
        negatives = np.asarray(layer.sampler.get_negative_sample(target))
        if negatives.shape != (target.size, sample_size):
            return Tally(
                (), (), 0, (), (f"negatives of shape {negatives.shape}, expected {(target.size, sample_size)}",)
            )
        broken = []
        outside = np.count_nonzero((negatives < 0) | (negatives >= vocab))
        if outside:
            broken.append(f"{outside} ids outside the vocabulary [0, {vocab})")
        hits = np.count_nonzero((negatives == target[:, None]).any(axis=1))
        if hits:
            broken.append(f"the target drawn as its own negative in {hits} of {target.size} rows")
        repeats = np.count_nonzero(
            (np.sort(negatives, axis=1)[:, 1:] == np.sort(negatives, axis=1)[:, :-1]).any(axis=1)
        )
        if repeats:
            broken.append(f"a repeated negative in {repeats} of {target.size} rows")
        names, observed, expected = [], [], []
        for t in range(vocab):
            weights = counts.astype(np.float64) ** power
            weights[t] = 0.0
            inclusion = inclusion_probabilities(weights, sample_size)
            rows = negatives[target == t]
            for w in range(vocab):
                if w != t:
                    names.append(f"word {w} (count {counts[w]}) among the negatives of target {t}")
                    observed.append(int(np.count_nonzero((rows == w).any(axis=1))))
                    expected.append(float(inclusion[w]))
        return Tally(names, observed, SAMPLER_ROWS, expected, broken)

    law = (
        "each word among a row's negatives with the probability of drawing without replacement from "
        "count ** power, normalised, target excluded; "
        f"the target never drawn, no repeats in a row ({SAMPLER_ROWS} rows per target, {len(SAMPLER_COUNTS)} words)"
    )
    return Distribution(f"negatives (power={power}, K={sample_size})", tally, law)


NEGATIVE_SAMPLES = (negative_samples(0.75, 1), negative_samples(0.5, 3))


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
        "sample_size drawn; W of either float width; the layer draws its negatives from np.random.default_rng(seed) "
        "(target excluded, no repeats in a row), the oracle takes them as data; W listed once",
        distributions=NEGATIVE_SAMPLES,
    ),
)
