"""Oracle functions for ``Affine`` and ``MatMul``."""

import jax.numpy as jnp

__all__ = ["affine", "matmul"]


def affine(x, W, b):
    """``x.reshape(N, D) @ W + b``: every axis of ``x`` after the first is a feature axis."""
    return jnp.matmul(jnp.reshape(x, (x.shape[0], -1)), W) + b


def matmul(x, W):
    """``x @ W`` over the last axis of ``x`` (the sequel's ``MatMul``, no bias)."""
    return jnp.matmul(x, W)
