"""Oracle functions for ``Pooling`` (max) and ``AvgPooling``."""

import jax.numpy as jnp
from jax import lax

__all__ = ["avg_pooling", "pooling"]


def _window(pool_h, pool_w, stride, pad) -> dict:
    return dict(
        window_dimensions=(1, 1, pool_h, pool_w),
        window_strides=(1, 1, stride, stride),
        padding=((0, 0), (0, 0), (pad, pad), (pad, pad)),
    )


def pooling(x, *, pool_h, pool_w, stride=2, pad=0):
    """Max over each ``pool_h x pool_w`` window of NCHW ``x`` padded with ``-inf``.

    ``lax.reduce_window`` with ``lax.max`` and init ``-inf`` (padded cells never win). Its
    VJP routes each window's cotangent to the *first* maximum in row-major window order
    (``select_and_scatter_add`` with ``ge``): the tie convention of the layer.
    """
    # The init value is a Python scalar: a traced jnp.array would make JAX fall back to a
    # generic reduce_window, which has no reverse-mode rule.
    return lax.reduce_window(x, -jnp.inf, lax.max, **_window(pool_h, pool_w, stride, pad))


def avg_pooling(x, *, pool_h, pool_w, stride=2, pad=0):
    """Mean over each window's cells inside ``x``: window sum / count of real cells.

    Both by ``lax.reduce_window`` with ``lax.add`` and zero padding; the count is the same
    reduction of ``ones_like(x)``, a constant, so padded cells are not counted.
    """
    window = _window(pool_h, pool_w, stride, pad)
    total = lax.reduce_window(x, 0.0, lax.add, **window)
    count = lax.reduce_window(jnp.ones_like(x), 0.0, lax.add, **window)
    return total / count
