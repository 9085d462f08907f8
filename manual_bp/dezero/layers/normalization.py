"""``BatchNorm``: batch normalization with its running statistics, created on the first call."""

from __future__ import annotations

import numpy as np

from manual_bp.dezero.core import Parameter
from manual_bp.dezero.functions.normalization import batch_norm
from manual_bp.dezero.layers.base import Layer

__all__ = ["BatchNorm"]


class BatchNorm(Layer):
    """``y = gamma * (x - mu) / sqrt(var + eps) + beta`` per feature of ``(N, D)`` or channel of
    ``(N, C, H, W)`` inputs (``F.batch_norm``; ``Config.train`` picks batch or running statistics).

    ``gamma`` (ones), ``beta`` (zeros) and the running ``avg_mean`` (zeros), ``avg_var`` (ones)
    are created on the first call, of the input's dtype. The running statistics are
    Parameters, as in the book, so ``save_weights`` keeps them; they never get a gradient, so
    no optimizer changes them.
    """

    def __init__(self, decay: float = 0.9, eps: float = 2e-5):
        super().__init__()
        self.decay, self.eps = decay, eps
        self.avg_mean = Parameter(None, name="avg_mean")
        self.avg_var = Parameter(None, name="avg_var")
        self.gamma = Parameter(None, name="gamma")
        self.beta = Parameter(None, name="beta")

    def forward(self, x):
        if self.avg_mean.data is None:
            D, dtype = x.shape[1], x.dtype
            self.avg_mean.data, self.avg_var.data = np.zeros(D, dtype), np.ones(D, dtype)
            self.gamma.data, self.beta.data = np.ones(D, dtype), np.zeros(D, dtype)
        return batch_norm(x, self.gamma, self.beta, self.avg_mean.data, self.avg_var.data, self.decay, self.eps)
