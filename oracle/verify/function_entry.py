"""A catalog row of a DeZero Function (the third book), verified to the second order.

How a Function row plugs into the runner: ``FunctionEntry`` has the fields the runner, the
error-input check and ``manual-bp verify --list`` read from a layer's ``CatalogEntry``
(``name``, ``layer``, ``function``, ``inputs``, ``params``, ``cases``, ``nondiff``,
``tolerance``, ``conventions``, ``errors``), so the same runner draws and reports it;
``oracle.verify.entry.verify_case`` dispatches on the entry's kind and sends a
``FunctionEntry`` to ``verify_function_case`` (``oracle/verify/second_order.py``). For a
Function row:

- ``layer`` is the DeZero helper, ``layer(*variables, **config)`` (``F.sum``, ``F.tanh``);
- ``function`` is its JAX oracle, ``function(*arrays, **config)`` (bound once per
  configuration, so its jitted derivatives are reused);
- ``cases(dtype)`` draws a ``FunctionCase``: inputs, the cotangent ``dout`` (the output's
  gradient), the second-order direction ``w`` (one array per differentiable input) and the
  configuration. ``function_cases`` builds that strategy from ``Arg``s and shape buckets;
- ``order`` (default 2) and ``derivatives`` (default 0: none; 6 for the elementwise
  Functions, the n-th derivatives by repeated double backprop, on the drawn cases whose
  ``derivatives`` flag is set: one in ``DERIVATIVE_SHARE``) say what is checked.

Adding a Function row (the neural-network Functions do it the same way): write the
Function in ``manual_bp/dezero/functions/<stem>.py``, its oracle in
``oracle/dezero/<stem>.py``, and a ``FunctionEntry`` in the ``ROWS`` of
``oracle/catalog/dezero/<stem>.py`` (listed in ``oracle/catalog/dezero/__init__.py``).
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Callable

import jax
import numpy as np
from hypothesis import strategies as st

from oracle.verify import executables
from oracle.verify.binding import bind
from oracle.verify.second_order import verify_derivatives, verify_function
from oracle.verify.strategies import SEEDS, Case, draw_array, draw_cotangent, sampled
from oracle.verify.verifier import Verification

__all__ = [
    "function_row",
    "Arg",
    "Bucket",
    "DERIVATIVE_SHARE",
    "FunctionCase",
    "FunctionEntry",
    "bind_errors",
    "function_cases",
    "verify_function_case",
]

Bucket = tuple[dict, tuple]  # (configuration, one shape per input): one JAX compile each


@dataclasses.dataclass(repr=False)
class FunctionCase(Case):
    """A ``Case`` of a Function: ``dout`` is the output's gradient, ``w`` the second-order direction,
    ``derivatives``: whether a row with ``derivatives`` checks them on this case."""

    w: dict = dataclasses.field(default_factory=dict)
    derivatives: bool = True

    def __repr__(self) -> str:
        with np.printoptions(precision=17, threshold=sys.maxsize, floatmode="unique"):
            flag = "" if self.derivatives else ", derivatives=False"
            return "Function" + super().__repr__()[:-1] + f", w={self.w!r}{flag})"


@dataclasses.dataclass(frozen=True)
class FunctionEntry:
    """A DeZero Function, its JAX oracle and how to draw its cases (see the module docstring)."""

    name: str
    layer: Callable
    function: Callable
    inputs: tuple
    cases: Callable
    nondiff: frozenset = frozenset()
    order: int = 2
    derivatives: int = 0
    tolerance: dict = dataclasses.field(default_factory=dict)
    tolerance_reason: str = ""
    conventions: str = ""
    errors: tuple = ()
    params: tuple = ()  # a Function has no parameters of its own (read by code shared with layers)
    state: tuple = ()
    distributions: tuple = ()  # what a Function draws is checked by its own tests (dropout's mask)

    @property
    def orders_checked(self) -> str:
        """What one example checks: ``first and second order``, plus ``derivatives 1-6`` when set."""
        checked = "first and second order" if self.order >= 2 else "first order"
        return checked + (f", derivatives 1-{self.derivatives}" if self.derivatives else "")


def bind_errors(entry: FunctionEntry) -> FunctionEntry:
    """``entry`` with each ``ErrorInput`` declared for ``entry.layer`` (as for a layer's row): a
    planted-bug copy of the row with another function then skips them."""
    return dataclasses.replace(entry, errors=tuple(dataclasses.replace(bad, layer=entry.layer) for bad in entry.errors))


@dataclasses.dataclass(frozen=True)
class Arg:
    """How to draw one input of a Function.

    - ``kind`` (default ``"real"``): ``"real"`` (ties, kinks 0 and +-1, magnitudes over 8
      decades), ``"positive"`` (in ``[0.5, 0.5 + max_value]``), ``"nonzero"`` (magnitude at
      least 0.5), ``"probability"`` (in about ``(0.0025, 0.9975)``), ``"binary"`` (0 or 1 of the
      dtype) or ``"labels"`` (class indices ``[0, C)``, ``C`` the last axis of the first input).
    - ``max_value`` (default 10.0): bound on the magnitude of ordinary values.
    """

    kind: str = "real"
    max_value: float = 10.0


def _draw_arg(draw, dtype, arg: Arg, shape: tuple, classes: int) -> np.ndarray:
    if arg.kind == "labels":
        return np.random.default_rng(draw(SEEDS)).integers(0, classes, shape)
    if arg.kind == "binary":
        return (np.random.default_rng(draw(SEEDS)).random(shape) < 0.5).astype(dtype)
    a = draw_array(draw, dtype, shape, max_value=arg.max_value)
    if arg.kind == "real":
        return a
    if arg.kind == "positive":
        return (np.abs(a) + 0.5).astype(dtype)
    if arg.kind == "nonzero":
        return (np.where(a < 0, -1.0, 1.0) * (np.abs(a) + 0.5)).astype(dtype)
    if arg.kind == "probability":
        return (1 / (1 + np.exp(-np.clip(a.astype(np.float64), -6, 6)))).astype(dtype)
    raise ValueError(f"unknown Arg kind {arg.kind!r}")


def function_row(name, function, oracle_function, buckets, *, args=None, conventions="", errors=()) -> FunctionEntry:
    """A ``FunctionEntry`` whose cases ``function_cases`` draws: ``args`` (``{input: Arg}``, in the
    Function's argument order; default one real ``x``) from ``buckets``. Inputs of kind
    ``"labels"`` or ``"binary"`` are data, not differentiated."""
    args = dict(args or {"x": Arg()})
    return FunctionEntry(
        name=name,
        layer=function,
        function=oracle_function,
        inputs=tuple(args),
        cases=lambda dtype: function_cases(dtype, oracle=oracle_function, args=args, buckets=buckets),
        nondiff=frozenset(k for k, a in args.items() if a.kind in ("labels", "binary")),
        conventions=conventions,
        errors=errors,
    )


@functools.cache
def _output_shape(oracle: Callable, shapes: tuple) -> tuple:
    with jax.enable_x64(True):  # int64 labels and index arrays stay int64, as in the reference
        structs = tuple(jax.ShapeDtypeStruct(shape, np.dtype(kind)) for shape, kind in shapes)
        return executables.output_shape(oracle, structs)


# A row with ``derivatives`` checks them on one drawn case in DERIVATIVE_SHARE (the simplest
# draw, 0, checks: a failure shrinks to a case that still checks them). The graph of the sixth
# derivative of tanh or sigmoid has about 1,000 Functions: 30-45 ms, against 0.1-0.4 ms for the
# first and second order, so checking every case would make these rows most of the catalog's cost.
DERIVATIVE_SHARE = 4
_DERIVATIVE_DRAWS = st.integers(0, DERIVATIVE_SHARE - 1)


@st.composite
def function_cases(draw, dtype, *, oracle: Callable, args: dict, buckets: tuple, derivatives: bool = False):
    """A ``FunctionCase`` of ``dtype``: a bucket ``(config, shapes)`` (one shape per input of
    ``args``, simplest first), each input drawn as its ``Arg`` says, ``dout`` of the oracle's
    output shape and ``w`` of each differentiable input's shape (both never constant).

    - ``derivatives`` (default False): draw whether this case checks the row's n-th derivatives
      (one case in ``DERIVATIVE_SHARE``).
    """
    config, shapes = draw(sampled(tuple(buckets)))
    inputs: dict = {}
    for (name, arg), shape in zip(args.items(), shapes):
        inputs[name] = _draw_arg(draw, dtype, arg, tuple(shape), shapes[0][-1] if shapes[0] else 1)
    bound = bind(oracle, **config) if config else oracle
    out_shape = _output_shape(bound, tuple((v.shape, v.dtype.str) for v in inputs.values()))
    dout = draw_cotangent(draw, dtype, out_shape)
    w = {k: draw_cotangent(draw, dtype, v.shape) for k, v in inputs.items() if args[k].kind not in ("labels", "binary")}
    check_derivatives = derivatives and draw(_DERIVATIVE_DRAWS) == 0
    return FunctionCase(inputs, {}, dout, config=dict(config), w=w, derivatives=check_derivatives)


def verify_function_case(entry: FunctionEntry, case: Case, *, tolerance=None) -> Verification:
    """Verify one drawn ``case`` (a ``FunctionCase``) of a Function row: first and second order
    (``verify_function``) and, for a row with ``derivatives``, the n-th derivatives at its first
    input. ``tolerance`` (default: the row's): a ``Tolerance`` or ``{dtype: Tolerance}``."""
    case = case.laid_out() if case.layout else case
    function, oracle = entry.layer, entry.function
    if case.config:
        function = functools.partial(function, **case.config)
        oracle = bind(oracle, **case.config)
    inputs = {k: case.inputs[k] for k in entry.inputs}
    tolerance = tolerance if tolerance is not None else entry.tolerance or None
    verification = verify_function(
        function,
        oracle,
        inputs,
        case.dout,
        getattr(case, "w", None),
        nondiff=entry.nondiff,
        name=entry.name,
        tolerance=tolerance,
        order=entry.order,
    )
    if entry.derivatives and getattr(case, "derivatives", True):
        x = inputs[entry.inputs[0]]
        higher = verify_derivatives(function, oracle, x, entry.derivatives, name=entry.name, tolerance=tolerance)
        verification.comparisons.update(higher.comparisons)
    return verification
