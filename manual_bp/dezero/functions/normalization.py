"""Batch normalization as a Function: ``batch_norm(x, gamma, beta, mean, var, decay=0.9, eps=2e-5)``.

``y = gamma * (x - mu) / sqrt(v + eps) + beta``. Shapes: ``x`` ``(N, D)`` with ``gamma``,
``beta``, ``mean``, ``var`` of shape ``(D,)`` (statistics over the batch axis), or ``x``
``(N, C, H, W)`` with ``(C,)`` (statistics over ``N, H, W``, per channel, as DeZero does by
transposing to ``(N*H*W, C)``). ``y`` has ``x``'s shape and dtype.

``Config.train`` chooses the mode (``with test_mode():`` for inference):

- training: ``mu``, ``v`` are the batch mean and biased variance (over ``M`` values per
  feature); the running statistics ``mean`` and ``var`` (the caller's arrays, DeZero's
  ``BatchNorm`` layer passes its own) are updated **in place**, as the book does:
  ``mean = decay * mean + (1 - decay) * mu``,
  ``var = decay * var + (1 - decay) * M / max(M - 1, 1) * v`` (the unbiased variance);
- inference: ``mu = mean``, ``v = var``, constants; nothing is updated.

Backward, written with Functions so that its own derivative is right. In training the
statistics depend on ``x``, so backward recomputes ``xc = x - mean(x)``,
``inv_std = (mean(xc**2) + eps) ** -0.5`` and ``xn = xc * inv_std`` from the input Variable;
then ``gbeta = sum(gy)``, ``ggamma = sum(gy * xn)``, ``gxn = gy * gamma`` and
``gx = (gxn - mean(gxn) - xn * mean(gxn * xn)) * inv_std`` (sums and means over the
statistics' axes). The book's backward multiplies by ``inv_std`` cached as a plain array in
forward: its first order is right, but differentiating it loses ``inv_std``'s dependence on
``x`` (its double backward is 9 % off against JAX). In inference ``inv_std`` and ``mean`` are
constants, so they may be (and are) arrays copied at forward: ``gx = gy * gamma * inv_std``.
"""

from __future__ import annotations

import numbers

import numpy as np

from manual_bp._checks import shape_str
from manual_bp.dezero.core import Config, Function, Variable
from manual_bp.dezero.functions.reductions import mean as mean_
from manual_bp.dezero.functions.reductions import sum as sum_
from manual_bp.dezero.functions.shapes import reshape
from manual_bp.layers.normalization import _centered

__all__ = ["BatchNorm", "batch_norm"]


def _layout(x: np.ndarray, features: int) -> tuple:
    """``(axes of the statistics, shape that broadcasts a (D,) vector against x)``."""
    if x.ndim == 2 and x.shape[1] == features:
        return (0,), (1, features)
    if x.ndim == 4 and x.shape[1] == features:
        return (0, 2, 3), (1, features, 1, 1)
    raise ValueError(
        f"x must have shape (N, {features}) or (N, {features}, H, W) (gamma has {features} entries), "
        f"got {shape_str(x.shape)}"
    )


class BatchNorm(Function):
    """``batch_norm``'s Function; ``mean`` and ``var`` are the running statistics (see the module docstring)."""

    def __init__(self, mean: np.ndarray, var: np.ndarray, decay: float = 0.9, eps: float = 2e-5):
        for name, value in (("decay", decay), ("eps", eps)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
        if not eps > 0:
            raise ValueError(f"eps must be positive (it keeps 1/sqrt(var + eps) finite), got {eps}")
        self.avg_mean, self.avg_var = mean, var  # running statistics, updated in place in training
        self.decay, self.eps = float(decay), float(eps)
        self.train = True  # the mode of forward: backward follows it
        self.inference_mean: np.ndarray | None = None  # running mean at an inference forward (a constant)
        self.inference_inv_std: np.ndarray | None = None  # 1 / sqrt(running var + eps) there (a constant)

    def forward(self, x, gamma, beta):
        if gamma.ndim != 1 or beta.shape != gamma.shape:
            raise ValueError(
                f"gamma and beta must have the same shape (D,), "
                f"got {shape_str(gamma.shape)} and {shape_str(beta.shape)}"
            )
        for name, stat in (("mean", self.avg_mean), ("var", self.avg_var)):
            if not isinstance(stat, np.ndarray) or stat.dtype.kind != "f":
                raise TypeError(
                    f"{name} must be a float ndarray (the running statistic, updated in place in training), "
                    f"got {type(stat).__name__}"
                )
            if np.shape(stat) != gamma.shape:
                raise ValueError(
                    f"{name} must have gamma's shape {shape_str(gamma.shape)}, got {shape_str(np.shape(stat))}"
                )
        axes, shape = _layout(x, gamma.shape[0])
        self.train = bool(Config.train)
        eps = x.dtype.type(self.eps)
        if self.train:
            xc = _centered(x, axes)  # x - mu, shifted first so a constant feature gives exactly 0
            var = np.mean(xc * xc, axis=axes)
            m = x.size // gamma.size
            self.avg_mean *= self.decay
            self.avg_mean += (1 - self.decay) * x.mean(axis=axes)
            self.avg_var *= self.decay
            self.avg_var += (1 - self.decay) * (m / max(m - 1, 1)) * var
            xn = xc / np.sqrt(var.reshape(shape) + eps)
        else:
            self.inference_mean = np.asarray(self.avg_mean, dtype=x.dtype).reshape(shape)
            self.inference_inv_std = 1 / np.sqrt(np.asarray(self.avg_var, dtype=x.dtype).reshape(shape) + eps)
            xn = (x - self.inference_mean) * self.inference_inv_std
        return gamma.reshape(shape) * xn + beta.reshape(shape)

    def backward(self, gy):
        x, gamma, _ = self.inputs
        axes, shape = _layout(x.data, gamma.shape[0])
        g = reshape(gamma, shape)
        if self.train:
            xc = x - mean_(x, axis=axes, keepdims=True)
            inv_std = (mean_(xc * xc, axis=axes, keepdims=True) + self.eps) ** -0.5
            xn = xc * inv_std
            gxn = gy * g
            gx = (gxn - mean_(gxn, axis=axes, keepdims=True) - xn * mean_(gxn * xn, axis=axes, keepdims=True)) * inv_std
        else:
            inv_std = Variable(self.inference_inv_std)
            xn = (x - Variable(self.inference_mean)) * inv_std
            gx = gy * g * inv_std
        return gx, sum_(gy * xn, axis=axes), sum_(gy, axis=axes)


def batch_norm(x, gamma, beta, mean, var, decay: float = 0.9, eps: float = 2e-5):
    """Batch normalization; ``Config.train`` chooses the mode; ``mean``, ``var`` (arrays) are updated in training."""
    return BatchNorm(mean, var, decay, eps)(x, gamma, beta)
