"""The catalog: one row per layer, pairing the NumPy layer with its JAX oracle function.

The tests and ``manual-bp verify`` both read ``CATALOG``. Adding a layer is: write the layer,
write its function, add one row here, add its kink examples to its test module.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable

import numpy as np

import manual_bp

# -- the sequel: Deep Learning from Scratch 2 (imports)
from manual_bp.layers import embedding as _embedding
from manual_bp.layers import recurrent as _recurrent
from manual_bp.layers import time_layers as _time
from manual_bp.layers.affine import MatMul
from manual_bp.layers.losses import SigmoidWithLoss
from oracle.layers import recurrent as _recurrent_oracle
from oracle.layers import time_layers as _time_oracle
from oracle.layers.activations import leaky_relu, relu, sigmoid, softmax, tanh
from oracle.layers.affine import affine, matmul
from oracle.layers.arithmetic import add, mul
from oracle.layers.attention import (
    attention,
    attention_weight,
    time_attention,
    weight_sum,
)
from oracle.layers.convolution import convolution
from oracle.layers.dropout import seeded_dropout, seeded_dropout_layer
from oracle.layers.embedding import embedding, embedding_dot
from oracle.layers.losses import (
    mean_squared_error,
    sigmoid_with_loss,
    softmax_with_loss,
)
from oracle.layers.negative_sampling import (
    seeded_negative_sampling_layer,
    seeded_negative_sampling_loss,
)
from oracle.layers.normalization import batch_normalization
from oracle.layers.pooling import avg_pooling, pooling
from oracle.verify import attention_strategies, strategies
from oracle.verify import sequel_strategies as _sequel
from oracle.verify.binding import bind
from oracle.verify.strategies import Case
from oracle.verify.tolerance import Tolerance
from oracle.verify.verifier import Verification, verify_layer

__all__ = ["CATALOG", "CatalogEntry", "DTYPES", "ErrorInput", "check_error_inputs", "find_entry", "verify_case"]

DTYPES = (np.dtype(np.float64), np.dtype(np.float32))

# the sequel's recurrent rows, float32 (see tolerance_reason)
_RECURRENT_F32 = {np.dtype(np.float32): Tolerance(atol=1e-5, rtol=1e-5, ntol=1e-5)}
_RECURRENT_F32_WHY = (
    "1 - h**2 (tanh') and g (1 - g) (sigmoid') are computed from states rounded to float32: where a "
    "unit saturates the exact derivative is ~1e-4 but carries an absolute error of ~eps32 = 1.2e-7 "
    "per unit of dout (up to 10) times |Wh| (up to 3 per entry), summed over H and, in the time "
    "layers, over T steps: up to 4.9e-6 absolute seen in 3000 examples, above the default 1e-6 "
    "(as the Tanh row). The planted bugs still fail in float32."
)
# the Time rows run T steps: each step's rounding passes back through Wh (entries up to 3)
_TIME_RECURRENT_F32 = {np.dtype(np.float32): Tolerance(atol=1e-5, rtol=1e-4, ntol=1e-5)}
_TIME_RECURRENT_F32_WHY = _RECURRENT_F32_WHY + (
    " Over T steps the rounding of saturated states is amplified through Wh: a 10,000-example "
    "float32 campaign found TimeRNN (T = 5, |Wh| up to 3, gradients about 200) 2.6e-5 to 6.5e-5 off "
    "in every gradient, while the oracle run in float32 itself was 1.4e-6 off (its tanh rounds "
    "differently): rtol 1e-4."
)


@dataclasses.dataclass(frozen=True)
class ErrorInput:
    """An input the layer must reject at its boundary, as PyTorch's OpInfo ``ErrorInput``.

    ``call(layer)`` (``layer``: the row's factory, e.g. ``manual_bp.Affine``) must raise
    ``error`` with a message matching the regular expression ``match``; ``what`` says what
    is wrong with the input. ``layer`` (default None: any): the factory it was declared for;
    a row whose layer is neither it nor a subclass of it (a row copied with another factory)
    skips it, since ``call`` builds the layer with that factory's arguments.
    """

    what: str
    call: Callable
    error: type
    match: str
    layer: Callable | None = None

    def applies_to(self, layer) -> bool:
        if self.layer is None or layer is self.layer:
            return True
        return isinstance(layer, type) and isinstance(self.layer, type) and issubclass(layer, self.layer)


@dataclasses.dataclass(frozen=True)
class CatalogEntry:
    """A layer, its oracle function and how to draw and check its cases.

    - ``layer``: the class (called with the parameters, in ``params`` order).
    - ``function``: the oracle, ``function(*inputs, *params)``.
    - ``inputs``, ``params``: argument names, in order.
    - ``nondiff``: arguments that are data, not differentiated (labels).
    - ``cases``: ``cases(dtype)`` -> a Hypothesis strategy of ``Case``.
    - ``tolerance``: ``{dtype: Tolerance}`` overrides, each with ``tolerance_reason``.
    - ``conventions``: what the cases draw and the kink / tie / edge conventions layer and
      oracle share (``manual-bp verify --list`` prints it).
    - ``errors``: ``ErrorInput``s the layer must reject (checked once per row).
    - ``state``: inputs that are initial states (``h``, ``c``) of a time layer (see ``verify_layer``).
    """

    name: str
    layer: Callable
    function: Callable
    inputs: tuple
    params: tuple
    cases: Callable
    nondiff: frozenset = frozenset()
    tolerance: dict = dataclasses.field(default_factory=dict)
    tolerance_reason: str = ""
    conventions: str = ""
    errors: tuple = ()
    state: tuple = ()  # inputs that are initial states, set with set_state (the sequel's time layers)


def _ones(*shape):
    return np.ones(shape)


def _before_forward(make):
    return ErrorInput(
        "backward before forward",
        lambda layer: make(layer).backward(_ones(2, 3)),
        RuntimeError,
        r"backward called before .*forward",
    )


def _bad_dout(make, x, *more):
    return ErrorInput(
        "a dout of the wrong shape",
        lambda layer: _forwarded(make(layer), x, *more).backward(_ones(7)),
        ValueError,
        r"dout must have shape",
    )


def _forwarded(layer, *inputs):
    layer.forward(*inputs)
    return layer


def _boolean_x(make, *more):
    return ErrorInput(
        "a boolean x",
        lambda layer: make(layer).forward(np.ones((2, 3), bool), *more),
        TypeError,
        r"x must be a real numeric array",
    )


def _elementwise_errors(make=lambda layer: layer()):
    return (_before_forward(make), _bad_dout(make, _ones(2, 3)), _boolean_x(make))


_AFFINE = lambda layer: layer(_ones(4, 3), _ones(3))  # noqa: E731 - a factory per row, read as data
_CONV = lambda layer: layer(_ones(2, 3, 2, 2), _ones(2))  # noqa: E731
_POOL = lambda layer: layer(pool_h=2, pool_w=2)  # noqa: E731
_BATCH_NORM = lambda layer: layer(_ones(3), _ones(3))  # noqa: E731
_DROPOUT = lambda layer: layer(np.ones(3), 0)  # noqa: E731

ERRORS = {
    "AddLayer": (
        _before_forward(lambda layer: layer()),
        ErrorInput(
            "shapes that do not broadcast",
            lambda layer: layer().forward(_ones(2, 3), _ones(4)),
            ValueError,
            r"broadcast",
        ),
    ),
    "MulLayer": (_before_forward(lambda layer: layer()),),
    "ReLU": _elementwise_errors(),
    "Sigmoid": _elementwise_errors(),
    "Tanh": _elementwise_errors(),
    "LeakyReLU": (
        *_elementwise_errors(),
        ErrorInput("an infinite alpha", lambda layer: layer(alpha=np.inf), ValueError, r"alpha must be finite"),
    ),
    "Softmax": (
        *_elementwise_errors(),
        ErrorInput(
            "an axis out of range",
            lambda layer: layer(axis=2).forward(_ones(2, 3)),
            ValueError,
            r"axis 2 is out of range",
        ),
    ),
    "Affine": (
        _before_forward(_AFFINE),
        _bad_dout(_AFFINE, _ones(2, 4)),
        ErrorInput(
            "x with the wrong feature count",
            lambda layer: _AFFINE(layer).forward(_ones(2, 5)),
            ValueError,
            r"x must have shape \(N, 4\)",
        ),
        ErrorInput(
            "a W that is not a matrix", lambda layer: layer(_ones(4), _ones(3)), ValueError, r"W must be a matrix"
        ),
    ),
    "SoftmaxWithLoss": (
        ErrorInput(
            "an empty batch",
            lambda layer: layer().forward(np.zeros((0, 3)), np.zeros(0, int)),
            ValueError,
            r"empty batch",
        ),
        ErrorInput(
            "a label out of range",
            lambda layer: layer().forward(_ones(2, 3), np.array([0, 3])),
            ValueError,
            r"must lie in \[0, 3\)",
        ),
        ErrorInput(
            "float labels of the index shape",
            lambda layer: layer().forward(_ones(2, 3), np.array([0.0, 1.0])),
            TypeError,
            r"integer dtype",
        ),
        ErrorInput(
            "a dout that is not a scalar",
            lambda layer: _forwarded(layer(), _ones(2, 3), np.array([0, 1])).backward(_ones(2)),
            ValueError,
            r"dout must have shape \(\)",
        ),
        ErrorInput("backward before forward", lambda layer: layer().backward(), RuntimeError, r"before .*forward"),
    ),
    "MeanSquaredError": (
        ErrorInput(
            "t of another shape",
            lambda layer: layer().forward(_ones(2, 3), _ones(3)),
            ValueError,
            r"t must have shape \(2, 3\)",
        ),
        ErrorInput("backward before forward", lambda layer: layer().backward(), RuntimeError, r"before .*forward"),
    ),
    "Convolution": (
        _before_forward(_CONV),
        _bad_dout(_CONV, _ones(1, 3, 4, 4)),
        ErrorInput(
            "x with the wrong channel count",
            lambda layer: _CONV(layer).forward(_ones(1, 2, 4, 4)),
            ValueError,
            r"x must have shape \(N, 3, H, W\)",
        ),
        ErrorInput(
            "a stride of 0",
            lambda layer: layer(_ones(2, 3, 2, 2), _ones(2), stride=0),
            ValueError,
            r"stride must be at least 1",
        ),
    ),
    "Pooling": (
        _before_forward(_POOL),
        _bad_dout(_POOL, _ones(1, 1, 4, 4)),
        ErrorInput(
            "pad as wide as the window",
            lambda layer: layer(pool_h=2, pool_w=2, pad=2),
            ValueError,
            r"pad must be smaller than the window",
        ),
        ErrorInput(
            "a 3-D x",
            lambda layer: _POOL(layer).forward(_ones(1, 4, 4)),
            ValueError,
            r"x must have shape \(N, C, H, W\)",
        ),
    ),
    "BatchNormalization": (
        _before_forward(_BATCH_NORM),
        _bad_dout(_BATCH_NORM, _ones(2, 3)),
        ErrorInput(
            "a non-positive eps", lambda layer: layer(_ones(3), _ones(3), eps=0.0), ValueError, r"eps must be positive"
        ),
        ErrorInput(
            "x with the wrong feature count",
            lambda layer: _BATCH_NORM(layer).forward(_ones(2, 4)),
            ValueError,
            r"x must have shape \(N, 3\)",
        ),
    ),
    "Dropout": (
        _before_forward(_DROPOUT),
        _bad_dout(_DROPOUT, _ones(2, 3)),
        ErrorInput(
            "a dropout ratio of 1",
            lambda layer: layer(np.ones(3), 0, dropout_ratio=1.0),
            ValueError,
            r"dropout_ratio must lie in \[0, 1\)",
        ),
    ),
}
ERRORS["AvgPooling"] = ERRORS["Pooling"]


def check_error_inputs(entry: CatalogEntry) -> list[str]:
    """Run the row's ``ErrorInput``s; one failure line per input not rejected as declared."""
    failures = []
    for bad in entry.errors:
        if not bad.applies_to(entry.layer):
            continue
        try:
            bad.call(entry.layer)
        except Exception as error:  # noqa: BLE001 - the wrong exception is a failure, reported below
            if isinstance(error, bad.error) and re.search(bad.match, str(error)):
                continue
            failures.append(
                f"{entry.name}: error input {bad.what!r} raised {type(error).__name__}: {error} "
                f"(expected {bad.error.__name__} matching {bad.match!r})"
            )
        else:
            failures.append(
                f"{entry.name}: error input {bad.what!r} raised nothing "
                f"(expected {bad.error.__name__} matching {bad.match!r})"
            )
    return failures


ATTENTION_FLOAT32 = {np.dtype(np.float32): Tolerance(atol=1e-4, rtol=1e-5, ntol=1e-5)}
ATTENTION_FLOAT32_REASON = (
    "float32 weights a do not sum to exactly 1 (off by ~T eps32), so ds = a * (da - sum(a * da)) carries "
    "~a |da| T eps32 where the exact ds is 0 (equal scores, equal states), with |da| = |<hs, dc>| up to "
    "H * 3 * 10 = 90; multiplied by |hs| <= 3 and summed over steps (and decoder steps) this reaches 1e-5 to 1e-4 "
    "absolute on a gradient whose exact value is 0 (2.2e-5 seen in 3000 examples); c = sum_t a * hs cancels "
    "alike. That is ~1e-6 of the terms' size (float32 round-off), and the planted bugs still fail in float32."
)

CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "AddLayer",
        manual_bp.AddLayer,
        add,
        ("x", "y"),
        (),
        functools.partial(strategies.binary_cases, mixed=True),
        conventions="draws 6 broadcastable shape pairs (scalars too), either order, y sometimes of the other "
        "float width; broadcasting undone by "
        "summing the cotangent over broadcast axes",
    ),
    CatalogEntry(
        "MulLayer",
        manual_bp.MulLayer,
        mul,
        ("x", "y"),
        (),
        functools.partial(strategies.binary_cases, mixed=True),
        conventions="draws the shape pairs of AddLayer; broadcasting undone by summing over broadcast axes",
    ),
    CatalogEntry(
        "ReLU",
        manual_bp.ReLU,
        relu,
        ("x",),
        (),
        strategies.elementwise_cases,
        conventions="ReLU'(0) = 0 (jnp.where(x > 0, x, 0)); draws 1-D (one sample) to 3-D x, exact zeros, up to 1e4",
    ),
    CatalogEntry(
        "Sigmoid",
        manual_bp.Sigmoid,
        sigmoid,
        ("x",),
        (),
        strategies.elementwise_cases,
        conventions="draws 1-D to 3-D x up to 1e4; no overflow for any finite x; gradient out * (1 - out)",
    ),
    CatalogEntry(
        "Affine",
        manual_bp.Affine,
        affine,
        ("x",),
        ("W", "b"),
        functools.partial(strategies.affine_cases, mixed=True),
        conventions="draws N 1 or 4, 1-D or 2-D features, W and b of either float width; "
        "x of shape (N, ...) flattened to (N, D)",
    ),
    CatalogEntry(
        "SoftmaxWithLoss",
        manual_bp.SoftmaxWithLoss,
        softmax_with_loss,
        ("x", "t"),
        (),
        strategies.softmax_with_loss_cases,
        nondiff=frozenset({"t"}),
        conventions="draws 1-5 classes, a 1-D x (one sample) or N = 1-4, t as indices, one-hot, "
        "probabilities or dense rows of any non-negative sum (all-zero rows too); mean over "
        "the batch; t not differentiated",
    ),
    # -- chapters 6 and 7. Each case draws its configuration (Case.config, bound into the oracle
    # once per configuration: the jitted VJP is cached per bound function and shape).
    CatalogEntry(
        "Convolution",
        manual_bp.Convolution,
        convolution,
        ("x",),
        ("W", "b"),
        functools.partial(strategies.convolution_cases, mixed=True),
        conventions="draws stride 1-3, pad 0-2, square and non-square filters (3x3, 2x3, 3x2, 1x1, 2x2), "
        "W and b of either float width; cross-correlation, NCHW x, OIHW W, zero padding; "
        "overlapping windows add up in dx",
    ),
    CatalogEntry(
        "Pooling",
        manual_bp.Pooling,
        pooling,
        ("x",),
        (),
        strategies.pooling_cases,
        conventions="draws windows 2x2, 3x3, 2x3, 3x2, stride 1-3 (below, at and above the window), "
        "pad 0-1; padding is -inf, never wins; ties: all to the first maximum in row-major "
        "window order",
    ),
    CatalogEntry(
        "AvgPooling",
        manual_bp.AvgPooling,
        avg_pooling,
        ("x",),
        (),
        strategies.pooling_cases,
        conventions="draws the windows of Pooling; mean over each window's real cells (padded cells are not counted)",
    ),
    CatalogEntry(
        "BatchNormalization",
        manual_bp.BatchNormalization,
        batch_normalization,
        ("x",),
        ("gamma", "beta"),
        functools.partial(strategies.batch_norm_cases, mixed=True),
        tolerance={
            np.dtype(np.float64): Tolerance(atol=1e-9, rtol=1e-10, ntol=1e-12),
            np.dtype(np.float32): Tolerance(atol=1e-4, rtol=1e-5, ntol=1e-5),
        },
        tolerance_reason="dx cancels terms of size |gamma * dout| / std, up to 1e5 here (values <= 10, "
        "std >= sqrt(eps) = 1e-3); when dout lies in the span of 1 and xn per feature "
        "(Hypothesis often draws dout == x, or constant x and dout) the exact dx is ~0 "
        "and rounding of those terms remains: up to 1.6e-10 (float64, the reference's "
        "own) and 1.1e-5 (float32) absolute in 5000 examples. The planted bugs still fail.",
        conventions="draws train_flg (inference after one training forward, whose input sets the running "
        "statistics), momentum 0.9 / 0.5, eps 1e-6 / 1e-3 / 1e-2, (N, D) and (N, C, H, W), "
        "gamma and beta of either float width; biased variance, per feature / per channel; "
        "batch of one and constant features give beta",
    ),
    CatalogEntry(
        "Dropout",
        seeded_dropout_layer,
        seeded_dropout,
        ("x",),
        ("mask", "seed"),
        strategies.dropout_cases,
        nondiff=frozenset({"mask", "seed"}),
        conventions="draws dropout_ratio 0 / 0.2 / 0.5 / 0.8 and train_flg (inference after a training "
        "forward: the identity); inverted; the layer draws its mask from "
        "np.random.default_rng(seed), the oracle takes that mask as data",
    ),
    CatalogEntry(
        "Tanh",
        manual_bp.Tanh,
        tanh,
        ("x",),
        (),
        strategies.elementwise_cases,
        tolerance={np.dtype(np.float32): Tolerance(atol=1e-5, rtol=1e-5, ntol=1e-5)},
        tolerance_reason="1 - out**2 is computed from out rounded to float32: where |x| > 4 the exact "
        "derivative is < 1e-3 but carries an absolute error of ~2 eps32 = 1.2e-7 per unit "
        "of dout (up to 10): up to 1.3e-6 seen in 3000 examples, above the default 1e-6.",
        conventions="draws 1-D to 3-D x up to 1e4; gradient 1 - out**2; saturates to exactly +-1 (gradient 0) "
        "for large |x|",
    ),
    CatalogEntry(
        "LeakyReLU",
        manual_bp.LeakyReLU,
        leaky_relu,
        ("x",),
        (),
        strategies.leaky_relu_cases,
        conventions="draws alpha 0.01, 0, 0.3, -0.5, 2; gradient at x = 0 is alpha "
        "(jnp.where(x > 0, x, alpha * x)); 1-D x is one sample",
    ),
    CatalogEntry(
        "Softmax",
        manual_bp.Softmax,
        softmax,
        ("x",),
        (),
        strategies.softmax_cases,
        tolerance={np.dtype(np.float32): Tolerance(atol=1e-5, rtol=1e-5, ntol=1e-5)},
        tolerance_reason="dx = y * (dout - sum(dout * y)) cancels when y is nearly one-hot: the float32 "
        "sum carries ~eps32 * |dout| (dout up to 10) while the exact dx is ~0: up to "
        "1.7e-6 absolute seen in 5000 examples, above the default 1e-6.",
        conventions="draws axis -1, -2, 0, 1 on 1-D to 3-D x; max-shifted; dx = y * (dout - sum(dout * y))",
    ),
    CatalogEntry(
        "MeanSquaredError",
        manual_bp.MeanSquaredError,
        mean_squared_error,
        ("y", "t"),
        (),
        strategies.mean_squared_error_cases,
        nondiff=frozenset({"t"}),
        conventions="draws 1-D to 3-D y, t == y a quarter of the time; mean over all entries (the book: 0.5 * sum); "
        "t not differentiated; dout defaults to 1",
    ),
    # -- the sequel: Deep Learning from Scratch 2
    CatalogEntry(
        "MatMul",
        MatMul,
        matmul,
        ("x",),
        ("W",),
        _sequel.matmul_cases,
        conventions="x @ W over the last axis of x (any leading axes); no bias",
    ),
    CatalogEntry(
        "Embedding",
        _embedding.Embedding,
        embedding,
        ("idx",),
        ("W",),
        _sequel.embedding_cases,
        nondiff=frozenset({"idx"}),
        conventions="W[idx]; repeated ids accumulate in dW (scatter-add); idx is data, backward returns None",
    ),
    CatalogEntry(
        "EmbeddingDot",
        _embedding.EmbeddingDot,
        embedding_dot,
        ("h", "idx"),
        ("W",),
        _sequel.embedding_dot_cases,
        nondiff=frozenset({"idx"}),
        conventions="sum_d W[idx] * h; repeated ids accumulate in dW",
    ),
    CatalogEntry(
        "SigmoidWithLoss",
        SigmoidWithLoss,
        sigmoid_with_loss,
        ("x", "t"),
        (),
        _sequel.sigmoid_with_loss_cases,
        nondiff=frozenset({"t"}),
        conventions="mean(softplus(x) - t x) from the logits, no 1e-7; t: 0/1 or probabilities, data",
    ),
    CatalogEntry(
        "NegativeSamplingLoss",
        seeded_negative_sampling_layer,
        seeded_negative_sampling_loss,
        ("h", "target"),
        ("W", "negatives", "corpus", "seed"),
        _sequel.negative_sampling_cases,
        nondiff=frozenset({"target", "negatives", "corpus", "seed"}),
        conventions="BCE(s(target), 1) + sum_k BCE(s(neg_k), 0), each a batch mean; config power, "
        "sample_size drawn; the layer draws its negatives from np.random.default_rng(seed) "
        "(target excluded, no repeats in a row), the oracle takes them as data; W listed once",
    ),
    CatalogEntry(
        "RNN",
        _recurrent.RNN,
        _recurrent_oracle.rnn,
        ("x", "h_prev"),
        ("Wx", "Wh", "b"),
        _sequel.rnn_cell_cases,
        tolerance=_RECURRENT_F32,
        tolerance_reason=_RECURRENT_F32_WHY,
        conventions="tanh(h Wh + x Wx + b), one step; backward -> (dx, dh_prev)",
    ),
    CatalogEntry(
        "LSTM",
        _recurrent.LSTM,
        _recurrent_oracle.lstm,
        ("x", "h_prev", "c_prev"),
        ("Wx", "Wh", "b"),
        _sequel.lstm_cell_cases,
        tolerance=_RECURRENT_F32,
        tolerance_reason=_RECURRENT_F32_WHY,
        conventions="gates [f, g, i, o] (the book's; PyTorch: [i, f, g, o]); forward -> (h_next, c_next); "
        "backward(dh_next, dc_next) -> (dx, dh_prev, dc_prev)",
    ),
    CatalogEntry(
        "GRU",
        _recurrent.GRU,
        _recurrent_oracle.gru,
        ("x", "h_prev"),
        ("Wx", "Wh", "b"),
        _sequel.gru_cell_cases,
        tolerance=_RECURRENT_F32,
        tolerance_reason=_RECURRENT_F32_WHY,
        conventions="the book's form: gates [z, r, h_hat], reset before Wh_h, h' = (1 - z) h + z h_hat",
    ),
    CatalogEntry(
        "TimeRNN",
        _time.TimeRNN,
        _time_oracle.time_rnn,
        ("xs", "h"),
        ("Wx", "Wh", "b"),
        functools.partial(_sequel.time_recurrent_cases, gates=1),
        state=("h",),
        tolerance=_TIME_RECURRENT_F32,
        tolerance_reason=_TIME_RECURRENT_F32_WHY,
        conventions="config stateful drawn; h: the carried state (zeros when not stateful), set with "
        "set_state after a previous block; truncated BPTT; dh = dL/dh_0",
    ),
    CatalogEntry(
        "TimeLSTM",
        _time.TimeLSTM,
        _time_oracle.time_lstm,
        ("xs", "h", "c"),
        ("Wx", "Wh", "b"),
        functools.partial(_sequel.time_recurrent_cases, gates=4, cell_state=True),
        state=("h", "c"),
        tolerance=_TIME_RECURRENT_F32,
        tolerance_reason=_TIME_RECURRENT_F32_WHY,
        conventions="gates [f, g, i, o]; config stateful drawn; set_state(h, c) after a previous block; "
        "truncated BPTT; dh, dc = dL/dh_0, dL/dc_0",
    ),
    CatalogEntry(
        "TimeGRU",
        _time.TimeGRU,
        _time_oracle.time_gru,
        ("xs", "h"),
        ("Wx", "Wh", "b"),
        functools.partial(_sequel.time_recurrent_cases, gates=3),
        state=("h",),
        tolerance=_TIME_RECURRENT_F32,
        tolerance_reason=_TIME_RECURRENT_F32_WHY,
        conventions="the book's GRU; config stateful drawn; truncated BPTT; dh = dL/dh_0",
    ),
    CatalogEntry(
        "TimeEmbedding",
        _time.TimeEmbedding,
        _time_oracle.time_embedding,
        ("xs",),
        ("W",),
        _sequel.time_embedding_cases,
        nondiff=frozenset({"xs"}),
        conventions="W[xs]; one scatter-add into one reused V x D buffer; repeated ids accumulate",
    ),
    CatalogEntry(
        "TimeAffine",
        _time.TimeAffine,
        _time_oracle.time_affine,
        ("xs",),
        ("W", "b"),
        _sequel.time_affine_cases,
        conventions="xs @ W + b at every (n, t)",
    ),
    CatalogEntry(
        "TimeSoftmaxWithLoss",
        _time.TimeSoftmaxWithLoss,
        _time_oracle.time_softmax_with_loss,
        ("xs", "ts"),
        (),
        _sequel.time_softmax_with_loss_cases,
        nondiff=frozenset({"ts"}),
        conventions="config ignore_label drawn (-1, -100); ignored positions contribute nothing; divisor = "
        "unmasked count; all ignored gives 0 with a zero gradient, never NaN",
    ),
    CatalogEntry(
        "TimeDropout",
        _time_oracle.seeded_time_dropout_layer,
        _time_oracle.seeded_time_dropout,
        ("xs",),
        ("mask", "seed"),
        _sequel.time_dropout_cases,
        nondiff=frozenset({"mask", "seed"}),
        conventions="inverted; config dropout_ratio, train_flg drawn; mask from np.random.default_rng(seed), "
        "the oracle takes it as data; inference passes xs through",
    ),
    CatalogEntry(
        "TimeBiLSTM",
        _time.TimeBiLSTM,
        _time_oracle.time_bilstm,
        ("xs",),
        ("Wx1", "Wh1", "b1", "Wx2", "Wh2", "b2"),
        _sequel.time_bilstm_cases,
        tolerance=_TIME_RECURRENT_F32,
        tolerance_reason=_TIME_RECURRENT_F32_WHY,
        conventions="concat([forward-in-time LSTM, time-reversed LSTM], -1); zero initial states",
    ),
    # -- the sequel: attention (Deep Learning from Scratch 2, chapter 8). No parameters, no
    # configuration; the mask (padded encoder steps) is an input, drawn, not differentiated.
    # float32 tolerance: ATTENTION_FLOAT32_REASON above.
    CatalogEntry(
        "WeightSum",
        manual_bp.WeightSum,
        weight_sum,
        ("hs", "a"),
        (),
        attention_strategies.weight_sum_cases,
        tolerance=ATTENTION_FLOAT32,
        tolerance_reason=ATTENTION_FLOAT32_REASON,
        conventions="c = sum_t a[:, t] * hs[:, t]; a any reals (not required to sum to 1); backward returns (dhs, da)",
    ),
    CatalogEntry(
        "AttentionWeight",
        manual_bp.AttentionWeight,
        attention_weight,
        ("hs", "h", "mask"),
        (),
        attention_strategies.attention_weight_cases,
        nondiff=frozenset({"mask"}),
        tolerance=ATTENTION_FLOAT32,
        tolerance_reason=ATTENTION_FLOAT32_REASON,
        conventions="softmax over the encoder axis of unscaled dot products <hs[:, t], h>; masked steps "
        "score -inf (weight and gradient exactly 0); mask None == all True; returns (dhs, dh)",
    ),
    CatalogEntry(
        "Attention",
        manual_bp.Attention,
        attention,
        ("hs", "h", "mask"),
        (),
        attention_strategies.attention_cases,
        nondiff=frozenset({"mask"}),
        tolerance=ATTENTION_FLOAT32,
        tolerance_reason=ATTENTION_FLOAT32_REASON,
        conventions="WeightSum(hs, AttentionWeight(hs, h, mask)); dhs sums both paths into hs; "
        "returns (dhs, dh); keeps attention_weight (N, T)",
    ),
    CatalogEntry(
        "TimeAttention",
        manual_bp.TimeAttention,
        time_attention,
        ("hs_enc", "hs_dec", "mask"),
        (),
        attention_strategies.time_attention_cases,
        nondiff=frozenset({"mask"}),
        tolerance=ATTENTION_FLOAT32,
        tolerance_reason=ATTENTION_FLOAT32_REASON,
        conventions="one Attention per decoder step (oracle: vmap of attention); dhs_enc summed over "
        "decoder steps; returns (dhs_enc, dhs_dec); keeps attention_weights (N, T_d, T)",
    ),
)


