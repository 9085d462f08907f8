"""A computed round-off bound: how far a low-precision evaluation of an oracle's VJP can be from
its float64 value, per entry, on this very example.

``round_off_vjp(function, args, differentiable, cotangent, dtype)`` evaluates the primal and the
VJP of ``function`` in float64 and, alongside every value ``v`` of the computation (every
primitive of its jaxpr, the backward pass included), a bound ``e(v)`` on the error that
computing it op by op in ``dtype`` would make (first-order running error analysis, Higham,
*Accuracy and Stability of Numerical Algorithms*, ch. 3). With ``u`` the unit round-off of
``dtype`` (``2**-24`` for float32):

- inputs: ``e = |x - fl(x)|``, zero for values that are exact in ``dtype`` (the layer's own
  float32 arrays), the rounding of a float64 constant or hyperparameter otherwise;
- ``a + b``: ``e(a) + e(b) + u|z|``; ``a * b``: ``|b| e(a) + |a| e(b) + e(a) e(b) + u|z|``;
  ``a / b``: ``(e(a) + |z| e(b)) / |b| + u|z|``;
- ``exp``, ``log``, ``tanh``, ``logistic``, ...: ``|f'(a)| e(a) + ULPS u|z|`` (a library
  function is not correctly rounded: ``ULPS`` ulps);
- a product or reduction with ``n`` terms (``dot_general``, ``reduce_sum``, convolutions, window
  sums, scatter-adds): the terms' errors propagated through ``|A| @ e(B) + e(A) @ |B|``, plus
  ``(1 + ceil(log2 n)) u |A| @ |B|``: a bound by the size of the terms, not of the result, so a
  sum that cancels gets a bound as large as its terms (pairwise summation's bound; OpenBLAS
  float32 stayed below ``3.4 u |A||B|`` for inner sizes 16 to 4096);
- every result may also underflow: ``+ tiny``, the smallest normal number of ``dtype`` (XLA on
  CPU flushes subnormal results to zero);
- moving, selecting or padding values (reshape, transpose, slice, gather, select, max, ...):
  the same operation applied to the errors, no rounding; ``max``, ``min``: ``max(e(a), e(b))``;
- ``scan``, ``jit``, ``custom_jvp_call``: the inner jaxpr, interpreted the same way (a time
  loop's error is carried through its steps, so amplification through time is measured).

Kinks are not modelled: where a comparison (``x > 0``, the max of a window) would decide
differently in ``dtype`` the bound says nothing; ties and kinks are the verifier's business.
A primitive without a rule gets ``|jvp(f, errors)| + ULPS u |z|``. The bound is computed by
one jitted function per (function, differentiated arguments, dtype), compiled once per shape.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.extend.core import ClosedJaxpr, Jaxpr, Literal

from oracle.verify import executables
from oracle.verify.binding import template_call
from oracle.verify.reference import COMPILER_OPTIONS, _to_float64, vjp_of_differentiable

__all__ = ["ULPS", "input_errors", "round_off", "round_off_vjp", "summation_factor"]

# numpy's float32 exp, log, tanh (SIMD) and XLA's are within a few ulps; 4 covers them.
ULPS = 4.0


def summation_factor(n):
    """``1 + ceil(log2 n)``: the rounding steps of one product plus a pairwise sum of ``n`` terms."""
    return 1.0 + jnp.ceil(jnp.log2(jnp.maximum(n, 1.0)))


def _is_float(aval) -> bool:
    return jnp.issubdtype(aval.dtype, jnp.floating)


def _zero(value):
    return jnp.zeros(jnp.shape(value), jnp.float64)


# -- rules: (values, errors, outputs, params, u) -> output errors -----------------------------


def _sum_rule(vals, errs, outs, params, u):
    (z,) = outs
    return [errs[0] + errs[1] + u * jnp.abs(z)]


def _mul_rule(vals, errs, outs, params, u):
    (a, b), (ea, eb), (z,) = vals, errs, outs
    return [jnp.abs(b) * ea + jnp.abs(a) * eb + ea * eb + u * jnp.abs(z)]


def _div_rule(vals, errs, outs, params, u):
    (_, b), (ea, eb), (z,) = vals, errs, outs
    return [(ea + jnp.abs(z) * eb) / jnp.abs(b) + u * jnp.abs(z)]


def _passes(vals, errs, outs, params, u):
    return [errs[0]]


def _exact_zero(vals, errs, outs, params, u):
    return [_zero(z) for z in outs]


def _max_rule(vals, errs, outs, params, u):
    return [jnp.maximum(errs[0], errs[1])]


def _unary(derivative: Callable, ulps: float = ULPS):
    """``|f'(a)| e(a) + ulps u |z|`` for an elementwise ``z = f(a)``; ``derivative(a, z)``."""

    def rule(vals, errs, outs, params, u):
        (a,), (ea,), (z,) = vals, errs, outs
        return [jnp.abs(derivative(a, z)) * ea + ulps * u * jnp.abs(z)]

    return rule


