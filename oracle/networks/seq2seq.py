"""Pure JAX losses of the encoder-decoder models (ch. 7-8), built from the oracle layer functions.

Every LSTM starts from explicit states: the encoders from zeros, the decoders from the encoder's
last ``h`` and ``c = 0``. ``params`` is the model's ``{name: array}`` (``encoder_*``, ``decoder_*``);
``xs``, ``ts`` and ``mask`` are data. Teacher forcing: the decoder reads ``ts[:, :-1]`` and is
scored on ``ts[:, 1:]``.
"""

from __future__ import annotations

import jax.numpy as jnp

from oracle.layers.attention import time_attention
from oracle.layers.time_layers import time_affine, time_lstm, time_softmax_with_loss

__all__ = [
    "attention_decoder",
    "attention_encoder",
    "attention_seq2seq",
    "decoder",
    "encoder",
    "peeky_decoder",
    "peeky_seq2seq",
    "seq2seq",
]


def _part(params, prefix):
    return {k[len(prefix) + 1 :]: v for k, v in params.items() if k.startswith(prefix + "_")}


def attention_encoder(p, xs):
    """``time_lstm(embed_W[xs], 0, 0, lstm_*)``: all states ``(N, T, H)``."""
    n, hidden = xs.shape[0], p["lstm_Wh"].shape[0]
    zeros = jnp.zeros((n, hidden), p["lstm_Wh"].dtype)
    return time_lstm(p["embed_W"][xs], zeros, zeros, p["lstm_Wx"], p["lstm_Wh"], p["lstm_b"])


def encoder(p, xs):
    """The last state ``attention_encoder(p, xs)[:, -1]`` ``(N, H)``."""
    return attention_encoder(p, xs)[:, -1, :]


def decoder(p, xs, h):
    """``time_affine(time_lstm(embed_W[xs], h, 0, lstm_*), affine_*)``: scores ``(N, T_d, V)``."""
    hs = time_lstm(p["embed_W"][xs], h, jnp.zeros_like(h), p["lstm_Wx"], p["lstm_Wh"], p["lstm_b"])
    return time_affine(hs, p["affine_W"], p["affine_b"])


def peeky_decoder(p, xs, h):
    """``h`` repeated over the steps and put **in front of** both the LSTM input and the affine input."""
    out = p["embed_W"][xs]
    hr = jnp.broadcast_to(h[:, None, :], (*xs.shape, h.shape[1]))
    hs = time_lstm(jnp.concatenate([hr, out], -1), h, jnp.zeros_like(h), p["lstm_Wx"], p["lstm_Wh"], p["lstm_b"])
    return time_affine(jnp.concatenate([hr, hs], -1), p["affine_W"], p["affine_b"])


def attention_decoder(p, xs, enc_hs, mask=None):
    """LSTM from ``h = enc_hs[:, -1]``, ``c = time_attention(enc_hs, dec_hs, mask)``, then
    ``time_affine(concat(c, dec_hs), affine_*)`` (context first)."""
    h = enc_hs[:, -1, :]
    dec_hs = time_lstm(p["embed_W"][xs], h, jnp.zeros_like(h), p["lstm_Wx"], p["lstm_Wh"], p["lstm_b"])
    c = time_attention(enc_hs, dec_hs, mask)
    return time_affine(jnp.concatenate([c, dec_hs], -1), p["affine_W"], p["affine_b"])


def _loss(scores, ts):
    return time_softmax_with_loss(scores, ts[:, 1:])


def seq2seq(params, xs, ts):
    """``time_softmax_with_loss(decoder(ts[:, :-1], encoder(xs)), ts[:, 1:])``."""
    h = encoder(_part(params, "encoder"), xs)
    return _loss(decoder(_part(params, "decoder"), ts[:, :-1], h), ts)


def peeky_seq2seq(params, xs, ts):
    """As ``seq2seq`` with ``peeky_decoder``."""
    h = encoder(_part(params, "encoder"), xs)
    return _loss(peeky_decoder(_part(params, "decoder"), ts[:, :-1], h), ts)


def attention_seq2seq(params, xs, ts, mask=None):
    """As ``seq2seq`` with ``attention_encoder`` (all states) and ``attention_decoder``."""
    enc_hs = attention_encoder(_part(params, "encoder"), xs)
    return _loss(attention_decoder(_part(params, "decoder"), ts[:, :-1], enc_hs, mask), ts)
