"""Catalog rows for your own layers, declared from shapes; and the check that a catalog is one.

``row`` builds a ``CatalogEntry`` from the shapes of the layer's inputs and parameters (or
one example array of each) and lets the project's strategies fill in the rest: values with
kinks, ties and large magnitudes (``float_arrays``), a never-constant cotangent of the
forward output's shape (``cotangents``, the shape found once per shape by ``jax.eval_shape``
of the oracle), in both dtypes::

    SWISH = row("Swish", Swish, swish, inputs={"x": ("N", 5)})
    LAYER_NORM = row("LayerNorm", LayerNorm, layer_norm, inputs={"x": ("N", 4)},
                     params={"gamma": (4,), "beta": (4,)})

A dimension given as a string (``"N"``) is drawn per example from ``dims`` (default
``{"N": (1, 4)}``), the same value everywhere it appears. Rows that need more (coupled
values, constraints, drawn configurations) keep the full form, ``CatalogEntry(..., cases=)``.
"""

from __future__ import annotations

import importlib
import importlib.util
import pathlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from oracle.verify.binding import bind
from oracle.verify.entry import CatalogEntry
from oracle.verify.function_entry import FunctionEntry
from oracle.verify.strategies import Case, cotangents, float_arrays

__all__ = ["as_catalog", "import_catalog", "row"]

DIMS = {"N": (1, 4)}

Shape = tuple  # of ints and dimension names

ROW_KINDS = (CatalogEntry, FunctionEntry)  # a layer's row, or a DeZero Function's (third book)


def _describe(value: Any) -> str:
    if isinstance(value, type(np)):
        return f"a module ({value.__name__})"
    if isinstance(value, (str, bytes)):
        return f"a {type(value).__name__} ({value!r:.40})"
    if isinstance(value, Sequence):
        if not value:
            return f"an empty {type(value).__name__}"
        index, item = next((i, v) for i, v in enumerate(value) if not isinstance(v, ROW_KINDS))
        return f"a {type(value).__name__} holding a {type(item).__name__} at index {index}"
    if isinstance(value, ROW_KINDS):
        return f"one {type(value).__name__} ({value.name}), not a sequence of them (put it in a list)"
    return f"a {type(value).__name__}"


def as_catalog(value: Any, label: str = "catalog") -> tuple[CatalogEntry, ...]:
    """``value`` as a tuple of ``CatalogEntry``; ``ValueError`` saying what was found if it is not one.

    A catalog is a non-empty list or tuple of ``oracle.CatalogEntry`` (full rows or ``row(...)``)
    or ``FunctionEntry`` rows (DeZero Functions).
    """
    ok = (
        isinstance(value, Sequence)
        and not isinstance(value, (str, bytes))
        and value
        and all(isinstance(v, ROW_KINDS) for v in value)
    )
    if not ok:
        raise ValueError(
            f"{label} is {_describe(value)}; a catalog must be a non-empty list or tuple of "
            "oracle.CatalogEntry rows (oracle.row(...) builds one from shapes)"
        )
    return tuple(value)


def _shape_of(name: str, spec: Any) -> Shape:
    if isinstance(spec, np.ndarray):
        return spec.shape
    if isinstance(spec, tuple) and all(isinstance(d, (int, str)) and not isinstance(d, bool) for d in spec):
        return spec
    raise TypeError(
        f"{name} must be a shape (a tuple of ints and dimension names such as 'N') or an example array, got {spec!r}"
    )


def _values(spec: Any, dtype: np.dtype, shape: tuple, max_value: float, large: float | None):
    """Float values of the case's dtype, or for an integer example, integers within its range."""
    if isinstance(spec, np.ndarray) and spec.dtype.kind in "iub":
        low, high = (int(spec.min()), int(spec.max())) if spec.size else (0, 1)
        return hnp.arrays(spec.dtype, shape, elements=st.integers(low, high))
    return float_arrays(dtype, shape, max_value=max_value, large=large)