def _integer_pow_rule(vals, errs, outs, params, u):
    (a,), (ea,), (z,) = vals, errs, outs
    n = params["y"]
    return [abs(n) * jnp.abs(a) ** (n - 1) * ea + max(1, abs(n)) * u * jnp.abs(z)]


def _pow_rule(vals, errs, outs, params, u):
    (a, b), (ea, eb), (z,) = vals, errs, outs
    da = jnp.abs(b * a ** (b - 1))
    db = jnp.abs(z * jnp.log(jnp.abs(a)))
    return [da * ea + jnp.where(eb > 0, db * eb, 0.0) + ULPS * u * jnp.abs(z)]


def _bilinear(primitive):
    """A product of two operands with sums inside (``dot_general``, a convolution): the terms'
    errors through ``|A| e(B) + e(A) |B|`` plus ``summation_factor(n) u |A||B|``, ``n`` the number of
    terms of each output (the same product of ones: padding adds none)."""

    def rule(vals, errs, outs, params, u):
        (a, b), (ea, eb) = vals, errs
        apply = functools.partial(primitive.bind, **params)
        size = apply(jnp.abs(a), jnp.abs(b))
        n = apply(jnp.ones_like(a), jnp.ones_like(b))
        return [apply(jnp.abs(a), eb) + apply(ea, jnp.abs(b)) + apply(ea, eb) + summation_factor(n) * u * size]

    return rule


def _reduce_sum_rule(vals, errs, outs, params, u):
    (a,), (ea,) = vals, errs
    n = math.prod(a.shape[i] for i in params["axes"])
    return [lax.reduce_sum_p.bind(ea, **params) + summation_factor(n) * u * lax.reduce_sum_p.bind(jnp.abs(a), **params)]


def _windowed_sum(primitive):
    """A sum over windows or scattered positions: the errors summed the same way, plus
    ``summation_factor(n) u`` times the same sum of ``|terms|``, ``n`` counted per output."""

    def rule(vals, errs, outs, params, u):
        (a,), (ea,) = vals, errs
        apply = functools.partial(primitive.bind, **params)
        n = apply(jnp.ones_like(a))
        return [apply(ea) + summation_factor(n) * u * apply(jnp.abs(a))]

    return rule


def _scatter_add_rule(vals, errs, outs, params, u):
    (operand, indices, updates), (e_op, _, e_up) = vals, errs
    apply = functools.partial(lax.scatter_add_p.bind, **params)
    n = apply(jnp.ones_like(operand), indices, jnp.ones_like(updates))
    return [apply(e_op, indices, e_up) + summation_factor(n) * u * apply(jnp.abs(operand), indices, jnp.abs(updates))]


def _select_and_scatter_add_rule(vals, errs, outs, params, u):
    (source, operand), (e_source, _) = vals, errs
    apply = functools.partial(lax.select_and_scatter_add_p.bind, **params)
    n = apply(jnp.ones_like(source), operand)
    return [apply(e_source, operand) + summation_factor(n) * u * apply(jnp.abs(source), operand)]


def _window_max_rule(vals, errs, outs, params, u):
    return [jnp.maximum(lax.reduce_window_max_p.bind(errs[0], **params), 0.0)]


def _reduce_max_rule(primitive):
    def rule(vals, errs, outs, params, u):
        return [primitive.bind(errs[0], **{k: v for k, v in params.items() if k != "out_sharding"})]

    return rule


