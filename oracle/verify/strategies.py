"""Hypothesis strategies that draw one consistent verification case per layer.

Shapes come from small fixed buckets (each new shape costs a JAX compile); values are free:
finite, never subnormal (XLA on CPU flushes them), of the layer's width (``width=32`` for
float32), with a fair share of kinks and ties (exact zeros, repeated and simple values) and,
where the layer must be stable, large magnitudes. The cotangent ``dout`` is drawn too and is
never constant (the softmax VJP of an all-ones cotangent is identically zero).
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

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

BATCH_SIZES = (1, 4)
BROADCAST_PAIRS = (((), ()), ((3,), ()), ((2, 3), (3,)), ((2, 1), (1, 3)), ((2, 3), (2, 3)), ((4, 1, 3), (2, 1)))
ELEMENTWISE_SHAPES = ((5,), (2, 3), (2, 3, 2))
AFFINE_FEATURES = ((4,), (2, 2))
AFFINE_OUTPUTS = (3,)
NUM_CLASSES = (3,)


@dataclasses.dataclass
class Case:
    """One example: the layer's inputs and parameters (ordered by name), the cotangent, and the
    drawn configuration (``config``: the layer's keyword arguments, e.g. ``{"stride": 2}``;
    the layer is built with them and the oracle is bound to the same ones)."""

    inputs: dict
    params: dict
    dout: object
    config: dict = dataclasses.field(default_factory=dict)

    def __repr__(self) -> str:
        with np.printoptions(precision=17, threshold=sys.maxsize, floatmode="unique"):
            config = f", config={self.config!r}" if self.config else ""
            return f"Case(inputs={self.inputs!r}, params={self.params!r}, dout={self.dout!r}{config})"


def float_elements(dtype, *, max_value: float = 1e3, large: float | None = None, kinks=(0.0, 1.0, -1.0)):
    """Finite, non-subnormal floats of ``dtype``'s width.

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


def float_arrays(dtype, shape, **elements):
    """Arrays of ``dtype`` and ``shape`` with ``float_elements(dtype, **elements)``."""
    return hnp.arrays(np.dtype(dtype), shape, elements=float_elements(dtype, **elements))


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


def labels(num_classes: int, batch_shape: tuple, dtype):
    """Integer class indices of ``batch_shape``, or dense one-hot / probability targets."""
    indices = hnp.arrays(np.int64, batch_shape, elements=st.integers(0, num_classes - 1))
    one_hot = indices.map(lambda t: np.eye(num_classes, dtype=dtype)[t])
    weights = hnp.arrays(np.dtype(dtype), (*batch_shape, num_classes),
                         elements=st.floats(0.0625, 1.0, width=np.dtype(dtype).itemsize * 8))
    probabilities = weights.map(lambda w: (w / w.sum(axis=-1, keepdims=True)).astype(w.dtype))
    return st.one_of(indices, one_hot, probabilities)


@st.composite
def binary_cases(draw, dtype, *, pairs=BROADCAST_PAIRS, max_value: float = 1e3):
    """``x`` and ``y`` of two broadcastable shapes (from ``pairs``), and ``dout`` of their broadcast.

    - ``pairs`` (default ``BROADCAST_PAIRS``): the shape pairs to draw from.
    - ``max_value`` (default ``1e3``): bound on the magnitude of the values.
    """
    x_shape, y_shape = draw(st.sampled_from(pairs))
    if draw(st.booleans()):
        x_shape, y_shape = y_shape, x_shape
    x = draw(float_arrays(dtype, x_shape, max_value=max_value))
    y = draw(float_arrays(dtype, y_shape, max_value=max_value))
    dout = draw(cotangents(dtype, np.broadcast_shapes(x_shape, y_shape)))
    return Case({"x": x, "y": y}, {}, dout)


@st.composite
def elementwise_cases(draw, dtype, *, shapes=ELEMENTWISE_SHAPES, max_value: float = 10.0, large: float = 1e4):
    """``x`` of a shape from ``shapes`` with many exact zeros and some large entries; ``dout`` alike.

    - ``shapes`` (default ``ELEMENTWISE_SHAPES``): the shapes to draw from.
    - ``max_value`` (default ``10.0``): bound on ordinary values.
    - ``large`` (default ``1e4``): bound on the large-magnitude third of the draws.
    """
    shape = draw(st.sampled_from(shapes))
    x = draw(float_arrays(dtype, shape, max_value=max_value, large=large))
    return Case({"x": x}, {}, draw(cotangents(dtype, shape)))


