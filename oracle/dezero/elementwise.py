"""Oracles of the smooth elementwise Functions: ``sin cos tanh exp log``."""

import jax.numpy as jnp

from oracle.layers.activations import tanh

__all__ = ["cos", "exp", "log", "sin", "tanh"]


def sin(x):
    return jnp.sin(x)


def cos(x):
    return jnp.cos(x)


def exp(x):
    return jnp.exp(x)


def log(x):
    """``log(x)`` for ``x > 0``."""
    return jnp.log(x)
