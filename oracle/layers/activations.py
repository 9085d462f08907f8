"""Oracle functions of the activation layers: ``relu``, ``sigmoid``, ``tanh``, ``leaky_relu``, ``softmax``."""

import jax
import jax.numpy as jnp
from jax.scipy.special import logsumexp

from oracle.layers.traced import traced_hyperparameters

__all__ = ["leaky_relu", "relu", "sigmoid", "softmax", "tanh"]


def relu(x):
    """``max(x, 0)``. Kink convention: ``jnp.where(x > 0, ...)`` has gradient 0 at ``x == 0``,
    like the layer; ``jnp.maximum(x, 0.)`` would split it 0.5 / 0.5."""
    return jnp.where(x > 0, x, jnp.zeros_like(x))


def sigmoid(x):
    """``1 / (1 + exp(-x))`` as ``lax.logistic``, finite with a finite gradient for any finite ``x``."""
    return jax.nn.sigmoid(x)


def tanh(x):
    """``jnp.tanh``."""
    return jnp.tanh(x)


@traced_hyperparameters("alpha")
def leaky_relu(x, *, alpha=0.01):
    """``x if x > 0 else alpha * x``. Kink convention: ``jnp.where(x > 0, ...)`` has gradient
    ``alpha`` at ``x == 0``, like the layer."""
    return jnp.where(x > 0, x, alpha * x)


def softmax(x, *, axis=-1):
    """``exp(x - logsumexp(x, axis))``: plain ``jnp`` operations (``jax.nn.softmax`` carries a
    hand-written ``custom_jvp``, which this project does not trust as a reference)."""
    return jnp.exp(x - logsumexp(x, axis=axis, keepdims=True))