@st.composite
def affine_cases(draw, dtype, *, batch_sizes=BATCH_SIZES, features=AFFINE_FEATURES, outputs=AFFINE_OUTPUTS,
                 max_value: float = 1e2):
    """``x`` of shape ``(N, *feature)``, ``W`` of ``(prod(feature), M)``, ``b`` of ``(M,)``, ``dout`` ``(N, M)``.

    - ``batch_sizes`` (default ``BATCH_SIZES``), ``features`` (default ``AFFINE_FEATURES``),
      ``outputs`` (default ``AFFINE_OUTPUTS``): the buckets ``N``, ``feature``, ``M`` come from.
    - ``max_value`` (default ``1e2``): bound on the magnitude of the values.
    """
    n, feature, m = draw(st.sampled_from(batch_sizes)), draw(st.sampled_from(features)), draw(st.sampled_from(outputs))
    x = draw(float_arrays(dtype, (n, *feature), max_value=max_value))
    W = draw(float_arrays(dtype, (int(np.prod(feature)), m), max_value=max_value))
    b = draw(float_arrays(dtype, (m,), max_value=max_value))
    return Case({"x": x}, {"W": W, "b": b}, draw(cotangents(dtype, (n, m))))


@st.composite
def softmax_with_loss_cases(draw, dtype, *, batch_sizes=BATCH_SIZES, num_classes=NUM_CLASSES,
                            max_value: float = 10.0, large: float = 1e4):
    """Scores ``x`` of ``(N, C)`` or one sample ``(C,)``, labels ``t`` (indices or dense), scalar ``dout``.

    - ``batch_sizes`` (default ``BATCH_SIZES``), ``num_classes`` (default ``NUM_CLASSES``).
    - ``max_value`` (default ``10.0``) and ``large`` (default ``1e4``): as ``float_elements``.
    """
    c = draw(st.sampled_from(num_classes))
    batch_shape = draw(st.sampled_from([(), *((n,) for n in batch_sizes)]))
    x = draw(float_arrays(dtype, (*batch_shape, c), max_value=max_value, large=large))
    t = draw(labels(c, batch_shape, dtype))
    dout = draw(cotangents(dtype, ()))
    return Case({"x": x, "t": t}, {}, dout)


# -- Chapters 6 and 7: convolution, pooling, batch norm, dropout, losses -------------------

__all__ += [  # appended: the chapter-5 list above stays as it was
    "batch_norm_cases",
    "convolution_cases",
    "dropout_cases",
    "mean_squared_error_cases",
    "pooling_cases",
]

# (x shape, W shape). At stride 1, a 3x3 and a 2x3 filter: windows overlap. At stride 2
# (CONV_GEOMETRIES_STRIDED), the 2x3 filter overlaps in W only and a 1x1 one skips cells.
# Two shapes per row: each new shape is a JAX compile.
CONV_GEOMETRIES = (((2, 2, 5, 5), (3, 2, 3, 3)), ((1, 3, 4, 5), (2, 3, 2, 3)))
CONV_GEOMETRIES_STRIDED = (((1, 3, 4, 5), (2, 3, 2, 3)), ((2, 2, 4, 4), (2, 2, 1, 1)))
POOL_SHAPES = ((2, 2, 4, 4), (1, 3, 5, 6))
BATCH_NORM_SHAPES = ((4, 3), (1, 3), (2, 2, 2, 3))


def _windows(size: int, window: int, stride: int, pad: int) -> int:
    return (size + 2 * pad - window) // stride + 1


@st.composite
def convolution_cases(draw, dtype, *, stride: int = 1, pad: int = 0, geometries=CONV_GEOMETRIES,
                      max_value: float = 10.0):
    """Images ``x (N, C, H, W)``, filters ``W (FN, C, FH, FW)``, ``b (FN,)`` and ``dout (N, FN, OH, OW)``.

    - ``stride`` (default 1), ``pad`` (default 0): the layer's, to size ``dout``.
    - ``geometries`` (default ``CONV_GEOMETRIES``): ``(x shape, W shape)`` pairs to draw from.
    - ``max_value`` (default ``10.0``): bound on the magnitude of the values.
    """
    x_shape, w_shape = draw(st.sampled_from(geometries))
    x = draw(float_arrays(dtype, x_shape, max_value=max_value))
    W = draw(float_arrays(dtype, w_shape, max_value=max_value))
    b = draw(float_arrays(dtype, (w_shape[0],), max_value=max_value))
    out_h, out_w = _windows(x_shape[2], w_shape[2], stride, pad), _windows(x_shape[3], w_shape[3], stride, pad)
    out = (x_shape[0], w_shape[0], out_h, out_w)
    return Case({"x": x}, {"W": W, "b": b}, draw(cotangents(dtype, out)))


