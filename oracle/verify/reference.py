"""The trusted gradient: ``jax.vjp`` of an oracle function, jitted once, computed in float64.

Every input is converted to float64 (float32 values are exact in float64) and the VJP runs
under a scoped ``jax.enable_x64`` so the caller's global JAX configuration is untouched.
Jitted VJPs are cached per (function, which arguments are differentiated), so each input
shape compiles once per process. Both dtypes of a row share it (float32 arguments arrive as
float64), and a function bound with traced hyperparameters (``binding.bind``) compiles its
template once for every value of them.
"""

from __future__ import annotations

import functools
import os

import jax
import numpy as np

from oracle.verify import executables
from oracle.verify.binding import template_call

__all__ = [
    "compile_count",
    "enable_compilation_cache",
    "jax_cache_directory",
    "reference_vjp",
    "rounded_reference_vjp",
    "vjp_of_differentiable",
]

_SIGNATURES: set = set()  # (function, differentiable, shapes and dtypes): one JAX compile each


def vjp_of_differentiable(function, differentiable: tuple):
    """``run(args, cotangent) -> (primal, gradients)``: ``jax.vjp`` of ``function`` with respect
    to the arguments flagged in ``differentiable`` only (the others, labels, pass through).

    Not jitted: ``reference_vjp`` jits it once per function; ``manual-bp compare`` also times it
    eagerly. Call it under ``jax.enable_x64(True)`` for float64.
    """

    def run(args, cotangent):
        def of_differentiable(*diff_args):
            supplied = iter(diff_args)
            return function(*(next(supplied) if d else a for a, d in zip(args, differentiable)))

        primal, pullback = jax.vjp(of_differentiable, *(a for a, d in zip(args, differentiable) if d))
        return primal, pullback(cotangent)

    return run


# XLA's CPU backend at optimisation level 0: the VJPs are small and each runs a few hundred times
# per process, so compiling is most of their cost. Measured on the 2-core machine (CPU seconds, one
# run): TimeGRU 0.76 -> 0.48 s, Convolution 0.43 -> 0.16 s, Affine 55 -> 29 ms per compile, while
# a call costs the same (14-38 us) or up to 36 us more (Convolution). The results differ from the
# optimised build's by a few float64 ulps (reassociation), far below every tolerance. Passed per
# jitted function: the caller's own JAX configuration is untouched.
COMPILER_OPTIONS = {"xla_backend_optimization_level": 0}


@functools.cache
def _jitted_vjp(function, differentiable: tuple):
    recipe = executables.recipe(function)
    return executables.jit(
        vjp_of_differentiable(function, differentiable),
        recipe=None if recipe is None else ("vjp", recipe, differentiable),
        compiler_options=COMPILER_OPTIONS,
    )


def enable_compilation_cache(directory: str | None = None) -> str | None:
    """Keep JAX's compiled VJPs on disk between runs (JAX's persistent compilation cache).

    ``directory`` (default: ``$MANUAL_BP_JAX_CACHE``, else ``~/.cache/manual-bp/jax``; an
    empty ``MANUAL_BP_JAX_CACHE`` turns the cache off). Left alone if the caller already
    configured one. Returns the directory in use, or None. ``manual-bp verify`` calls it; a
    second run then loads most compiled VJPs instead of compiling them.
    """
    configured = jax.config.jax_compilation_cache_dir  # type: ignore[attr-defined]  # a flag, not in the stub
    if configured:
        return configured
    if directory is None:
        default = os.path.join(os.path.expanduser("~"), ".cache", "manual-bp", "jax")
        directory = os.environ.get("MANUAL_BP_JAX_CACHE", default)
    if not directory:
        return None
    executables.enable(directory)  # traced and lowered once too, not in every process
    jax.config.update("jax_compilation_cache_dir", directory)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return directory


def jax_cache_directory() -> str | None:
    """The persistent compilation cache's directory in use, or None (``enable_compilation_cache``)."""
    return jax.config.jax_compilation_cache_dir or None  # type: ignore[attr-defined]  # a flag, not in the stub


def compile_count() -> int:
    """How many distinct (function, differentiated arguments, shapes, dtypes) ``reference_vjp``
    has seen in this process: the number of JAX compiles it has triggered (a persistent
    compilation cache can still make some of them cheap)."""
    return len(_SIGNATURES)


def _to_float64(value) -> np.ndarray:
    array = np.asarray(value)
    return array.astype(np.float64) if array.dtype.kind in "fb" else array


def reference_vjp(function, args, differentiable, cotangent):
    """Return ``(primal, gradients)`` of ``function(*args)`` in float64, as NumPy arrays.

    - ``args``: positional arguments (arrays or Python scalars), in the function's order.
    - ``differentiable``: one bool per argument; ``False`` ones (labels) are passed through.
    - ``cotangent``: the upstream gradient, shaped like the primal output (a tuple of them for
      a function with several outputs; the primal is then a tuple too).
    Returns one gradient per differentiable argument, in order.
    """
    differentiable = tuple(bool(d) for d in differentiable)
    args = tuple(_to_float64(a) for a in args)
    function, args, differentiable = template_call(function, args, differentiable)  # traced hyperparameters
    several = isinstance(cotangent, tuple)  # a function with several outputs: one cotangent each
    cotangent = tuple(_to_float64(c) for c in cotangent) if several else _to_float64(cotangent)
    shapes = tuple(c.shape for c in cotangent) if several else cotangent.shape
    _SIGNATURES.add((function, differentiable, tuple((a.shape, a.dtype.str) for a in args), shapes))
    with jax.enable_x64(True):
        primal, grads = _jitted_vjp(function, differentiable)(args, cotangent)
        primal = tuple(np.asarray(p) for p in primal) if several else np.asarray(primal)
        grads = tuple(np.asarray(g) for g in grads)
    for value in primal if several else (primal,):
        if value.dtype != np.float64:
            raise AssertionError(f"oracle {function.__name__} computed in {value.dtype}, not float64: is x64 off?")
    return primal, grads


def rounded_reference_vjp(function, args, differentiable, cotangent, dtype):
    """``reference_vjp`` computed in ``dtype`` (float32 or float16) instead of float64: every
    floating argument and the cotangent are cast to ``dtype`` and the oracle runs there.

    Returns ``(primal, gradients)`` as float64 arrays. Its difference from ``reference_vjp``
    is the round-off of one straightforward implementation in ``dtype`` on this very example,
    cancellation included: the verifier's estimate of what ``dtype`` cannot resolve here. Run op
    by op (slow, but only called on a low-precision mismatch), so nothing is fused.
    """
    dtype = np.dtype(dtype)
    differentiable = tuple(bool(d) for d in differentiable)

    def rounded(value):
        array = np.asarray(value)
        return array.astype(dtype) if array.dtype.kind == "f" else array

    args = tuple(rounded(a) for a in args)
    several = isinstance(cotangent, tuple)
    cotangent = tuple(rounded(c) for c in cotangent) if several else rounded(cotangent)
    # Op by op, not jitted: XLA fuses a jitted function (a * b + c as one fused multiply-add)
    # and rounds less often than NumPy does; one primitive at a time rounds like NumPy.
    with jax.enable_x64(True), jax.disable_jit():  # int64 labels stay int64; the floats stay in dtype
        primal, grads = vjp_of_differentiable(function, differentiable)(args, cotangent)
        primal = tuple(_to_float64(p) for p in primal) if several else _to_float64(primal)
        grads = tuple(_to_float64(g) for g in grads)
    return primal, grads