RULES: dict[str, Callable] = {
    "add": _sum_rule,
    "add_any": _sum_rule,
    "sub": _sum_rule,
    "mul": _mul_rule,
    "div": _div_rule,
    "neg": _passes,
    "abs": _passes,
    "stop_gradient": _passes,
    "copy": _passes,
    "copy_p": _passes,
    "clamp": lambda vals, errs, outs, params, u: [errs[1]],
    "max": _max_rule,
    "min": _max_rule,
    "sign": _exact_zero,
    "floor": _exact_zero,
    "ceil": _exact_zero,
    "round": _exact_zero,
    "exp": _unary(lambda a, z: z),
    "exp2": _unary(lambda a, z: z * math.log(2.0)),
    "expm1": _unary(lambda a, z: z + 1.0),
    "log": _unary(lambda a, z: 1.0 / a),
    "log1p": _unary(lambda a, z: 1.0 / (1.0 + a)),
    "tanh": _unary(lambda a, z: 1.0 - z * z),
    "logistic": _unary(lambda a, z: z * (1.0 - z)),
    "sqrt": _unary(lambda a, z: 0.5 / z, ulps=1.0),
    "rsqrt": _unary(lambda a, z: 0.5 * z / a),
    "square": _unary(lambda a, z: 2.0 * a, ulps=1.0),
    "erf": _unary(lambda a, z: 2.0 / math.sqrt(math.pi) * jnp.exp(-a * a)),
    "sin": _unary(lambda a, z: jnp.cos(a)),
    "cos": _unary(lambda a, z: jnp.sin(a)),
    "integer_pow": _integer_pow_rule,
    "pow": _pow_rule,
    "dot_general": _bilinear(lax.dot_general_p),
    "conv_general_dilated": _bilinear(lax.conv_general_dilated_p),
    "reduce_sum": _reduce_sum_rule,
    "reduce_max": _reduce_max_rule(lax.reduce_max_p),
    "reduce_min": _reduce_max_rule(lax.reduce_max_p),
    "reduce_window_sum": _windowed_sum(lax.reduce_window_sum_p),
    "reduce_window_max": _window_max_rule,
    "scatter-add": _scatter_add_rule,
    "select_and_scatter_add": _select_and_scatter_add_rule,
}

# Operations that only move, select, pad or concatenate values: applied to the errors (integer
# operands, indices and predicates, keep their values).
STRUCTURAL = {
    "broadcast_in_dim",
    "reshape",
    "transpose",
    "squeeze",
    "expand_dims",
    "rev",
    "slice",
    "dynamic_slice",
    "dynamic_update_slice",
    "concatenate",
    "split",
    "pad",
    "gather",
    "select_n",
    "reduce_precision",
}


# Primitives whose result is exact given their operands (or an inner jaxpr's, interpreted op by op):
# their errors come from the operands' alone, so they need no rounding or underflow term.
EXACT = STRUCTURAL | {
    "neg",
    "abs",
    "max",
    "min",
    "clamp",
    "stop_gradient",
    "copy",
    "copy_p",
    "sign",
    "floor",
    "ceil",
    "round",
    "reduce_max",
    "reduce_min",
    "reduce_window_max",
    "jit",
    "pjit",
    "closed_call",
    "core_call",
    "remat",
    "checkpoint",
    "custom_jvp_call",
    "custom_vjp_call",
    "custom_vjp_call_jaxpr",
    "scan",
    "cond",
}


# -- the interpreter ----------------------------------------------------------------------------


def _input_error(value, dtype: np.dtype):
    """``|x - fl(x)|``: the rounding of a float64 value to ``dtype`` (0 where it is exact)."""
    value = jnp.asarray(value)
    if not jnp.issubdtype(value.dtype, jnp.floating):
        return _zero(value)
    rounded = value.astype(dtype).astype(value.dtype)
    return jnp.where(rounded == value, 0.0, jnp.abs(value - rounded)).astype(jnp.float64)  # -inf is exact


