"""Verify a DeZero Function against its JAX oracle to the second order, exactly (no finite differences).

``verify_function`` checks, for inputs ``x``, a drawn cotangent ``gy`` and a drawn direction
``w`` (one array per differentiable input):

1. the forward value equals the oracle's (value, shape, dtype of the input);
2. first order: with ``y.grad = gy``, ``y.backward()`` gives every input the gradient
   ``jax.vjp(f, x)[1](gy)``; the gradients carry no graph (``create_graph`` was off) and have
   their input's shape and dtype;
3. ``retain_grad=False`` freed the output's gradient (``y.grad is None``) after backward;
4. accumulation: a second ``backward`` from the same cotangent doubles every gradient exactly,
   and ``cleargrad()`` resets it;
5. second order: that second backward runs with ``create_graph=True``; backpropagating
   ``s = sum_i <gx_i, w_i>`` through it (the first backward's share of ``gx`` is a constant)
   gives each input ``jax.vjp`` of the VJP, ``d s / d x``, and the cotangent
   ``d s / d gy = jax.jvp(f, x, w)`` (``gy`` is a Variable of the graph, so it gets a gradient);
6. nothing the caller passed (inputs, ``gy``, ``w``) is written to: they are read-only copies;
7. under ``no_grad()`` the output has no creator (no graph is recorded).

``verify_derivatives`` checks the n-th derivatives of an elementwise Function by repeated
double backprop (``gx.backward(create_graph=True)`` on the previous derivative) against
nested ``jax.grad`` of the oracle.

The reference is computed in float64 (float32 values are exact there) by one jitted function
per (oracle, differentiated arguments, order), compiled once per shape: the primal, the VJP,
and the VJP of the VJP come out of one XLA call, so a second-order check costs about what a
first-order one does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from manual_bp.dezero import Variable, no_grad
from oracle.verify import executables
from oracle.verify.reference import COMPILER_OPTIONS
from oracle.verify.round_off import round_off
from oracle.verify.tolerance import (
    Comparison,
    Tolerance,
    compare,
    compare_with_round_off,
    computes_bound,
    tolerance_for,
)
from oracle.verify.verifier import Verification, VerificationError

__all__ = [
    "derivative_bounds",
    "derivative_reference",
    "reference",
    "reference_bounds",
    "verify_derivatives",
    "verify_function",
]


def _float64(value) -> np.ndarray:
    array = np.asarray(value)
    return array.astype(np.float64) if array.dtype.kind == "f" else array


@functools.cache  # one object per (oracle, arguments, order): the round-off bound compiles it once per shape
def _derivatives_up_to_second(oracle: Callable, differentiable: tuple, order: int):
    """``run(args, gy, ws) -> (primal, first, second_x, second_gy)``, not jitted."""

    def run(args, gy, ws):
        def of_differentiable(*diff_args):
            supplied = iter(diff_args)
            return oracle(*(next(supplied) if d else a for a, d in zip(args, differentiable)))

        diff_args = tuple(a for a, d in zip(args, differentiable) if d)
        primal, pullback = jax.vjp(of_differentiable, *diff_args)
        if order < 2:
            return primal, pullback(gy), (), None

        def first(diff_args, gy):
            return jax.vjp(of_differentiable, *diff_args)[1](gy)

        grads, pullback2 = jax.vjp(first, diff_args, gy)
        second_x, second_gy = pullback2(tuple(ws))
        return primal, grads, second_x, second_gy

    return run


@functools.cache
def _jitted(oracle: Callable, differentiable: tuple, order: int):
    recipe = executables.recipe(oracle)
    return executables.jit(
        _derivatives_up_to_second(oracle, differentiable, order),
        recipe=None if recipe is None else ("up to second", recipe, differentiable, order),
        compiler_options=COMPILER_OPTIONS,
    )


def _as_numpy(out) -> tuple:
    primal, first, second_x, second_gy = out
    return (
        np.asarray(primal),
        tuple(np.asarray(g) for g in first),
        tuple(np.asarray(g) for g in second_x),
        None if second_gy is None else np.asarray(second_gy),
    )


def reference(oracle: Callable, args, differentiable, gy, ws=(), *, order: int = 2):
    """``(primal, first, second_x, second_gy)`` of ``oracle(*args)`` in float64, as NumPy arrays.

    ``first``: ``jax.vjp`` of ``gy``, one per differentiable argument. With ``order=2``:
    ``second_x``, the gradient of ``sum_i <first_i, ws_i>`` with respect to each differentiable
    argument (``jax.vjp`` of the VJP), and ``second_gy``, its gradient with respect to ``gy``
    (equal to ``jax.jvp(oracle, args, ws)``); with ``order=1`` they are ``()`` and None.
    """
    differentiable = tuple(bool(d) for d in differentiable)
    args = tuple(_float64(a) for a in args)
    with jax.enable_x64(True):
        out = _as_numpy(_jitted(oracle, differentiable, order)(args, _float64(gy), tuple(_float64(w) for w in ws)))
    if out[0].dtype != np.float64:
        raise AssertionError(f"oracle {oracle.__name__} computed in {out[0].dtype}, not float64: is x64 off?")
    return out


def reference_bounds(oracle: Callable, args, differentiable, gy, ws=(), *, order: int = 2, dtype=np.float32):
    """``reference``'s quantities' round-off bounds: per entry, how far evaluating them op by op
    in ``dtype`` can be from their float64 values (``oracle.verify.round_off``); same structure."""
    differentiable = tuple(bool(d) for d in differentiable)
    run = _derivatives_up_to_second(oracle, differentiable, order)
    made_of = executables.recipe(oracle)
    recipe = None if made_of is None else ("up to second", made_of, differentiable, order)
    _, (primal, first, second_x, second_gy) = round_off(run, (tuple(args), gy, tuple(ws)), dtype, recipe=recipe)
    return primal, tuple(first), tuple(second_x), second_gy


def _frozen(value):
    """A read-only copy of an array (a write then raises); anything else passes through."""
    if isinstance(value, np.ndarray):
        value = value.copy()
        value.flags.writeable = False
    return value


def _data(variable: Variable | None, like: np.ndarray) -> np.ndarray:
    """A gradient's array; zeros where nothing reached (the value does not depend on it)."""
    if variable is None or variable.data is None:
        return np.zeros_like(like)
    return variable.data


