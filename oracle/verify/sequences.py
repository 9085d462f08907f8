"""Verify a layer on a sequence of calls on one layer object: the state it carries from one call to
the next (a stateful time layer's ``h``, ``c``; batch norm's running statistics) is read from the
layer, never set by the verifier after the start.

``verify_sequence`` builds the layer once and sets its initial state once (``set_state(*initial)``,
where the row has state inputs). Then, for each call: the call's state method if it has one
(``reset_state()`` or ``set_state(...)``), ``forward``, ``backward(dout)`` twice and
``backward(zero)``. The oracle runs the same sequence from the same initial state: each call is one
block of the row's oracle function, the state it starts from an argument (differentiated where it is
an input, ``dh = dL/dh_0``; data where it is not, batch norm's running statistics), and the row's
``carry`` function (bound like the oracle) gives the state the next call starts from, as data: no
gradient crosses from one call into the one before (truncated BPTT). After a state method the next
call starts from the state the layer documents for it (``Call.state``).

Every call gets every check of ``verify_layer`` (forward, gradients, repeated and zero-``dout``
backward, mutation, what the caller owns); the quantities of the first call keep their names
(``dxs``), those of call ``k > 1`` are named ``call k dxs``, ``call k forward``, so a report shows
which call went wrong: a state not carried fails from call 2 on.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping

import numpy as np

from oracle.verify.binding import bind
from oracle.verify.reference import reference_vjp
from oracle.verify.round_off import round_off_vjp
from oracle.verify.tolerance import Tolerance
from oracle.verify.verifier import (
    STAGES,
    Verification,
    VerificationError,
    _Checker,
    _cotangent_args,
    _describe,
    _frozen,
    _map,
    _result_dtype,
    _same,
    _scribble,
    _snapshot,
    _zeros_like,
)

__all__ = ["verify_sequence"]


@dataclasses.dataclass
class _Block:
    """One call as the checker runs it: forward inputs (no state), cotangent, flags, state method."""

    inputs: dict
    dout: object
    forward: dict
    method: str = ""
    args: dict = dataclasses.field(default_factory=dict)
    state: dict | None = None  # the documented state after ``method``; None: carried

    def frozen(self) -> _Block:
        return dataclasses.replace(
            self,
            inputs={k: _frozen(v) for k, v in self.inputs.items()},
            dout=_map(_frozen, self.dout),
            args={k: _frozen(v) for k, v in self.args.items()},
        )

    def copied(self) -> _Block:
        return dataclasses.replace(
            self,
            inputs={k: _copy(v) for k, v in self.inputs.items()},
            dout=_copy(self.dout),
            args={k: _copy(v) for k, v in self.args.items()},
        )

    def arrays(self, label: str) -> dict:
        """``{name: array}`` of what the caller passes in this call (for naming a mutation)."""
        named = {f"{label}{k}": v for k, v in self.inputs.items()}
        named.update({f"{label}{self.method}({k})": v for k, v in self.args.items()})
        if isinstance(self.dout, tuple):
            named.update({f"{label}dout[{i}]": d for i, d in enumerate(self.dout)})
        else:
            named[f"{label}dout"] = self.dout
        return named


def _as_cotangent(dout):
    """``dout`` as arrays (a tuple of them for several outputs); a Python number stays one."""
    if isinstance(dout, tuple):
        return tuple(np.asarray(d) for d in dout)
    return dout if isinstance(dout, (float, int)) else np.asarray(dout)


def _copy(value):
    """A writable copy of an array (each of a tuple of them); anything else as it is."""
    return _map(lambda v: np.array(v, copy=True) if isinstance(v, np.ndarray) else v, value)


def _same_outputs(out, clean) -> bool:
    """The same forward output (each of a tuple of them)."""
    outs, cleans = _cotangent_args(out), _cotangent_args(clean)
    return len(outs) == len(cleans) and all(_same(o, c) for o, c in zip(outs, cleans))


@functools.cache
def _with_carry(function: Callable, carry: Callable, several: bool) -> Callable:
    """``(*outputs, *carried)``: the oracle's output(s) and the state it carries, one function, so one
    JAX compile gives both (the carried outputs get a zero cotangent: no gradient crosses the boundary)."""

    def with_carry(*args):
        out = function(*args)
        return (*(out if several else (out,)), *carry(out, *args))

    with_carry.__name__ = with_carry.__qualname__ = f"{function.__name__}+{carry.__name__}"
    with_carry.recipe_parts = ("with carry", function, carry, several)  # type: ignore[attr-defined]  # executables.recipe
    return with_carry


def _label(index: int) -> str:
    """The prefix of call ``index``'s quantities: none for the first call, ``call k `` after it."""
    return "" if index == 0 else f"call {index + 1} "


