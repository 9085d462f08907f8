"""The Hypothesis strategies every layer family draws its cases with: ``Case``, arrays, cotangents,
labels, ids and memory layouts. Each family's own strategies (one consistent case per layer:
data *and* configuration) sit beside its rows in ``oracle/catalog/``.

Shapes and configurations come from small fixed buckets (each new (configuration, shape) is
one JAX compile), listed simplest first so shrinking moves toward the simplest configuration.
Values are free: Hypothesis draws a form (fill style, large values or not, how many special
entries: one draw), a seed and the special entries at drawn indices, and
``np.random.default_rng(seed)`` fills the rest (drawing every element through Hypothesis cost
about 6 ms per example). The special entries are kinks and ties (exact
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
from hypothesis.extra import numpy as hnp

__all__ = [
    "BATCH_SIZES",
    "BOOLEANS",
    "Call",
    "Case",
    "cotangents",
    "draw_array",
    "draw_cotangent",
    "ELEMENTWISE_SHAPES",
    "FILL_STYLES",
    "float_arrays",
    "float_elements",
    "FOURS",
    "ids",
    "in_mode",
    "informative",
    "LABEL_KINDS",
    "labels",
    "LAYOUTS",
    "NUM_CLASSES",
    "param_dtype",
    "relayout",
    "sampled",
    "SEEDS",
    "SPECIAL_ENTRIES",
    "windows",
    "with_layouts",
]

BATCH_SIZES = (1, 4)
ELEMENTWISE_SHAPES = ((5,), (2, 3), (2, 3, 2))
NUM_CLASSES = (3,)


@dataclasses.dataclass
class Call:
    """A later call of a sequence case, on the same layer object as the case's first call (``Case.calls``).

    - ``inputs``: ``forward``'s inputs ``{name: array}`` (state inputs such as ``h`` are not passed:
      the layer carries them); ``dout``: the cotangent of this call's ``backward``.
    - ``forward``: keyword flags of this ``forward`` (``{"train_flg": False}``); the oracle is bound to them.
    - ``method``: ``""``, or a state method called on the layer before ``forward``: ``"reset_state"``,
      ``"set_state"`` (with ``args``, ``set_state(*args.values())``).
    - ``state``: the state the layer documents after ``method`` (``{name: array}``: the block starts
      from it); ``None``: carried from the previous call, as the oracle's ``carry`` function computes it.
    """

    inputs: dict[str, Any]
    dout: Any
    forward: dict = dataclasses.field(default_factory=dict)
    method: str = ""
    args: dict = dataclasses.field(default_factory=dict)
    state: dict | None = None

    def __repr__(self) -> str:
        forward = f", forward={self.forward!r}" if self.forward else ""
        method = f", method={self.method!r}" if self.method else ""
        args = f", args={self.args!r}" if self.args else ""
        state = f", state={self.state!r}" if self.state is not None else ""
        return f"Call(inputs={self.inputs!r}, dout={self.dout!r}{forward}{method}{args}{state})"


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
    - ``calls``: later ``Call``s on the same layer object (a sequence case of a row with a ``carry``
      function): the state the layer carries is read from the layer, never set after the start.
    - ``state``: the values the carried state not among the inputs starts from (batch norm's
      ``running_mean``, ``running_var`` of a new layer), passed to the oracle after the parameters.
    """

    inputs: dict[str, Any]
    params: dict[str, Any]
    dout: Any  # an array, or a tuple of them (one cotangent per output)
    config: dict = dataclasses.field(default_factory=dict)
    forward: dict = dataclasses.field(default_factory=dict)
    before: tuple = ()
    layout: dict = dataclasses.field(default_factory=dict)
    calls: tuple = ()
    state: dict = dataclasses.field(default_factory=dict)

    def __repr__(self) -> str:
        with np.printoptions(precision=17, threshold=sys.maxsize, floatmode="unique"):
            config = f", config={self.config!r}" if self.config else ""
            forward = f", forward={self.forward!r}" if self.forward else ""
            before = f", before={self.before!r}" if self.before else ""
            layout = f", layout={self.layout!r}" if self.layout else ""
            calls = f", calls={self.calls!r}" if self.calls else ""
            state = f", state={self.state!r}" if self.state else ""
            return (
                f"Case(inputs={self.inputs!r}, params={self.params!r}, dout={self.dout!r}"
                f"{config}{forward}{before}{layout}{calls}{state})"
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


SEEDS = st.integers(0, 2**32 - 1)
BOOLEANS = st.booleans()
FOURS = st.integers(0, 3)

# An array's form in one Hypothesis draw (each draw costs about 15-20 us of Hypothesis's engine,
# and an example draws a few arrays): how many special entries (0 to SPECIAL_ENTRIES), whether a
# share of the values is large (only where ``large`` is given), and the fill style, as one index
# ``(count * larges + with_large) * len(FILL_STYLES) + style``. Every combination is equally
# likely, as with three separate draws, and index 0 is the simplest form (uniform, no large values,
# no special entry): shrinking the index removes special entries first, then large values.
_FORMS = {
    with_large: st.integers(0, (SPECIAL_ENTRIES + 1) * (2 if with_large else 1) * len(FILL_STYLES) - 1)
    for with_large in (False, True)
}


def _form(index: int, can_be_large: bool) -> tuple[int, bool, str]:
    """``(special entries, with large values, fill style)`` of a drawn form index (see ``_FORMS``)."""
    count, rest = divmod(index, (2 if can_be_large else 1) * len(FILL_STYLES))
    with_large, style = divmod(rest, len(FILL_STYLES))
    return count, bool(with_large), FILL_STYLES[style]


@functools.cache
def _slots(size: int, values: int):
    """One draw per special entry: ``slot = index * values + which value`` (0: the first value at index 0)."""
    return st.integers(0, size * values - 1)


def _draw_specials(draw, size: int, values: tuple, count: int) -> list:
    """``count`` (index, value) pairs (none in an empty array); shrinking removes them (the form's
    count), then moves them to index 0."""
    if not size:
        return []
    slots = _slots(size, len(values))
    return [(slot // len(values), values[slot % len(values)]) for slot in (draw(slots) for _ in range(count))]


_SAMPLED: dict = {}


def sampled(options: tuple):
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
    count, with_large, style = _form(draw(_FORMS[large is not None]), large is not None)
    seed = draw(SEEDS)
    specials = _draw_specials(draw, size, (*kinks, large, -large) if large is not None else kinks, count)
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
    special entries (a kink or, with ``large``, +-``large``) at drawn indices.

    The same arguments give the same strategy object (built once, like ``sampled``): a family's
    strategy may call this inside ``@st.composite`` on every draw without paying Hypothesis's
    set-up of a new strategy (validation, emptiness) each time."""
    unknown = set(elements) - {"max_value", "large", "kinks"}
    if unknown:
        raise TypeError(f"float_arrays got unexpected keyword(s): {', '.join(sorted(unknown))}")
    large = elements.get("large")
    return _float_arrays(
        np.dtype(dtype),
        (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape),
        float(elements.get("max_value", 1e3)),
        None if large is None else float(large),
        tuple(elements.get("kinks", (0.0, 1.0, -1.0))),
    )


@functools.cache
def _float_arrays(dtype: np.dtype, shape: tuple, max_value: float, large: float | None, kinks: tuple):
    return _seeded_arrays(dtype, shape, max_value, large, kinks)


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
    return _cotangents(np.dtype(dtype), (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape), max_value)


@functools.cache
def _cotangents(dtype: np.dtype, shape: tuple, max_value: float):
    """``cotangents``, built once per arguments (as ``float_arrays``)."""
    return float_arrays(dtype, shape, max_value=max_value, kinks=(0.0, 2.0, -0.5)).map(informative)


LABEL_KINDS = ("indices", "one-hot", "probabilities", "weights")


@st.composite
def _labels(draw, num_classes, batch_shape, dtype, kinds):
    kind = draw(sampled(tuple(kinds)))
    rng = np.random.default_rng(draw(SEEDS))
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
    if draw(BOOLEANS):
        weights[(0,) * len(batch_shape)] = 0.0
    return weights.astype(dtype)


def labels(num_classes: int, batch_shape: tuple, dtype, *, any_sums: bool = False):
    """Integer class indices of ``batch_shape``, or dense one-hot / probability targets.

    - ``any_sums`` (default False): also dense targets with any non-negative row sums (scaled
      rows, exact zeros, an all-zero row), which ``SoftmaxWithLoss`` documents.
    """
    kinds = LABEL_KINDS if any_sums else LABEL_KINDS[:3]
    return _labels_once(num_classes, tuple(batch_shape), np.dtype(dtype), kinds)


@functools.cache
def _labels_once(num_classes: int, batch_shape: tuple, dtype: np.dtype, kinds: tuple):
    return _labels(num_classes, batch_shape, dtype, kinds)


def _other(dtype) -> np.dtype:
    return np.dtype(np.float32) if np.dtype(dtype) == np.float64 else np.dtype(np.float64)


def param_dtype(draw, dtype, mixed: bool) -> np.dtype:
    """The parameters' dtype: the layer's, or (``mixed``) sometimes the other float width."""
    return draw(sampled(tuple((np.dtype(dtype), _other(dtype))))) if mixed else np.dtype(dtype)


def windows(size: int, window: int, stride: int, pad: int) -> int:
    """How many windows of ``window`` cells fit along ``size`` cells padded by ``pad`` on each side, at ``stride``."""
    return (size + 2 * pad - window) // stride + 1


def in_mode(draw, train: bool, case: Case, max_value: float) -> Case:
    """``case`` as drawn (training), or as an inference forward (``train_flg=False``) after a
    training forward on another ``x`` of the same shape and dtype (``Case.before``)."""
    if train:
        return case
    x = case.inputs["x"]
    before = ({"x": draw_array(draw, x.dtype, x.shape, max_value=max_value)},)
    return dataclasses.replace(case, forward={"train_flg": False}, before=before)


def ids(vocab: int, shape: tuple, *, extra=()):
    """Integer ids of ``shape`` in ``[0, vocab)`` (or one of ``extra``, e.g. an ignore label), int64
    (one strategy object per arguments, as ``float_arrays``)."""
    return _ids(int(vocab), (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape), tuple(extra))


@functools.cache
def _ids(vocab: int, shape: tuple, extra: tuple):
    elements = st.integers(0, vocab - 1) if not extra else st.one_of(st.integers(0, vocab - 1), st.sampled_from(extra))
    return hnp.arrays(np.int64, shape, elements=elements)
