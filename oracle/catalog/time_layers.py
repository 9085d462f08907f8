"""The sequel's time layers: T steps of a cell, an embedding, an affine, a loss and dropout.

The family's catalog rows (``ROWS``) and the strategies that draw their cases; its layers are in
``manual_bp/layers/time_layers.py``, its oracles in ``oracle/layers/time_layers.py``, its kink
and error tests in ``tests/layers/test_time_layers.py``.
"""

from __future__ import annotations

import functools

import numpy as np
from hypothesis import strategies as st

from manual_bp.layers import time_layers as _time
from oracle.catalog.dropout import KEEP_RATE
from oracle.catalog.embedding import EMBED, VOCAB
from oracle.catalog.recurrent import (
    RECURRENT_VALUE,
    recurrent_params,
)
from oracle.layers import time_layers as _time_oracle
from oracle.verify.entry import CatalogEntry
from oracle.verify.strategies import (
    Call,
    Case,
    cotangents,
    draw_array,
    draw_cotangent,
    float_arrays,
    ids,
    param_dtype,
    sampled,
)

# (N, T, D, H) of the time layers: a short block, and one sample of one time step (sizes of 1)
TIME_SIZES = ((2, 3, 3, 2), (1, 1, 2, 3))


# Sequences: 2 or 3 calls on one layer object (one compile: every call has the first call's shape);
# before each later call nothing (the state is carried), reset_state() or set_state(h[, c]).
SEQUENCE_LENGTHS = (2, 3)
STATE_METHODS = ("", "reset_state", "set_state")


def _state_call(draw, dtype, names: tuple, shape: tuple, stateful: bool, xs_shape: tuple, dout_shape: tuple) -> Call:
    """A later call: new ``xs`` and ``dout``, after a drawn state method and the state it documents.

    ``reset_state()``: zeros. ``set_state(h)`` (a TimeLSTM sometimes ``set_state(h, c)``): the given
    states, ``c`` zeros when not given; a stateless layer ignores it (zeros).
    """
    method = draw(sampled(STATE_METHODS))
    zeros = np.zeros(shape, dtype)
    args: dict = {}
    state = None
    if method == "reset_state":
        state = {k: zeros for k in names}
    elif method == "set_state":
        given = names if len(names) == 1 or draw(st.booleans()) else names[:1]
        args = {k: draw_array(draw, dtype, shape, max_value=RECURRENT_VALUE) for k in given}
        state = {k: args[k] if stateful and k in args else zeros for k in names}
    xs = draw_array(draw, dtype, xs_shape, max_value=RECURRENT_VALUE)
    return Call({"xs": xs}, draw_cotangent(draw, dtype, dout_shape), method=method, args=args, state=state)


@st.composite
def time_recurrent_cases(draw, dtype, *, gates: int, cell_state: bool = False, sizes=TIME_SIZES):
    """``xs (N, T, D)``, initial states ``h`` (and ``c``), ``Wx``, ``Wh``, ``b``, ``dout (N, T, H)``, and
    1 or 2 later calls on the same layer (``Case.calls``: ``xs``, ``dout``, a state method).

    ``config``: ``stateful`` drawn. Stateless: ``h`` (``c``) is zeros, where such a layer starts.
    Stateful: drawn, set with ``set_state`` once before the first call; later calls start from the
    state the layer carried (or the one a drawn ``reset_state``/``set_state`` documents).
    """
    n, t, d, h = draw(sampled(tuple(sizes)))
    stateful = draw(st.booleans())
    names = ("h", "c") if cell_state else ("h",)
    xs = draw_array(draw, dtype, (n, t, d), max_value=RECURRENT_VALUE)

    def state():
        if not stateful:
            return np.zeros((n, h), dtype)
        return draw_array(draw, dtype, (n, h), max_value=RECURRENT_VALUE)

    inputs = {"xs": xs, **{k: state() for k in names}}
    params = recurrent_params(draw, dtype, d, h, gates)
    dout = draw_cotangent(draw, dtype, (n, t, h))
    later = draw(sampled(SEQUENCE_LENGTHS)) - 1
    calls = tuple(_state_call(draw, dtype, names, (n, h), stateful, (n, t, d), (n, t, h)) for _ in range(later))
    return Case(inputs, params, dout, config={"stateful": stateful}, calls=calls)