def _with_flags(function: Callable, flags: Mapping) -> Callable:
    """``function`` also bound to a call's forward flags (keeping what it was bound to already)."""
    if not flags:
        return function
    unbound = getattr(function, "unbound", None)
    if unbound is not None:
        return bind(unbound, **{**function.hyperparameters, **flags})  # type: ignore[attr-defined]
    return bind(function, **flags)


@dataclasses.dataclass(frozen=True)
class _CallOracle:
    """What one call's oracle was run on, kept to compute its round-off bound if it is needed."""

    function: Callable  # the call's block with its carry: (*outputs, *carried state)
    args: tuple
    differentiable: tuple
    cotangent: tuple  # the call's douts, then zeros for the carried state (truncated BPTT)
    outputs: int
    several: bool
    diff_names: list
    reset: frozenset  # state names set by the call's state method: exact, no error carried in


class _SequenceChecker(_Checker):
    """The checks of one sequence case: every call checked as ``_Checker`` checks its one call."""

    def __init__(
        self,
        name,
        layer_factory,
        function,
        carry,
        inputs,
        params,
        nondiff,
        tolerance,
        *,
        forward,
        calls,
        state,
        carried,
        start,
    ):
        super().__init__(name, layer_factory, function, inputs, params, nondiff, tolerance, forward, (), state)
        self.carry, self.carried, self.start = carry, tuple(carried), dict(start)
        self.unbound = function  # bound to the configuration; each call binds its own forward flags
        self.initial = {k: self.inputs[k] for k in self.state}  # set with set_state before the first call
        first = _Block({k: v for k, v in self.inputs.items() if k not in self.state}, None, self.forward_flags)
        self.blocks = [first] + [
            _Block(dict(c.inputs), c.dout, dict(c.forward), c.method, dict(c.args), c.state) for c in calls
        ]
        self.trailing = [k for k in self.carried if k not in self.inputs]  # carried, not an input: after the params
        self.oracles: list[_CallOracle] = []
        self.bounds: dict = {}  # (call, dtype) -> (bounds by quantity, carried state's bounds by name)
        self.call = 0

    # -- running the layer -------------------------------------------------------------
    def begin(self, params, initial):
        """A new layer with its initial state set (``set_state``, where the row has state inputs)."""
        layer = self.layer_factory(*params.values())
        if self.state:
            layer.set_state(*(initial[k] for k in self.state))
        return layer

    def run_blocks(self, params, blocks, initial):
        """Run the sequence: ``(outputs, calls, error)``: ``outputs[i]`` what call ``i``'s forward returned
        and a copy taken right then; ``calls[i]`` its backward snapshots (``(input grads, parameter
        grads)`` per stage); ``error`` ``(stage, exception)`` if the layer raised, else None."""
        outs: list = []
        calls: list = []
        stage = "construction"
        try:
            layer = self.begin(params, initial)
            self.check_params_listed_once(layer)
            for index, block in enumerate(blocks):
                self.prefix = _label(index)
                if block.method:
                    stage = f"{self.prefix}{block.method}"
                    getattr(layer, block.method)(*block.args.values())
                stage = f"{self.prefix}forward"
                returned_out = layer.forward(*block.inputs.values(), **block.forward)
                outs.append((returned_out, _copy(returned_out)))
                calls.append([])
                for stage_name, cotangent in zip(
                    STAGES, (block.dout, block.dout, _map(_frozen, _zeros_like(block.dout)))
                ):
                    stage = f"{self.prefix}{stage_name}"
                    returned = layer.backward(*_cotangent_args(cotangent))
                    state_grads = {"d" + k: getattr(layer, "d" + k, None) for k in self.state if k not in self.nondiff}
                    calls[-1].append(
                        (
                            {**_snapshot(self.unpack(returned)), **_snapshot(state_grads)},
                            _snapshot(self.param_grads(layer)),
                        )
                    )
        except Exception as error:  # noqa: BLE001 - a crashing layer is a failed verification
            return outs, calls, (stage, error)
        finally:
            self.prefix = ""
        return outs, calls, None

    def find_sequence_mutation(self, error) -> None:
        """A write hit a read-only argument: rerun on writable copies to name which one."""
        blocks = [b.copied() for b in self.blocks]
        params = {k: _copy(v) for k, v in self.params.items()}
        initial = {k: _copy(v) for k, v in self.initial.items()}
        self.run_blocks(params, blocks, initial)
        originals, copies = dict(self.params), dict(params)
        originals.update({f"set_state({k})": v for k, v in self.initial.items()})
        copies.update({f"set_state({k})": v for k, v in initial.items()})
        for index, (original, copy) in enumerate(zip(self.blocks, blocks)):
            originals.update(original.arrays(_label(index)))
            copies.update(copy.arrays(_label(index)))
        self.fail_mutation(error, originals, copies)

    # -- the oracle ----------------------------------------------------------------------
    def check_call(self, index, block, args, differentiable, out, calls) -> dict:
        """The checks of one call: forward, every gradient, repeated and zero-``dout`` backward.

        Returns the state the oracle carries into the next call (``{name: value}``)."""
        function = _with_flags(self.unbound, block.forward)
        carry = _with_flags(self.carry, block.forward)
        several = isinstance(block.dout, tuple)
        douts = block.dout if several else (block.dout,)
        state = dict(zip([*self.inputs, *self.params, *self.trailing], args))
        no_cotangent = tuple(np.zeros(np.shape(state[k])) for k in self.carried)  # truncated BPTT
        primal, ref_grads = reference_vjp(
            _with_carry(function, carry, several), args, differentiable, (*douts, *no_cotangent)
        )
        ref_out = tuple(primal[: len(douts)]) if several else primal[0]
        diff_names = [k for k in [*self.inputs, *self.params] if k not in self.nondiff]
        refs = dict(zip(diff_names, ref_grads))
        self.prefix, self.call = _label(index), index
        self.function = function  # this call's oracle, its forward flags bound (benchmarks read it)
        # the computed round-off bound of this call starts from the bound the last call left on the state
        self.oracles.append(
            _CallOracle(
                _with_carry(function, carry, several),
                tuple(args),
                tuple(differentiable),
                (*douts, *no_cotangent),
                len(douts),
                several,
                diff_names,
                frozenset(block.state or ()),
            )
        )
        self.oracle_call = (args, differentiable, block.dout, diff_names, several)
        self.check_forward(out, ref_out)
        if calls:
            self.check_gradients(calls, refs)
        return dict(zip(self.carried, primal[len(douts) :]))

    def round_off_bounds(self, dtype: np.dtype) -> dict:
        return self.call_bounds(self.call, dtype)[0]

    def call_bounds(self, index: int, dtype: np.dtype) -> tuple[dict, dict]:
        """Call ``index``'s computed round-off bounds by quantity, and those of the state it carries
        on by name: the state it starts from has the error the previous call's bound gave it (none
        after ``reset_state`` or ``set_state``: the layer documents that state exactly)."""
        key = (index, np.dtype(dtype))
        if key not in self.bounds:
            oracle = self.oracles[index]
            carried_in = self.call_bounds(index - 1, dtype)[1] if index else {}
            names = [*self.inputs, *self.params, *self.trailing]
            arg_errors = tuple(None if k in oracle.reset else carried_in.get(k) for k in names)
            _, _, out_bound, grad_bounds = round_off_vjp(
                oracle.function, oracle.args, oracle.differentiable, oracle.cotangent, dtype, arg_errors
            )
            bounds = {"d" + k: g for k, g in zip(oracle.diff_names, grad_bounds)}
            outs = out_bound[: oracle.outputs]
            bounds.update({f"forward[{i}]": o for i, o in enumerate(outs)} if oracle.several else {"forward": outs[0]})
            self.bounds[key] = (bounds, dict(zip(self.carried, out_bound[oracle.outputs :])))
        return self.bounds[key]

    def check_sequence_caller_owned(self, params, blocks, outs, clean) -> None:
        """Rerun the sequence as a careless caller: write into each forward output before ``backward``
        and into each returned gradient before the next ``backward``; no call's forward or gradients
        may change (a carried state that is a view of an output changes the next call)."""
        try:
            layer = self.begin(params, self.frozen_initial())
            for index, block in enumerate(blocks):
                self.prefix = _label(index)
                if block.method:
                    getattr(layer, block.method)(*block.args.values())
                out = layer.forward(*block.inputs.values(), **block.forward)
                if not _same_outputs(out, outs[index]):
                    self.fail(
                        "caller-owned forward output:",
                        "changed after the caller wrote into an earlier call's forward output or gradients: "
                        "the carried state shares memory with what the layer returned; carry a copy",
                    )
                    return
                scribbled_out = _scribble(out)
                first = self.unpack(layer.backward(*_cotangent_args(block.dout)))
                changed = [k for k, g in first.items() if not _same(g, clean[index][k])]
                if changed:
                    what = "forward returned" if scribbled_out else "an earlier call returned"
                    self.fail(
                        "caller-owned forward output:",
                        f"writing into the array {what} changed {', '.join(changed)} of the next backward: "
                        "return a copy, or keep one for backward",
                    )
                    return
                scribbled = {k: g for k, g in first.items() if _scribble(g)}
                second = self.unpack(layer.backward(*_cotangent_args(block.dout)))
                changed = [k for k, g in second.items() if not _same(g, clean[index][k])]
                undone = [k for k, g in scribbled.items() if not np.all(np.isnan(g))]
                if changed or undone:
                    self.fail(
                        "caller-owned returned gradient:",
                        f"writing into a gradient backward returned changed or was undone by the next backward "
                        f"({', '.join(changed or undone)}): backward must return a new array each call",
                    )
                    return
        except Exception:  # noqa: BLE001 - the clean run passed; a crash here is reported as a change
            self.fail("caller-owned:", "a call raised after the caller wrote into the arrays it was given")
        finally:
            self.prefix = ""

    def frozen_initial(self) -> dict:
        return {k: _frozen(v) for k, v in self.initial.items()}

    def run_sequence(self) -> None:
        frozen_params = {k: _frozen(v) for k, v in self.params.items()}
        frozen_blocks = [b.frozen() for b in self.blocks]
        returned, calls, error = self.run_blocks(frozen_params, frozen_blocks, self.frozen_initial())
        outs = [snapshot for _, snapshot in returned]
        overwritten = [i for i, (out, snapshot) in enumerate(returned) if not _same_outputs(out, snapshot)]
        if overwritten:
            self.fail(
                f"{_label(overwritten[0])}caller-owned forward output:",
                "changed after forward returned it (by backward or a later call): forward must return a new "
                "array each call, not a buffer the layer reuses for its next block",
            )
        if error is not None:
            stage, exception = error
            if isinstance(exception, ValueError) and "read-only" in str(exception):
                self.find_sequence_mutation(exception)
                return
            self.failures.append(f"{self.name}: {stage} raised {type(exception).__name__}: {exception}")
            self.failed.append(stage)
            self.error = exception
        state = {**self.initial, **self.start}
        names = [*self.inputs, *self.params, *self.trailing]
        differentiable = [k not in self.nondiff for k in [*self.inputs, *self.params]] + [False] * len(self.trailing)
        self.oracles, self.bounds = [], {}
        for index, (block, out) in enumerate(zip(self.blocks, outs)):
            if block.state is not None:  # after reset_state / set_state: the state the layer documents
                state = {**state, **block.state}
            values = {**block.inputs, **self.params, **state}
            call = calls[index] if index < len(calls) else []
            state = {**state, **self.check_call(index, block, [values[k] for k in names], differentiable, out, call)}
        self.function, self.prefix = self.unbound, ""
        if error is None and not self.failures:  # the caller-owned checks compare with a clean, passing run
            clean = [stages[0][0] for stages in calls]
            self.check_sequence_caller_owned(frozen_params, [b.frozen() for b in self.blocks], outs, clean)


