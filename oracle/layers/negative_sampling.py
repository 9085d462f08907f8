"""Oracle function for ``NegativeSamplingLoss``, with the sampled negatives as data."""

import jax
import jax.numpy as jnp
import numpy as np

from manual_bp.layers.negative_sampling import NegativeSamplingLoss
from oracle.layers.traced import traced_hyperparameters

__all__ = ["negative_sampling_loss", "seeded_negative_sampling_layer", "seeded_negative_sampling_loss"]


def _bce_mean(s, label):
    return jnp.mean(jax.nn.softplus(s) - label * s)


def negative_sampling_loss(h, target, negatives, W):
    """``BCE(s(target), 1) + sum_k BCE(s(negatives[:, k]), 0)``, each a batch mean of
    ``softplus(s) - label * s``; ``s(w)[n] = W[w[n]] . h[n]``.

    ``h (N, D)``, ``target (N,)`` and ``negatives (N, K)`` ids (data), ``W (V, D)``.
    """
    positive = _bce_mean(jnp.sum(jnp.take(W, target, axis=0) * h, axis=-1), 1.0)
    scores = jnp.einsum("nkd,nd->nk", jnp.take(W, negatives, axis=0), h)
    return positive + jnp.sum(jnp.mean(jax.nn.softplus(scores), axis=0))


@traced_hyperparameters("power", "sample_size")
def seeded_negative_sampling_loss(h, target, W, negatives, corpus, seed, *, power=0.75, sample_size=5):
    """The catalog's oracle: ``negative_sampling_loss(h, target, negatives, W)``; ``corpus``, ``seed``,
    ``power`` and ``sample_size`` only say how ``negatives`` were drawn (see ``seeded_negative_sampling_layer``)."""
    return negative_sampling_loss(h, target, negatives, W)


def seeded_negative_sampling_layer(
    W, negatives, corpus, seed, *, power=0.75, sample_size=5, layer=NegativeSamplingLoss
):
    """The catalog's layer: ``layer(W, corpus, power, sample_size, rng=np.random.default_rng(seed))``.

    The case drew ``negatives`` from a ``UnigramSampler`` with that same seeded Generator, so the
    layer must draw those very negatives itself (``negatives`` is the oracle's, ignored here).
    """
    return layer(W, np.asarray(corpus), power, sample_size, rng=np.random.default_rng(int(seed)))
