"""Layers as a user writes them, outside the package: Swish and LayerNorm, each correct and broken.

Their rows use the short form ``oracle.row`` (shapes only). ``CATALOG`` holds the correct
ones, ``BROKEN`` the broken ones. The tests of ``row`` and of the pytest plugin use them; the
plugin's test copies this file into a throwaway project.
"""

import jax
import jax.numpy as jnp
import numpy as np

from manual_bp.functions import sigmoid
from oracle import Tolerance, row


class Swish:
    """``out = x * sigmoid(x)``, any shape. Backward: ``dx = dout * (s + out * (1 - s))``, ``s = sigmoid(x)``."""

    def __init__(self):
        self.s = None  # sigmoid(x), for backward
        self.out = None  # x * s, for backward

    def forward(self, x):
        self.s = sigmoid(x)
        self.out = x * self.s
        return self.out.copy()  # the caller owns what forward returns

    def backward(self, dout):
        return dout * (self.s + self.out * (1 - self.s))


class SwishWithoutChainTerm(Swish):
    """The bug: ``dx = dout * s``, as if sigmoid(x) were a constant."""

    def backward(self, dout):
        return dout * self.s


def swish(x):
    return x * jax.nn.sigmoid(x)


class LayerNorm:
    """Over the last axis of ``x (..., D)``: ``xn = (x - mean) / sqrt(var + eps)``, ``out = gamma * xn + beta``.

    ``gamma``, ``beta``: ``(D,)``; biased variance; ``eps`` 1e-5. Backward: ``dbeta = sum dout``,
    ``dgamma = sum dout * xn`` (over all axes but the last), ``dx = (g - mean(g) - xn * mean(g * xn)) / std``
    with ``g = dout * gamma`` and means over the last axis.
    """

    def __init__(self, gamma, beta, *, eps=1e-5):
        self.gamma, self.beta, self.eps = gamma, beta, eps
        self.xn = self.std = None  # for backward
        self.dgamma = self.dbeta = None

    def forward(self, x):
        centred = x - x.mean(axis=-1, keepdims=True)
        self.std = np.sqrt((centred**2).mean(axis=-1, keepdims=True) + self.eps)
        self.xn = centred / self.std
        return self.gamma * self.xn + self.beta

    def backward(self, dout):
        features = self.xn.shape[-1]
        self.dbeta = dout.reshape(-1, features).sum(axis=0)
        self.dgamma = (dout * self.xn).reshape(-1, features).sum(axis=0)
        g = dout * self.gamma
        return self._dx(g)

    def _dx(self, g):
        mean_g = g.mean(axis=-1, keepdims=True)
        mean_gxn = (g * self.xn).mean(axis=-1, keepdims=True)
        return (g - mean_g - self.xn * mean_gxn) / self.std


class LayerNormWithoutVarianceTerm(LayerNorm):
    """The bug: ``dx = (g - mean(g)) / std``, as if the standard deviation did not depend on ``x``."""

    def _dx(self, g):
        return (g - g.mean(axis=-1, keepdims=True)) / self.std


def layer_norm(x, gamma, beta, *, eps=1e-5):
    centred = x - jnp.mean(x, axis=-1, keepdims=True)
    xn = centred / jnp.sqrt(jnp.mean(centred**2, axis=-1, keepdims=True) + eps)
    return gamma * xn + beta


CATALOG = [
    row("Swish", Swish, swish, inputs={"x": ("N", 5)}, large=1e3, conventions="x * sigmoid(x), elementwise"),
    row(
        "LayerNorm",
        LayerNorm,
        layer_norm,
        inputs={"x": ("N", 4)},
        params={"gamma": (4,), "beta": (4,)},
        tolerance={np.dtype(np.float32): Tolerance(atol=1e-3, rtol=1e-5, ntol=1e-5)},
        tolerance_reason="as BatchNormalization's row: dx cancels terms of size |gamma * dout| / std, up to "
        "10 * 10 / sqrt(1e-5) ~ 3e4 for a nearly constant row of x; float32 rounding of those terms reached "
        "1.5e-4 absolute in 6,000 examples (eps32 * |g| / std ~ 6e-8 * 100 / 3e-3 = 2e-3 at worst)",
        conventions="over the last axis, biased variance, eps 1e-5",
    ),
]

BROKEN = [
    row("Swish", SwishWithoutChainTerm, swish, inputs={"x": ("N", 5)}),
    row(
        "LayerNorm",
        LayerNormWithoutVarianceTerm,
        layer_norm,
        inputs={"x": ("N", 4)},
        params={"gamma": (4,), "beta": (4,)},
    ),
]
