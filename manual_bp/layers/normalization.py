"""Batch normalization ``BatchNormalization(gamma, beta, momentum=0.9, *, eps=1e-6)`` (book ch. 6)."""

from __future__ import annotations

import numbers

import numpy as np

from manual_bp._checks import (
    HasParams,
    as_float_array,
    check_dout,
    check_shape,
    require_forward,
    shape_str,
)

__all__ = ["BatchNormalization"]


class BatchNormalization(HasParams):
    """``out = gamma * (x - mu) / sqrt(var + eps) + beta``, statistics per feature or per channel.

    Shapes: ``x`` is ``(N, D)`` with ``gamma``, ``beta`` of shape ``(D,)`` (statistics over
    the batch axis, per feature), or ``(N, C, H, W)`` with ``gamma``, ``beta`` of shape
    ``(C,)`` (statistics over ``N, H, W``, per **channel**, as in convolutional networks and
    every framework; the book reshapes 4-D input to ``(N, C*H*W)`` and normalises each pixel
    separately, which needs ``gamma`` of ``C*H*W`` entries and throws away the translation
    invariance of a convolution). ``out`` has ``x``'s shape.

    Training (``forward(x, train_flg=True)``): ``mu``, ``var`` are the batch mean and the
    biased batch variance (``/ M``, ``M`` the number of values per feature); then
    ``running = momentum * running + (1 - momentum) * batch`` for both statistics. Inference
    (``train_flg=False``): ``mu``, ``var`` are the running statistics, which stay as they are.
    ``backward`` never changes them. ``running_mean`` starts at 0, ``running_var`` at 1 (the
    book starts the variance at 0, so an untrained layer scales by ``1/sqrt(eps) = 1000``).

    Backward, training (the compact form of the book's ``dxn, dxc, dstd, dvar, dmu`` chain,
    which collapses because ``xn`` has zero mean and unit mean square):
    ``dbeta = sum(dout)``, ``dgamma = sum(dout * xn)``, ``dxn = dout * gamma``,
    ``dx = (dxn - mean(dxn) - xn * mean(dxn * xn)) / std``, sums and means over the
    statistics' axes. Inference: ``dx = dout * gamma / std`` (the statistics are constants).

    - ``momentum`` (default 0.9), ``running_mean``, ``running_var`` (default ``None``: 0 and 1,
      shape ``(D,)``): the book's positional arguments, in its order.
    - ``eps`` (keyword, default ``1e-6``, the book's ``10e-7``) is added to the variance inside
      the square root, so a constant feature (or a batch of one) gives ``out = beta`` and
      finite gradients, never NaN.
    - ``x - mu`` and ``dxn - mean(dxn)`` are computed after shifting each feature by its first
      value (``_centered``), the same numbers in exact arithmetic: a constant feature then
      gives exactly 0, and nearly equal values lose no digits to cancellation, which matters
      because ``1/std`` multiplies every rounding error by up to ``1/sqrt(eps) = 1000``.
    """

    param_names = ("gamma", "beta")

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None, *, eps=1e-6):
        gamma, beta = as_float_array("gamma", gamma), as_float_array("beta", beta)
        if gamma.ndim != 1:
            raise ValueError(
                f"gamma must have shape (D,) (one scale per feature or channel), got {shape_str(gamma.shape)}"
            )
        check_shape("beta", beta, gamma.shape, "the shape of gamma")
        for name, value in (("momentum", momentum), ("eps", eps)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum must lie in [0, 1], got {momentum}")
        if not eps > 0:
            raise ValueError(f"eps must be positive (it keeps 1/sqrt(var + eps) finite), got {eps}")
        self.gamma, self.beta = gamma, beta
        self.momentum, self.eps = float(momentum), float(eps)
        features = gamma.shape[0]
        self.running_mean = np.zeros(features) if running_mean is None else np.array(running_mean, dtype=float)
        self.running_var = np.ones(features) if running_var is None else np.array(running_var, dtype=float)
        check_shape("running_mean", self.running_mean, gamma.shape, "the shape of gamma")
        check_shape("running_var", self.running_var, gamma.shape, "the shape of gamma")
        self.train_flg = None  # the mode of the last forward: backward differs
        self.x_shape = None  # x's shape: dx has it
        self.x_dtype = None  # x's dtype: out and dx have it
        self.xn = None  # normalised x: dgamma and dx need it
        self.std = None  # sqrt(var + eps), broadcastable to x: dx needs it
        self.dgamma = None  # dL/dgamma, shape (D,), allocated on the first backward, then reused
        self.dbeta = None  # dL/dbeta, shape (D,)

    def _layout(self, x: np.ndarray) -> tuple:
        """``(axes the statistics run over, shape that broadcasts a (D,) vector against x)``."""
        features = self.gamma.shape[0]
        if x.ndim == 2 and x.shape[1] == features:
            return (0,), (1, features)
        if x.ndim == 4 and x.shape[1] == features:
            return (0, 2, 3), (1, features, 1, 1)
        raise ValueError(
            f"x must have shape (N, {features}) or (N, {features}, H, W) (gamma has shape "
            f"{shape_str(self.gamma.shape)}), got {shape_str(x.shape)}"
        )

    def forward(self, x, train_flg=True):
        x = as_float_array("x", x)
        axes, shape = self._layout(x)
        if x.shape[0] == 0:
            raise ValueError(f"x must hold at least one sample, got shape {shape_str(x.shape)}")
        self.train_flg, self.x_shape, self.x_dtype = bool(train_flg), x.shape, x.dtype
        dtype = np.result_type(x, self.gamma, self.beta)
        x = x.astype(dtype, copy=False)
        if train_flg:
            xc = _centered(x, axes)  # x - mu
            var = np.mean(xc * xc, axis=axes, keepdims=True)
            mu = x.mean(axis=axes)
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var.reshape(-1)
        else:
            xc = x - self.running_mean.reshape(shape).astype(dtype)
            var = self.running_var.reshape(shape).astype(dtype)
        self.std = np.sqrt(var + dtype.type(self.eps))
        self.xn = xc / self.std
        return self.gamma.reshape(shape) * self.xn + self.beta.reshape(shape)

    def backward(self, dout):
        require_forward(self, self.xn)
        dout = check_dout(dout, self.x_shape)
        axes, shape = self._layout(self.xn)
        if self.dgamma is None:
            self.dgamma, self.dbeta = np.empty_like(self.gamma), np.empty_like(self.beta)
        self.dbeta[...] = dout.sum(axis=axes)
        self.dgamma[...] = (dout * self.xn).sum(axis=axes)
        dxn = dout * self.gamma.reshape(shape)
        if not self.train_flg:
            return (dxn / self.std).astype(self.x_dtype, copy=False)
        dxn_centered = _centered(dxn, axes)  # dxn - mean(dxn)
        dx = (dxn_centered - self.xn * (dxn * self.xn).mean(axis=axes, keepdims=True)) / self.std
        return dx.astype(self.x_dtype, copy=False)


def _centered(a: np.ndarray, axes: tuple) -> np.ndarray:
    """``a - mean(a, axes)``, computed as ``s - mean(s)`` with ``s = a - a[first]`` per feature.

    Equal in exact arithmetic; in floating point a constant feature gives exactly 0 and nearly
    equal values keep their digits (``a - a[first]`` is exact for values within a factor 2 of
    each other), where the plain form leaves rounding noise of ``eps * |a|``, which batch
    norm then multiplies by ``1/std`` (up to ``1/sqrt(eps) = 1000``).
    """
    first = a[(slice(0, 1), slice(None)) + (slice(0, 1),) * (a.ndim - 2)]
    shifted = a - first
    return shifted - shifted.mean(axis=axes, keepdims=True)
