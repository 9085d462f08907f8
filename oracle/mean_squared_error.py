"""Oracle function for ``MeanSquaredError``."""

import jax.numpy as jnp

__all__ = ["mean_squared_error"]


def mean_squared_error(y, t):
    """``mean((y - t)**2)`` over all entries; ``t`` is data, not differentiated."""
    return jnp.mean((y - t) ** 2)
