"""Numerical differentiation by central differences: the book's gradient check, made safe.

Three functions, named after the automatic-differentiation products they approximate:

- ``numerical_gradient(f, x)``: the gradient of a scalar ``f`` (the book's function);
  ``2 * x.size`` evaluations of ``f``.
- ``numerical_vjp(f, x, u)``: ``J^T u`` for an array-valued ``f``, i.e. the gradient of
  ``<u, f(x)>``; ``2 * x.size`` evaluations.
- ``numerical_jvp(f, x, v)``: ``J v``, the directional derivative of an array-valued ``f``
  along ``v``; 2 evaluations, whatever the size of ``x``.

Each perturbs a private copy of ``x`` (``float64`` for integer input, otherwise ``x``'s own
float dtype), so the caller's array is never written, even if ``f`` raises. ``f`` must
compute from the array it receives: the book's ``lambda W: net.loss(x, t)``, which ignores
its argument and relies on ``x`` being perturbed in place, gives zeros here (see
``TwoLayerNet.numerical_gradient`` for the safe form).

Error of a central difference with step ``h``: truncation ``~ h^2 |f'''| / 6`` plus
rounding ``~ eps |f| / h`` (``eps`` 2.2e-16 in float64, 1.2e-7 in float32). With the
book's ``h = 1e-4`` that is about 1e-8 to 1e-12 relative in float64, and 1e-3 or worse in
float32: finite differences check float64 code only loosely and float32 code hardly at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from manual_bp._checks import as_float_array, shape_str

__all__ = ["numerical_gradient", "numerical_jvp", "numerical_vjp"]


def _check_callable(f) -> None:
    if not callable(f):
        raise TypeError(f"f must be a callable taking an array, got {type(f).__name__}")


def _check_step(h) -> float:
    if isinstance(h, bool) or not isinstance(h, (int, float, np.integer, np.floating)):
        raise TypeError(f"h must be a real number (the finite-difference step), got {type(h).__name__}")
    h = float(h)
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive finite number (the finite-difference step), got {h!r}")
    return h


def _working_copy(x) -> np.ndarray:
    """A private float copy of ``x``: integers become float64, floats keep their dtype."""
    return np.array(as_float_array("x", x), copy=True)


def _scalar(value, what: str) -> float:
    array = np.asarray(value)
    if array.shape != ():
        raise ValueError(f"f must return a scalar {what}, got an array of shape {shape_str(array.shape)}")
    if array.dtype.kind not in "iuf":
        raise TypeError(f"f must return a real number {what}, got dtype {array.dtype}")
    return float(array)


def numerical_gradient(f: Callable, x, *, h: float = 1e-4) -> np.ndarray:
    """Gradient of a scalar function ``f`` at ``x`` by central differences (the book's API).

    ``grad[i] = (f(x + h e_i) - f(x - h e_i)) / ((x_i + h) - (x_i - h))`` for every index
    ``i`` of ``x`` (any shape, including 0-d), where ``e_i`` is the unit array at ``i``. The
    denominator is the step actually taken after rounding ``x_i +- h`` to ``x``'s dtype: it
    is ``2h`` in exact arithmetic, and using it keeps float32 estimates unbiased.

    Cost: ``2 * x.size`` evaluations of ``f`` (80 000 for the book's 784 x 50 ``W1``).

    - ``f``: called with one array of ``x``'s shape, returns a real scalar.
    - ``x``: a real array (or nested list / scalar). Integer input is differentiated in
      float64. Never written: ``f`` receives a perturbed private copy.
    - ``h`` (keyword, default ``1e-4``, the book's): the step; positive and finite.

    Returns an array of ``x``'s shape and float dtype (float64 for integer ``x``).
    """
    _check_callable(f)
    h = _check_step(h)
    point = _working_copy(x)
    grad = np.zeros_like(point)
    flat_point, flat_grad = point.reshape(-1), grad.reshape(-1)  # views: point is contiguous
    for i in range(flat_point.size):
        original = flat_point[i]
        flat_point[i] = original + h
        above, upper = _scalar(f(point), "(the loss)"), float(flat_point[i])
        flat_point[i] = original - h
        below, lower = _scalar(f(point), "(the loss)"), float(flat_point[i])
        flat_point[i] = original
        if upper == lower:
            raise ValueError(
                f"h = {h:g} is too small to change x{_index(i, point.shape)} = {float(original):g} in {point.dtype}; "
                "use a larger h"
            )
        flat_grad[i] = (above - below) / (upper - lower)
    return grad


def _index(flat: int, shape: tuple) -> str:
    return str(list(int(i) for i in np.unravel_index(flat, shape))) if shape else ""


def numerical_vjp(f: Callable, x, u, *, h: float = 1e-4) -> np.ndarray:
    """``J(x)^T u`` for an array-valued ``f`` by central differences: the gradient of ``<u, f(x)>``.

    ``J`` is the Jacobian of ``f`` at ``x`` (``f(x)`` of any shape ``S``, ``x`` of shape
    ``X``); ``u`` is a cotangent of shape ``S`` (a scalar for a scalar ``f``). This is what
    a layer's ``backward(dout)`` returns, with ``u = dout``: entry ``i`` is
    ``sum_k u_k * (f_k(x + h e_i) - f_k(x - h e_i)) / 2h``.

    Cost: ``2 * x.size`` evaluations of ``f``. Arguments as in ``numerical_gradient``;
    ``u`` must have the shape of ``f(x)``. Returns an array of ``x``'s shape and float dtype.
    """
    _check_callable(f)
    cotangent = as_float_array("u", u)

    def projected(z):
        value = np.asarray(f(z))
        if value.shape != cotangent.shape:
            raise ValueError(
                f"u must have the shape of f(x), {shape_str(value.shape)}, got {shape_str(cotangent.shape)}"
            )
        return np.vdot(cotangent.astype(np.float64), value.astype(np.float64))

    return numerical_gradient(projected, x, h=h)


def numerical_jvp(f: Callable, x, v, *, h: float = 1e-4) -> np.ndarray:
    """``J(x) v``, the directional derivative of ``f`` at ``x`` along ``v``, by a central difference.

    ``J v = (f(x + h v) - f(x - h v)) / 2h``, an array of ``f(x)``'s shape, for ``v`` of
    ``x``'s shape. Cost: 2 evaluations of ``f``, whatever the size of ``x``.

    Checking a VJP with it (the dot-product test): a correct ``backward`` satisfies
    ``<u, J v> == <J^T u, v>`` for every cotangent ``u`` and direction ``v``. So with random
    ``u`` and ``v``, ``np.vdot(u, numerical_jvp(f, x, v))`` must match
    ``np.vdot(backward(u), v)`` to finite-difference accuracy; a few random directions
    check a whole Jacobian for a few evaluations each, where ``numerical_vjp`` needs
    ``2 * x.size``.

    - ``v``: the direction, an array of ``x``'s shape (scale it to about ``x``'s size).
    - ``f``, ``x``, ``h``: as in ``numerical_gradient``.
    Returns an array of ``f(x)``'s shape, float64 unless ``f`` returns float32 for float32 ``x``.
    """
    _check_callable(f)
    h = _check_step(h)
    point = _working_copy(x)
    direction = as_float_array("v", v)
    if direction.shape != point.shape:
        raise ValueError(f"v must have the shape of x, {shape_str(point.shape)}, got {shape_str(direction.shape)}")
    step = (h * direction).astype(point.dtype)
    above = np.asarray(f(point + step))
    below = np.asarray(f(point - step))
    if above.dtype.kind not in "iuf":
        raise TypeError(f"f must return a real array, got dtype {above.dtype}")
    return (above - below) / np.asarray(2 * h, dtype=np.result_type(above.dtype, np.float32))