CATALOG = tuple(
    dataclasses.replace(
        entry, errors=tuple(dataclasses.replace(bad, layer=entry.layer) for bad in ERRORS.get(entry.name, ()))
    )
    for entry in CATALOG
)


def find_entry(name: str, catalog=CATALOG) -> CatalogEntry:
    """The row named ``name`` (case-insensitive; ``Relu`` finds ``ReLU``)."""
    for entry in catalog:
        if entry.name.lower() == name.lower():
            return entry
    raise KeyError(f"no layer {name!r} in the catalog; known: {', '.join(e.name for e in catalog)}")


def verify_case(entry: CatalogEntry, case: Case, **overrides) -> Verification:
    """Run ``verify_layer`` for one drawn ``case`` of ``entry``: the layer built with, and the
    oracle bound to, the case's configuration."""
    case = case.laid_out() if getattr(case, "layout", None) else case
    layer, function = entry.layer, entry.function
    forward = getattr(case, "forward", None) or {}
    if case.config:
        layer = functools.partial(layer, **case.config)
    if case.config or forward:
        function = bind(function, **case.config, **forward)
    return verify_layer(
        layer,
        function,
        {k: case.inputs[k] for k in entry.inputs},
        {k: case.params[k] for k in entry.params},
        case.dout,
        nondiff=entry.nondiff,
        name=entry.name,
        tolerance=overrides.pop("tolerance", entry.tolerance or None),
        forward=forward,
        before=getattr(case, "before", ()),
        **({"state": entry.state} if entry.state else {}),
        **overrides,
    )
