"""``eval_perplexity``: the perplexity of a stateful language model on a corpus (the sequel, ch. 6)."""

from __future__ import annotations

import inspect

import numpy as np

from manual_bp._checks import positive_int, shape_str

__all__ = ["eval_perplexity"]


def eval_perplexity(model, corpus, batch_size: int = 10, time_size: int = 35) -> float:
    """``exp(mean loss)`` of ``model.forward(xs, ts)`` over the corpus read as the book reads it.

    Row ``i`` of each ``(batch_size, time_size)`` block starts at ``i * jump`` with
    ``jump = (len(corpus) - 1) // batch_size``, ``ts`` is ``xs`` shifted by one word, and there
    are ``jump // time_size`` blocks. The model's state is reset before (a previous training block
    would leak into the evaluation) and after (training continues from a clean state).
    A model whose ``forward`` takes ``train_flg`` (dropout) is called with ``train_flg=False``;
    this is read from its signature, so a ``TypeError`` raised inside ``forward`` propagates
    (the book catches every ``TypeError`` and silently calls again without the flag).
    """
    corpus = np.asarray(corpus)
    batch, steps = positive_int("batch_size", batch_size), positive_int("time_size", time_size)
    if corpus.ndim != 1 or corpus.dtype.kind not in "iu":
        raise ValueError(
            f"corpus must be a 1-D integer array of word ids, got {corpus.dtype} {shape_str(corpus.shape)}"
        )
    jump = (corpus.size - 1) // batch
    iterations = jump // steps
    if iterations < 1:
        raise ValueError(f"corpus of {corpus.size} words is too short for batch_size {batch} x time_size {steps}")
    keywords = {"train_flg": False} if "train_flg" in inspect.signature(model.forward).parameters else {}
    offsets = np.arange(batch) * jump
    model.reset_state()
    total = 0.0
    for k in range(iterations):
        positions = offsets[:, None] + k * steps + np.arange(steps)[None, :]
        total += float(model.forward(corpus[positions], corpus[positions + 1], **keywords))
    model.reset_state()
    return float(np.exp(total / iterations))
