"""Oracle function for ``TwoLayerNet``, and its exact gradient by ``jax.grad`` in float64."""

from __future__ import annotations

import jax
import numpy as np

from oracle.layers.activations import relu
from oracle.layers.affine import affine
from oracle.layers.losses import softmax_with_loss

__all__ = ["PARAM_NAMES", "two_layer_net", "two_layer_net_gradient"]

PARAM_NAMES = ("W1", "b1", "W2", "b2")


def two_layer_net(params, x, t):
    """``softmax_with_loss(relu(affine(x, W1, b1)) @ W2 + b2, t)``: the mean cross-entropy, a scalar.

    ``params``: ``{"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}``; ``x``: ``(N, D)``
    or ``(N, ...)`` with ``D`` features; ``t``: class indices ``(N,)`` or dense targets
    ``(N, C)``, not differentiated. ReLU is ``jnp.where(a > 0, a, 0)`` (gradient 0 at 0, as
    the layer) and the loss is log-softmax by log-sum-exp, averaged over the batch.
    """
    hidden = relu(affine(x, params["W1"], params["b1"]))
    scores = affine(hidden, params["W2"], params["b2"])
    return softmax_with_loss(scores, t)


# Created once: jit caches one compiled program per input shape (a jit made per call
# would recompile every call).
_value_and_grad = jax.jit(jax.value_and_grad(two_layer_net))


def two_layer_net_gradient(params, x, t) -> tuple:
    """``(loss, {name: dloss/dparam})`` of ``two_layer_net`` by ``jax.grad``, as float64 NumPy.

    Parameters and ``x`` are converted to float64 (float32 values are exact in float64), so a
    float32 network is checked against the exact gradient at its own parameter values. Runs
    jitted under a scoped ``jax.enable_x64``; the caller's JAX configuration is untouched.
    ``t``: integer class indices (kept integer) or dense targets (converted to float64).
    """
    missing = [name for name in PARAM_NAMES if name not in params]
    if missing:
        raise ValueError(f"params must contain {', '.join(PARAM_NAMES)}; missing {', '.join(missing)}")
    params64 = {name: np.asarray(params[name], dtype=np.float64) for name in PARAM_NAMES}
    x64 = np.asarray(x, dtype=np.float64)
    t = np.asarray(t)
    t = t.astype(np.float64) if t.ndim == 2 else t.astype(np.int64)
    with jax.enable_x64(True):
        loss, grads = _value_and_grad(params64, x64, t)
        loss, grads = np.asarray(loss), {name: np.asarray(grads[name]) for name in PARAM_NAMES}
    if loss.dtype != np.float64:
        raise AssertionError(f"two_layer_net computed in {loss.dtype}, not float64: is x64 off?")
    return float(loss), grads
