"""Oracle of ``batch_norm``: the first book's batch-normalization oracle in training, running statistics in inference.

``mean`` and ``var`` (the running statistics, ``(D,)`` or ``(C,)``) are data: not differentiated,
and unused in training, where the batch's statistics are (per feature of ``(N, D)``, per channel
of ``(N, C, H, W)``, biased variance). ``eps`` must be the Function's (DeZero's default 2e-5).
"""

import jax.numpy as jnp

from oracle.layers.normalization import batch_normalization

__all__ = ["batch_norm"]


def batch_norm(x, gamma, beta, mean, var, *, eps=2e-5, train=True):
    if train:
        return batch_normalization(x, gamma, beta, eps=eps, train_flg=True)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    xn = (x - jnp.reshape(mean, shape)) / jnp.sqrt(jnp.reshape(var, shape) + eps)
    return jnp.reshape(gamma, shape) * xn + jnp.reshape(beta, shape)
