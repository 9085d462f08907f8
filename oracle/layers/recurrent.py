"""Oracle functions of the recurrent cells: one step of ``rnn``, ``lstm``, ``gru`` (the book's forms)."""

import jax
import jax.numpy as jnp

__all__ = ["gru", "lstm", "rnn"]


def rnn(x, h_prev, Wx, Wh, b):
    """``tanh(h_prev @ Wh + x @ Wx + b)``."""
    return jnp.tanh(h_prev @ Wh + x @ Wx + b)


def lstm(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step, gates ``[f, g, i, o]`` along the last axis of ``A = x Wx + h Wh + b``.

    Returns ``(h_next, c_next)``: ``c' = sigmoid(A_f) c + tanh(A_g) sigmoid(A_i)``, ``h' = sigmoid(A_o) tanh(c')``.
    """
    A = x @ Wx + h_prev @ Wh + b
    a_f, a_g, a_i, a_o = jnp.split(A, 4, axis=-1)
    c_next = jax.nn.sigmoid(a_f) * c_prev + jnp.tanh(a_g) * jax.nn.sigmoid(a_i)
    return jax.nn.sigmoid(a_o) * jnp.tanh(c_next), c_next


def gru(x, h_prev, Wx, Wh, b):
    """One GRU step, the book's form (reset gate before ``Wh_h``), gates ``[z, r, h_hat]``.

    ``z = sigmoid(x Wx_z + h Wh_z + b_z)``, ``r = sigmoid(x Wx_r + h Wh_r + b_r)``,
    ``h_hat = tanh(x Wx_h + (r h) Wh_h + b_h)``, ``h' = (1 - z) h + z h_hat``.
    """
    Wx_z, Wx_r, Wx_h = jnp.split(Wx, 3, axis=-1)
    Wh_z, Wh_r, Wh_h = jnp.split(Wh, 3, axis=-1)
    b_z, b_r, b_h = jnp.split(b, 3)
    z = jax.nn.sigmoid(x @ Wx_z + h_prev @ Wh_z + b_z)
    r = jax.nn.sigmoid(x @ Wx_r + h_prev @ Wh_r + b_r)
    h_hat = jnp.tanh(x @ Wx_h + (r * h_prev) @ Wh_h + b_h)
    return (1 - z) * h_prev + z * h_hat
