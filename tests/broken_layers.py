"""Deliberately broken layers: each has one bug the verifier must catch.

``BROKEN`` maps a short bug name to (catalog entry with the broken layer, the quantity the
verifier's report must name). The CLI tests load this file as a user catalog.
"""

import dataclasses

import numpy as np

import manual_bp
from oracle.catalog import find_entry


class BookAffine:
    """The book's Affine (correct), as a user writes it: the base of the Affine bugs below."""

    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = self.original_x_shape = self.dW = self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        dx = dout @ self.W.T
        self.dW = self.x.T @ dout
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class TransposedProductAffine(BookAffine):
    """dW = dout.T @ x: the transposed product (shape (M, D) instead of (D, M))."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.dW = dout.T @ self.x
        return dx


class SquareTransposedAffine(BookAffine):
    """dx = dout @ W (no transpose): shape-compatible for square W, so only the values are wrong."""

    def backward(self, dout):
        super().backward(dout)
        return (dout @ self.W).reshape(self.original_x_shape)


class WrongAxisBiasAffine(BookAffine):
    """db = dout.sum(axis=1): summed over outputs instead of over the batch."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.db = dout.sum(axis=1)
        return dx


class NoBatchMeanSoftmaxWithLoss(manual_bp.SoftmaxWithLoss):
    """dx = dout * (y - t): the missing / N."""

    def backward(self, dout=1.0):
        return super().backward(dout) * manual_bp.functions._batch_size(self.y.shape)


class IgnoresDoutSigmoid(manual_bp.Sigmoid):
    """dx = out * (1 - out): the upstream gradient is dropped."""

    def backward(self, dout):
        return self.out * (1 - self.out)


class KinkAtZeroReLU(manual_bp.ReLU):
    """mask = x >= 0: the gradient at exactly 0 is dout instead of 0."""

    def forward(self, x):
        out = super().forward(x)
        self.mask = np.asarray(x) >= 0
        return out


class BookReLU:
    """The book's ReLU: writes into the caller's dout and returns it."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class StatefulSigmoid(manual_bp.Sigmoid):
    """backward overwrites its cache with the local derivative: a second call is wrong."""

    def backward(self, dout):
        self.out = self.out * (1 - self.out)
        return (dout * self.out).astype(self.out.dtype)


class UnshiftedSoftmaxWithLoss(manual_bp.SoftmaxWithLoss):
    """softmax without the max-shift: exp overflows to inf for large logits (NaN loss)."""

    def forward(self, x, t):
        loss = super().forward(x, t)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            e = np.exp(np.asarray(x))
            self.y = e / e.sum(axis=-1, keepdims=True)
            with np.errstate(divide="ignore"):
                self.loss = manual_bp.functions._mean_nll(np.log(self.y), self.t)
        return self.loss if np.isfinite(loss) else loss


class DeltaLogSoftmaxWithLoss(manual_bp.SoftmaxWithLoss):
    """The book's loss: -log(y + 1e-7), not the function whose gradient backward returns."""

    def forward(self, x, t):
        super().forward(x, t)
        self.loss = manual_bp.functions._mean_nll(np.log(self.y + 1e-7), self.t)
        return self.loss


def _broken(name: str, layer) -> "object":
    return dataclasses.replace(find_entry(name), name=f"{name}[{layer.__name__}]", layer=layer)


BROKEN = {
    "transposed dW product": (_broken("Affine", TransposedProductAffine), "dW"),
    "dx without W.T": (dataclasses.replace(
        _broken("Affine", SquareTransposedAffine),
        cases=lambda dtype: find_entry("Affine").cases(dtype, features=((3,),), outputs=(3,))), "dx"),
    "db summed on the wrong axis": (_broken("Affine", WrongAxisBiasAffine), "db"),
    "missing / N": (_broken("SoftmaxWithLoss", NoBatchMeanSoftmaxWithLoss), "dx"),
    "gradient ignores dout": (_broken("Sigmoid", IgnoresDoutSigmoid), "dx"),
    "ReLU'(0) = 1": (_broken("ReLU", KinkAtZeroReLU), "dx"),
    "write into dout": (_broken("ReLU", BookReLU), "mutation"),
    "second backward differs": (_broken("Sigmoid", StatefulSigmoid), "dx"),
    "softmax without max-shift": (_broken("SoftmaxWithLoss", UnshiftedSoftmaxWithLoss), "forward"),
    "loss with the 1e-7 delta": (_broken("SoftmaxWithLoss", DeltaLogSoftmaxWithLoss), "forward"),
}

# A user catalog of the broken layers, for `manual-bp verify --catalog tests/broken_layers.py:CATALOG`.
CATALOG = tuple(entry for entry, _ in BROKEN.values())
