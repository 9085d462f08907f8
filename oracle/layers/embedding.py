"""Oracle functions for ``Embedding`` and ``EmbeddingDot``: a gather, whose VJP is a scatter-add."""

import jax.numpy as jnp

__all__ = ["embedding", "embedding_dot"]


def embedding(idx, W):
    """``W[idx]``: ``idx`` (ints in ``[0, V)``, any shape) is data; ``W`` is ``(V, D)``.

    JAX's gather VJP adds every repeated id (a scatter-add), the convention the layer pins.
    """
    return jnp.take(W, idx, axis=0)


def embedding_dot(h, idx, W):
    """``sum_d W[idx[n], d] * h[n, d]``: ``h (N, D)``, ``idx (N,)`` data, ``W (V, D)``; returns ``(N,)``."""
    return jnp.sum(jnp.take(W, idx, axis=0) * h, axis=-1)