@st.composite
def time_bilstm_cases(draw, dtype, *, sizes=TIME_SIZES):
    """``xs (N, T, D)``, two directions' ``Wx``, ``Wh``, ``b`` (suffixes 1 and 2), ``dout (N, T, 2H)``."""
    n, t, d, h = draw(st.sampled_from(sizes))
    xs = draw(float_arrays(dtype, (n, t, d), max_value=RECURRENT_VALUE))
    params = {**recurrent_params(draw, dtype, d, h, 4, "1"), **recurrent_params(draw, dtype, d, h, 4, "2")}
    return Case({"xs": xs}, params, draw(cotangents(dtype, (n, t, 2 * h))))


@st.composite
def time_embedding_cases(draw, dtype, *, shapes=((2, 3), (1, 5)), max_value: float = 1e2):
    """Ids ``xs (N, T)`` (repeats likely), ``W (V, D)``, ``dout (N, T, D)``."""
    shape = draw(st.sampled_from(shapes))
    W = draw(float_arrays(dtype, (VOCAB, EMBED), max_value=max_value))
    return Case({"xs": draw(ids(VOCAB, shape))}, {"W": W}, draw(cotangents(dtype, (*shape, EMBED))))


@st.composite
def time_affine_cases(
    draw, dtype, *, shapes=((2, 3, 3), (1, 4, 2)), outputs=(4,), max_value: float = 1e2, mixed: bool = True
):
    """``xs (N, T, D)``, ``W (D, M)``, ``b (M,)``, ``dout (N, T, M)``; ``mixed`` (default True):
    ``W`` and ``b`` sometimes of the other float width."""
    shape, m = draw(st.sampled_from(shapes)), draw(st.sampled_from(outputs))
    pdtype = param_dtype(draw, dtype, mixed)
    xs = draw(float_arrays(dtype, shape, max_value=max_value))
    W = draw(float_arrays(pdtype, (shape[-1], m), max_value=max_value))
    b = draw(float_arrays(pdtype, (m,), max_value=max_value))
    return Case({"xs": xs}, {"W": W, "b": b}, draw(cotangents(np.result_type(xs, W), (*shape[:2], m))))


# ignore_label: any int (TimeSoftmaxWithLoss's docstring): the book's -1, PyTorch's -100, a padding
# id 0, other valid ids, ids beyond the classes; drawn as data (one compile for all of them).
IGNORE_LABELS = st.one_of(st.sampled_from((-1, -100, 0)), st.integers(-3, 6))


@st.composite
def time_softmax_with_loss_cases(
    draw, dtype, *, shapes=((2, 3), (1, 2)), classes: int = 4, max_value: float = 10.0, large: float = 1e4
):
    """Scores ``xs (N, T, V)`` (some huge), labels ``ts (N, T)`` with ignored positions, the
    ``ignore_label`` (a parameter: data, not differentiated), scalar ``dout``.

    ``ignore_label`` from ``IGNORE_LABELS``: negative (-1, the book's; -100, PyTorch's), 0 (a
    padding id), a valid class id, or an id beyond the ``classes`` (4); ``ts`` holds it often.
    The ``(1, 2)`` bucket makes every position ignored often enough to be drawn.
    """
    shape = draw(st.sampled_from(shapes))
    ignore_label = draw(IGNORE_LABELS)
    xs = draw(float_arrays(dtype, (*shape, classes), max_value=max_value, large=large))
    ts = draw(ids(classes, shape, extra=(ignore_label,)))
    return Case({"xs": xs, "ts": ts}, {"ignore_label": np.int64(ignore_label)}, draw(cotangents(dtype, ())))


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