def row(
    name: str,
    layer: Callable,
    function: Callable,
    *,
    inputs: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    nondiff: Sequence[str] = (),
    config: Mapping[str, Any] | None = None,
    dims: Mapping[str, Sequence[int]] | None = None,
    max_value: float = 10.0,
    large: float | None = None,
    tolerance: dict | None = None,
    tolerance_reason: str = "",
    conventions: str = "",
) -> CatalogEntry:
    """A catalog row drawn from shapes: the short form of ``CatalogEntry(..., cases=...)``.

    - ``name``, ``layer``, ``function``: as in ``CatalogEntry`` (``layer(*params, **config)``,
      ``function(*inputs, *params, **config)``, pure JAX).
    - ``inputs``, ``params`` (default none): ``{name: shape or example array}``, in call order.
      An integer example array (labels) draws integers in its range, of its dtype; set the name
      in ``nondiff`` too.
    - ``nondiff`` (default none): arguments that are data, not differentiated.
    - ``config`` (default none): keyword configuration of the layer and oracle, fixed.
    - ``dims`` (default ``{"N": (1, 4)}``): the sizes a named dimension is drawn from (a few:
      every new shape is a JAX compile).
    - ``max_value`` (default 10), ``large`` (default none): as ``float_elements``.
    - ``tolerance``, ``tolerance_reason``, ``conventions``: as in ``CatalogEntry``.
    """
    params = dict(params or {})
    inputs = dict(inputs)
    config = dict(config or {})
    dims = {**DIMS, **(dims or {})}
    if not inputs:
        raise ValueError(f"row {name!r}: inputs is empty; a layer needs at least one input")
    shapes = {k: _shape_of(k, v) for k, v in {**inputs, **params}.items()}
    names = sorted({d for shape in shapes.values() for d in shape if isinstance(d, str)})
    unknown = [d for d in names if d not in dims]
    if unknown:
        raise ValueError(f"row {name!r}: dimension(s) {', '.join(unknown)} not in dims {sorted(dims)}")
    if set(nondiff) - set(shapes):
        raise ValueError(f"row {name!r}: nondiff names {sorted(set(nondiff) - set(shapes))} are not arguments")
    bound = bind(function, **config) if config else function
    out_shapes: dict = {}

    def out_shape(sizes: dict) -> tuple:
        key = tuple(sorted(sizes.items()))
        if key not in out_shapes:
            out_shapes[key] = _output_shape(bound, {**inputs, **params}, shapes, sizes)
        return out_shapes[key]

    @st.composite
    def cases(draw, dtype):
        dtype = np.dtype(dtype)
        sizes = {d: draw(st.sampled_from(tuple(dims[d]))) for d in names}
        concrete = {k: tuple(sizes.get(d, d) for d in s) for k, s in shapes.items()}
        spec = {**inputs, **params}
        values = {k: draw(_values(spec[k], dtype, concrete[k], max_value, large), label=k) for k in spec}
        dout = draw(cotangents(dtype, out_shape(sizes)), label="dout")
        return Case({k: values[k] for k in inputs}, {k: values[k] for k in params}, dout, config=dict(config))

    return CatalogEntry(
        name,
        layer,
        function,
        tuple(inputs),
        tuple(params),
        cases,
        nondiff=frozenset(nondiff),
        tolerance=dict(tolerance or {}),
        tolerance_reason=tolerance_reason,
        conventions=conventions,
    )


def _output_shape(function: Callable, spec: dict, shapes: dict, sizes: dict) -> tuple:
    """The shape of ``function``'s output for these argument shapes, by ``jax.eval_shape`` (no FLOPs)."""
    import jax

    args = []
    for key, shape in shapes.items():
        concrete = tuple(sizes.get(d, d) for d in shape)
        example = spec[key]
        kind = example.dtype if isinstance(example, np.ndarray) and example.dtype.kind in "iub" else np.float32
        args.append(jax.ShapeDtypeStruct(concrete, kind))
    out = jax.eval_shape(function, *args)
    if not hasattr(out, "shape"):
        raise TypeError(f"the oracle {getattr(function, '__name__', function)!r} must return one array, got {out!r}")
    return tuple(out.shape)


def import_catalog(spec: str, *, root: pathlib.Path | None = None, label: str = "catalog") -> tuple[CatalogEntry, ...]:
    """The catalog named by ``spec``: ``package.module:NAME`` or ``path/to/file.py:NAME``.

    - ``root`` (default: the working directory): where a relative file path is taken from;
    - ``label`` (default ``"catalog"``): how messages name the option (``"--catalog"``).

    Raises ``ValueError`` naming what was found when ``spec`` is malformed, the module or file
    is missing, or the attribute is not a sequence of ``CatalogEntry``.
    """
    target, _, attribute = spec.rpartition(":")
    if not target or not attribute:
        raise ValueError(f"{label} must look like MODULE:NAME or FILE.py:NAME, got {spec!r}")
    if target.endswith(".py"):
        path = pathlib.Path(target) if root is None else root / target
        if not path.is_file():
            raise ValueError(f"{label} file {target} does not exist")
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
        if module_spec is None or module_spec.loader is None:
            raise ValueError(f"{label} file {target} cannot be imported as a Python module")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[path.stem] = module
        module_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    if not hasattr(module, attribute):
        raise ValueError(f"{label}: {target} has no attribute {attribute!r}")
    return as_catalog(getattr(module, attribute), f"{label} {spec}" if label.startswith("-") else spec)
