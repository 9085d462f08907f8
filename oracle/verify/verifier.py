"""Verify one hand-written layer on one example against its JAX oracle function.

``verify_layer`` checks, for given inputs, parameters and a cotangent ``dout``:

1. the forward output equals the oracle's (value, shape, dtype);
2. every input gradient returned by ``backward(dout)`` equals the oracle VJP;
3. every parameter gradient (``layer.grads[name]`` or ``layer.d<name>``) equals the VJP;
4. nothing the caller passed (inputs, parameters, ``dout``) is written to;
5. a second ``backward(dout)`` returns exactly the same gradients;
6. a zero cotangent gives zero gradients;
7. every gradient has the shape and dtype of what it differentiates;
8. what the caller owns stays the caller's: writing into the forward output before
   ``backward`` does not change the gradients (a layer must not return its own cache), and
   writing into a returned gradient neither changes the next ``backward`` nor is undone by
   it (a layer must not hand out an internal buffer).

Forward flags and state: ``forward`` (keywords of the verified ``forward`` call, e.g.
``{"train_flg": False}``) and ``before`` (inputs of earlier ``forward`` calls with default
flags, e.g. a training forward before an inference one). The oracle must be bound to the
same flags; it receives the ``before`` arrays as trailing, non-differentiated arguments.

The sequel's layers add (each only where the layer needs it): several outputs (a tuple
forward output, ``dout`` a tuple with a cotangent for each, passed as ``backward(*dout)``);
initial states as inputs (``state``: set with ``layer.set_state(...)`` after one previous
block has run forward and backward, their gradients read from ``layer.d<name>``, so a
gradient leaking across the block boundary shows); integer inputs (``nondiff``, a layer
with no differentiable input returns ``None``); and a parameter listed twice in
``layer.params`` (a shared or tied array) is reported.

A sequence of calls on one layer object, whose carried state is read from the layer (a catalog row
with a ``carry`` function), is checked call by call by ``oracle.verify.sequences.verify_sequence``.

All failures of one example are collected and raised together as one
``VerificationError`` (an ``AssertionError``), each line starting ``Layer: quantity``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import numpy as np

from oracle.verify.reference import reference_vjp
from oracle.verify.round_off import round_off_vjp
from oracle.verify.tolerance import (
    Comparison,
    Tolerance,
    compare,
    compare_with_round_off,
    computes_bound,
    tolerance_for,
)

__all__ = ["Verification", "VerificationError", "parameter_gradients", "verify_layer"]


STAGES = ("backward", "second backward", "backward with a zero dout")


class VerificationError(AssertionError):
    """A layer disagreed with its oracle; the message lists every failed check.

    ``comparisons`` holds the figures of every quantity compared in the failing example
    (``{quantity: Comparison}``), so a report can show how far off it was.
    """

    def __init__(self, message: str, comparisons: dict | None = None, quantities=()):
        super().__init__(message)
        self.comparisons = dict(comparisons or {})
        self.quantities = tuple(quantities)  # the failed checks' quantities, in report order


@dataclasses.dataclass
class Verification:
    """A passed verification: the layer, its dtype and the error of every compared quantity."""

    layer: str
    dtype: np.dtype
    comparisons: dict  # quantity name -> Comparison

    @property
    def max_abs_error(self) -> float:
        return max((c.max_abs_error for c in self.comparisons.values()), default=0.0)

    @property
    def max_rel_error(self) -> float:
        """The largest entrywise relative error, over entries whose reference is not zero."""
        return max((c.max_rel_error for c in self.comparisons.values()), default=0.0)

    @property
    def worst_ratio(self) -> float:
        """The largest error as a fraction of its tolerance bound (above 1.0 fails)."""
        return max((c.worst_ratio for c in self.comparisons.values()), default=0.0)

    @property
    def worst_quantity(self) -> str:
        """The quantity (``forward``, ``dx``, ``dW``, ...) whose error came closest to its tolerance."""
        return max(self.comparisons, key=lambda q: self.comparisons[q].worst_ratio, default="")


def _describe(name: str, value) -> str:
    if isinstance(value, np.ndarray):
        return f"{name} {value.dtype} {tuple(value.shape)}"
    return f"{name} {type(value).__name__} {value!r}"


def _frozen(value):
    """A read-only copy of an array (a write then raises), in the same memory layout (C, Fortran,
    transposed, or a strided view of a larger buffer); scalars pass through."""
    if isinstance(value, np.ndarray):
        if value.flags.c_contiguous or value.flags.f_contiguous or value.ndim == 0:
            value = value.copy(order="K")
        else:
            buffer = np.empty(value.shape[:-1] + (2 * value.shape[-1],), dtype=value.dtype)
            buffer[..., ::2] = value
            value = buffer[..., ::2]
        value.flags.writeable = False
    return value


def _result_dtype(values) -> np.dtype:
    """The dtype NumPy gives an expression of ``values``; Python scalars are weak (NEP 50)."""
    arrays = [v for v in values if isinstance(v, np.ndarray) or np.isscalar(v) and isinstance(v, np.generic)]
    if not arrays:
        return np.dtype(np.float64)
    dtype = np.result_type(*arrays)
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def _grad_dtype(value) -> np.dtype | None:
    """The dtype a gradient for ``value`` must have (``None``: a Python scalar, not checked)."""
    if not isinstance(value, (np.ndarray, np.generic)):
        return None
    return value.dtype if value.dtype.kind == "f" else np.dtype(np.float64)


def parameter_gradients(layer, names) -> dict:
    """``{name: gradient}`` of a layer after ``backward``: ``layer.grads[name]`` where the layer
    has a ``grads`` mapping with that name, else the book's attribute ``layer.d<name>``
    (``None`` where neither exists)."""
    grads = getattr(layer, "grads", None)
    return {
        name: grads[name] if isinstance(grads, Mapping) and name in grads else getattr(layer, "d" + name, None)
        for name in names
    }


def _scribble(value) -> bool:
    """Write NaN into ``value`` (each output of a tuple) as a careless caller might; False if
    there was no writable float array."""
    if isinstance(value, tuple):
        return any([_scribble(v) for v in value])
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size and value.flags.writeable:
        value[...] = np.nan
        return True
    return False


def _same(got, clean) -> bool:
    if got is None or clean is None:
        return got is None and clean is None
    got, clean = np.asarray(got), np.asarray(clean)
    return got.shape == clean.shape and np.array_equal(got, clean, equal_nan=True)


def _map(function, value):
    """``function`` of a value, or of each entry of a tuple of them (several outputs)."""
    return tuple(function(v) for v in value) if isinstance(value, tuple) else function(value)


def _zeros_like(dout):
    return _map(lambda d: np.zeros_like(d) if isinstance(d, np.ndarray) else 0.0, dout)


def _cotangent_args(dout) -> tuple:
    """``backward``'s arguments: one per output (``backward(dh_next, dc_next)``)."""
    return dout if isinstance(dout, tuple) else (dout,)


