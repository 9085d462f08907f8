"""Hypothesis strategies that draw one consistent verification case per layer: data *and* configuration.

Shapes and configurations come from small fixed buckets (each new (configuration, shape) is
one JAX compile), listed simplest first so shrinking moves toward the simplest configuration.
Values are free: Hypothesis draws a fill style, a seed and a few special entries at drawn
indices, and ``np.random.default_rng(seed)`` fills the rest (drawing every element through
Hypothesis cost about 6 ms per example). The special entries are kinks and ties (exact
zeros, repeated and simple values) and, where the layer must be stable, large magnitudes;
shrinking removes them and moves the seed and style toward 0. Values are finite, never
subnormal (XLA on CPU flushes them), of the layer's width. The cotangent ``dout`` is drawn
too and is never constant (the softmax VJP of an all-ones cotangent is identically zero).
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from typing import Any

import numpy as np
from hypothesis import strategies as st

__all__ = [
    "Case",
    "affine_cases",
    "binary_cases",
    "cotangents",
    "elementwise_cases",
    "float_arrays",
    "float_elements",
    "informative",
    "labels",
    "softmax_with_loss_cases",
]
__all__ += ["LAYOUTS", "relayout", "with_layouts"]  # memory layouts (issue 9)

BATCH_SIZES = (1, 4)
BROADCAST_PAIRS = (((), ()), ((3,), ()), ((2, 3), (3,)), ((2, 1), (1, 3)), ((2, 3), (2, 3)), ((4, 1, 3), (2, 1)))
ELEMENTWISE_SHAPES = ((5,), (2, 3), (2, 3, 2))
AFFINE_FEATURES = ((4,), (2, 2))
AFFINE_OUTPUTS = (3,)
NUM_CLASSES = (3,)


@dataclasses.dataclass
class Case:
    """One example: the layer's inputs and parameters (ordered by name), the cotangent, and the
    drawn configuration.

    - ``config``: the layer's keyword arguments, e.g. ``{"stride": 2}``; the layer is built
      with them and the oracle is bound to the same ones.
    - ``forward``: keyword flags of the verified ``forward`` call, e.g. ``{"train_flg": False}``;
      the oracle is bound to them too.
    - ``before``: inputs (``{name: array}``) of earlier ``forward`` calls, made with default
      flags before the verified one (an inference forward after a training forward); the
      oracle receives their arrays as trailing, non-differentiated arguments.
    """

    inputs: dict[str, Any]
    params: dict[str, Any]
    dout: Any  # an array, or a tuple of them (one cotangent per output)
    config: dict = dataclasses.field(default_factory=dict)
    forward: dict = dataclasses.field(default_factory=dict)
    before: tuple = ()
    layout: dict = dataclasses.field(default_factory=dict)

    def __repr__(self) -> str:
        with np.printoptions(precision=17, threshold=sys.maxsize, floatmode="unique"):
            config = f", config={self.config!r}" if self.config else ""
            forward = f", forward={self.forward!r}" if self.forward else ""
            before = f", before={self.before!r}" if self.before else ""
            layout = f", layout={self.layout!r}" if self.layout else ""
            return (
                f"Case(inputs={self.inputs!r}, params={self.params!r}, dout={self.dout!r}"
                f"{config}{forward}{before}{layout})"
            )

    def laid_out(self) -> Case:
        """This case with ``layout`` applied: each named array (an input, a parameter or
        ``dout``) replaced by the same values in that memory layout (see ``relayout``)."""
        if not self.layout:
            return self

        def apply(arrays: dict) -> dict:
            return {k: relayout(v, self.layout[k]) if k in self.layout else v for k, v in arrays.items()}

        dout = relayout(self.dout, self.layout["dout"]) if "dout" in self.layout else self.dout
        return dataclasses.replace(self, inputs=apply(self.inputs), params=apply(self.params), dout=dout, layout={})


# Memory layouts, simplest first: C order, Fortran order, a strided slice (every other element
# of a larger buffer along the last axis), a transposed view (the values of a C array of the
# reversed shape, seen through .T).
LAYOUTS = ("C", "F", "strided", "transposed")


def relayout(array, layout: str):
    """The same values as ``array`` in memory ``layout`` (one of ``LAYOUTS``); 0-d arrays and
    non-arrays pass through."""
    if not isinstance(array, np.ndarray) or array.ndim == 0 or layout == "C":
        return array
    if layout == "F":
        return np.asfortranarray(array)
    if layout == "strided":
        buffer = np.zeros(array.shape[:-1] + (2 * array.shape[-1],), dtype=array.dtype)
        view = buffer[..., ::2]
        view[...] = array
        return view
    if layout == "transposed":
        return np.ascontiguousarray(array.T).T
    raise ValueError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")


_LAYOUT_CHOICES = st.sampled_from(LAYOUTS)


@st.composite
def with_layouts(draw, cases):
    """``cases`` with a memory layout drawn for every float array of at least one dimension
    (inputs, parameters, ``dout``) into ``Case.layout``; C order where nothing was drawn."""
    case = draw(cases)
    if case.layout:
        return case
    arrays = {**case.inputs, **case.params, "dout": case.dout}
    layout = {}
    for name, value in arrays.items():
        if isinstance(value, np.ndarray) and value.ndim and value.dtype.kind == "f":
            choice = draw(_LAYOUT_CHOICES)
            if choice != "C":
                layout[name] = choice
    return dataclasses.replace(case, layout=layout) if layout else case


def float_elements(dtype, *, max_value: float = 1e3, large: float | None = None, kinks=(0.0, 1.0, -1.0)):
    """Finite, non-subnormal floats of ``dtype``'s width (one element at a time; ``float_arrays``
    no longer uses it, it draws whole arrays from a seed).

    - ``max_value`` (default ``1e3``): bound on the magnitude of ordinary values.
    - ``large`` (default ``None``): if given, a third of the draws have magnitude up to it.
    - ``kinks`` (default ``(0.0, 1.0, -1.0)``): exact values drawn often (kinks, ties).
    """
    width = np.dtype(dtype).itemsize * 8
    ordinary = st.floats(-max_value, max_value, width=width, allow_nan=False, allow_subnormal=False)
    branches = [ordinary, st.sampled_from(kinks)]
    if large is not None:
        branches.append(st.floats(-large, large, width=width, allow_nan=False, allow_subnormal=False))
    return st.one_of(*branches)


# Fill styles, simplest first: uniform values; ties (a handful of simple values, kinks among
# them); magnitudes spread over 8 decades (cancellation, tiny next to large).
FILL_STYLES = ("uniform", "ties", "scales")
SPECIAL_ENTRIES = 3  # at most this many entries are set to a drawn kink / large value


def _fill(dtype, shape, seed: int, style: str, with_large: bool, specials, max_value, large, kinks) -> np.ndarray:
    """The array ``float_arrays`` draws, from its drawn seed, style and special entries."""
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape, dtype=np.int64))
    if style == "ties":
        pool = np.array([*kinks, max_value / 2, -max_value / 4, 2.0, -3.0], dtype=np.float64)
        values = rng.choice(np.clip(pool, -max_value, max_value), size)
    elif style == "scales":
        values = rng.choice((-1.0, 1.0), size) * max_value * 10.0 ** rng.uniform(-8, 0, size)
    else:
        values = rng.uniform(-max_value, max_value, size)
    if with_large and large is not None:
        big = rng.random(size) < 0.4
        values = np.where(big, rng.uniform(-large, large, size), values)
    for index, value in specials:
        values[index % size] = value
    array = values.astype(dtype)
    tiny = np.finfo(array.dtype).tiny
    array[np.abs(array) < tiny] = 0  # no subnormals
    return array.reshape(shape)


_SEEDS = st.integers(0, 2**32 - 1)
_STYLES = st.sampled_from(FILL_STYLES)
_BOOLEANS = st.booleans()
_FOURS = st.integers(0, 3)


_COUNTS = st.integers(0, SPECIAL_ENTRIES)


@functools.cache
def _slots(size: int, values: int):
    """One draw per special entry: ``slot = index * values + which value`` (0: the first value at index 0)."""
    return st.integers(0, size * values - 1)


def _draw_specials(draw, size: int, values: tuple) -> list:
    """Up to ``SPECIAL_ENTRIES`` (index, value) pairs; shrinking removes them, then moves them to index 0."""
    if not size:
        return []
    slots = _slots(size, len(values))
    return [(slot // len(values), values[slot % len(values)]) for slot in (draw(slots) for _ in range(draw(_COUNTS)))]


_SAMPLED: dict = {}


def _sampled(options: tuple):
    """``st.sampled_from(options)``, built once per options (keyed by their repr: dicts are unhashable)."""
    key = repr(options)
    if key not in _SAMPLED:
        _SAMPLED[key] = st.sampled_from(options)
    return _SAMPLED[key]


def draw_array(draw, dtype, shape, *, max_value: float = 1e3, large: float | None = None, kinks=(0.0, 1.0, -1.0)):
    """Draw one array as ``float_arrays`` does, inside a ``@st.composite`` (no strategy is built per draw)."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    size = int(np.prod(shape, dtype=np.int64))
    kinks = tuple(kinks)
    style = draw(_STYLES)
    seed = draw(_SEEDS)
    with_large = large is not None and draw(_BOOLEANS)
    specials = _draw_specials(draw, size, (*kinks, large, -large) if large is not None else kinks)
    return _fill(np.dtype(dtype), shape, seed, style, with_large, specials, float(max_value), large, kinks)


