"""Pure JAX losses of the recurrent language models: initial states and dropout masks are inputs.

The loss of one truncated-BPTT block: ``lax.scan`` from the given initial states, the block's
outputs only (no gradient through the final state), weight tying as one array used twice. The
``*_state(s)`` functions give the states a model carries into its next block, so a test can run
two blocks from zeros without reading the carried state from the model.
"""

from __future__ import annotations

import jax.numpy as jnp

from oracle.layers.time_layers import (
    time_affine,
    time_dropout,
    time_lstm,
    time_lstm_carry,
    time_rnn,
    time_softmax_with_loss,
)

__all__ = ["better_rnnlm", "better_rnnlm_states", "rnnlm", "rnnlm_state", "simple_rnnlm", "simple_rnnlm_state"]


def simple_rnnlm(params, xs, ts, h):
    """``time_softmax_with_loss(time_affine(time_rnn(embed_W[xs], h, rnn_*), affine_*), ts)``."""
    hs = time_rnn(params["embed_W"][xs], h, params["rnn_Wx"], params["rnn_Wh"], params["rnn_b"])
    return time_softmax_with_loss(time_affine(hs, params["affine_W"], params["affine_b"]), ts)


def rnnlm(params, xs, ts, h, c):
    """As ``simple_rnnlm`` with ``time_lstm`` from ``(h, c)``."""
    hs = time_lstm(params["embed_W"][xs], h, c, params["lstm_Wx"], params["lstm_Wh"], params["lstm_b"])
    return time_softmax_with_loss(time_affine(hs, params["affine_W"], params["affine_b"]), ts)


def better_rnnlm(params, xs, ts, states, masks, *, dropout_ratio=0.5):
    """Embedding, dropout, two LSTMs (each followed by dropout), then ``time_affine(., embed_W.T, affine_b)``:
    the **same** ``embed_W`` at both ends (weight tying). ``states``: ``((h1, c1), (h2, c2))``;
    ``masks``: the three dropout masks (1 kept, 0 dropped), as data."""
    E = params["embed_W"]
    hs = time_dropout(E[xs], masks[0], dropout_ratio=dropout_ratio)
    for k, (h, c) in enumerate(states, start=1):
        hs = time_lstm(hs, h, c, params[f"lstm{k}_Wx"], params[f"lstm{k}_Wh"], params[f"lstm{k}_b"])
        hs = time_dropout(hs, masks[k], dropout_ratio=dropout_ratio)
    return time_softmax_with_loss(time_affine(hs, jnp.transpose(E), params["affine_b"]), ts)


def simple_rnnlm_state(params, xs, h):
    """``h_T``: the state ``SimpleRnnlm`` carries from the block ``xs`` (started from ``h``) into the next."""
    hs = time_rnn(params["embed_W"][xs], h, params["rnn_Wx"], params["rnn_Wh"], params["rnn_b"])
    return hs[:, -1]


def rnnlm_state(params, xs, h, c):
    """``(h_T, c_T)``: the states ``Rnnlm`` carries from the block ``xs`` (started from ``h, c``) into the next."""
    embedded, weights = params["embed_W"][xs], (params["lstm_Wx"], params["lstm_Wh"], params["lstm_b"])
    return time_lstm_carry(time_lstm(embedded, h, c, *weights), embedded, h, c, *weights, stateful=True)


def better_rnnlm_states(params, xs, states, masks, *, dropout_ratio=0.5):
    """``((h1, c1), (h2, c2))``: the states ``BetterRnnlm`` carries from the block ``xs`` (started from
    ``states``, with the block's dropout ``masks``) into the next."""
    hs = time_dropout(params["embed_W"][xs], masks[0], dropout_ratio=dropout_ratio)
    carried = []
    for k, (h, c) in enumerate(states, start=1):
        weights = (params[f"lstm{k}_Wx"], params[f"lstm{k}_Wh"], params[f"lstm{k}_b"])
        outputs = time_lstm(hs, h, c, *weights)
        carried.append(time_lstm_carry(outputs, hs, h, c, *weights, stateful=True))
        hs = time_dropout(outputs, masks[k], dropout_ratio=dropout_ratio)
    return tuple(carried)
