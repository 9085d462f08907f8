"""Negative sampling (the sequel, ch. 4): ``UnigramSampler`` and ``NegativeSamplingLoss``."""

from __future__ import annotations

import numpy as np

from manual_bp._checks import (
    HasParams,
    as_float_array,
    as_indices,
    check_shape,
    generator,
    positive_int,
    require_forward,
    shape_str,
)
from manual_bp.functions import sigmoid
from manual_bp.layers.embedding import context_vectors, scatter_add_rows
from manual_bp.layers.losses import softplus

__all__ = ["NegativeSamplingLoss", "UnigramSampler"]


class UnigramSampler:
    """Draws negative words with probability ``p(w) = count(w)**power / sum_v count(v)**power``.

    - ``corpus``: 1-D integer word ids; the vocabulary is ``0 .. corpus.max()`` (an id that never
      occurs has probability 0; the book takes ``len(Counter(corpus))`` and so assumes every id occurs).
    - ``power`` (default 0.75): a positive finite number; below 1 it flattens the unigram
      distribution (rare words drawn more often). ``p`` is computed in logs, ``log p(w) = power *
      log count(w) - logsumexp``, so any finite power is exact (``count**power`` overflows from
      about ``power = 60`` for a count of 1e5); a huge power concentrates ``p`` on the most frequent
      words, and the target is still never drawn.
    - ``sample_size`` (default 5): negatives per row.
    - ``rng`` (keyword, a ``numpy.random.Generator``) or ``seed`` (keyword, an int): the only source
      of randomness; the global ``np.random`` state is never touched.

    ``get_negative_sample(target)`` returns ``(N, sample_size)`` int64 ids: row ``n`` never holds
    ``target[n]`` and never repeats an id, drawn without replacement with probabilities ``p``
    renormalised over the other words (as the book's CPU path, ``choice(replace=False, p=...)``;
    here all rows at once by the Gumbel top-k trick: ``argtop_k(log p + Gumbel noise)``).
    """

    def __init__(self, corpus, power=0.75, sample_size=5, *, rng=None, seed=None):
        corpus = np.asarray(corpus)
        if corpus.ndim != 1 or corpus.size == 0:
            raise ValueError(f"corpus must be a non-empty 1-D array of word ids, got shape {shape_str(corpus.shape)}")
        if corpus.dtype.kind not in "iu":
            raise TypeError(f"corpus must be an integer array of word ids, got dtype {corpus.dtype}")
        corpus = as_indices("corpus", corpus, int(corpus.max()) + 1)
        self.power = _power(power)
        self.sample_size = positive_int("sample_size", sample_size)
        counts = np.bincount(corpus).astype(np.float64)
        self.vocab_size = counts.size
        if np.count_nonzero(counts) <= self.sample_size:
            raise ValueError(
                f"sample_size {self.sample_size} needs more than {self.sample_size} distinct words in the "
                f"corpus (one is the target), got {np.count_nonzero(counts)}"
            )
        with np.errstate(divide="ignore"):
            log_weights = self.power * np.log(counts)  # -inf for ids that never occur: never drawn
        top = log_weights.max()
        self.log_p = log_weights - (top + np.log(np.exp(log_weights - top).sum()))  # log p(w), float64
        self.word_p = np.exp(self.log_p)  # p(w); may underflow to 0 for a huge power, log_p does not
        self.rng = generator(seed, rng)

    def get_negative_sample(self, target):
        """``(N, sample_size)`` negatives for the ``(N,)`` targets (see the class docstring)."""
        target = as_indices("target", target, self.vocab_size)
        if target.ndim != 1:
            raise ValueError(f"target must have shape (N,), got {shape_str(target.shape)}")
        keys = self.log_p + self.rng.gumbel(size=(target.size, self.vocab_size))
        keys[np.arange(target.size), target] = -np.inf  # the target is never its own negative
        k = self.sample_size
        top = np.argpartition(-keys, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1, kind="stable")
        return np.take_along_axis(top, order, axis=1).astype(np.int64)