def _quick_compare(got: np.ndarray, expected: np.ndarray, tol: Tolerance) -> Comparison:
    """``compare(got, expected, tol)`` with a fast path: where every entry is finite and within
    its bound, the same figures from fewer array operations (a second-order example compares
    twice as many quantities as a first-order one, and ``compare`` dominated its cost)."""
    got64 = np.asarray(got, dtype=np.float64)
    ref = np.asarray(expected, dtype=np.float64)
    if got64.size == 0 or not (np.isfinite(got64).all() and np.isfinite(ref).all()):
        return compare(got, expected, tol)
    err = np.abs(got64 - ref)
    bound = tol.bound(ref)
    if not (err <= bound).all():
        return compare(got, expected, tol)
    abs_ref = np.abs(ref)
    rel = np.divide(err, abs_ref, out=np.zeros_like(err), where=abs_ref != 0)
    return Comparison(float(err.max()), float(rel.max()), float((err / bound).max()), 0, int(err.size), "")


class _Report:
    """Collects one example's comparisons and failures.

    ``computed``: the low-precision dtype's bound is computed (``compare_with_round_off``), for
    every order alike; ``bounds()`` (set by the caller) returns ``{quantity: per-entry round-off
    bound of the oracle evaluated in that dtype}``, called once and only where a quantity exceeds
    the bound's cheap part. Otherwise (float64, or a tolerance given) ``tolerance`` holds.
    """

    def __init__(self, name: str, dtype, tolerance: Tolerance, *, computed: bool = False):
        self.name, self.dtype, self.tolerance, self.computed = name, np.dtype(dtype), tolerance, computed
        self.failures: list[str] = []
        self.quantities: list[str] = []
        self.comparisons: dict[str, Comparison] = {}
        self.bounds: Callable[[], dict] | None = None
        self._bounds: dict | None = None

    def round_off(self, quantity: str):
        if self.bounds is None:
            return None
        if self._bounds is None:
            self._bounds = self.bounds()
        return self._bounds.get(quantity)

    def fail(self, quantity: str, message: str) -> None:
        self.failures.append(f"{self.name}: {quantity} {message}")
        self.quantities.append(quantity)

    def check(self, quantity: str, got, expected, *, dtype=None) -> None:
        """Compare one quantity (``dtype``: the dtype it must have)."""
        got = np.asarray(got)
        if got.shape != np.shape(expected):
            self.fail(quantity, f"has shape {got.shape}, expected {np.shape(expected)}")
            return
        if dtype is not None and got.dtype != dtype:
            self.fail(quantity, f"has dtype {got.dtype}, expected {dtype}")
        if self.computed:
            comparison = compare_with_round_off(got, expected, self.dtype, lambda: self.round_off(quantity))
        else:
            comparison = _quick_compare(got, expected, self.tolerance)
        self.comparisons[quantity] = comparison
        if not comparison.passed:
            self.fail(quantity, f"({self.dtype}) differs from the oracle:\n{comparison.report}")

    def result(self) -> Verification:
        if self.failures:
            raise VerificationError("\n".join(self.failures), self.comparisons, self.quantities)
        return Verification(self.name, self.dtype, self.comparisons)


