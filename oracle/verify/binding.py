"""Bind keyword-only hyperparameters to an oracle function, once, so its jitted VJP is reused.

The catalog calls ``function(*inputs, *params)``; a layer's hyperparameters (stride, pad,
axis, ...) are keyword-only arguments of its oracle function. ``bind`` fixes them and gives
the result a readable name. ``reference_vjp`` caches the jitted VJP per *function object*, so
bind at import (module level), never inside a test or per example: a new object per call
would recompile every call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

__all__ = ["bind"]


def bind(function: Callable, **hyperparameters) -> Callable:
    """``function`` with ``hyperparameters`` fixed, named ``function[k=v, ...]``.

    ``bind(convolution, stride=2, pad=1)(x, W, b) == convolution(x, W, b, stride=2, pad=1)``.
    The same ``function`` and hyperparameters give the same object (cached), so a drawn
    configuration reuses its jitted VJP; hyperparameters must be hashable.
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
    return bound