def _power(power) -> float:
    try:
        value = float(power)
    except (TypeError, ValueError):
        raise ValueError(f"power must be a positive finite number, got {power!r}") from None
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"power must be a positive finite number, got {power!r}")
    return value


class NegativeSamplingLoss(HasParams):
    """``loss = BCE(s(target), 1) + sum_k BCE(s(neg_k), 0)``, each term a mean over the batch.

    ``s(w)[n] = W[w[n]] . h[n]`` (an ``EmbeddingDot`` score) and ``BCE(s, t) = mean(softplus(s) - t s)``
    from the logits, stable, no ``1e-7`` (the book's ``SigmoidWithLoss``); the ``K`` negatives
    ``neg`` of shape ``(N, K)`` are drawn at every forward by ``UnigramSampler`` (target excluded,
    no repeats in a row) and kept for backward. ``W`` appears **once** in ``params``: the book's
    ``K + 1`` ``EmbeddingDot`` layers sharing it become one gather of ``(N, K + 1)`` ids, and their
    gradients are summed by construction in one scatter-add.

    Shapes: ``h`` ``(N, D)``, ``target`` ``(N,)`` ids, ``W`` ``(V, D)`` (``V`` at least the
    sampler's vocabulary); the loss is a scalar.

    Backward: with ``ids = [target, neg]`` ``(N, K + 1)``, labels ``[1, 0, ..., 0]`` and scores
    ``s``: ``ds = dout * (sigmoid(s) - label) / N``; ``dh = sum_k ds[:, k] W[ids[:, k]]``;
    ``dW = scatter_add(ids, ds[..., None] * h[:, None])``, one ``(V, D)`` buffer reused.

    - ``corpus``, ``power`` (default 0.75), ``sample_size`` (default 5), ``rng`` / ``seed``: the sampler's.
    """

    param_names = ("W",)

    def __init__(self, W, corpus, power=0.75, sample_size=5, *, rng=None, seed=None):
        W = as_float_array("W", W)
        if W.ndim != 2:
            raise ValueError(f"W must be an embedding table of shape (V, D), got {shape_str(W.shape)}")
        self.W = W
        self.sampler = UnigramSampler(corpus, power, sample_size, rng=rng, seed=seed)
        if self.sampler.vocab_size > W.shape[0]:
            raise ValueError(f"W has {W.shape[0]} rows but the corpus holds ids up to {self.sampler.vocab_size - 1}")
        self.sample_size = self.sampler.sample_size
        self.h = None  # the contexts: dW needs them
        self.ids = None  # (N, K + 1): target, then the negatives drawn by the last forward
        self.rows = None  # W[ids], (N, K + 1, D): dh needs them
        self.ds = None  # dL/ds for dout = 1, (N, K + 1)
        self.dW = None  # dL/dW, (V, D), one buffer reused

    def forward(self, h, target):
        h = context_vectors(h, self.W)
        target = as_indices("target", target, self.sampler.vocab_size)
        check_shape("target", target, (h.shape[0],), "one target id per row of h")
        negatives = self.sampler.get_negative_sample(target)
        self.h, self.ids = h, np.concatenate([target[:, None].astype(np.int64), negatives], axis=1)
        self.rows = self.W[self.ids]
        s = np.einsum("nkd,nd->nk", self.rows, h)
        labels = np.zeros_like(s)
        labels[:, 0] = 1
        n = h.shape[0]
        self.ds = ((sigmoid(s) - labels) / n).astype(s.dtype, copy=False)
        return np.sum(softplus(s) - labels * s, dtype=s.dtype) / s.dtype.type(n)

    def backward(self, dout=1.0):
        require_forward(self, self.h)
        dout = as_float_array("dout", dout)
        check_shape("dout", dout, (), "the loss is a scalar")
        ds = self.ds * dout
        if self.dW is None:
            self.dW = np.empty_like(self.W)
        rows = (ds[..., None] * self.h[:, None, :]).reshape(-1, self.W.shape[1])
        scatter_add_rows(self.dW, self.ids.reshape(-1), rows)
        return np.einsum("nk,nkd->nd", ds, self.rows).astype(self.h.dtype, copy=False)