def draw_cotangent(draw, dtype, shape, *, max_value: float = 10.0):
    """Draw one cotangent as ``cotangents`` does, inside a ``@st.composite``."""
    return informative(draw_array(draw, dtype, shape, max_value=max_value, kinks=(0.0, 2.0, -0.5)))


@st.composite
def _seeded_arrays(draw, dtype, shape, max_value, large, kinks):
    return draw_array(draw, dtype, shape, max_value=max_value, large=large, kinks=kinks)


def float_arrays(dtype, shape, **elements):
    """Arrays of ``dtype`` and ``shape`` (a tuple or an int) with values as ``float_elements(dtype, **elements)``
    describes (``max_value``, ``large``, ``kinks``), drawn as a fill style, a seed and up to three
    special entries (a kink or, with ``large``, +-``large``) at drawn indices."""
    unknown = set(elements) - {"max_value", "large", "kinks"}
    if unknown:
        raise TypeError(f"float_arrays got unexpected keyword(s): {', '.join(sorted(unknown))}")
    return _seeded_arrays(
        dtype,
        shape,
        float(elements.get("max_value", 1e3)),
        elements.get("large"),
        tuple(elements.get("kinks", (0.0, 1.0, -1.0))),
    )


def informative(dout: np.ndarray) -> np.ndarray:
    """Make a cotangent non-constant (and a single entry not 0 or 1), keeping dtype and shape.

    A constant cotangent hides bugs: the VJPs of softmax and batch norm vanish for it, and a
    backward that ignores ``dout`` agrees with the truth when ``dout`` is all ones.
    """
    flat = dout.ravel()
    if flat.size == 1 and flat[0] in (0.0, 1.0):
        return (dout + np.asarray(0.5, dout.dtype)).astype(dout.dtype)
    if flat.size > 1 and np.all(flat == flat[0]):
        ramp = (np.arange(flat.size, dtype=dout.dtype) + 1) * np.asarray(0.25, dout.dtype)
        return (dout + ramp.reshape(dout.shape)).astype(dout.dtype)
    return dout


