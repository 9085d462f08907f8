"""Oracle functions of the loss layers: ``softmax_with_loss``, ``mean_squared_error``, ``sigmoid_with_loss``."""

import jax
import jax.numpy as jnp
from jax.scipy.special import logsumexp

__all__ = ["mean_squared_error", "sigmoid_with_loss", "softmax_with_loss"]


def softmax_with_loss(x, t):
    """Mean cross-entropy of ``softmax(x)`` against ``t``, a scalar.

    ``log p = x - logsumexp(x)`` along the class axis. ``t``: integer class indices of shape
    ``x.shape[:-1]``, or dense (one-hot / probability) targets of ``x``'s shape. A 1-D ``x``
    is one sample (``N = 1``). ``t`` is data, not differentiated.
    """
    log_p = x - logsumexp(x, axis=-1, keepdims=True)
    if jnp.issubdtype(t.dtype, jnp.integer):
        picked = jnp.take_along_axis(log_p, t[..., None], axis=-1)
        total = -jnp.sum(picked)
    else:
        total = -jnp.sum(t * log_p)
    batch = x.shape[0] if x.ndim == 2 else 1
    return total / batch


def mean_squared_error(y, t):
    """``mean((y - t)**2)`` over all entries; ``t`` is data, not differentiated."""
    return jnp.mean((y - t) ** 2)


def sigmoid_with_loss(x, t):
    """``mean(softplus(x) - t * x)``: binary cross-entropy of ``sigmoid(x)`` from the logits ``x``.

    ``t`` (0/1 labels or probabilities, ``x``'s shape) is data, not differentiated.
    """
    return jnp.mean(jax.nn.softplus(x) - t * x)
