"""Oracles of ``matmul`` and ``linear``: ``x (N, D) @ W (D, H)`` (``+ b (H,)``)."""

import jax.numpy as jnp

from oracle.layers.affine import matmul

__all__ = ["linear", "matmul"]


def linear(x, W, b=None):
    y = jnp.matmul(x, W)
    return y if b is None else y + b