def verify_sequence(
    layer: Callable,
    function: Callable,
    carry: Callable,
    inputs: Mapping,
    params: Mapping | None = None,
    dout=None,
    *,
    calls=(),
    carried=(),
    start: Mapping | None = None,
    state=(),
    nondiff=(),
    name: str | None = None,
    tolerance: Tolerance | Mapping | None = None,
    forward: Mapping | None = None,
) -> Verification:
    """Check ``layer`` against ``function`` on a sequence of calls on one layer object; raise if it disagrees.

    The first call is ``inputs``, ``dout`` and ``forward`` as in ``verify_layer`` (its state inputs,
    ``state``, set with ``layer.set_state(*states)`` once, before it); each of ``calls`` (``Call``) is a
    later one. Further arguments:

    - ``carry``: a pure JAX function ``carry(out, *args)`` of the oracle's output and arguments returning
      the state the layer carries into its next call, a tuple in ``carried`` order (``time_rnn_carry``
      returns ``(hs[:, -1],)``); bound like ``function`` (configuration and forward flags). It is
      compiled with the oracle's VJP, as one function: one JAX compile per shape gives both.
    - ``carried``: the names of that state. A name among ``inputs`` is a state input (differentiated
      unless in ``nondiff``, its gradient ``layer.d<name>``); any other is passed to ``function`` and
      ``carry`` after the parameters, as data, starting from ``start[name]``.
    - ``start``: the values of the carried state that is not an input, as a new layer has it
      (batch norm's ``running_mean`` 0 and ``running_var`` 1).

    Returns a ``Verification`` with every call's quantities (``forward``, ``dxs``, ...,
    ``call 2 forward``, ``call 2 dxs``, ...). Raises ``VerificationError`` listing every failed check.
    """
    if dout is None:
        raise TypeError("verify_sequence needs a cotangent dout shaped like the forward output (draw it randomly)")
    params = dict(params or {})
    name = name or getattr(layer, "__name__", type(layer).__name__)
    checker = _SequenceChecker(
        name,
        layer,
        function,
        carry,
        inputs,
        params,
        nondiff,
        tolerance,
        forward=forward,
        calls=calls,
        state=state,
        carried=carried,
        start=start or {},
    )
    checker.blocks[0].dout = dout
    for block in checker.blocks:
        block.dout = _as_cotangent(block.dout)
    checker.run_sequence()
    if checker.failures:
        described = {**checker.inputs, **params, "dout": dout}
        case = ", ".join(_describe(k, v) for k, v in described.items())
        later = f", then {len(checker.blocks) - 1} more call(s)" if len(checker.blocks) > 1 else ""
        raise VerificationError(
            "\n".join(checker.failures) + f"\n(case: {case}{later})", checker.comparisons, checker.failed
        ) from checker.error
    out_dtype = _result_dtype([v for k, v in {**checker.inputs, **params}.items() if k not in checker.nondiff])
    return Verification(str(name), out_dtype, checker.comparisons)
