"""Oracle functions for ``ReLU`` and ``Sigmoid``."""

import jax
import jax.numpy as jnp

__all__ = ["relu", "sigmoid"]


def relu(x):
    """``max(x, 0)``. Kink convention: ``jnp.where(x > 0, ...)`` has gradient 0 at ``x == 0``,
    like the layer; ``jnp.maximum(x, 0.)`` would split it 0.5 / 0.5."""
    return jnp.where(x > 0, x, jnp.zeros_like(x))


def sigmoid(x):
    """``1 / (1 + exp(-x))`` as ``lax.logistic``, finite with a finite gradient for any finite ``x``."""
    return jax.nn.sigmoid(x)