def cotangents(dtype, shape, *, max_value: float = 10.0):
    """Drawn upstream gradients of ``dtype`` and ``shape``, never constant (see ``informative``).

    - ``max_value`` (default ``10.0``): bound on the magnitude of each entry.
    """
    return float_arrays(dtype, shape, max_value=max_value, kinks=(0.0, 2.0, -0.5)).map(informative)


LABEL_KINDS = ("indices", "one-hot", "probabilities", "weights")


@st.composite
def _labels(draw, num_classes, batch_shape, dtype, kinds):
    kind = draw(_sampled(tuple(kinds)))
    rng = np.random.default_rng(draw(_SEEDS))
    indices = rng.integers(0, num_classes, batch_shape)
    if kind == "indices":
        return indices.astype(np.int64)
    if kind == "one-hot":
        return np.eye(num_classes, dtype=dtype)[indices]
    weights = rng.uniform(0.0625, 1.0, (*batch_shape, num_classes))
    if kind == "probabilities":
        return (weights / weights.sum(axis=-1, keepdims=True)).astype(dtype)
    # any non-negative row sums: scaled rows, exact zeros, and (when drawn) an all-zero row
    weights = weights * rng.choice((0.0, 0.5, 1.0, 3.0), (*batch_shape, 1)) * (rng.random(weights.shape) < 0.8)
    if draw(_BOOLEANS):
        weights[(0,) * len(batch_shape)] = 0.0
    return weights.astype(dtype)


