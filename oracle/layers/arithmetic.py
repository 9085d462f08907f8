"""Oracle functions for ``AddLayer`` and ``MulLayer``: pure JAX, differentiated by ``jax.vjp``."""

import jax.numpy as jnp

__all__ = ["add", "mul"]


def add(x, y):
    """``x + y`` with broadcasting; the VJP sums the cotangent over broadcast axes."""
    return jnp.add(x, y)


def mul(x, y):
    """``x * y`` with broadcasting."""
    return jnp.multiply(x, y)