def _interpret(jaxpr: Jaxpr, consts: Sequence, values: Sequence, errors: Sequence, dtype: np.dtype):
    """Evaluate ``jaxpr`` on ``values`` with their ``errors``; return both for its outputs."""
    u, tiny = float(np.finfo(dtype).eps) / 2, float(np.finfo(dtype).tiny)
    env: dict = {}

    def read(var):
        if isinstance(var, Literal):
            return var.val, _input_error(var.val, dtype)
        return env[var]

    for var, const in zip(jaxpr.constvars, consts):
        env[var] = (const, _input_error(const, dtype))
    for var, value, error in zip(jaxpr.invars, values, errors):
        env[var] = (value, error)
    for eqn in jaxpr.eqns:
        pairs = [read(v) for v in eqn.invars]
        vals, errs = [p[0] for p in pairs], [p[1] for p in pairs]
        outs, out_errs = _equation(eqn, vals, errs, dtype, u)
        rounds = eqn.primitive.name not in EXACT  # moves, selections, inner jaxprs: already sanitised
        for var, out, err in zip(eqn.outvars, outs, out_errs):
            if not _is_float(var.aval):
                err = _zero(out)
            elif rounds:
                # an infinite value (a masked score, -inf) is as infinite in dtype: no error to carry on;
                # a finite one may also underflow (XLA on CPU flushes subnormals to zero): + tiny
                err = jnp.where(jnp.isfinite(out), err + tiny, 0.0)
            env[var] = (out, err)
    results = [read(v) for v in jaxpr.outvars]
    return [r[0] for r in results], [r[1] for r in results]


def _closed(closed: ClosedJaxpr, vals, errs, dtype):
    return _interpret(closed.jaxpr, closed.consts, vals, errs, dtype)


def _equation(eqn, vals, errs, dtype, u):
    name, params = eqn.primitive.name, eqn.params
    if name in ("jit", "pjit", "closed_call", "core_call", "remat", "checkpoint"):
        return _closed(params["jaxpr"] if "jaxpr" in params else params["call_jaxpr"], vals, errs, dtype)
    if name in ("custom_jvp_call", "custom_vjp_call", "custom_vjp_call_jaxpr"):
        closed = params.get("call_jaxpr") or params.get("fun_jaxpr")
        return _closed(closed, vals, errs, dtype)
    if name == "scan":
        return _scan(params, vals, errs, dtype)
    if name == "cond":
        return _cond(params, vals, errs, dtype)
    outs = eqn.primitive.bind(*vals, **params)
    outs = list(outs) if eqn.primitive.multiple_results else [outs]
    if name in RULES:
        return outs, RULES[name](vals, errs, outs, params, u)
    if name in STRUCTURAL:
        moved = [e if _is_float(v.aval) else x for v, x, e in zip(eqn.invars, vals, errs)]
        out_errs = eqn.primitive.bind(*moved, **params)
        return outs, list(out_errs) if eqn.primitive.multiple_results else [out_errs]
    if not any(_is_float(v.aval) for v in eqn.outvars):
        return outs, [_zero(o) for o in outs]  # comparisons, integer arithmetic, argmax: exact
    return outs, _linearised(eqn, vals, errs, outs, u)


def _linearised(eqn, vals, errs, outs, u):
    """A primitive without a rule: its derivative along the errors, plus ``ULPS`` ulps."""
    floats = [i for i, v in enumerate(eqn.invars) if _is_float(v.aval)]

    def of_floats(*xs):
        args = list(vals)
        for i, x in zip(floats, xs):
            args[i] = x
        return eqn.primitive.bind(*args, **eqn.params)

    _, tangent = jax.jvp(of_floats, [vals[i] for i in floats], [errs[i].astype(vals[i].dtype) for i in floats])
    tangents = tangent if eqn.primitive.multiple_results else [tangent]
    return [jnp.abs(t) + ULPS * u * jnp.abs(o) for t, o in zip(tangents, outs)]


def _scan(params, vals, errs, dtype):
    """``lax.scan`` of the interpreted body: values and errors are carried through the steps."""
    body, n_consts, n_carry = params["jaxpr"], params["num_consts"], params["num_carry"]
    consts = (vals[:n_consts], errs[:n_consts])
    carry = (vals[n_consts : n_consts + n_carry], errs[n_consts : n_consts + n_carry])
    xs = (vals[n_consts + n_carry :], errs[n_consts + n_carry :])

    def step(carry, x):
        outs, out_errs = _closed(body, [*consts[0], *carry[0], *x[0]], [*consts[1], *carry[1], *x[1]], dtype)
        return (outs[:n_carry], out_errs[:n_carry]), (outs[n_carry:], out_errs[n_carry:])

    (carry_vals, carry_errs), (ys, y_errs) = lax.scan(
        step, carry, xs, length=params["length"], reverse=params["reverse"], unroll=params.get("unroll", 1)
    )
    return [*carry_vals, *ys], [*carry_errs, *y_errs]


