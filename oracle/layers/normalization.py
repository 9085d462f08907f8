"""Oracle functions for ``BatchNormalization``: training mode, inference after training forwards, and the
running statistics one call leaves for the next."""

import jax.numpy as jnp

from oracle.layers.traced import traced_hyperparameters

__all__ = ["batch_normalization", "batch_normalization_running", "batch_normalization_statistics"]


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


def _batch_statistics(x, axes):
    """``(mean, biased variance)`` of ``x`` per feature, the variance of ``x`` shifted as the layer does."""
    centered = _shifted_centered(x, axes)
    return jnp.mean(x, axis=axes), jnp.mean(centered * centered, axis=axes)


@traced_hyperparameters("eps", "momentum")
def batch_normalization_running(
    x, gamma, beta, running_mean=None, running_var=None, *, eps=1e-6, momentum=0.9, train_flg=True
):
    """``batch_normalization`` of one call that starts from the running statistics ``running_mean``,
    ``running_var`` (``(D,)`` or ``(C,)``, data; default 0 and 1, a new layer's).

    ``train_flg=True``: the batch's statistics (the running ones are not read); ``False``: the
    running ones. The statistics the call leaves are ``batch_normalization_statistics``.
    """
    if train_flg:
        return batch_normalization(x, gamma, beta, eps=eps, train_flg=True)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mean = jnp.zeros(gamma.shape) if running_mean is None else running_mean
    var = jnp.ones(gamma.shape) if running_var is None else running_var
    xn = (x - jnp.reshape(mean, shape)) / jnp.sqrt(jnp.reshape(var, shape) + eps)
    return jnp.reshape(gamma, shape) * xn + jnp.reshape(beta, shape)


@traced_hyperparameters("eps", "momentum")
def batch_normalization_statistics(
    out, x, gamma, beta, running_mean, running_var, *, eps=1e-6, momentum=0.9, train_flg=True
):
    """``(running_mean, running_var)`` after one call (``out``, its output, is not needed): a training call moves them,
    ``running = momentum * running + (1 - momentum) * batch``; an inference call leaves them."""
    if not train_flg:
        return running_mean, running_var
    mean, var = _batch_statistics(x, (0,) if x.ndim == 2 else (0, 2, 3))
    return momentum * running_mean + (1 - momentum) * mean, momentum * running_var + (1 - momentum) * var