def labels(num_classes: int, batch_shape: tuple, dtype, *, any_sums: bool = False):
    """Integer class indices of ``batch_shape``, or dense one-hot / probability targets.

    - ``any_sums`` (default False): also dense targets with any non-negative row sums (scaled
      rows, exact zeros, an all-zero row), which ``SoftmaxWithLoss`` documents.
    """
    kinds = LABEL_KINDS if any_sums else LABEL_KINDS[:3]
    return _labels(num_classes, tuple(batch_shape), np.dtype(dtype), kinds)


def _other(dtype) -> np.dtype:
    return np.dtype(np.float32) if np.dtype(dtype) == np.float64 else np.dtype(np.float64)


def _param_dtype(draw, dtype, mixed: bool) -> np.dtype:
    """The parameters' dtype: the layer's, or (``mixed``) sometimes the other float width."""
    return draw(_sampled(tuple((np.dtype(dtype), _other(dtype))))) if mixed else np.dtype(dtype)


@st.composite
def binary_cases(draw, dtype, *, pairs=BROADCAST_PAIRS, max_value: float = 1e3, mixed: bool = False):
    """``x`` and ``y`` of two broadcastable shapes (from ``pairs``), and ``dout`` of their broadcast.

    - ``pairs`` (default ``BROADCAST_PAIRS``): the shape pairs to draw from.
    - ``max_value`` (default ``1e3``): bound on the magnitude of the values.
    - ``mixed`` (default False): ``y`` sometimes of the other float width.
    """
    x_shape, y_shape = draw(_sampled(tuple(pairs)))
    if draw(_BOOLEANS):
        x_shape, y_shape = y_shape, x_shape
    y_dtype = _param_dtype(draw, dtype, mixed)
    x = draw_array(draw, dtype, x_shape, max_value=max_value)
    y = draw_array(draw, y_dtype, y_shape, max_value=max_value)
    dout = draw_cotangent(draw, np.result_type(dtype, y_dtype), np.broadcast_shapes(x_shape, y_shape))
    return Case({"x": x, "y": y}, {}, dout)


@st.composite
def elementwise_cases(
    draw, dtype, *, shapes=ELEMENTWISE_SHAPES, max_value: float = 10.0, large: float = 1e4, configs=None
):
    """``x`` of a shape from ``shapes`` (a 1-D one is a single sample) with many exact zeros and some
    large entries; ``dout`` alike.

    - ``shapes`` (default ``ELEMENTWISE_SHAPES``): the shapes to draw from.
    - ``max_value`` (default ``10.0``): bound on ordinary values.
    - ``large`` (default ``1e4``): bound on the large-magnitude third of the draws.
    - ``configs`` (default ``None``: none): ``(config, shape)`` buckets to draw from instead of
      ``shapes``, simplest first; the config goes into ``Case.config``.
    """
    config, shape = draw(_sampled(tuple(configs))) if configs else ({}, draw(_sampled(tuple(shapes))))
    x = draw_array(draw, dtype, shape, max_value=max_value, large=large)
    return Case({"x": x}, {}, draw_cotangent(draw, dtype, shape), config=dict(config))


