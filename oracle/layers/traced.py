"""Mark the keyword hyperparameters an oracle function only computes with, so one compile serves every value.

A hyperparameter that only enters arithmetic (LeakyReLU's ``alpha``, batch norm's ``eps``, a
dropout ratio, an ignore label compared with the labels) can reach the jitted VJP as a traced
argument: ``oracle.verify.binding.bind`` then passes its value at call time, and every value of
it shares the one compiled VJP of (function, other hyperparameters, shapes). One that sets a
shape, an axis or a Python branch (``stride``, ``pad``, ``axis``, ``train_flg``) cannot, and
stays fixed at bind time (one compile per value).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["traced_hyperparameters"]

F = TypeVar("F", bound=Callable)


def traced_hyperparameters(*names: str) -> Callable[[F], F]:
    """Decorator: ``function.traced_hyperparameters = frozenset(names)``, the function unchanged.

    Declare only keyword arguments used as values: a traced one arrives as a 0-d JAX array
    (float64, int64 or bool), so ``if alpha:`` or ``jnp.zeros(n)`` on it raises when traced.
    An argument the function never reads (``stateful``, which only says where ``h`` came from)
    may be declared too: JAX drops it from the compiled function.
    """

    def mark(function: F) -> F:
        function.traced_hyperparameters = frozenset(names)  # type: ignore[attr-defined]
        return function

    return mark
