"""Deliberately broken layers: each has one bug the verifier must catch.

``BROKEN`` maps a short bug name to (catalog entry with the broken layer, the quantity the
verifier's report must name). The CLI tests load this file as a user catalog.
"""

import dataclasses
import functools

import numpy as np

import manual_bp
from oracle.layers.dropout import seeded_dropout_layer
from oracle.verify.catalog import find_entry


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


# -- Chapters 6 and 7 ------------------------------------------------------------------------


def assigning_col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """The book's col2im with ``img[...] = col[...]`` where it needs ``+=``: overlapping windows overwrite."""
    n, c, height, width = input_shape
    out_h, out_w = (height + 2 * pad - filter_h) // stride + 1, (width + 2 * pad - filter_w) // stride + 1
    col = col.reshape(n, out_h, out_w, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, height + 2 * pad + stride - 1, width + 2 * pad + stride - 1), dtype=col.dtype)
    for y in range(filter_h):
        for x in range(filter_w):
            img[:, :, y:y + stride * out_h:stride, x:x + stride * out_w:stride] = col[:, :, y, x, :, :]
    return img[:, :, pad:height + pad, pad:width + pad]


class AssigningCol2imConvolution(manual_bp.Convolution):
    """dx through ``assigning_col2im``: right only when no two windows overlap (stride >= filter)."""

    def backward(self, dout):
        super().backward(dout)  # dW, db stay right
        filters, _, filter_h, filter_w = self.W.shape
        dcol = np.asarray(dout).transpose(0, 2, 3, 1).reshape(-1, filters) @ self.W.reshape(filters, -1)
        return assigning_col2im(dcol, self.x_shape, filter_h, filter_w, self.stride, self.pad).astype(self.x_dtype)


class TieToEveryMaxPooling(manual_bp.Pooling):
    """Max-pool backward with ``col == col.max()`` as the mask: a k-way tie passes dout k times."""

    def forward(self, x):
        self.x = np.asarray(x)
        return super().forward(x)

    def backward(self, dout):
        ph, pw, channels = self.pool_h, self.pool_w, self.x_shape[1]
        col = manual_bp.layers.im2col(self.x, ph, pw, self.stride, self.pad).reshape(-1, ph * pw)
        dcol = (col == col.max(axis=1, keepdims=True)) * np.asarray(dout).transpose(0, 2, 3, 1).reshape(-1, 1)
        return manual_bp.col2im(dcol.reshape(-1, channels * ph * pw), self.x_shape, ph, pw, self.stride,
                                self.pad).astype(self.x_dtype)


class NoMeanTermBatchNormalization(manual_bp.BatchNormalization):
    """dx = (dxn - xn * mean(dxn * xn)) / std: the ``- mean(dxn)`` term (the path through mu) is missing."""

    def backward(self, dout):
        super().backward(dout)  # dgamma, dbeta stay right
        axes = (0,) if self.xn.ndim == 2 else (0, 2, 3)
        dxn = np.asarray(dout) * self.gamma.reshape((1, -1) + (1,) * (self.xn.ndim - 2))
        return ((dxn - self.xn * (dxn * self.xn).mean(axis=axes, keepdims=True)) / self.std).astype(self.x_dtype)


class MaskIgnoringDropout(manual_bp.Dropout):
    """dx = dout / (1 - p): backward forgets the mask, so dropped units get a gradient."""

    def backward(self, dout):
        return (np.asarray(dout) / (1 - self.dropout_ratio)).astype(self.x_dtype)


# -- The sequel: attention (chapter 8) -----------------------------------------------------


class WrongAxisSoftmaxAttentionWeight(manual_bp.AttentionWeight):
    """a = softmax(s, axis=0): the weights normalized over the batch instead of over the encoder steps
    (forward and backward consistently wrong, as when the axis is a shared constant)."""

    def forward(self, hs, h, mask=None):
        super().forward(hs, h, mask)  # caches hs, h
        scores = (self.hs @ self.h[:, :, None])[:, :, 0]
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        self.a = manual_bp.functions.softmax(scores, axis=0)
        return self.a.copy()

    def backward(self, da):
        ds = self.a * (np.asarray(da) - (np.asarray(da) * self.a).sum(axis=0, keepdims=True))
        return ((ds[:, :, None] * self.h[:, None, :]).astype(self.hs.dtype),
                (ds[:, None, :] @ self.hs)[:, 0, :].astype(self.h.dtype))


class OnePathAttention(manual_bp.Attention):
    """dhs = dhs_score only: the path through the weighted sum into hs is dropped."""

    def backward(self, dc):
        _, da = self.weight_sum_layer.backward(dc)
        return self.attention_weight_layer.backward(da)


class MaskIgnoringTimeAttention(manual_bp.TimeAttention):
    """forward(hs_enc, hs_dec, mask) drops the mask: padded encoder steps get weight."""

    def forward(self, hs_enc, hs_dec, mask=None):
        return super().forward(hs_enc, hs_dec)



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
    "col2im assigns instead of adding": (_broken("Convolution", AssigningCol2imConvolution), "dx"),
    "max-pool tie to every maximum": (dataclasses.replace(
        find_entry("Pooling"), name="Pooling[TieToEveryMaxPooling]",
        layer=functools.partial(TieToEveryMaxPooling, 2, 2)), "dx"),
    "batch norm without the mean term": (_broken("BatchNormalization", NoMeanTermBatchNormalization), "dx"),
    "dropout backward ignores the mask": (dataclasses.replace(
        find_entry("Dropout"), name="Dropout[MaskIgnoringDropout]",
        layer=functools.partial(seeded_dropout_layer, layer=MaskIgnoringDropout)), "dx"),
    # -- the sequel: attention
    "attention softmax over the wrong axis": (_broken("AttentionWeight", WrongAxisSoftmaxAttentionWeight), "forward"),
    "attention drops the weighted-sum path into hs": (_broken("Attention", OnePathAttention), "dhs"),
    "time attention ignores the mask": (_broken("TimeAttention", MaskIgnoringTimeAttention), "dhs_enc"),
}

# A user catalog of the broken layers, for `manual-bp verify --catalog tests/broken_layers.py:CATALOG`.
CATALOG = tuple(entry for entry, _ in BROKEN.values())