# (config, shape) buckets: each is one JAX compile; the default configuration on every shape,
# the others on one shape each.
LEAKY_RELU_BUCKETS = (
    *(({"alpha": 0.01}, s) for s in ELEMENTWISE_SHAPES),
    ({"alpha": 0.0}, (2, 3)),
    ({"alpha": 0.3}, (2, 3, 2)),
    ({"alpha": -0.5}, (5,)),
    ({"alpha": 2.0}, (2, 3)),
)
SOFTMAX_BUCKETS = (
    *(({"axis": -1}, s) for s in ELEMENTWISE_SHAPES),
    ({"axis": 0}, (2, 3)),
    ({"axis": 1}, (2, 3, 2)),
    ({"axis": 0}, (2, 3, 2)),
    ({"axis": -2}, (2, 3)),
)


def leaky_relu_cases(dtype, **kwargs):
    """``elementwise_cases`` with ``alpha`` drawn from ``LEAKY_RELU_BUCKETS`` (0.01, 0, 0.3, -0.5, 2)."""
    return elementwise_cases(dtype, configs=LEAKY_RELU_BUCKETS, **kwargs)


def softmax_cases(dtype, **kwargs):
    """``elementwise_cases`` with ``axis`` drawn from ``SOFTMAX_BUCKETS`` (last, first, middle, negative)."""
    return elementwise_cases(dtype, configs=SOFTMAX_BUCKETS, **kwargs)


@st.composite
def affine_cases(
    draw,
    dtype,
    *,
    batch_sizes=BATCH_SIZES,
    features=AFFINE_FEATURES,
    outputs=AFFINE_OUTPUTS,
    max_value: float = 1e2,
    mixed: bool = False,
):
    """``x`` of shape ``(N, *feature)``, ``W`` of ``(prod(feature), M)``, ``b`` of ``(M,)``, ``dout`` ``(N, M)``.

    - ``batch_sizes`` (default ``BATCH_SIZES``), ``features`` (default ``AFFINE_FEATURES``),
      ``outputs`` (default ``AFFINE_OUTPUTS``): the buckets ``N``, ``feature``, ``M`` come from.
    - ``max_value`` (default ``1e2``): bound on the magnitude of the values.
    - ``mixed`` (default False): ``W`` and ``b`` sometimes of the other float width.
    """
    n, feature, m = draw(_sampled(tuple(batch_sizes))), draw(_sampled(tuple(features))), draw(_sampled(tuple(outputs)))
    pdtype = _param_dtype(draw, dtype, mixed)
    x = draw_array(draw, dtype, (n, *feature), max_value=max_value)
    W = draw(float_arrays(pdtype, (int(np.prod(feature)), m), max_value=max_value))
    b = draw_array(draw, pdtype, (m,), max_value=max_value)
    return Case({"x": x}, {"W": W, "b": b}, draw_cotangent(draw, np.result_type(dtype, pdtype), (n, m)))


# (batch shape, classes): () is one 1-D sample; one class; each pair is a compile per label kind.
SOFTMAX_WITH_LOSS_BUCKETS = (((4,), 3), ((), 3), ((1,), 2), ((2,), 5), ((3,), 1))


@st.composite
def softmax_with_loss_cases(
    draw, dtype, *, batch_sizes=None, num_classes=None, max_value: float = 10.0, large: float = 1e4
):
    """Scores ``x`` of ``(N, C)`` or one sample ``(C,)``, labels ``t``, scalar ``dout``.

    ``t``: integer indices, one-hot, probability rows, or dense rows of any non-negative sum
    (all-zero rows included). ``(N, C)`` come from ``SOFTMAX_WITH_LOSS_BUCKETS`` (1 to 5 classes).

    - ``batch_sizes``, ``num_classes`` (default ``None``: the buckets): draw ``N`` (and ``()``)
      and ``C`` from these instead.
    - ``max_value`` (default ``10.0``) and ``large`` (default ``1e4``): as ``float_arrays``.
    """
    if batch_sizes is None and num_classes is None:
        batch_shape, c = draw(_sampled(tuple(SOFTMAX_WITH_LOSS_BUCKETS)))
    else:
        c = draw(_sampled(tuple(num_classes or NUM_CLASSES)))
        batch_shape = draw(_sampled(tuple([(), *((n,) for n in batch_sizes or BATCH_SIZES)])))
    x = draw_array(draw, dtype, (*batch_shape, c), max_value=max_value, large=large)
    t = draw(labels(c, batch_shape, dtype, any_sums=True))
    dout = draw_cotangent(draw, dtype, ())
    return Case({"x": x, "t": t}, {}, dout)


