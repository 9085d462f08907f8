"""Oracle functions of the time layers: ``lax.scan`` over the time axis, initial states as explicit inputs.

Truncated BPTT is the function itself: each returns the block's outputs ``hs`` only, never its
final state, so ``jax.vjp`` puts no cotangent on the carry that leaves the block.
"""

import jax
import jax.numpy as jnp
from jax import lax

from oracle.layers.recurrent import gru, lstm, rnn
from oracle.layers.traced import traced_hyperparameters

__all__ = [
    "time_affine",
    "time_bilstm",
    "time_dropout",
    "time_embedding",
    "time_gru",
    "time_gru_carry",
    "time_lstm",
    "time_lstm_carry",
    "time_rnn",
    "time_rnn_carry",
    "time_softmax_with_loss",
    "seeded_time_dropout",
    "seeded_time_dropout_layer",
]


def _scan(step, xs, carry):
    """``(last carry, hs (N, T, H))`` of ``carry = step(x_t, carry)`` over ``xs (N, T, D)``; the carry's
    first entry is h."""

    def body(carry, x):
        carry = step(x, carry)
        return carry, carry[0]

    last, hs = lax.scan(body, carry, jnp.swapaxes(xs, 0, 1))
    return last, jnp.swapaxes(hs, 0, 1)


def _scan_states(step, xs, carry):
    """``hs (N, T, H)`` of ``carry = step(x_t, carry)`` over ``xs (N, T, D)``; the carry's first entry is h."""
    return _scan(step, xs, carry)[1]


def _carried(states, stateful):
    """The state a layer carries into its next block: the block's last states when ``stateful``, else
    zeros (a stateless layer starts every block from zeros)."""
    return tuple(states) if stateful else tuple(jnp.zeros_like(state) for state in states)


@traced_hyperparameters("stateful")
def time_rnn(xs, h, Wx, Wh, b, *, stateful=False):
    """``h_t = tanh(h_{t-1} Wh + x_t Wx + b)`` from ``h_0 = h``; returns ``hs (N, T, H)``.

    ``stateful`` only says where ``h`` came from (the case draws zeros when it is False).
    """
    return _scan_states(lambda x, carry: (rnn(x, carry[0], Wx, Wh, b),), xs, (h,))


@traced_hyperparameters("stateful")
def time_lstm(xs, h, c, Wx, Wh, b, *, stateful=False):
    """The ``lstm`` step (gates ``[f, g, i, o]``) from ``(h_0, c_0) = (h, c)``; returns ``hs (N, T, H)``."""
    return _scan_states(lambda x, carry: lstm(x, carry[0], carry[1], Wx, Wh, b), xs, (h, c))


@traced_hyperparameters("stateful")
def time_gru(xs, h, Wx, Wh, b, *, stateful=False):
    """The ``gru`` step (the book's form) from ``h_0 = h``; returns ``hs (N, T, H)``."""
    return _scan_states(lambda x, carry: (gru(x, carry[0], Wx, Wh, b),), xs, (h,))


def time_rnn_carry(hs, xs, h, Wx, Wh, b, *, stateful=False):
    """``(h_T,)``: the state ``TimeRNN`` carries into its next forward, the last of its outputs ``hs``
    (``time_rnn(xs, h, ...)``; zeros when not stateful)."""
    return _carried((hs[:, -1],), stateful)


def time_lstm_carry(hs, xs, h, c, Wx, Wh, b, *, stateful=False):
    """``(h_T, c_T)``: the states ``TimeLSTM`` carries into its next forward (zeros when not stateful);
    ``c_T`` is not among the outputs ``hs``, the block runs again for it."""
    last = _scan(lambda x, carry: lstm(x, carry[0], carry[1], Wx, Wh, b), xs, (h, c))[0]
    return _carried(last, stateful)


def time_gru_carry(hs, xs, h, Wx, Wh, b, *, stateful=False):
    """``(h_T,)``: the state ``TimeGRU`` carries into its next forward, the last of its outputs ``hs``
    (zeros when not stateful)."""
    return _carried((hs[:, -1],), stateful)


def time_bilstm(xs, Wx1, Wh1, b1, Wx2, Wh2, b2):
    """``concat([lstm_1(xs), flip(lstm_2(flip(xs)))], -1)`` from zero states; ``flip`` reverses time."""
    n, hidden = xs.shape[0], Wh1.shape[0]
    zeros = jnp.zeros((n, hidden), xs.dtype)
    forward = time_lstm(xs, zeros, zeros, Wx1, Wh1, b1)
    backward = time_lstm(xs[:, ::-1], zeros, zeros, Wx2, Wh2, b2)[:, ::-1]
    return jnp.concatenate([forward, backward], axis=-1)


def time_embedding(xs, W):
    """``W[xs]``: ``xs (N, T)`` ids (data), ``W (V, D)``; returns ``(N, T, D)``."""
    return jnp.take(W, xs, axis=0)


def time_affine(xs, W, b):
    """``xs @ W + b`` for every ``(n, t)``."""
    return jnp.einsum("ntd,dm->ntm", xs, W) + b


@traced_hyperparameters("ignore_label")
def time_softmax_with_loss(xs, ts, ignore_label=-1):
    """``-sum(mask * log_softmax(xs)[ts]) / max(1, sum(mask))``, ``mask = ts != ignore_label``.

    ``ignore_label`` may be passed by position: the catalog passes it as data (traced), so every
    label drawn shares one compile.

    An ignored position picks class 0 (``where(mask, ts, 0)``) and is multiplied by 0: it never
    indexes ``ignore_label`` and contributes exactly nothing; all ignored gives 0.
    """
    mask = ts != ignore_label
    safe = jnp.where(mask, ts, 0)
    log_p = jax.nn.log_softmax(xs, axis=-1)
    picked = jnp.take_along_axis(log_p, safe[..., None], axis=-1)[..., 0]
    return -jnp.sum(jnp.where(mask, picked, 0.0)) / jnp.maximum(1, jnp.sum(mask))


@traced_hyperparameters("dropout_ratio")
def time_dropout(xs, mask, *, dropout_ratio=0.5, train_flg=True):
    """Training: ``xs * mask / (1 - dropout_ratio)`` with the mask as data; inference: ``xs``."""
    if not train_flg:
        return xs
    return jnp.where(mask != 0, xs / (1 - dropout_ratio), jnp.zeros_like(xs))


@traced_hyperparameters("dropout_ratio")
def seeded_time_dropout(xs, mask, seed, *, dropout_ratio=0.5, train_flg=True):
    """The catalog's oracle: ``time_dropout(xs, mask, ...)``; ``seed`` only says how ``mask`` was drawn."""
    return time_dropout(xs, mask, dropout_ratio=dropout_ratio, train_flg=train_flg)


def seeded_time_dropout_layer(mask, seed, *, dropout_ratio=0.5, train_flg=True, layer=None):
    """The catalog's layer: ``TimeDropout(dropout_ratio, rng=np.random.default_rng(seed), train_flg=...)``,
    which must draw the case's ``mask`` itself (``mask`` is the oracle's input, ignored here)."""
    import numpy as np

    from manual_bp.layers.time_layers import TimeDropout

    return (layer or TimeDropout)(dropout_ratio, rng=np.random.default_rng(int(seed)), train_flg=train_flg)