def _cond(params, vals, errs, dtype):
    """``lax.switch`` over the interpreted branches (the branch taken in float64 is assumed)."""
    index, operands, operand_errs = vals[0], vals[1:], errs[1:]
    branches = [functools.partial(_closed, b, dtype=dtype) for b in params["branches"]]
    outs, out_errs = lax.switch(index, [lambda v, e, b=b: tuple(b(v, e)) for b in branches], operands, operand_errs)
    return list(outs), list(out_errs)


# -- the public functions -----------------------------------------------------------------------


@functools.cache
def _bounded(run: Callable, dtype: np.dtype, recipe: tuple | None = None):
    """``jit`` of ``(args, arg_errors) -> (values, errors)`` for ``run(*args)`` interpreted in ``dtype``;
    kept on disk with the reference functions (``executables``) where ``recipe`` says what ``run`` is."""

    def bounded(args, arg_errors):
        closed, shapes = jax.make_jaxpr(run, return_shape=True)(*args)
        outs, out_errs = _closed(closed, jax.tree_util.tree_leaves(args), jax.tree_util.tree_leaves(arg_errors), dtype)
        tree = jax.tree_util.tree_structure(shapes)
        return jax.tree_util.tree_unflatten(tree, outs), jax.tree_util.tree_unflatten(tree, out_errs)

    stored = None if recipe is None else ("round off", recipe, np.dtype(dtype).str)
    return executables.jit(bounded, recipe=stored, compiler_options=COMPILER_OPTIONS)


def input_errors(args, dtype):
    """``|x - fl(x)|`` for every leaf of ``args``: the error an input has before any operation."""
    with jax.enable_x64(True):
        return jax.tree_util.tree_map(lambda a: np.asarray(_input_error(a, np.dtype(dtype))), args)


def round_off(run: Callable, args: tuple, dtype, arg_errors=None, *, recipe: tuple | None = None):
    """``(values, bounds)`` of ``run(*args)``: its float64 values and, leaf by leaf, the bound on the
    error of evaluating it op by op in ``dtype`` from inputs with errors ``arg_errors`` (default
    ``input_errors(args, dtype)``). ``run`` must be the same object call after call (one compile
    per shape): cache the closure that builds it. ``recipe`` (``executables.recipe`` of the oracle
    ``run`` is made from, and how): the compiled interpretation is kept on disk like the reference
    functions. NumPy float64 arrays in ``run``'s output tree."""
    dtype = np.dtype(dtype)
    args = jax.tree_util.tree_map(_to_float64, args)
    arg_errors = input_errors(args, dtype) if arg_errors is None else arg_errors
    with jax.enable_x64(True):
        values, errors = _bounded(run, dtype, recipe)(args, arg_errors)
        return jax.tree_util.tree_map(np.asarray, values), jax.tree_util.tree_map(np.asarray, errors)


@functools.cache
def _vjp_run(function, differentiable: tuple):
    return vjp_of_differentiable(function, differentiable)


def round_off_vjp(function, args, differentiable, cotangent, dtype, arg_errors=None):
    """``(primal, gradients, primal_bound, gradient_bounds)``: ``reference_vjp``'s float64 values
    and, for each, the per-entry bound on the error of computing it op by op in ``dtype``.

    ``arg_errors`` (default: each argument's own rounding to ``dtype``), one per argument, ``None``
    for the default: a state carried from an earlier call arrives with the error that call's bound
    gave it. Tuples where ``function`` has several outputs.
    """
    dtype = np.dtype(dtype)
    differentiable = tuple(bool(d) for d in differentiable)
    args = tuple(_to_float64(a) for a in args)
    function, args, differentiable = template_call(function, args, differentiable)
    several = isinstance(cotangent, tuple)
    cotangent = tuple(_to_float64(c) for c in cotangent) if several else _to_float64(cotangent)
    own = input_errors(args, dtype)
    if arg_errors is not None:
        given = tuple(o if g is None else np.maximum(o, g) for o, g in zip(own, arg_errors))
        own = given + own[len(given) :]  # traced hyperparameters come after the arguments
    made_of = executables.recipe(function)
    (primal, grads), (primal_err, grads_err) = round_off(
        _vjp_run(function, differentiable),
        (args, cotangent),
        dtype,
        (own, input_errors(cotangent, dtype)),
        recipe=None if made_of is None else ("vjp", made_of, differentiable),
    )
    return primal, tuple(grads), primal_err, tuple(grads_err)