def _snapshot(grads: dict) -> dict:
    return {k: None if v is None else np.array(v, copy=True) for k, v in grads.items()}


class _Checker:
    """Runs the checks of one example and collects the failures."""

    def __init__(
        self, name, layer_factory, function, inputs, params, nondiff, tolerance, forward=None, before=(), state=()
    ):
        self.name, self.layer_factory, self.function = name, layer_factory, function
        self.forward_flags, self.before = dict(forward or {}), tuple(dict(b) for b in before)
        self.inputs, self.params, self.nondiff = dict(inputs), dict(params), frozenset(nondiff)
        self.tolerance = tolerance
        self.failures: list[str] = []
        self.failed: list[str] = []  # the quantity of each failure
        self.error: Exception | None = None  # an exception the layer raised, chained to the report
        self.comparisons: dict[str, Comparison] = {}
        self.state = tuple(state)  # initial-state inputs: set_state(...), gradients layer.d<name>
        self.diff_inputs = [k for k in self.inputs if k not in self.nondiff and k not in self.state]
        self.oracle_call: tuple | None = None  # (args, differentiable, dout, names, several), set by run
        self.rounded: dict = {}  # dtype -> {quantity: the computed round-off bound in that dtype}
        self.prefix = ""  # names the call of a sequence case in every quantity ("call 2 "); see sequences

    def fail(self, quantity: str, message: str) -> None:
        self.failures.append(f"{self.name}: {self.prefix}{quantity} {message}")
        self.failed.append(self.prefix + quantity.rstrip(":"))

    def tol_for(self, dtype) -> Tolerance:
        if isinstance(self.tolerance, Tolerance):
            return self.tolerance
        return tolerance_for(dtype, self.tolerance)

    # -- running the layer -------------------------------------------------------------
    def start_layer(self, inputs, params, dout, before):
        """Build the layer, then ``forward_layer``: ``(layer, out)``."""
        return self.forward_layer(self.layer_factory(*params.values()), inputs, dout, before)

    def forward_layer(self, layer, inputs, dout, before):
        """Run what comes first (a previous block for a stateful layer, whose carried state the
        case then fixes with ``set_state``; the ``before`` forwards), then the verified forward."""
        forward_inputs = [v for k, v in inputs.items() if k not in self.state]
        if self.state:
            layer.forward(*forward_inputs)
            layer.backward(*_cotangent_args(dout))
            layer.set_state(*(inputs[k] for k in self.state))
        for earlier in before:
            layer.forward(*earlier.values())
        return layer, layer.forward(*forward_inputs, **self.forward_flags)

    def run_layer(self, inputs, params, dout, zero, before=None):
        """Build, forward, backward(dout) twice, backward(zero).

        Returns ``(out, calls, error)``: ``calls`` holds (input grads, parameter grads) of each
        backward that completed; ``error`` is ``(stage, exception)`` if one raised, else None.
        """
        out, calls, stage = None, [], "construction"
        try:
            layer = self.layer_factory(*params.values())
            self.check_params_listed_once(layer)
            stage = "previous block and forward" if self.state else "forward"
            layer, out = self.forward_layer(layer, inputs, dout, self.before if before is None else before)
            for stage, cotangent in zip(STAGES, (dout, dout, zero)):
                returned = layer.backward(*_cotangent_args(cotangent))
                state_grads = {"d" + k: getattr(layer, "d" + k, None) for k in self.state if k not in self.nondiff}
                calls.append(
                    ({**_snapshot(self.unpack(returned)), **_snapshot(state_grads)}, _snapshot(self.param_grads(layer)))
                )
        except Exception as error:  # noqa: BLE001 - a crashing layer is a failed verification
            return out, calls, (stage, error)
        return out, calls, None

    def unpack(self, returned) -> dict:
        if not self.diff_inputs:
            if returned is not None:
                self.fail(
                    "backward",
                    f"returned {type(returned).__name__}; a layer whose inputs are all data (ids, labels) returns None",
                )
            return {}
        if len(self.diff_inputs) == 1:
            if isinstance(returned, tuple):
                self.fail("backward", f"returned a tuple of {len(returned)}; a layer with one input returns one array")
                returned = returned[0] if returned else None
            return {"d" + self.diff_inputs[0]: returned}
        if not isinstance(returned, tuple) or len(returned) != len(self.diff_inputs):
            got = f"a tuple of {len(returned)}" if isinstance(returned, tuple) else type(returned).__name__
            self.fail(
                "backward",
                f"must return a tuple of {len(self.diff_inputs)} gradients ({', '.join(self.diff_inputs)}), got {got}",
            )
            return {"d" + k: None for k in self.diff_inputs}
        return {"d" + k: g for k, g in zip(self.diff_inputs, returned)}

    def param_grads(self, layer) -> dict:
        return {"d" + name: grad for name, grad in parameter_gradients(layer, self.params).items()}

    def check_params_listed_once(self, layer) -> None:
        """Every distinct array appears once in ``layer.params`` (a shared or tied one is not listed twice)."""
        params = getattr(layer, "params", None)
        if not isinstance(params, Mapping):
            return
        arrays = [(k, v) for k, v in params.items() if isinstance(v, np.ndarray)]
        for i, (first, a) in enumerate(arrays):
            for second, b in arrays[i + 1 :]:
                if np.shares_memory(a, b):
                    self.fail(
                        "params",
                        f"{first!r} and {second!r} are the same array (or views of it): list a "
                        "shared or tied parameter once and sum its gradients inside the layer",
                    )

    def find_mutation(self, dout, zero, error) -> None:
        """A write hit a read-only argument: rerun on writable copies to name which one."""
        originals = {**self.inputs, **self.params}
        if isinstance(dout, tuple):  # several outputs: one name per cotangent
            originals.update({f"dout[{i}]": d for i, d in enumerate(dout)})
        else:
            originals["dout"] = dout
        originals.update({f"before[{i}].{k}": v for i, b in enumerate(self.before) for k, v in b.items()})
        copies = {k: np.array(v, copy=True) if isinstance(v, np.ndarray) else v for k, v in originals.items()}
        before = tuple({k: copies[f"before[{i}].{k}"] for k in b} for i, b in enumerate(self.before))
        copied_dout = (
            tuple(copies[f"dout[{i}]"] for i in range(len(dout))) if isinstance(dout, tuple) else copies["dout"]
        )
        self.run_layer(
            {k: copies[k] for k in self.inputs},
            {k: copies[k] for k in self.params},
            copied_dout,
            _zeros_like(copied_dout),
            before,
        )
        self.fail_mutation(error, originals, copies)

    def fail_mutation(self, error: Exception, originals: dict, copies: dict) -> None:
        """Report a write into a read-only argument, naming each array (``originals``) whose
        writable copy (``copies``, same keys) the rerun changed."""
        written = [
            k
            for k, v in originals.items()
            if isinstance(v, np.ndarray) and not np.array_equal(v, copies[k], equal_nan=True)
        ]
        what = ", ".join(written) if written else "one of its arguments"
        self.fail(
            "mutation:",
            f"forward/backward wrote into {what} (read-only here: {error}); "
            "never write into an array the caller passed, build a new one (np.where, not a[mask] = 0)",
        )

    # -- the checks ------------------------------------------------------------------------
    def check_forward(self, out, ref_out) -> None:
        """The forward output (one array, or a tuple of them) against the oracle's, in the dtype
        the layer's differentiable inputs and parameters promote to."""
        out_dtype = _result_dtype([v for k, v in {**self.inputs, **self.params}.items() if k not in self.nondiff])
        if isinstance(ref_out, tuple):
            if not isinstance(out, tuple) or len(out) != len(ref_out):
                self.fail("forward", f"must return a tuple of {len(ref_out)} outputs, got {type(out).__name__}")
            else:
                for i, (got, ref) in enumerate(zip(out, ref_out)):
                    self.check_quantity(f"forward[{i}]", got, ref, out_dtype, "the result of the layer's inputs")
        else:
            self.check_quantity("forward", out, ref_out, out_dtype, "the result of the layer's inputs")

    def check_quantity(self, quantity: str, got, expected: np.ndarray, dtype, of: str) -> None:
        if got is None:
            self.fail(quantity, "is missing (backward did not produce it)")
            return
        got_array = np.asarray(got)
        if got_array.shape != expected.shape:
            self.fail(
                quantity, f"has shape {tuple(got_array.shape)}, expected {tuple(expected.shape)} (the shape of {of})"
            )
            return
        if dtype is not None and got_array.dtype != dtype:
            self.fail(quantity, f"has dtype {got_array.dtype}, expected {dtype} (the dtype of {of})")
        if dtype is not None and computes_bound(dtype, self.tolerance):
            comparison = self.compare_low_precision(quantity, got_array, expected, np.dtype(dtype))
        else:
            comparison = compare(got_array, expected, self.tol_for(dtype if dtype is not None else np.float64))
        self.comparisons[self.prefix + quantity] = comparison
        if not comparison.passed:
            self.fail(quantity, f"does not match the JAX oracle ({dtype or 'float64'}):\n{comparison.report}")

    def round_off_bounds(self, dtype: np.dtype) -> dict:
        """``{quantity: per-entry bound}`` on the error of the oracle evaluated op by op in ``dtype``
        on this example (``oracle.verify.round_off``), once per dtype."""
        if dtype not in self.rounded:
            assert self.oracle_call is not None
            args, differentiable, dout, names, several = self.oracle_call
            _, _, out_bound, grad_bounds = round_off_vjp(self.function, args, differentiable, dout, dtype)
            bounds = {"d" + k: g for k, g in zip(names, grad_bounds)}
            bounds.update({f"forward[{i}]": o for i, o in enumerate(out_bound)} if several else {"forward": out_bound})
            self.rounded[dtype] = bounds
        return self.rounded[dtype]

    def compare_low_precision(self, quantity, got, expected, dtype) -> Comparison:
        """``compare_with_round_off``: the computed bound, its round-off part only where needed."""

        def round_off():
            return None if self.oracle_call is None else self.round_off_bounds(dtype).get(quantity)

        return compare_with_round_off(got, expected, dtype, round_off)

    def check_repeat_and_zero(self, calls) -> None:
        (first_in, first_p), (second_in, second_p), (zero_in, zero_p) = calls
        for label, first in {**first_in, **first_p}.items():
            second = {**second_in, **second_p}[label]
            zero = {**zero_in, **zero_p}[label]
            if first is None or second is None or zero is None:
                continue
            first, second, zero = np.asarray(first), np.asarray(second), np.asarray(zero, dtype=np.float64)
            if first.shape != second.shape or not np.array_equal(first, second, equal_nan=True):
                self.fail(
                    label,
                    "differs on a second backward call with the same dout: backward must not "
                    "change state it reads (a cache, or its own output)",
                )
            if np.any(zero != 0):
                hint = (
                    (
                        "; with initial states: does a gradient from the previous block's backward cross the "
                        "block boundary? truncated BPTT starts every backward from 0"
                    )
                    if self.state
                    else ""
                )
                self.fail(
                    label,
                    f"is not zero for a zero dout (max |{label}| = {np.max(np.abs(zero)):.3g}): "
                    f"backward must be linear in dout (does it ignore dout?){hint}",
                )

    def check_caller_owned(self, inputs, params, before, dout, clean: dict) -> None:
        """Rerun as a careless caller would: write into the forward output before ``backward``,
        then into each returned gradient before the next ``backward``; the gradients must not change."""
        try:
            layer, out = self.start_layer(inputs, params, dout, before)
            if _scribble(out):
                first = self.unpack(layer.backward(*_cotangent_args(dout)))
                changed = [k for k, g in first.items() if not _same(g, clean[k])]
                if changed:
                    self.fail(
                        "caller-owned forward output:",
                        f"writing into the array forward returned changed "
                        f"{', '.join(changed)} of the next backward: forward returned its own cache (the "
                        "book's Sigmoid returns self.out); return a copy, or keep one for backward",
                    )
                    return
            else:
                first = self.unpack(layer.backward(*_cotangent_args(dout)))
            scribbled = {k: g for k, g in first.items() if _scribble(g)}
            second = self.unpack(layer.backward(*_cotangent_args(dout)))
        except Exception:  # noqa: BLE001 - the clean run passed; a crash here is reported as a change
            self.fail("caller-owned:", "backward raised after the caller wrote into the arrays it was given")
            return
        changed = [k for k, g in second.items() if not _same(g, clean[k])]
        undone = [k for k, g in scribbled.items() if not np.all(np.isnan(g))]
        if changed or undone:
            what = (
                f"changed {', '.join(changed)} of the next backward"
                if changed
                else f"was undone by the next backward ({', '.join(undone)} is an internal buffer it overwrites)"
            )
            self.fail(
                "caller-owned returned gradient:",
                f"writing into a gradient backward returned {what}: "
                "backward must return a new array each call, not a buffer it keeps",
            )

    def run(self, dout) -> None:
        if isinstance(dout, tuple):  # one cotangent per output
            dout = tuple(np.asarray(d) for d in dout)
        else:
            dout = np.asarray(dout) if not isinstance(dout, (float, int)) else dout
        zero = _zeros_like(dout)
        frozen_in = {k: _frozen(v) for k, v in self.inputs.items()}
        frozen_params = {k: _frozen(v) for k, v in self.params.items()}
        frozen_before = tuple({k: _frozen(v) for k, v in b.items()} for b in self.before)
        out, calls, error = self.run_layer(
            frozen_in, frozen_params, _map(_frozen, dout), _map(_frozen, zero), frozen_before
        )
        if error is not None:
            stage, exception = error
            if isinstance(exception, ValueError) and "read-only" in str(exception):
                self.find_mutation(dout, zero, exception)
                return
            self.fail(stage, f"raised {type(exception).__name__}: {exception}")
            self.error = exception
        if not calls:
            return
        before_args = [v for b in self.before for v in b.values()]
        args = [*self.inputs.values(), *self.params.values(), *before_args]
        differentiable = [k not in self.nondiff for k in [*self.inputs, *self.params]] + [False] * len(before_args)
        ref_out, ref_grads = reference_vjp(self.function, args, differentiable, dout)
        diff_names = [k for k in [*self.inputs, *self.params] if k not in self.nondiff]
        refs = dict(zip(diff_names, ref_grads))
        self.oracle_call = (args, differentiable, dout, diff_names, isinstance(ref_out, tuple))

        self.check_forward(out, ref_out)
        self.check_gradients(calls, refs)
        if len(calls) == len(STAGES) and not self.failures:  # caller-owned: compared with a clean, passing run
            frozen_before = tuple({k: _frozen(v) for k, v in b.items()} for b in self.before)
            self.check_caller_owned(frozen_in, frozen_params, frozen_before, _map(_frozen, dout), calls[0][0])

    def check_gradients(self, calls, refs) -> None:
        """Every gradient of the first backward against the oracle's ``refs``; with all three
        backward calls, the repeated and zero-``dout`` ones too."""
        grads_in, grads_p = calls[0]
        for k in [*self.diff_inputs, *(k for k in self.state if k not in self.nondiff)]:
            self.check_quantity("d" + k, grads_in["d" + k], refs[k], _grad_dtype(self.inputs[k]), k)
        for k in self.params:
            if k not in self.nondiff:
                self.check_quantity("d" + k, grads_p["d" + k], refs[k], _grad_dtype(self.params[k]), k)
        if len(calls) == len(STAGES):
            self.check_repeat_and_zero(calls)


