"""Argument checks shared by every layer: one place that turns bad input into a clear error.

Each check raises at the layer's boundary, naming the argument and what was expected, so a
mistake never surfaces as an opaque error deep inside NumPy.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "HasParams",
    "NonFiniteInputError",
    "as_float_array",
    "as_indices",
    "check_dout",
    "check_shape",
    "float_dtype",
    "generator",
    "positive_int",
    "require_finite",
    "require_forward",
    "shape_str",
]


def shape_str(shape) -> str:
    """Render a shape as the user writes it: ``(4, 3)``, ``(3,)``, ``()``."""
    return str(tuple(int(s) for s in shape))


def as_float_array(name: str, value) -> np.ndarray:
    """Return ``value`` as a floating-point array, without copying a float array.

    Floating arrays keep their dtype (float32 stays float32). Integer and boolean-free
    integer input (and Python ints) are converted to float64, since a gradient with respect
    to an integer array is meaningless in its own dtype. Anything else is a ``TypeError``.
    """
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:  # ragged nested lists, exotic objects
        raise TypeError(f"{name} must be a real numeric array, got {type(value).__name__}: {error}") from None
    if array.dtype.kind == "f":
        return array
    if array.dtype.kind in "iu":
        return array.astype(np.float64)
    raise TypeError(
        f"{name} must be a real numeric array (float or integer), got dtype {array.dtype}"
        + (" (booleans are not numbers here; cast with .astype(float))" if array.dtype.kind == "b" else "")
    )


class NonFiniteInputError(ValueError):
    """An input holds ``inf`` or ``NaN`` where the layer would only return ``NaN`` (a softmax, a
    recurrent step, attention over them). During training it means the run diverged: ``Trainer``
    and ``manual-bp train`` report it as such."""


def require_finite(name: str, array: np.ndarray) -> np.ndarray:
    """``array`` if every entry is finite, else ``NonFiniteInputError`` naming the first bad entry.

    One sum is the fast path (any ``inf`` or ``NaN`` makes it non-finite); only then, or when
    finite values overflow the sum, is each entry looked at.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.sum(array)
    if np.isfinite(total):
        return array
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        index = tuple(int(i) for i in bad[0])
        raise NonFiniteInputError(f"{name} must be finite, got {array[index]} at index {index}")
    return array


def check_shape(name: str, array: np.ndarray, expected: tuple, why: str = "") -> None:
    """Raise ``ValueError`` unless ``array.shape == expected``."""
    if tuple(array.shape) != tuple(expected):
        reason = f" ({why})" if why else ""
        raise ValueError(f"{name} must have shape {shape_str(expected)}{reason}, got {shape_str(array.shape)}")


def require_forward(layer, cached) -> None:
    """Raise ``RuntimeError`` if ``backward`` is called before ``forward``."""
    if cached is None:
        name = type(layer).__name__
        raise RuntimeError(
            f"{name}.backward called before {name}.forward: run forward first, it caches what backward needs"
        )


def check_dout(dout, out_shape: tuple) -> np.ndarray:
    """Return the upstream gradient as a float array of the forward output's shape."""
    dout = as_float_array("dout", dout)
    check_shape("dout", dout, out_shape, "the shape of the forward output")
    return dout


def positive_int(name: str, value) -> int:
    """``value`` as an int >= 1, or a ``TypeError`` / ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def float_dtype(dtype) -> np.dtype:
    """``dtype`` as ``np.dtype``, which must be float32 or float64 (a network's working dtype)."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def generator(seed, rng) -> np.random.Generator:
    """The injected ``rng``, or ``np.random.default_rng(seed)``; never the global ``np.random`` state."""
    if seed is not None and rng is not None:
        raise ValueError("give seed or rng, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}"
            )
        return rng
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    return np.random.default_rng(None if seed is None else int(seed))


class HasParams:
    """``params`` and ``grads`` as ``{name: array}`` read from the attributes ``<name>`` and ``d<name>``.

    A parametrised layer lists its parameter names in ``param_names``; ``grads`` entries are
    ``None`` until the first ``backward``.
    """

    param_names: tuple = ()

    @property
    def params(self) -> dict:
        """``{name: parameter}``, the arrays themselves (an optimizer updates them in place)."""
        return {name: getattr(self, name) for name in self.param_names}

    @property
    def grads(self) -> dict:
        """``{name: gradient}`` after ``backward`` (``None`` entries before)."""
        return {name: getattr(self, "d" + name) for name in self.param_names}


def as_indices(name: str, value, size: int, *, allow=None) -> np.ndarray:
    """``value`` as an integer array with every entry in ``[0, size)`` (or equal to ``allow``).

    Word ids and class labels: a float array is a ``TypeError`` (a float id is almost always a
    mix-up with a score array); an id out of range is a ``ValueError`` naming the first one.
    """
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an integer array of ids, got {type(value).__name__}: {error}") from None
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer array of ids in [0, {size}), got dtype {array.dtype}")
    bad = (array < 0) | (array >= size)
    if allow is not None:
        bad &= array != allow
    if np.any(bad):
        first = array[bad].flat[0]
        extra = f" or {allow}" if allow is not None else ""
        raise ValueError(f"{name} must hold ids in [0, {size}){extra}, got {int(first)}")
    return array