# -- Chapters 6 and 7: convolution, pooling, batch norm, dropout, losses -------------------

__all__ += [  # appended: the chapter-5 list above stays as it was
    "batch_norm_cases",
    "convolution_cases",
    "dropout_cases",
    "leaky_relu_cases",
    "mean_squared_error_cases",
    "pooling_cases",
    "softmax_cases",
]

# (x shape, W shape, stride, pad), simplest first. Overlapping windows (3x3 and 2x3 at stride
# 1), non-square filters both ways, padding 1 and 2, a 1x1 filter skipping cells at stride 2
# and a 2x2 one at stride 3 (stride > filter: cells no window covers). One compile each.
CONV_BUCKETS = (
    ((2, 2, 5, 5), (3, 2, 3, 3), 1, 0),
    ((1, 3, 4, 5), (2, 3, 2, 3), 1, 0),
    ((1, 3, 4, 5), (2, 3, 2, 3), 2, 1),
    ((2, 2, 4, 4), (2, 2, 1, 1), 2, 1),
    ((1, 2, 6, 5), (2, 2, 3, 2), 1, 2),
    ((1, 1, 7, 7), (2, 1, 2, 2), 3, 0),
)
CONV_GEOMETRIES = tuple((x, w) for x, w, s, p in CONV_BUCKETS if (s, p) == (1, 0))
CONV_GEOMETRIES_STRIDED = (((1, 3, 4, 5), (2, 3, 2, 3)), ((2, 2, 4, 4), (2, 2, 1, 1)))
# (x shape, pool_h, pool_w, stride, pad): the book's 2x2/2, overlapping 3x3/2/1, non-square
# 2x3 at stride 1, 3x2 padded at stride 1, stride 3 > window 2.
POOL_BUCKETS = (
    ((2, 2, 4, 4), 2, 2, 2, 0),
    ((1, 3, 5, 6), 3, 3, 2, 1),
    ((1, 2, 5, 6), 2, 3, 1, 0),
    ((1, 2, 4, 5), 3, 2, 1, 1),
    ((2, 1, 7, 7), 2, 2, 3, 0),
)
POOL_SHAPES = ((2, 2, 4, 4), (1, 3, 5, 6))
BATCH_NORM_SHAPES = ((4, 3), (1, 3), (2, 2, 2, 3))
# (x shape, momentum, eps, train_flg): training on every shape; a large eps (it changes the
# forward where the variance is small); inference after one training forward (running
# statistics from it, two momenta).
BATCH_NORM_BUCKETS = (
    *((s, 0.9, 1e-6, True) for s in BATCH_NORM_SHAPES),
    ((4, 3), 0.9, 1e-2, True),
    ((4, 3), 0.9, 1e-6, False),
    ((2, 2, 2, 3), 0.5, 1e-3, False),
)
# (x shape, dropout_ratio, train_flg): ratios 0.5, 0 (keep all), 0.2, 0.8; inference after a
# training forward.
DROPOUT_BUCKETS = (
    *((s, 0.5, True) for s in ELEMENTWISE_SHAPES),
    ((2, 3), 0.0, True),
    ((2, 3, 2), 0.2, True),
    ((5,), 0.8, True),
    ((2, 3), 0.5, False),
    ((2, 3, 2), 0.2, False),
)


def _windows(size: int, window: int, stride: int, pad: int) -> int:
    return (size + 2 * pad - window) // stride + 1


