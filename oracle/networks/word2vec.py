"""Pure JAX losses of the word2vec models; every sampled thing (negatives) is data."""

from __future__ import annotations

import jax.numpy as jnp

from oracle.layers.losses import softmax_with_loss
from oracle.layers.negative_sampling import negative_sampling_loss

__all__ = ["cbow", "simple_cbow", "skip_gram"]


def simple_cbow(params, contexts, target):
    """``softmax_with_loss(0.5 * (W_in[c_0] + W_in[c_1]) @ W_out, target)``; ``contexts (N, 2)`` ids."""
    W_in = params["W_in"]
    h = 0.5 * (W_in[contexts[:, 0]] + W_in[contexts[:, 1]])
    return softmax_with_loss(h @ params["W_out"], target)


def cbow(params, contexts, target, negatives):
    """``negative_sampling_loss(mean_i W_in[contexts[:, i]], target, negatives, W_out)``."""
    h = jnp.mean(params["W_in"][contexts], axis=1)
    return negative_sampling_loss(h, target, negatives, params["W_out"])


def skip_gram(params, contexts, target, negatives):
    """``sum_i negative_sampling_loss(W_in[target], contexts[:, i], negatives[i], W_out)``;
    ``negatives (2 * window, N, K)``: the samples of each context position's loss."""
    h = params["W_in"][target]
    return sum(
        negative_sampling_loss(h, contexts[:, i], negatives[i], params["W_out"]) for i in range(contexts.shape[1])
    )
