"""Oracles of ``sigmoid relu leaky_relu clip softmax log_softmax``, with the Functions' conventions.

Kinks: ``relu`` has gradient 0 at 0, ``leaky_relu`` the slope at 0, ``clip`` gradient 1 at both
bounds; ``softmax`` and ``log_softmax`` default to ``axis=1`` as DeZero's do.
"""

import jax
import jax.numpy as jnp
from jax.scipy.special import logsumexp

from oracle.layers.activations import relu, sigmoid

__all__ = ["clip", "leaky_relu", "log_softmax", "relu", "sigmoid", "softmax"]


def leaky_relu(x, *, slope=0.2):
    """``x if x > 0 else slope * x``; ``jnp.where(x > 0, ...)`` gives gradient ``slope`` at 0."""
    return jnp.where(x > 0, x, slope * x)


def clip(x, *, x_min, x_max):
    """``min(max(x, x_min), x_max)`` with gradient 1 on the closed interval ``[x_min, x_max]``
    (both bounds inside, as the Function) and 0 outside."""
    inside = (x >= x_min) & (x <= x_max)
    return jnp.where(inside, x, jax.lax.stop_gradient(jnp.clip(x, x_min, x_max)))


def softmax(x, *, axis=1):
    """``exp(x - logsumexp(x, axis))`` (plain ``jnp``, no hand-written derivative)."""
    return jnp.exp(x - logsumexp(x, axis=axis, keepdims=True))


def log_softmax(x, *, axis=1):
    """``x - logsumexp(x, axis)``."""
    return x - logsumexp(x, axis=axis, keepdims=True)
