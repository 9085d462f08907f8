"""Oracle function for ``BatchNormalization`` in training mode."""

import jax.numpy as jnp

__all__ = ["batch_normalization"]


def batch_normalization(x, gamma, beta, *, eps=1e-6):
    """``gamma * (x - mu) / sqrt(var + eps) + beta`` with batch statistics, a function of x, gamma, beta.

    ``x`` ``(N, D)``: statistics over axis 0, ``gamma``, ``beta`` ``(D,)``; ``x``
    ``(N, C, H, W)``: statistics over ``(0, 2, 3)``, per channel, ``gamma``, ``beta``
    ``(C,)``. ``var`` is biased (``/ M``). The mean is taken of ``x`` shifted by its first
    value per feature, like the layer: the same function (``x - mu`` does not depend on the
    shift, and ``jax.vjp`` differentiates through the shift too), but a constant feature gives
    exactly ``x - mu = 0`` in floating point as well.
    """
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    shifted = x - x[(slice(0, 1), slice(None)) + (slice(0, 1),) * (x.ndim - 2)]
    xc = shifted - jnp.mean(shifted, axis=axes, keepdims=True)
    var = jnp.mean(xc * xc, axis=axes, keepdims=True)
    xn = xc / jnp.sqrt(var + eps)
    return jnp.reshape(gamma, shape) * xn + jnp.reshape(beta, shape)
