"""Catalog rows for your own layers, declared from shapes; and the check that a catalog is one.

``row`` builds a ``CatalogEntry`` from the shapes of the layer's inputs and parameters (or
one example array of each) and lets the project's strategies fill in the rest: values with
kinks, ties and large magnitudes (``float_arrays``), a never-constant cotangent of the
forward output's shape (``cotangents``, the shape found once per shape and configuration by
``jax.eval_shape`` of the oracle), in both dtypes::

    SWISH = row("Swish", Swish, swish, inputs={"x": ("N", 5)})
    LAYER_NORM = row("LayerNorm", LayerNorm, layer_norm, inputs={"x": ("N", 4)},
                     params={"gamma": (4,), "beta": (4,)})

A dimension given as a string (``"N"``) is drawn per example from ``dims`` (default
``{"N": (1, 4)}``), the same value everywhere it appears. A configuration value given as a
tuple of buckets, ``config={"alpha": buckets(0.01, 0.3)}``, is drawn per example from them
(each value is one JAX compile: keep them few). ``errors=`` declares inputs the layer must
reject (``ErrorInput``), ``state=`` the inputs that are a time layer's initial state. Rows that
need more (coupled values, constraints) keep the full form, ``CatalogEntry(..., cases=)``.

The oracle is called ``function(*inputs, *params, **config)``, in the order of the ``inputs``
and ``params`` mappings; one that fails on the shapes of the first case (another argument
order, typically) is reported with that order and those shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from oracle.verify.binding import bind
from oracle.verify.catalog_files import as_catalog, import_catalog
from oracle.verify.entry import CatalogEntry, ErrorInput
from oracle.verify.strategies import Case, cotangents, float_arrays

__all__ = ["Buckets", "as_catalog", "buckets", "import_catalog", "row"]

DIMS = {"N": (1, 4)}

Shape = tuple  # of ints and dimension names


class Buckets(tuple):
    """Values a configuration entry of ``row`` is drawn from, one per example (``buckets(...)``)."""


def buckets(*values) -> Buckets:
    """``config={"alpha": buckets(0.01, 0.1, 0.3)}``: draw ``alpha`` per example from these values.

    Each value must be hashable (it is bound to the oracle, which is compiled once per value).
    """
    if not values:
        raise ValueError("buckets() needs at least one value")
    for value in values:
        hash(value)
    return Buckets(values)


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
    errors: Sequence[ErrorInput] = (),
    state: Sequence[str] = (),
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
    - ``config`` (default none): keyword configuration of the layer and oracle; a value given as
      ``buckets(v1, v2, ...)`` is drawn per example from those values, any other value is fixed.
    - ``dims`` (default ``{"N": (1, 4)}``): the sizes a named dimension is drawn from (a few:
      every new shape is a JAX compile).
    - ``errors`` (default none): ``ErrorInput``s the layer must reject (checked once per row).
    - ``state`` (default none): inputs that are initial states of a time layer (``CatalogEntry.state``).
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
    if set(state) - set(inputs):
        raise ValueError(f"row {name!r}: state names {sorted(set(state) - set(inputs))} are not inputs")
    wrong = [e for e in errors if not isinstance(e, ErrorInput)]
    if wrong:
        raise TypeError(f"row {name!r}: errors must be oracle.ErrorInput values, got a {type(wrong[0]).__name__}")
    drawn = {k: tuple(v) for k, v in config.items() if isinstance(v, Buckets)}
    out_shapes: dict = {}

    def out_shape(sizes: dict, chosen: dict) -> tuple:
        key = (tuple(sorted(sizes.items())), tuple(sorted(chosen.items())))
        if key not in out_shapes:
            bound = bind(function, **chosen) if chosen else function
            out_shapes[key] = _output_shape(name, bound, {**inputs, **params}, shapes, sizes, chosen)
        return out_shapes[key]

    @st.composite
    def cases(draw, dtype):
        dtype = np.dtype(dtype)
        sizes = {d: draw(st.sampled_from(tuple(dims[d]))) for d in names}
        chosen = {k: draw(st.sampled_from(drawn[k]), label=k) if k in drawn else v for k, v in config.items()}
        concrete = {k: tuple(sizes.get(d, d) for d in s) for k, s in shapes.items()}
        spec = {**inputs, **params}
        values = {k: draw(_values(spec[k], dtype, concrete[k], max_value, large), label=k) for k in spec}
        dout = draw(cotangents(dtype, out_shape(sizes, chosen)), label="dout")
        return Case({k: values[k] for k in inputs}, {k: values[k] for k in params}, dout, config=chosen)

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
        errors=tuple(errors),
        state=tuple(state),
    )


def _output_shape(row_name: str, function: Callable, spec: dict, shapes: dict, sizes: dict, config: dict) -> tuple:
    """The shape of ``function``'s output for these argument shapes, by ``jax.eval_shape`` (no FLOPs).

    An oracle that cannot be called this way (its arguments in another order, most often) is
    reported naming the expected order and the shapes it was called with.
    """
    import jax

    args, described = [], []
    for key, shape in shapes.items():
        concrete = tuple(sizes.get(d, d) for d in shape)
        example = spec[key]
        kind = example.dtype if isinstance(example, np.ndarray) and example.dtype.kind in "iub" else np.float32
        args.append(jax.ShapeDtypeStruct(concrete, kind))
        described.append(f"{key}: {concrete}")
    oracle = getattr(getattr(function, "unbound", function), "__name__", repr(function))
    try:
        out = jax.eval_shape(function, *args)
    except Exception as error:  # noqa: BLE001 - the user's oracle: say how it was called
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        settings = "".join(f", {k}={v!r}" for k, v in config.items())
        raise TypeError(
            f"row {row_name!r}: the oracle {oracle} failed when called as {oracle}({', '.join(described)}{settings}); "
            f"it must take f(*inputs, *params, **config) in that order ({', '.join(shapes)}): is its argument "
            f"order another? ({type(error).__name__}: {first_line})"
        ) from None
    if not hasattr(out, "shape"):
        raise TypeError(f"the oracle {oracle!r} must return one array, got {out!r}")
    return tuple(out.shape)
