"""Hypothesis strategies for the sequel's layers (Deep Learning from Scratch 2): embeddings,
negative sampling, recurrent cells and the time layers.

Built on ``float_arrays``, ``cotangents`` and ``Case`` of ``oracle.verify.strategies``. Each
strategy draws the layer's documented configuration into ``Case.config`` (``stateful``,
``ignore_label``, ``power``, ``sample_size``, ``dropout_ratio``, ``train_flg``), word ids as
integer inputs (with many repeats, so scatter-adds are exercised) and, for the time layers,
the initial states as inputs (zeros unless the drawn configuration is stateful). Shapes come
from one or two small buckets per layer and sequences are short: each shape is a JAX compile
and ``manual-bp verify`` must stay fast.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from oracle.verify.strategies import Case, cotangents, float_arrays

__all__ = [
    "embedding_cases",
    "embedding_dot_cases",
    "gru_cell_cases",
    "ids",
    "lstm_cell_cases",
    "matmul_cases",
    "negative_sampling_cases",
    "rnn_cell_cases",
    "sigmoid_with_loss_cases",
    "time_affine_cases",
    "time_bilstm_cases",
    "time_dropout_cases",
    "time_embedding_cases",
    "time_recurrent_cases",
    "time_softmax_with_loss_cases",
]

VOCAB = 5  # embedding rows V
EMBED = 3  # embedding width D
CELL_SIZES = ((3, 3, 2), (1, 2, 4))  # (N, D, H) of the cells
TIME_SIZES = ((2, 3, 3, 2), (1, 5, 2, 3))  # (N, T, D, H) of the time layers: short blocks
RECURRENT_VALUE = 3.0  # |values| of recurrent inputs and weights: saturates gates sometimes, not always


def ids(vocab: int, shape: tuple, *, extra=()):
    """Integer ids of ``shape`` in ``[0, vocab)`` (or one of ``extra``, e.g. an ignore label), int64."""
    elements = st.integers(0, vocab - 1) if not extra else st.one_of(st.integers(0, vocab - 1), st.sampled_from(extra))
    return hnp.arrays(np.int64, shape, elements=elements)


@st.composite
def matmul_cases(draw, dtype, *, shapes=((4, 3), (2, 2, 3)), outputs=(2,), max_value: float = 1e2):
    """``x (..., D)``, ``W (D, M)``, ``dout (..., M)``."""
    shape, m = draw(st.sampled_from(shapes)), draw(st.sampled_from(outputs))
    x = draw(float_arrays(dtype, shape, max_value=max_value))
    W = draw(float_arrays(dtype, (shape[-1], m), max_value=max_value))
    return Case({"x": x}, {"W": W}, draw(cotangents(dtype, (*shape[:-1], m))))


@st.composite
def embedding_cases(draw, dtype, *, shapes=((4,), (2, 3)), max_value: float = 1e2):
    """Ids ``idx`` (any shape, repeats likely) into ``W (V, D)``, ``dout (*idx.shape, D)``."""
    shape = draw(st.sampled_from(shapes))
    idx = draw(ids(VOCAB, shape))
    W = draw(float_arrays(dtype, (VOCAB, EMBED), max_value=max_value))
    return Case({"idx": idx}, {"W": W}, draw(cotangents(dtype, (*shape, EMBED))))


@st.composite
def embedding_dot_cases(draw, dtype, *, batch_sizes=(1, 4), max_value: float = 1e2):
    """Contexts ``h (N, D)``, ids ``idx (N,)``, ``W (V, D)``, ``dout (N,)``."""
    n = draw(st.sampled_from(batch_sizes))
    h = draw(float_arrays(dtype, (n, EMBED), max_value=max_value))
    W = draw(float_arrays(dtype, (VOCAB, EMBED), max_value=max_value))
    return Case({"h": h, "idx": draw(ids(VOCAB, (n,)))}, {"W": W}, draw(cotangents(dtype, (n,))))


@st.composite
def sigmoid_with_loss_cases(draw, dtype, *, shapes=((4,), (2, 3)), max_value: float = 10.0, large: float = 1e4):
    """Logits ``x`` (some huge: stability), targets ``t`` (0/1 ints or probabilities), scalar ``dout``."""
    shape = draw(st.sampled_from(shapes))
    x = draw(float_arrays(dtype, shape, max_value=max_value, large=large))
    labels = hnp.arrays(np.int64, shape, elements=st.integers(0, 1))
    soft = hnp.arrays(
        np.dtype(dtype), shape, elements=st.floats(0, 1, width=np.dtype(dtype).itemsize * 8, allow_subnormal=False)
    )
    t = draw(st.one_of(labels, soft))
    return Case({"x": x, "t": t}, {}, draw(cotangents(dtype, ())))


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


def _recurrent_params(draw, dtype, d: int, h: int, gates: int, suffix: str = "") -> dict:
    value = RECURRENT_VALUE
    return {
        "Wx" + suffix: draw(float_arrays(dtype, (d, gates * h), max_value=value)),
        "Wh" + suffix: draw(float_arrays(dtype, (h, gates * h), max_value=value)),
        "b" + suffix: draw(float_arrays(dtype, (gates * h,), max_value=value)),
    }


@st.composite
def _cell_cases(draw, dtype, *, gates: int, cell_state: bool, sizes=CELL_SIZES):
    n, d, h = draw(st.sampled_from(sizes))
    inputs = {
        "x": draw(float_arrays(dtype, (n, d), max_value=RECURRENT_VALUE)),
        "h_prev": draw(float_arrays(dtype, (n, h), max_value=RECURRENT_VALUE)),
    }
    if cell_state:
        inputs["c_prev"] = draw(float_arrays(dtype, (n, h), max_value=RECURRENT_VALUE))
    dout = draw(cotangents(dtype, (n, h)))
    if cell_state:
        dout = (dout, draw(cotangents(dtype, (n, h))))
    return Case(inputs, _recurrent_params(draw, dtype, d, h, gates), dout)


def rnn_cell_cases(dtype, **kwargs):
    """``x (N, D)``, ``h_prev (N, H)``, ``Wx (D, H)``, ``Wh (H, H)``, ``b (H,)``, ``dout (N, H)``."""
    return _cell_cases(dtype, gates=1, cell_state=False, **kwargs)


def lstm_cell_cases(dtype, **kwargs):
    """As ``rnn_cell_cases`` with ``c_prev``, ``4H`` gates, and ``dout = (dh_next, dc_next)``: two outputs."""
    return _cell_cases(dtype, gates=4, cell_state=True, **kwargs)


def gru_cell_cases(dtype, **kwargs):
    """As ``rnn_cell_cases`` with ``3H`` gates."""
    return _cell_cases(dtype, gates=3, cell_state=False, **kwargs)


@st.composite
def time_recurrent_cases(draw, dtype, *, gates: int, cell_state: bool = False, sizes=TIME_SIZES):
    """``xs (N, T, D)``, initial states ``h`` (and ``c``), ``Wx``, ``Wh``, ``b``, ``dout (N, T, H)``.

    ``config``: ``stateful`` drawn. Stateless: ``h`` (``c``) is zeros, where such a layer starts.
    Stateful: drawn, the carried state the verifier fixes with ``set_state`` after a previous block.
    """
    n, t, d, h = draw(st.sampled_from(sizes))
    stateful = draw(st.booleans())
    xs = draw(float_arrays(dtype, (n, t, d), max_value=RECURRENT_VALUE))

    def state():
        if not stateful:
            return np.zeros((n, h), dtype)
        return draw(float_arrays(dtype, (n, h), max_value=RECURRENT_VALUE))

    inputs = {"xs": xs, "h": state()}
    if cell_state:
        inputs["c"] = state()
    return Case(
        inputs,
        _recurrent_params(draw, dtype, d, h, gates),
        draw(cotangents(dtype, (n, t, h))),
        config={"stateful": stateful},
    )


@st.composite
def time_bilstm_cases(draw, dtype, *, sizes=TIME_SIZES):
    """``xs (N, T, D)``, two directions' ``Wx``, ``Wh``, ``b`` (suffixes 1 and 2), ``dout (N, T, 2H)``."""
    n, t, d, h = draw(st.sampled_from(sizes))
    xs = draw(float_arrays(dtype, (n, t, d), max_value=RECURRENT_VALUE))
    params = {**_recurrent_params(draw, dtype, d, h, 4, "1"), **_recurrent_params(draw, dtype, d, h, 4, "2")}
    return Case({"xs": xs}, params, draw(cotangents(dtype, (n, t, 2 * h))))


