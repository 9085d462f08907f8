"""Oracles of ``sum average mean max min`` (``axis``: None, an int or a tuple; ``keepdims``).

Ties of ``max`` / ``min``: ``jnp.max`` splits the gradient equally among tied entries, the
convention the Functions chose.
"""

import jax.numpy as jnp

__all__ = ["average", "max", "mean", "min", "sum"]


def sum(x, *, axis=None, keepdims=False):
    return jnp.sum(x, axis=axis, keepdims=keepdims)


def average(x, *, axis=None, keepdims=False):
    return jnp.mean(x, axis=axis, keepdims=keepdims)


mean = average


def max(x, *, axis=None, keepdims=False):
    return jnp.max(x, axis=axis, keepdims=keepdims)


def min(x, *, axis=None, keepdims=False):
    return jnp.min(x, axis=axis, keepdims=keepdims)
