"""Oracle functions for ``Tanh``, ``LeakyReLU`` and ``Softmax``."""

import jax.numpy as jnp
from jax.scipy.special import logsumexp

__all__ = ["leaky_relu", "softmax", "tanh"]


def tanh(x):
    """``jnp.tanh``."""
    return jnp.tanh(x)


def leaky_relu(x, *, alpha=0.01):
    """``x if x > 0 else alpha * x``. Kink convention: ``jnp.where(x > 0, ...)`` has gradient
    ``alpha`` at ``x == 0``, like the layer."""
    return jnp.where(x > 0, x, alpha * x)


def softmax(x, *, axis=-1):
    """``exp(x - logsumexp(x, axis))``: plain ``jnp`` operations (``jax.nn.softmax`` carries a
    hand-written ``custom_jvp``, which this project does not trust as a reference)."""
    return jnp.exp(x - logsumexp(x, axis=axis, keepdims=True))