def _sequences(state: str) -> str:
    """What a time-recurrent row's sequence cases draw (``--list``); ``state``: ``set_state``'s arguments."""
    return (
        "2 or 3 calls on one layer; before a later call nothing (the state is carried), "
        f"reset_state() or set_state({state}); the state a call starts from is read from the layer, never set "
        "after the start; truncated BPTT per call; quantities of call k > 1 are named 'call k dxs'"
    )


ROWS: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "TimeRNN",
        _time.TimeRNN,
        _time_oracle.time_rnn,
        ("xs", "h"),
        ("Wx", "Wh", "b"),
        functools.partial(time_recurrent_cases, gates=1),
        state=("h",),
        carry=_time_oracle.time_rnn_carry,
        carried=("h",),
        sequences=_sequences("h"),
        conventions="config stateful drawn; h: the initial state (zeros when not stateful), set with "
        "set_state before the first call; truncated BPTT; dh = dL/dh_0",
    ),
    CatalogEntry(
        "TimeLSTM",
        _time.TimeLSTM,
        _time_oracle.time_lstm,
        ("xs", "h", "c"),
        ("Wx", "Wh", "b"),
        functools.partial(time_recurrent_cases, gates=4, cell_state=True),
        state=("h", "c"),
        carry=_time_oracle.time_lstm_carry,
        carried=("h", "c"),
        sequences=_sequences("h[, c]"),
        conventions="gates [f, g, i, o]; config stateful drawn; set_state(h, c) before the first call; "
        "truncated BPTT; dh, dc = dL/dh_0, dL/dc_0",
    ),
    CatalogEntry(
        "TimeGRU",
        _time.TimeGRU,
        _time_oracle.time_gru,
        ("xs", "h"),
        ("Wx", "Wh", "b"),
        functools.partial(time_recurrent_cases, gates=3),
        state=("h",),
        carry=_time_oracle.time_gru_carry,
        carried=("h",),
        sequences=_sequences("h"),
        conventions="the book's GRU; config stateful drawn; truncated BPTT; dh = dL/dh_0",
    ),
    CatalogEntry(
        "TimeEmbedding",
        _time.TimeEmbedding,
        _time_oracle.time_embedding,
        ("xs",),
        ("W",),
        time_embedding_cases,
        nondiff=frozenset({"xs"}),
        conventions="W[xs]; one scatter-add into one reused V x D buffer; repeated ids accumulate",
    ),
    CatalogEntry(
        "TimeAffine",
        _time.TimeAffine,
        _time_oracle.time_affine,
        ("xs",),
        ("W", "b"),
        time_affine_cases,
        conventions="xs @ W + b at every (n, t); W and b of either float width",
    ),
    CatalogEntry(
        "TimeSoftmaxWithLoss",
        _time.TimeSoftmaxWithLoss,
        _time_oracle.time_softmax_with_loss,
        ("xs", "ts"),
        ("ignore_label",),
        time_softmax_with_loss_cases,
        nondiff=frozenset({"ts", "ignore_label"}),
        conventions="ignore_label drawn as data: -1, -100, 0, valid ids, ids beyond the classes (-3..6); "
        "ignored positions contribute nothing; divisor = unmasked count; all ignored gives 0 with a zero "
        "gradient, never NaN",
    ),
    CatalogEntry(
        "TimeDropout",
        _time_oracle.seeded_time_dropout_layer,
        _time_oracle.seeded_time_dropout,
        ("xs",),
        ("mask", "seed"),
        time_dropout_cases,
        nondiff=frozenset({"mask", "seed"}),
        conventions="inverted; config dropout_ratio, train_flg drawn; mask from np.random.default_rng(seed), "
        "the oracle takes it as data; inference passes xs through",
        distributions=(KEEP_RATE,),
    ),
    CatalogEntry(
        "TimeBiLSTM",
        _time.TimeBiLSTM,
        _time_oracle.time_bilstm,
        ("xs",),
        ("Wx1", "Wh1", "b1", "Wx2", "Wh2", "b2"),
        time_bilstm_cases,
        conventions="concat([forward-in-time LSTM, time-reversed LSTM], -1); zero initial states",
    ),
)
