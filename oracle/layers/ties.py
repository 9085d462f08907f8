"""Tie rules for oracles of max-like layers: the oracle encodes the rule, not ``jax.vjp``.

``jnp.max`` splits a tie's gradient equally among the maxima (``jax.vjp`` of ``max`` over
``[1, 3, 3]`` gives ``[0, 0.5, 0.5]``), while most hand-written layers (``Pooling``, a Maxout
written with ``np.argmax``) give all of it to the first maximum. Hypothesis draws ties on
purpose, so an oracle written with ``jnp.max`` fails a correct first-maximum layer on the first
tie. Write the oracle with the layer's rule: ``max_first`` picks the first maximum with
``argmax`` and reads it with ``take_along_axis``, whose gradient goes to that entry alone::

    def maxout(x, *, pieces):                 # x: (N, D * pieces) -> (N, D)
        n, width = x.shape
        return max_first(x.reshape(n, width // pieces, pieces), axis=-1)
"""

from __future__ import annotations

import jax.numpy as jnp

__all__ = ["max_first"]


def max_first(x, axis: int = -1, *, keepdims: bool = False):
    """``max(x, axis)`` whose gradient goes to the first maximum along ``axis`` (``np.argmax``'s)."""
    index = jnp.argmax(x, axis=axis, keepdims=True)
    picked = jnp.take_along_axis(x, index, axis=axis)
    return picked if keepdims else jnp.squeeze(picked, axis=axis)