@st.composite
def time_embedding_cases(draw, dtype, *, shapes=((2, 3), (1, 5)), max_value: float = 1e2):
    """Ids ``xs (N, T)`` (repeats likely), ``W (V, D)``, ``dout (N, T, D)``."""
    shape = draw(st.sampled_from(shapes))
    W = draw(float_arrays(dtype, (VOCAB, EMBED), max_value=max_value))
    return Case({"xs": draw(ids(VOCAB, shape))}, {"W": W}, draw(cotangents(dtype, (*shape, EMBED))))


@st.composite
def time_affine_cases(draw, dtype, *, shapes=((2, 3, 3), (1, 4, 2)), outputs=(4,), max_value: float = 1e2):
    """``xs (N, T, D)``, ``W (D, M)``, ``b (M,)``, ``dout (N, T, M)``."""
    shape, m = draw(st.sampled_from(shapes)), draw(st.sampled_from(outputs))
    xs = draw(float_arrays(dtype, shape, max_value=max_value))
    W = draw(float_arrays(dtype, (shape[-1], m), max_value=max_value))
    b = draw(float_arrays(dtype, (m,), max_value=max_value))
    return Case({"xs": xs}, {"W": W, "b": b}, draw(cotangents(dtype, (*shape[:2], m))))


@st.composite
def time_softmax_with_loss_cases(
    draw, dtype, *, shapes=((2, 3), (1, 2)), classes: int = 4, max_value: float = 10.0, large: float = 1e4
):
    """Scores ``xs (N, T, V)`` (some huge), labels ``ts (N, T)`` with ignored positions, scalar ``dout``.

    ``config``: ``ignore_label`` (-1, the book's, or -100, PyTorch's). The ``(1, 2)`` bucket makes
    every position ignored often enough to be drawn.
    """
    shape = draw(st.sampled_from(shapes))
    ignore_label = draw(st.sampled_from((-1, -100)))
    xs = draw(float_arrays(dtype, (*shape, classes), max_value=max_value, large=large))
    ts = draw(ids(classes, shape, extra=(ignore_label,)))
    return Case({"xs": xs, "ts": ts}, {}, draw(cotangents(dtype, ())), config={"ignore_label": ignore_label})


@st.composite
def time_dropout_cases(draw, dtype, *, shapes=((2, 3, 2), (1, 4, 3)), max_value: float = 10.0):
    """``xs``, a Generator ``seed`` and the ``mask`` ``TimeDropout`` draws from ``np.random.default_rng(seed)``.

    ``config``: ``dropout_ratio`` (0.5 or 0.2) and ``train_flg`` (inference: no mask is drawn).
    """
    from manual_bp.layers.dropout import dropout_mask

    shape = draw(st.sampled_from(shapes))
    config = {"dropout_ratio": draw(st.sampled_from((0.5, 0.2))), "train_flg": draw(st.booleans())}
    xs = draw(float_arrays(dtype, shape, max_value=max_value))
    seed = draw(st.integers(0, 2**32 - 1))
    mask = dropout_mask(np.random.default_rng(seed), shape, config["dropout_ratio"]).astype(dtype)
    return Case({"xs": xs}, {"mask": mask, "seed": seed}, draw(cotangents(dtype, shape)), config=config)
