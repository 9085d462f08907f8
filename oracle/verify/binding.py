"""Bind keyword-only hyperparameters to an oracle function, once, so its jitted VJP is reused.

The catalog calls ``function(*inputs, *params)``; a layer's hyperparameters (stride, pad,
axis, ...) are keyword-only arguments of its oracle function. ``bind`` fixes them and gives
the result a readable name. ``reference_vjp`` caches the jitted VJP per *function object*, so
bind at import (module level), never inside a test or per example: a new object per call
would recompile every call.

Hyperparameters the oracle declares with ``oracle.layers.traced.traced_hyperparameters``
(values only: ``alpha``, ``eps``, ``dropout_ratio``, ``ignore_label``) are not compiled in:
the bound function also carries a ``template`` (the function with the other hyperparameters
fixed, taking the traced ones as trailing positional arguments, one object for every value)
and the ``traced_values`` to pass it. ``reference_vjp`` compiles the template, so the number
of compiles of a row does not grow with the number of values drawn for such a hyperparameter.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

__all__ = ["bind", "template_call"]


def bind(function: Callable, **hyperparameters) -> Callable:
    """``function`` with ``hyperparameters`` fixed, named ``function[k=v, ...]``.

    ``bind(convolution, stride=2, pad=1)(x, W, b) == convolution(x, W, b, stride=2, pad=1)``.
    The same ``function`` and hyperparameters give the same object (cached), so a drawn
    configuration reuses its jitted VJP; hyperparameters must be hashable. Those the function
    declares traced also give the bound function ``template`` and ``traced_values`` (see the
    module docstring): ``bound(*args) == bound.template(*args, *bound.traced_values)``.
    """
    return _bind(function, tuple(sorted(hyperparameters.items())))


@functools.cache
def _bind(function: Callable, items: tuple) -> Callable:
    hyperparameters = dict(items)

    def bound(*args):
        return function(*args, **hyperparameters)

    settings = ", ".join(f"{key}={value!r}" for key, value in hyperparameters.items())
    bound.__name__ = bound.__qualname__ = f"{function.__name__}[{settings}]"
    bound.__doc__ = f"``{function.__name__}(*args, {settings})``.\n\n{function.__doc__ or ''}"
    bound.hyperparameters = dict(hyperparameters)  # type: ignore[attr-defined]
    bound.unbound = function  # type: ignore[attr-defined]
    bound.recipe_settings = ("bound", items)  # type: ignore[attr-defined]  # what it adds to function (executables.recipe)
    traceable: frozenset[str] = getattr(function, "traced_hyperparameters", frozenset())
    traced = tuple(key for key, _ in items if key in traceable)
    if traced:
        static = tuple((key, value) for key, value in items if key not in traceable)
        bound.template = _template(function, static, traced)  # type: ignore[attr-defined]
        bound.traced_values = tuple(_as_array(hyperparameters[key]) for key in traced)  # type: ignore[attr-defined]
    return bound


@functools.cache
def _template(function: Callable, static: tuple, traced: tuple) -> Callable:
    """``function`` with the ``static`` items fixed and the ``traced`` names taken as its last
    positional arguments: one object per (function, static items, traced names)."""
    fixed = dict(static)
    count = len(traced)

    def template(*args):
        data, values = args[: len(args) - count], args[len(args) - count :]
        return function(*data, **fixed, **dict(zip(traced, values)))

    settings = ", ".join([*(f"{key}={value!r}" for key, value in static), *(f"{key}=<traced>" for key in traced)])
    template.__name__ = template.__qualname__ = f"{function.__name__}[{settings}]"
    template.__doc__ = f"``{function.__name__}(*args, {settings})``, the traced values last in ``args``."
    template.unbound = function  # type: ignore[attr-defined]
    template.recipe_settings = ("template", static, traced)  # type: ignore[attr-defined]
    return template


def _as_array(value) -> np.ndarray:
    """A hyperparameter's value as a 0-d array: bool, int64 or float64 (its kind kept: an ignore
    label stays an integer, compared with integer labels)."""
    array = np.asarray(value)
    if array.dtype.kind != "b":
        array = array.astype(np.int64 if array.dtype.kind in "iu" else np.float64)
    array.flags.writeable = False  # shared by every call of the bound function
    return array


def template_call(function: Callable, args: tuple, differentiable: tuple) -> tuple[Callable, tuple, tuple]:
    """``(function to compile, its arguments, which are differentiated)`` for calling ``function``
    on ``args``: a bound function with traced hyperparameters becomes its template with the values
    appended (not differentiated); any other function is returned as it is."""
    template = getattr(function, "template", None)
    if template is None:
        return function, tuple(args), tuple(differentiable)
    values = function.traced_values  # type: ignore[attr-defined]
    return template, (*args, *values), (*differentiable, *(False for _ in values))
