"""A catalog row (``CatalogEntry``), the inputs a layer must reject (``ErrorInput``), and one drawn
case of a row through the verifier (``verify_case``).

The rows themselves are declarations, one module per layer family, in ``oracle/catalog/``; this
module is the engine's side of them.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable

import numpy as np

from oracle.verify.binding import bind
from oracle.verify.function_entry import FunctionEntry, verify_function_case
from oracle.verify.sequences import verify_sequence
from oracle.verify.strategies import Case
from oracle.verify.verifier import Verification, verify_layer

__all__ = ["CatalogEntry", "DTYPES", "ErrorInput", "bind_errors", "check_error_inputs", "verify_case"]

DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


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
    - ``carry``: a pure JAX function ``carry(out, *args)`` of the oracle's output and arguments giving
      the state the layer carries into its next call, a tuple in ``carried`` order; a row with one draws sequence cases
      (``Case.calls``), checked by ``verify_sequence``: the carried state is read from the layer.
    - ``carried``: the names of that state: state inputs (``h``, ``c``), or arguments the oracle
      takes after the parameters, as data (batch norm's ``running_mean``, ``running_var``).
    - ``sequences``: what its sequence cases draw (``manual-bp verify --list`` prints it).
    - ``distributions``: ``oracle.verify.distribution.Distribution``s, the documented laws of what
      the layer draws (masks, negative samples), each checked once per dtype by many seeded draws.
      They call ``layer`` as the row's cases do: a copy of the row with a factory of another
      signature must replace them (``distributions=()`` or its own).
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
    carry: Callable | None = None  # the state carried into the next call (sequence cases)
    carried: tuple = ()  # the names of what carry returns
    sequences: str = ""  # what the sequence cases draw
    distributions: tuple = ()  # Distribution checks of what the layer draws (oracle.verify.distribution)


def bind_errors(entry: CatalogEntry) -> CatalogEntry:
    """``entry`` with each of its ``ErrorInput``s declared for ``entry.layer``: a copy of the row
    with another factory (a planted bug that is not a subclass) then skips them."""
    return dataclasses.replace(entry, errors=tuple(dataclasses.replace(bad, layer=entry.layer) for bad in entry.errors))


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


def verify_case(entry: CatalogEntry | FunctionEntry, case: Case, **overrides) -> Verification:
    """Run ``verify_layer`` for one drawn ``case`` of ``entry``: the layer built with, and the
    oracle bound to, the case's configuration. A ``FunctionEntry`` (a DeZero Function) is
    verified to the second order by ``verify_function_case`` instead."""
    if isinstance(entry, FunctionEntry):
        return verify_function_case(entry, case, **overrides)
    case = case.laid_out() if getattr(case, "layout", None) else case
    layer, function = entry.layer, entry.function
    forward = getattr(case, "forward", None) or {}
    if case.config:
        layer = functools.partial(layer, **case.config)
    if getattr(case, "calls", ()) and entry.carry is None:
        raise TypeError(f"{entry.name}: a case with later calls needs a row with a carry function (CatalogEntry.carry)")
    if entry.carry is not None:  # each call's forward flags are bound per call
        return verify_sequence(
            layer,
            bind(function, **case.config) if case.config else function,
            bind(entry.carry, **case.config) if case.config else entry.carry,
            {k: case.inputs[k] for k in entry.inputs},
            {k: case.params[k] for k in entry.params},
            case.dout,
            calls=getattr(case, "calls", ()),
            carried=entry.carried,
            start=getattr(case, "state", {}),
            state=entry.state,
            nondiff=entry.nondiff,
            name=entry.name,
            tolerance=overrides.pop("tolerance", entry.tolerance or None),
            forward=forward,
            **overrides,
        )
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