@st.composite
def pooling_cases(draw, dtype, *, pool_h: int = 2, pool_w: int = 2, stride: int = 2, pad: int = 0, shapes=POOL_SHAPES,
                  max_value: float = 10.0):
    """Images ``x (N, C, H, W)`` full of ties (kinks 0, 1, -1 drawn often) and ``dout (N, C, OH, OW)``.

    - ``pool_h``, ``pool_w`` (default 2), ``stride`` (default 2), ``pad`` (default 0): the layer's.
    - ``shapes`` (default ``POOL_SHAPES``): the shapes of ``x`` to draw from.
    - ``max_value`` (default ``10.0``): bound on the magnitude of the values.
    """
    shape = draw(st.sampled_from(shapes))
    x = draw(float_arrays(dtype, shape, max_value=max_value))
    out = (*shape[:2], _windows(shape[2], pool_h, stride, pad), _windows(shape[3], pool_w, stride, pad))
    return Case({"x": x}, {}, draw(cotangents(dtype, out)))


@st.composite
def batch_norm_cases(draw, dtype, *, shapes=BATCH_NORM_SHAPES, max_value: float = 10.0):
    """``x`` of ``(N, D)`` or ``(N, C, H, W)``, ``gamma`` and ``beta`` of ``(D,)`` or ``(C,)``, ``dout`` like ``x``.

    A batch of one and constant features (repeated kinks) are drawn too.

    - ``shapes`` (default ``BATCH_NORM_SHAPES``): the shapes of ``x`` to draw from.
    - ``max_value`` (default ``10.0``): bound on the magnitude of the values.
    """
    shape = draw(st.sampled_from(shapes))
    x = draw(float_arrays(dtype, shape, max_value=max_value))
    gamma = draw(float_arrays(dtype, (shape[1],), max_value=max_value))
    beta = draw(float_arrays(dtype, (shape[1],), max_value=max_value))
    return Case({"x": x}, {"gamma": gamma, "beta": beta}, draw(cotangents(dtype, shape)))


@st.composite
def dropout_cases(draw, dtype, *, dropout_ratio: float = 0.5, shapes=ELEMENTWISE_SHAPES, max_value: float = 10.0):
    """``x``, a Generator ``seed`` and the ``mask`` that ``Dropout`` draws from ``np.random.default_rng(seed)``.

    The mask (1.0 kept, 0.0 dropped, in ``dtype``) is ``manual_bp.dropout.dropout_mask`` of
    that Generator: a layer built with the same seeded Generator must draw the same one (see
    ``oracle.dropout.seeded_dropout``).

    - ``dropout_ratio`` (default 0.5): the layer's.
    - ``shapes`` (default ``ELEMENTWISE_SHAPES``), ``max_value`` (default ``10.0``).
    """
    from manual_bp.layers.dropout import dropout_mask

    shape = draw(st.sampled_from(shapes))
    x = draw(float_arrays(dtype, shape, max_value=max_value))
    seed = draw(st.integers(0, 2**32 - 1))
    mask = dropout_mask(np.random.default_rng(seed), shape, dropout_ratio).astype(dtype)  # 1.0 kept, 0.0 dropped
    return Case({"x": x}, {"mask": mask, "seed": seed}, draw(cotangents(dtype, shape)))


@st.composite
def mean_squared_error_cases(draw, dtype, *, shapes=ELEMENTWISE_SHAPES, max_value: float = 10.0):
    """Predictions ``y`` and targets ``t`` of one shape (with exact ties ``y == t``), scalar ``dout``.

    - ``shapes`` (default ``ELEMENTWISE_SHAPES``), ``max_value`` (default ``10.0``).
    """
    shape = draw(st.sampled_from(shapes))
    y = draw(float_arrays(dtype, shape, max_value=max_value))
    t = draw(float_arrays(dtype, shape, max_value=max_value))
    return Case({"y": y, "t": t}, {}, draw(cotangents(dtype, ())))