@st.composite
def convolution_cases(
    draw,
    dtype,
    *,
    stride: int | None = None,
    pad: int | None = None,
    geometries=None,
    max_value: float = 10.0,
    mixed: bool = False,
):
    """Images ``x (N, C, H, W)``, filters ``W (FN, C, FH, FW)``, ``b (FN,)``, ``dout (N, FN, OH, OW)``,
    and the configuration ``{"stride", "pad"}`` drawn from ``CONV_BUCKETS``.

    - ``stride``, ``pad``, ``geometries`` (``(x shape, W shape)`` pairs): give them to fix the
      configuration instead (then the case carries no ``config``: stride 1, pad 0 by default).
    - ``max_value`` (default ``10.0``): bound on the magnitude of the values.
    - ``mixed`` (default False): ``W`` and ``b`` sometimes of the other float width.
    """
    if stride is None and pad is None and geometries is None:
        x_shape, w_shape, s, p = draw(_sampled(tuple(CONV_BUCKETS)))
        config = {"stride": s, "pad": p}
    else:
        x_shape, w_shape = draw(_sampled(tuple(geometries or CONV_GEOMETRIES)))
        s, p, config = stride or 1, pad or 0, {}
    pdtype = _param_dtype(draw, dtype, mixed)
    x = draw_array(draw, dtype, x_shape, max_value=max_value)
    W = draw_array(draw, pdtype, w_shape, max_value=max_value)
    b = draw_array(draw, pdtype, (w_shape[0],), max_value=max_value)
    out = (x_shape[0], w_shape[0], _windows(x_shape[2], w_shape[2], s, p), _windows(x_shape[3], w_shape[3], s, p))
    return Case({"x": x}, {"W": W, "b": b}, draw_cotangent(draw, np.result_type(dtype, pdtype), out), config=config)


@st.composite
def pooling_cases(
    draw,
    dtype,
    *,
    pool_h: int | None = None,
    pool_w: int | None = None,
    stride: int | None = None,
    pad: int | None = None,
    shapes=POOL_SHAPES,
    max_value: float = 10.0,
):
    """Images ``x (N, C, H, W)`` full of ties, ``dout (N, C, OH, OW)`` and the window
    ``{"pool_h", "pool_w", "stride", "pad"}`` drawn from ``POOL_BUCKETS`` into ``Case.config``.

    - ``pool_h``, ``pool_w``, ``stride``, ``pad``: give any to fix the window instead (defaults
      2, 2, 2, 0; the case then carries no ``config``) and draw ``x``'s shape from ``shapes``
      (default ``POOL_SHAPES``).
    - ``max_value`` (default ``10.0``): bound on the magnitude of the values.
    """
    if pool_h is None and pool_w is None and stride is None and pad is None:
        shape, ph, pw, s, p = draw(_sampled(tuple(POOL_BUCKETS)))
        config = {"pool_h": ph, "pool_w": pw, "stride": s, "pad": p}
    else:
        shape, config = draw(_sampled(tuple(shapes))), {}
        ph, pw, s, p = pool_h or 2, pool_w or 2, 2 if stride is None else stride, pad or 0
    x = draw_array(draw, dtype, shape, max_value=max_value)
    out = (*shape[:2], _windows(shape[2], ph, s, p), _windows(shape[3], pw, s, p))
    return Case({"x": x}, {}, draw_cotangent(draw, dtype, out), config=config)


def _in_mode(draw, train: bool, case: Case, max_value: float) -> Case:
    """``case`` as drawn (training), or as an inference forward (``train_flg=False``) after a
    training forward on another ``x`` of the same shape and dtype (``Case.before``)."""
    if train:
        return case
    x = case.inputs["x"]
    before = ({"x": draw_array(draw, x.dtype, x.shape, max_value=max_value)},)
    return dataclasses.replace(case, forward={"train_flg": False}, before=before)