def verify_layer(
    layer: Callable,
    function: Callable,
    inputs: Mapping,
    params: Mapping | None = None,
    dout=None,
    *,
    nondiff=(),
    name: str | None = None,
    tolerance: Tolerance | Mapping | None = None,
    forward: Mapping | None = None,
    before=(),
    state=(),
) -> Verification:
    """Check ``layer`` against the oracle ``function`` on one example; raise if it disagrees.

    - ``layer``: the layer class, or any factory ``layer(*params.values())`` returning an
      object with ``forward(*inputs.values())`` and ``backward(dout)``.
    - ``function``: the pure JAX function ``function(*inputs.values(), *params.values())``.
    - ``inputs``, ``params``: ordered ``{name: array}`` mappings (params default: none).
    - ``dout``: the cotangent, shaped like the forward output. Required: draw it randomly;
      an all-ones cotangent hides bugs (the softmax VJP of ones is zero).
    - ``nondiff``: names of arguments that are data, not differentiated (labels).
    - ``name``: the layer's name in messages (default: the class name).
    - ``tolerance``: a ``Tolerance`` for every quantity, or ``{dtype: Tolerance}``
      overriding rows of ``oracle.tolerance.TOLERANCES``.
    - ``forward``: keyword flags of the verified ``forward`` call (``{"train_flg": False}``);
      bind the oracle to the same ones.
    - ``before``: a sequence of ``{name: array}`` inputs of earlier ``forward`` calls (default
      flags) made first; their arrays are passed to ``function`` after the parameters, as data.
    - ``state``: names of inputs that are initial states (``h``, ``c``): not passed to
      ``forward`` but set by ``layer.set_state(*states)`` after a previous block ran forward
      and backward; their gradients are ``layer.d<name>`` (the book's ``dh``).
    - ``dout`` may be a tuple (a layer with several outputs): ``backward(*dout)``.

    Returns a ``Verification`` with every quantity's errors. Raises ``VerificationError``
    listing every failed check as ``Layer: quantity ...`` with the worst entries.
    """
    if dout is None:
        raise TypeError("verify_layer needs a cotangent dout shaped like the forward output (draw it randomly)")
    params = dict(params or {})
    name = name or getattr(layer, "__name__", type(layer).__name__)
    checker = _Checker(name, layer, function, inputs, params, nondiff, tolerance, forward, before, state)
    checker.run(dout)
    if checker.failures:
        case = ", ".join(_describe(k, v) for k, v in {**checker.inputs, **params, "dout": dout}.items())
        raise VerificationError(
            "\n".join(checker.failures) + f"\n(case: {case})", checker.comparisons, checker.failed
        ) from checker.error
    out_dtype = _result_dtype([v for k, v in {**checker.inputs, **params}.items() if k not in checker.nondiff])
    return Verification(str(name), out_dtype, checker.comparisons)
