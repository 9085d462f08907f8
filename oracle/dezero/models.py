"""Pure JAX losses of the third book's models, as functions of a parameter dict keyed as
``Layer.named_params()`` keys it (``"l0/W"``, ``"rnn/x2h/b"``, ...), so ``jax.grad`` gives
what ``loss.backward()`` leaves in each Parameter's ``grad``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from oracle.dezero.convolution import conv2d, deconv2d
from oracle.dezero.losses import mean_squared_error, softmax_cross_entropy
from oracle.dezero.normalization import batch_norm
from oracle.dezero.pooling import pooling

__all__ = [
    "batch_norm_mlp_loss",
    "lstm_step",
    "mlp",
    "mlp_loss",
    "recurrent_loss",
    "rnn_step",
    "small_convnet_loss",
    "small_deconvnet_loss",
]


def mlp(params: dict, x, *, activation=jax.nn.sigmoid):
    """``L_k(act(... act(L_0(x))))`` with ``L_i(x) = x @ params["l<i>/W"] + params["l<i>/b"]``."""
    depth = len([k for k in params if k.endswith("/W")])
    for i in range(depth):
        x = x @ params[f"l{i}/W"] + params[f"l{i}/b"]
        if i < depth - 1:
            x = activation(x)
    return x


def mlp_loss(params: dict, x, t, *, activation=jax.nn.sigmoid):
    """Softmax cross-entropy of ``mlp(params, x)`` against class indices ``t``."""
    return softmax_cross_entropy(mlp(params, x, activation=activation), t)


def _linear(params: dict, name: str, x):
    y = x @ params[name + "/W"]
    return y + params[name + "/b"] if name + "/b" in params else y


def rnn_step(params: dict, x, state):
    """``h' = tanh(x @ Wx + bx (+ h @ Wh))``; ``state`` is ``h`` or None before the first step."""
    pre = _linear(params, "rnn/x2h", x)
    h = jnp.tanh(pre if state is None else pre + _linear(params, "rnn/h2h", state))
    return h, h


def lstm_step(params: dict, x, state):
    """The LSTM cell; ``state`` is ``(h, c)`` or None before the first step."""
    h, c = (None, None) if state is None else state
    pre = {g: _linear(params, f"rnn/x2{g}", x) for g in "fiou"}
    if h is not None:
        pre = {g: pre[g] + _linear(params, f"rnn/h2{g}", h) for g in "fiou"}
    f, i, o, u = (jax.nn.sigmoid(pre["f"]), jax.nn.sigmoid(pre["i"]), jax.nn.sigmoid(pre["o"]), jnp.tanh(pre["u"]))
    c = i * u if c is None else f * c + i * u
    h = o * jnp.tanh(c)
    return h, (h, c)


def recurrent_loss(params: dict, xs, ts, *, step=rnn_step):
    """``sum_t mean_squared_error(fc(h_t), t_t)`` over the sequence (from a fresh state), as the
    book's truncated-BPTT loop adds up one block's losses."""
    state, loss = None, 0.0
    for x, t in zip(xs, ts):
        h, state = step(params, x, state)
        loss = loss + mean_squared_error(_linear(params, "fc", h), t)
    return loss


def small_convnet_loss(params: dict, x, t):
    """``l4(flatten(max_pool_2x2(relu(conv3x3_pad1(x; l0)))))`` then softmax cross-entropy: the
    ``Sequential`` of ``tests/dezero/test_models.py``."""
    y = conv2d(x, params["l0/W"], params["l0/b"], stride=1, pad=1)
    y = pooling(jnp.where(y > 0, y, 0.0), kernel_size=2, stride=2)
    y = y.reshape(y.shape[0], -1) @ params["l4/W"] + params["l4/b"]
    return softmax_cross_entropy(y, t)


def batch_norm_mlp_loss(params: dict, x, t):
    """``l3(sigmoid(l1(l0(x))))`` with ``l1`` batch normalization in training mode (``gamma``,
    ``beta``; the batch's statistics), then softmax cross-entropy: the ``Sequential`` of
    ``tests/dezero/test_models.py``."""
    h = x @ params["l0/W"] + params["l0/b"]
    features = h.shape[1]
    h = batch_norm(h, params["l1/gamma"], params["l1/beta"], jnp.zeros(features), jnp.ones(features))
    y = jax.nn.sigmoid(h) @ params["l3/W"] + params["l3/b"]
    return softmax_cross_entropy(y, t)


def small_deconvnet_loss(params: dict, x, t):
    """``l3(flatten(relu(deconv4x4_stride2_pad1(x; l0))))`` then softmax cross-entropy: the
    transposed-convolution ``Sequential`` of ``tests/dezero/test_models.py``."""
    y = deconv2d(x, params["l0/W"], params["l0/b"], stride=2, pad=1)
    y = jnp.where(y > 0, y, 0.0)
    y = y.reshape(y.shape[0], -1) @ params["l3/W"] + params["l3/b"]
    return softmax_cross_entropy(y, t)