@st.composite
def batch_norm_cases(draw, dtype, *, shapes=None, max_value: float = 10.0, mixed: bool = False):
    """``x`` of ``(N, D)`` or ``(N, C, H, W)``, ``gamma`` and ``beta`` of ``(D,)`` or ``(C,)``, ``dout`` like ``x``;
    ``momentum``, ``eps`` (``Case.config``) and ``train_flg`` (``Case.forward``) from ``BATCH_NORM_BUCKETS``.

    An inference case carries an earlier training forward's input (``Case.before``), which
    sets the running statistics. A batch of one and constant features (ties) are drawn too.

    - ``shapes``: give them to draw training cases of these shapes only, with the defaults
      (no ``config``).
    - ``max_value`` (default ``10.0``): bound on the magnitude of the values.
    - ``mixed`` (default False): ``gamma`` and ``beta`` sometimes of the other float width.
    """
    if shapes is None:
        shape, momentum, eps, train = draw(_sampled(tuple(BATCH_NORM_BUCKETS)))
        config = {"momentum": momentum, "eps": eps}
    else:
        shape, train, config = draw(_sampled(tuple(shapes))), True, {}
    pdtype = _param_dtype(draw, dtype, mixed)
    x = draw_array(draw, dtype, shape, max_value=max_value)
    gamma = draw_array(draw, pdtype, (shape[1],), max_value=max_value)
    beta = draw_array(draw, pdtype, (shape[1],), max_value=max_value)
    dout = draw_cotangent(draw, np.result_type(dtype, pdtype), shape)
    return _in_mode(draw, train, Case({"x": x}, {"gamma": gamma, "beta": beta}, dout, config=config), max_value)


@st.composite
def dropout_cases(
    draw, dtype, *, dropout_ratio: float | None = None, shapes=ELEMENTWISE_SHAPES, max_value: float = 10.0
):
    """``x``, a Generator ``seed`` and the ``mask`` that ``Dropout`` draws from ``np.random.default_rng(seed)``;
    ``dropout_ratio`` (``Case.config``) and ``train_flg`` (``Case.forward``) from ``DROPOUT_BUCKETS``.

    The mask (1.0 kept, 0.0 dropped, in ``dtype``) is ``manual_bp.dropout.dropout_mask`` of
    that Generator: a layer built with the same seeded Generator must draw the same one (see
    ``oracle.dropout.seeded_dropout``). An inference case carries an earlier training
    forward's input (``Case.before``): the layer must forget that forward's mask.

    - ``dropout_ratio``: give it to fix the ratio (training mode, shapes from ``shapes``,
      default ``ELEMENTWISE_SHAPES``; no ``config``).
    - ``max_value`` (default ``10.0``).
    """
    from manual_bp.layers.dropout import dropout_mask

    if dropout_ratio is None:
        shape, ratio, train = draw(_sampled(tuple(DROPOUT_BUCKETS)))
        config = {"dropout_ratio": ratio}
    else:
        shape, ratio, train, config = draw(_sampled(tuple(shapes))), dropout_ratio, True, {}
    x = draw_array(draw, dtype, shape, max_value=max_value)
    seed = draw(_SEEDS)
    mask = dropout_mask(np.random.default_rng(seed), shape, ratio).astype(dtype)  # 1.0 kept, 0.0 dropped
    dout = draw_cotangent(draw, dtype, shape)
    return _in_mode(draw, train, Case({"x": x}, {"mask": mask, "seed": seed}, dout, config=config), max_value)


@st.composite
def mean_squared_error_cases(draw, dtype, *, shapes=ELEMENTWISE_SHAPES, max_value: float = 10.0):
    """Predictions ``y`` and targets ``t`` of one shape (with exact ties ``y == t``), scalar ``dout``.

    - ``shapes`` (default ``ELEMENTWISE_SHAPES``), ``max_value`` (default ``10.0``).
    """
    shape = draw(_sampled(tuple(shapes)))
    y = draw_array(draw, dtype, shape, max_value=max_value)
    t = y.copy() if draw(_FOURS) == 0 else draw_array(draw, dtype, shape, max_value=max_value)
    return Case({"y": y, "t": t}, {}, draw_cotangent(draw, dtype, ()))
