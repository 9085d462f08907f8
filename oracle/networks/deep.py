"""Oracle functions for ``MultiLayerNet`` and ``SimpleConvNet``: their losses, and exact gradients by ``jax.grad``."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from oracle.layers.activations import relu, sigmoid
from oracle.layers.affine import affine
from oracle.layers.convolution import convolution
from oracle.layers.dropout import dropout
from oracle.layers.losses import softmax_with_loss
from oracle.layers.normalization import batch_normalization
from oracle.layers.pooling import pooling

__all__ = ["multi_layer_net", "multi_layer_net_gradient", "simple_conv_net", "simple_conv_net_gradient"]


def multi_layer_net(params, x, t, masks, *, activation="relu", weight_decay_lambda=0.0, dropout_ratio=0.5):
    """The training-mode loss of ``MultiLayerNet``: cross-entropy plus ``0.5 * lambda * sum ||W_i||^2``.

    ``params``: ``W1, b1, ..., W{L}, b{L}`` and, for batch norm, ``gamma_i, beta_i`` (their
    presence switches batch norm on, with batch statistics); ``masks``: ``{"Dropout_i": mask}``
    (data, not differentiated; empty without dropout). ``x`` ``(N, D)``; ``t`` indices or
    one-hot. Each hidden block: ``affine -> [batch_normalization] -> relu|sigmoid -> [dropout]``.
    """
    depth = sum(1 for name in params if name.startswith("W"))
    out = x
    for i in range(1, depth):
        out = affine(out, params[f"W{i}"], params[f"b{i}"])
        if f"gamma{i}" in params:
            out = batch_normalization(out, params[f"gamma{i}"], params[f"beta{i}"])
        out = relu(out) if activation == "relu" else sigmoid(out)
        if f"Dropout{i}" in masks:
            out = dropout(out, masks[f"Dropout{i}"], dropout_ratio=dropout_ratio)
    scores = affine(out, params[f"W{depth}"], params[f"b{depth}"])
    decay = sum(jnp.sum(params[f"W{i}"] ** 2) for i in range(1, depth + 1))
    return softmax_with_loss(scores, t) + 0.5 * weight_decay_lambda * decay


def simple_conv_net(params, x, t, *, stride=1, pad=0):
    """The loss of ``SimpleConvNet``: conv -> relu -> 2x2/2 max-pool -> affine -> relu -> affine -> cross-entropy."""
    out = relu(convolution(x, params["W1"], params["b1"], stride=stride, pad=pad))
    out = pooling(out, pool_h=2, pool_w=2, stride=2)
    out = relu(affine(out, params["W2"], params["b2"]))
    return softmax_with_loss(affine(out, params["W3"], params["b3"]), t)


# One jitted value-and-grad per set of hyperparameters, created once (a jit made per call
# would recompile every call).
@functools.cache
def _multi_layer_net_vg(activation, weight_decay_lambda, dropout_ratio):
    return jax.jit(
        jax.value_and_grad(
            functools.partial(
                multi_layer_net,
                activation=activation,
                weight_decay_lambda=weight_decay_lambda,
                dropout_ratio=dropout_ratio,
            )
        )
    )


@functools.cache
def _simple_conv_net_vg(stride, pad):
    return jax.jit(jax.value_and_grad(functools.partial(simple_conv_net, stride=stride, pad=pad)))


def _float64(tree: dict) -> dict:
    return {name: np.asarray(value, dtype=np.float64) for name, value in tree.items()}


def _labels(t) -> np.ndarray:
    t = np.asarray(t)
    return t.astype(np.int64) if t.dtype.kind in "iu" else t.astype(np.float64)


def _run(value_and_grad, params, *args) -> tuple:
    with jax.enable_x64(True):
        loss, grads = value_and_grad(_float64(params), *args)
        loss, grads = np.asarray(loss), {name: np.asarray(g) for name, g in grads.items()}
    if loss.dtype != np.float64:
        raise AssertionError(f"network oracle computed in {loss.dtype}, not float64: is x64 off?")
    return float(loss), grads


def multi_layer_net_gradient(
    params, x, t, masks=None, *, activation="relu", weight_decay_lambda=0.0, dropout_ratio=0.5
) -> tuple:
    """``(loss, {name: dloss/dparam})`` of ``multi_layer_net`` in float64 (jitted, scoped x64).

    Parameters and ``x`` are converted to float64 (float32 values are exact in float64).
    ``masks``: the network's dropout masks (``net.dropout_masks()``), ``None`` without dropout.
    """
    masks = {name: np.asarray(mask, dtype=bool) for name, mask in (masks or {}).items()}
    vg = _multi_layer_net_vg(activation, float(weight_decay_lambda), float(dropout_ratio))
    return _run(vg, params, np.asarray(x, dtype=np.float64), _labels(t), masks)


def simple_conv_net_gradient(params, x, t, *, stride=1, pad=0) -> tuple:
    """``(loss, {name: dloss/dparam})`` of ``simple_conv_net`` in float64 (jitted, scoped x64)."""
    return _run(_simple_conv_net_vg(int(stride), int(pad)), params, np.asarray(x, dtype=np.float64), _labels(t))