def verify_function(
    function: Callable,
    oracle: Callable,
    inputs: Mapping,
    gy: np.ndarray,
    w: Mapping | None = None,
    *,
    nondiff=(),
    name: str | None = None,
    tolerance: Tolerance | Mapping | None = None,
    order: int = 2,
) -> Verification:
    """Check the DeZero Function ``function`` against ``oracle`` on one example; raise if it disagrees.

    - ``function``: ``function(*variables)`` returns one Variable (a Function instance's
      ``__call__`` or a helper such as ``F.sum`` with its configuration bound).
    - ``oracle``: the pure JAX function of the same arguments, ``oracle(*arrays)``.
    - ``inputs``: ordered ``{name: array}``; ``nondiff`` names those that are data (labels).
    - ``gy``: the cotangent, shaped like the output (draw it: an all-ones one hides bugs).
    - ``w``: ``{name: array}`` per differentiable input, the direction of the second-order
      check (required when ``order >= 2``).
    - ``tolerance``: a ``Tolerance``, or ``{dtype: Tolerance}`` overriding the default table.
    - ``order`` (default 2): 1 checks the forward value and first order only.
    The numbered checks are in the module docstring; every failure of the example is reported
    together in one ``VerificationError``, each line starting ``name: quantity``.
    """
    name = str(name or getattr(function, "__name__", type(function).__name__))
    nondiff = frozenset(nondiff)
    inputs = {k: _frozen(v) for k, v in inputs.items()}
    gy = _frozen(np.asarray(gy))
    diff = [k for k in inputs if k not in nondiff]
    w = {k: _frozen(np.asarray(w[k])) for k in diff} if order >= 2 and w is not None else {}
    if order >= 2 and set(w) != set(diff):
        raise ValueError(f"w must have an array for each differentiable input {diff}, got {sorted(w)}")
    dtype = next(v.dtype for v in inputs.values() if isinstance(v, np.ndarray) and v.dtype.kind == "f")
    tol = tolerance if isinstance(tolerance, Tolerance) else tolerance_for(dtype, tolerance)
    report = _Report(name, dtype, tol, computed=computes_bound(dtype, tolerance))
    args = tuple(inputs.values())
    differentiable = [k not in nondiff for k in inputs]
    ws = [w[k] for k in w]
    primal, first, second_x, second_gy = reference(oracle, args, differentiable, gy, ws, order=order)

    report.bounds = lambda: _quantities(
        diff, *reference_bounds(oracle, args, differentiable, gy, ws, order=order, dtype=dtype)
    )

    # 1-4: forward, first order without a graph, freed output gradient, accumulation.
    try:
        xs = {k: Variable(v) for k, v in inputs.items()}
        y = function(*xs.values())
        report.check("forward", y.data, primal, dtype=dtype)
        y.grad = Variable(gy)
        y.backward()
        grads = {k: _data(xs[k].grad, inputs[k]) for k in diff}
        for (k, got), expected in zip(grads.items(), first):
            report.check(f"d{k}", got, expected, dtype=inputs[k].dtype)
            if getattr(xs[k].grad, "creator", None) is not None:
                report.fail(f"d{k}", "has a creator after backward(create_graph=False): a graph was recorded")
        if y.grad is not None:
            report.fail("retain_grad", "the output's gradient survived backward(retain_grad=False)")
        # The second backward accumulates; for order 2 it also records the graph of the backward.
        gy_variable = Variable(gy)
        y.grad = gy_variable
        y.backward(create_graph=order >= 2)
        accumulated = {k: xs[k].grad for k in diff}
        for k in diff:
            if not np.array_equal(_data(accumulated[k], inputs[k]), grads[k] + grads[k]):
                report.fail(f"d{k}", "did not accumulate: a second backward should double it exactly")
            xs[k].cleargrad()
            if xs[k].grad is not None:
                report.fail(f"d{k}", "survived cleargrad()")
        with no_grad():
            if function(*[Variable(v) for v in inputs.values()]).creator is not None:
                report.fail("no_grad", "recorded a graph (the output has a creator)")
        if order >= 2:
            _check_second_order(report, xs, accumulated, inputs, gy_variable, w, second_x, second_gy)
    except VerificationError:
        raise
    except Exception as error:  # noqa: BLE001 - a crash is a failure of this Function
        report.fail(type(error).__name__, f"raised {type(error).__name__}: {error}")
        raise VerificationError("\n".join(report.failures), report.comparisons, report.quantities) from error
    return report.result()


