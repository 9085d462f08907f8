"""Oracles of the losses, each averaged over the batch ``N = len(x)`` as DeZero's are.

Labels and targets ``t`` are data (not differentiated). ``mean_squared_error`` divides by
``N``, not by the number of entries (DeZero's definition, unlike the first book's layer).
"""

import jax
import jax.numpy as jnp

from oracle.layers.losses import softmax_with_loss

__all__ = [
    "binary_cross_entropy",
    "mean_squared_error",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
]


def mean_squared_error(x0, x1):
    """``sum((x0 - x1) ** 2) / len(x0)``; both arguments are differentiated."""
    return jnp.sum((x0 - x1) ** 2) / x0.shape[0]


def softmax_cross_entropy(x, t):
    """``-sum_n log_softmax(x)[n, t_n] / N`` for scores ``(N, C)`` and class indices ``(N,)``."""
    return softmax_with_loss(x, t)


def sigmoid_cross_entropy(x, t):
    """``sum(softplus(x) - t * x) / N`` from the logits ``x``."""
    return jnp.sum(jax.nn.softplus(x) - t * x) / x.shape[0]


def binary_cross_entropy(p, t):
    """``-sum(t log p + (1 - t) log(1 - p)) / N`` for probabilities ``p`` in (0, 1)."""
    return -jnp.sum(t * jnp.log(p) + (1 - t) * jnp.log1p(-p)) / p.shape[0]
