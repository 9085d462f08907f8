"""Oracle function for ``BatchNormalization``: training mode, and inference after training forwards."""

import jax.numpy as jnp

from oracle.layers.traced import traced_hyperparameters

__all__ = ["batch_normalization"]


def _shifted_centered(x, axes):
    """``x - mean(x)`` computed after shifting by the first value per feature, like the layer."""
    shifted = x - x[(slice(0, 1), slice(None)) + (slice(0, 1),) * (x.ndim - 2)]
    return shifted - jnp.mean(shifted, axis=axes, keepdims=True)


@traced_hyperparameters("eps", "momentum")
def batch_normalization(x, gamma, beta, *before, eps=1e-6, momentum=0.9, train_flg=True):
    """``gamma * (x - mu) / sqrt(var + eps) + beta``, a function of x, gamma, beta.

    ``x`` ``(N, D)``: statistics over axis 0, ``gamma``, ``beta`` ``(D,)``; ``x``
    ``(N, C, H, W)``: statistics over ``(0, 2, 3)``, per channel, ``gamma``, ``beta``
    ``(C,)``. ``var`` is biased (``/ M``).

    - ``train_flg=True``: ``mu``, ``var`` are the batch's. The mean is taken of ``x`` shifted
      by its first value per feature, like the layer: the same function (``x - mu`` does not
      depend on the shift, and ``jax.vjp`` differentiates through the shift too), but a
      constant feature gives exactly ``x - mu = 0`` in floating point as well.
    - ``train_flg=False``: ``mu``, ``var`` are the running statistics after training forwards
      on the batches ``before`` (data, not differentiated), starting from 0 and 1:
      ``running = momentum * running + (1 - momentum) * batch`` each time.
    """
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if train_flg:
        xc = _shifted_centered(x, axes)
        var = jnp.mean(xc * xc, axis=axes, keepdims=True)
    else:
        running_mean, running_var = jnp.zeros(gamma.shape), jnp.ones(gamma.shape)
        for batch in before:
            centered = _shifted_centered(batch, axes)
            running_mean = momentum * running_mean + (1 - momentum) * jnp.mean(batch, axis=axes)
            running_var = momentum * running_var + (1 - momentum) * jnp.mean(centered * centered, axis=axes)
        xc = x - jnp.reshape(running_mean, shape)
        var = jnp.reshape(running_var, shape)
    xn = xc / jnp.sqrt(var + eps)
    return jnp.reshape(gamma, shape) * xn + jnp.reshape(beta, shape)