def _quantities(diff, primal, first, second_x, second_gy) -> dict:
    """``{quantity: value}`` under the names the report uses."""
    named = {"forward": primal, **{f"d{k}": g for k, g in zip(diff, first)}}
    named.update({f"d/d{k} <g, w>": g for k, g in zip(diff, second_x)})
    if second_gy is not None:
        named["d/dgy <g, w>"] = second_gy
    return named


def _check_second_order(report, xs, accumulated, inputs, gy_variable, w, second_x, second_gy) -> None:
    """Check 5: backpropagate ``s = sum_i <gx_i, w_i>`` through the recorded backward.

    ``accumulated[k]`` is the first backward's gradient (a constant) plus the second's (a
    graph of ``x`` and ``gy``), so ``s`` differentiates like the second alone.
    """
    s = None
    for k, gx in accumulated.items():
        if gx is None:
            continue
        term = (gx * Variable(w[k])).sum()
        s = term if s is None else s + term
    if s is not None:
        s.backward()
    for k, expected in zip(accumulated, second_x):
        report.check(f"d/d{k} <g, w>", _data(xs[k].grad, inputs[k]), expected, dtype=inputs[k].dtype)
    got_gy = _data(gy_variable.grad, gy_variable.data)
    report.check("d/dgy <g, w>", got_gy, second_gy, dtype=gy_variable.dtype)


@functools.cache
def _derivatives(oracle: Callable, order: int):
    """``x -> (f'(x), ..., f^(order)(x))`` elementwise, by nested ``jax.grad`` of the sum."""

    def derivatives(x):
        out = []
        current = oracle
        for _ in range(order):
            current = jax.grad(lambda x, g=current: jnp.sum(g(x)))
            out.append(current(x))
        return tuple(out)

    return derivatives


@functools.cache
def _jitted_derivatives(oracle: Callable, order: int):
    recipe = executables.recipe(oracle)
    return executables.jit(
        _derivatives(oracle, order),
        recipe=None if recipe is None else ("derivatives", recipe, order),
        compiler_options=COMPILER_OPTIONS,
    )


def derivative_reference(oracle: Callable, x: np.ndarray, order: int) -> tuple:
    """The first ``order`` derivatives of the elementwise ``oracle`` at ``x``, in float64."""
    with jax.enable_x64(True):
        return tuple(np.asarray(d) for d in _jitted_derivatives(oracle, order)(_float64(x)))


def derivative_bounds(oracle: Callable, x: np.ndarray, order: int, dtype) -> tuple:
    """Per entry, the round-off bound of each of ``derivative_reference``'s derivatives evaluated
    op by op in ``dtype`` (``oracle.verify.round_off``)."""
    made_of = executables.recipe(oracle)
    recipe = None if made_of is None else ("derivatives", made_of, order)
    return tuple(round_off(_derivatives(oracle, order), (x,), dtype, recipe=recipe)[1])


def verify_derivatives(
    function: Callable,
    oracle: Callable,
    x: np.ndarray,
    order: int,
    *,
    name: str | None = None,
    tolerance: Tolerance | Mapping | None = None,
) -> Verification:
    """Check the 1st to ``order``-th derivatives of an elementwise Function at ``x``.

    The n-th derivative is ``x.grad`` after ``gx.backward(create_graph=True)`` on the
    (n-1)-th (``x.cleargrad()`` in between; the seed is ones, which for an elementwise
    Function gives each entry its own derivative), against nested ``jax.grad`` of the oracle.
    """
    name = str(name or getattr(function, "__name__", "function"))
    x = _frozen(np.asarray(x))
    tol = tolerance if isinstance(tolerance, Tolerance) else tolerance_for(x.dtype, tolerance)
    report = _Report(name, x.dtype, tol, computed=computes_bound(x.dtype, tolerance))
    expected = derivative_reference(oracle, x, order)
    report.bounds = lambda: {f"d{n + 1}": d for n, d in enumerate(derivative_bounds(oracle, x, order, x.dtype))}
    variable = Variable(x)
    try:
        y = function(variable)
        y.backward(create_graph=True)
        for n in range(1, order + 1):
            if n > 1:
                gx = variable.grad
                variable.cleargrad()
                if gx is not None:  # None: the previous derivative was constant, this one is 0
                    gx.backward(create_graph=True)
            report.check(f"d{n}", _data(variable.grad, x), expected[n - 1], dtype=x.dtype)
    except Exception as error:  # noqa: BLE001 - a crash is a failure of this Function
        report.fail(type(error).__name__, f"raised {type(error).__name__}: {error}")
        raise VerificationError("\n".join(report.failures), report.comparisons, report.quantities) from error
    return report.result()
