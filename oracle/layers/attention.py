"""Oracle functions of the attention layers: ``weight_sum``, ``attention_weight``, ``attention``,
``time_attention``.

``mask`` (optional, ``(N, T)``): nonzero / True where the encoder step is real; masked scores
become ``-inf`` (weight 0). The verifier hands a boolean mask over as float64 0.0 / 1.0, hence
``mask != 0``.
"""

import jax
import jax.numpy as jnp

from oracle.layers.activations import softmax

__all__ = ["attention", "attention_weight", "time_attention", "weight_sum"]


def weight_sum(hs, a):
    """``c[n] = sum_t a[n, t] * hs[n, t]``: ``hs (N, T, H)``, ``a (N, T)`` -> ``(N, H)``."""
    return jnp.einsum("nt,nth->nh", a, hs)


def attention_weight(hs, h, mask=None):
    """``softmax_t(<hs[n, t], h[n]>)`` with ``-inf`` at masked steps: ``hs (N, T, H)``, ``h (N, H)`` -> ``(N, T)``."""
    scores = jnp.einsum("nth,nh->nt", hs, h)
    if mask is not None:
        scores = jnp.where(mask != 0, scores, -jnp.inf)
    return softmax(scores, axis=-1)


def attention(hs, h, mask=None):
    """``weight_sum(hs, attention_weight(hs, h, mask))``: the context ``(N, H)``."""
    return weight_sum(hs, attention_weight(hs, h, mask))


def time_attention(hs_enc, hs_dec, mask=None):
    """``attention`` once per decoder step (``vmap`` over ``hs_dec``'s axis 1): ``(N, T_d, H)``.

    Written step by step, as the book defines it, independently of the layer's batched matrix
    products.
    """
    return jax.vmap(attention, in_axes=(None, 1, None), out_axes=1)(hs_enc, hs_dec, mask)
