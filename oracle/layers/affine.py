"""Oracle function for ``Affine``."""

import jax.numpy as jnp

__all__ = ["affine"]


def affine(x, W, b):
    """``x.reshape(N, D) @ W + b``: every axis of ``x`` after the first is a feature axis."""
    return jnp.matmul(jnp.reshape(x, (x.shape[0], -1)), W) + b
