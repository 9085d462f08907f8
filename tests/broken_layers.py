"""Deliberately broken layers: each has one bug the verifier must catch.

``BROKEN`` maps a short bug name to (catalog entry with the broken layer, the quantity the
verifier's report must name). The CLI tests load this file as a user catalog.
"""

import dataclasses
import functools

import numpy as np

import manual_bp
from oracle.catalog import find_entry
from oracle.layers.dropout import seeded_dropout_layer
from oracle.layers.negative_sampling import seeded_negative_sampling_layer
from oracle.layers.time_layers import seeded_time_dropout_layer


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


def book_col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0, *, overlapping="add"):
    """The book's col2im (correct; ``tests/layers/test_im2col.py`` compares with it), its buffer in
    ``col``'s dtype (the book's is float64): window offset by window offset, each ``+=`` over all
    windows at once. ``overlapping="assign"`` plants the bug: ``img[...] = col[...]``."""
    n, c, height, width = input_shape
    out_h, out_w = (height + 2 * pad - filter_h) // stride + 1, (width + 2 * pad - filter_w) // stride + 1
    col = col.reshape(n, out_h, out_w, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, height + 2 * pad + stride - 1, width + 2 * pad + stride - 1), dtype=col.dtype)
    for y in range(filter_h):
        for x in range(filter_w):
            window = img[:, :, y : y + stride * out_h : stride, x : x + stride * out_w : stride]
            if overlapping == "add":
                window += col[:, :, y, x, :, :]
            else:
                window[...] = col[:, :, y, x, :, :]
    return img[:, :, pad : height + pad, pad : width + pad]


def assigning_col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """The book's col2im with ``img[...] = col[...]`` where it needs ``+=``: overlapping windows overwrite."""
    return book_col2im(col, input_shape, filter_h, filter_w, stride, pad, overlapping="assign")


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
        return manual_bp.col2im(
            dcol.reshape(-1, channels * ph * pw), self.x_shape, ph, pw, self.stride, self.pad
        ).astype(self.x_dtype)


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


# -- Bugs that show only in a drawn configuration (issue 9): each is right at the defaults.


class SquareFilterConvolution(manual_bp.Convolution):
    """dx by the transposed convolution, looping over ``filter_h x filter_h``: a square filter is
    assumed, so the columns ``j >= filter_h`` of a wider filter give no gradient."""

    def backward(self, dout):
        super().backward(dout)  # dW, db stay right
        dout = np.asarray(dout)
        _, channels, filter_h, filter_w = self.W.shape
        n, _, height, width = self.x_shape
        s, p, (out_h, out_w) = self.stride, self.pad, dout.shape[2:]
        dxp = np.zeros((n, channels, height + 2 * p + s * filter_h, width + 2 * p + s * filter_w))
        for i in range(filter_h):
            for j in range(min(filter_h, filter_w)):  # the bug: range(filter_w)
                dxp[:, :, i : i + s * out_h : s, j : j + s * out_w : s] += np.einsum(
                    "nfhw,fc->nchw", dout, self.W[:, :, i, j]
                )
        return dxp[:, :, p : p + height, p : p + width].astype(self.x_dtype)


class WindowStepPooling(manual_bp.Pooling):
    """Max-pool backward that steps from window to window by the window size, not the stride:
    right for the book's 2x2 windows at stride 2, wrong whenever the stride differs."""

    def backward(self, dout):
        dout = np.asarray(dout).transpose(1, 0, 2, 3)  # (C, N, OH, OW) like arg_max
        c, n, out_h, out_w = self.arg_max.shape
        i, j = np.divmod(self.arg_max, self.pool_w)
        rows = np.arange(out_h)[:, None] * self.pool_h + i  # the bug: * self.stride
        cols = np.arange(out_w)[None, :] * self.pool_w + j
        _, _, height, width = self.x_shape
        big = np.zeros(
            (
                c,
                n,
                max(height + 2 * self.pad, out_h * self.pool_h + self.pool_h),
                max(width + 2 * self.pad, out_w * self.pool_w + self.pool_w),
            )
        )
        np.add.at(big, (np.arange(c)[:, None, None, None], np.arange(n)[None, :, None, None], rows, cols), dout)
        dx = big[:, :, self.pad : self.pad + height, self.pad : self.pad + width].transpose(1, 0, 2, 3)
        return np.ascontiguousarray(dx).astype(self.x_dtype)


class HalfRatioDropout(manual_bp.Dropout):
    """Training backward scales by ``1 / (1 - 0.5)`` whatever the ratio: right at the default 0.5."""

    def backward(self, dout):
        if self.mask is None:
            return super().backward(dout)
        return np.where(self.mask, np.asarray(dout) / (1 - 0.5), 0).astype(self.x_dtype)


class StaleMaskDropout(manual_bp.Dropout):
    """An inference forward keeps the last training mask, which backward then applies."""

    def forward(self, x, train_flg=True):
        mask = self.mask
        out = super().forward(x, train_flg)
        if not train_flg and mask is not None:
            self.mask = mask
        return out


class TrainingFormulaBatchNormalization(manual_bp.BatchNormalization):
    """Backward uses the training formula (through the batch statistics) after an inference forward too."""

    def backward(self, dout):
        self.train_flg = True
        return super().backward(dout)


class DefaultAlphaLeakyReLU(manual_bp.LeakyReLU):
    """Backward uses the default slope 0.01 whatever ``alpha`` the layer was built with."""

    def backward(self, dout):
        return np.where(self.mask, dout, 0.01 * np.asarray(dout)).astype(self.x_dtype)


class LastAxisSoftmax(manual_bp.Softmax):
    """Backward sums ``dout * y`` over the last axis whatever ``axis`` the layer normalises."""

    def backward(self, dout):
        y = self.out
        return (y * (dout - (dout * y).sum(axis=-1, keepdims=True))).astype(y.dtype)


class UnitRowSumSoftmaxWithLoss(manual_bp.SoftmaxWithLoss):
    """dx = (y - t) / N for dense targets: right only when every row of t sums to 1."""

    def backward(self, dout=1.0):
        if self.t.dtype.kind != "f":
            return super().backward(dout)
        return ((self.y - self.t) * (dout / manual_bp.functions._batch_size(self.y.shape))).astype(self.y.dtype)


class FirstAxisBatchSoftmaxWithLoss(manual_bp.SoftmaxWithLoss):
    """N = x.shape[0] even for one 1-D sample, where it is the class count: dx is C times too small."""

    def backward(self, dout=1.0):
        return (super().backward(dout) * manual_bp.functions._batch_size(self.y.shape) / self.y.shape[0]).astype(
            self.y.dtype
        )


class WeightDtypeAffine(manual_bp.Affine):
    """dx in W's dtype, not x's: wrong only when they differ (mixed dtypes)."""

    def backward(self, dout, *, input_grad=True):
        return super().backward(dout).astype(self.W.dtype)


class UncheckedReLU(manual_bp.ReLU):
    """forward without the boundary check: a boolean x passes (its declared error input fails)."""

    def forward(self, x):
        self.mask, self.x_dtype = x > 0, np.result_type(x, np.float64) if x.dtype.kind == "b" else x.dtype
        return np.where(self.mask, x, 0).astype(self.x_dtype)


# -- What the caller owns (issue 9)


class CacheReturningSigmoid(manual_bp.Sigmoid):
    """The book's Sigmoid: forward returns ``self.out`` itself, which backward then reads."""

    def forward(self, x):
        super().forward(x)
        return self.out


class BufferReturningReLU(manual_bp.ReLU):
    """backward hands out one internal buffer, overwritten by the next backward."""

    def backward(self, dout):
        dx = super().backward(dout)
        if getattr(self, "buffer", None) is None or self.buffer.shape != dx.shape:
            self.buffer = np.empty_like(dx)
        self.buffer[...] = dx
        return self.buffer


# -- the sequel: Deep Learning from Scratch 2 ------------------------------------------------


class AssigningEmbedding(manual_bp.layers.Embedding):
    """The book's first Embedding backward, ``dW[idx] = dout``: a repeated id keeps only its last row."""

    def backward(self, dout):
        self.dW = np.zeros_like(self.W)
        self.dW[self.idx] = np.asarray(dout).reshape(-1, self.W.shape[1])
        return None


class AssigningTimeEmbedding(AssigningEmbedding, manual_bp.layers.TimeEmbedding):
    """The book's first Embedding backward in the time layer: a repeated id keeps only its last row."""


class HalfRatioTimeDropout(HalfRatioDropout, manual_bp.layers.TimeDropout):
    """``HalfRatioDropout``'s backward in the time layer: right at the default ratio 0.5 only."""


class PyTorchGateOrderLSTM(manual_bp.layers.LSTM):
    """Reads the 4H pre-activations as PyTorch's ``[i, f, g, o]`` instead of the book's ``[f, g, i, o]``
    (a consistent LSTM, forward and backward, with the wrong layout)."""

    @staticmethod
    def _book_order(a):  # columns [i, f, g, o] read as the book's [f, g, i, o]
        H = a.shape[1] // 4
        return np.concatenate([a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, :H], a[:, 3 * H :]], axis=1)

    def forward(self, x, h_prev, c_prev):
        self._original = (self.Wx, self.Wh, self.b)
        self.Wx, self.Wh, self.b = (self._book_order(w) for w in (self.Wx, self.Wh, self.b.reshape(1, -1)))
        self.b = self.b.reshape(-1)
        try:
            return super().forward(x, h_prev, c_prev)
        finally:
            self.Wx_book, self.Wh_book = self.Wx, self.Wh
            self.Wx, self.Wh, self.b = self._original

    def backward(self, dh_next, dc_next):
        Wx, Wh = self.Wx, self.Wh
        self.Wx, self.Wh = self.Wx_book, self.Wh_book
        try:
            grads = super().backward(dh_next, dc_next)
        finally:
            self.Wx, self.Wh = Wx, Wh
        H = self.hidden

        def unorder(g):  # back from the book's columns to [i, f, g, o]
            g2 = g.reshape(-1, 4 * H)
            columns = [g2[:, 2 * H : 3 * H], g2[:, :H], g2[:, H : 2 * H], g2[:, 3 * H :]]
            return np.concatenate(columns, axis=1).reshape(g.shape)

        self.dWx, self.dWh, self.db = unorder(self.dWx), unorder(self.dWh), unorder(self.db)
        return grads


class LeakingTimeRNN(manual_bp.layers.TimeRNN):
    """Backward starts from the ``dh`` its previous backward left (``self.dh``) instead of 0:
    a gradient leaking across the truncated-BPTT block boundary."""

    def backward(self, dhs):
        dhs = self._dhs(dhs)
        hs = self._hs
        t, n, h = hs.shape[0] - 1, hs.shape[1], self.hidden
        dA = np.empty((t, n, h), np.result_type(hs, dhs))
        dh = self.dh if self.dh is not None else np.zeros((n, h), dA.dtype)
        for k in reversed(range(t)):
            dA[k] = (dhs[k] + dh) * (1 - hs[k + 1] ** 2)
            dh = dA[k] @ self.Wh.T
        self.dh = dh
        return self._end(dA, hs[:-1].reshape(t * n, h))


class HiddenOnlyTimeLSTM(manual_bp.layers.TimeLSTM):
    """A stateful TimeLSTM that carries ``h`` to the next forward but not its cell state ``c``
    (the next block starts from ``c = 0``), as a ``set_state(h)`` would."""

    def forward(self, xs):
        hs = super().forward(xs)
        self.c = None
        return hs


class ForgetfulTimeRNN(manual_bp.layers.TimeRNN):
    """A stateful TimeRNN that resets ``h`` after every forward: each block starts from zeros
    unless ``set_state`` was called just before it."""

    def forward(self, xs):
        hs = super().forward(xs)
        self.h = None
        return hs


class SwappedMomentumBatchNormalization(manual_bp.BatchNormalization):
    """Running statistics updated right by the first training forward, then with ``momentum`` the
    wrong way round: ``running = (1 - momentum) * running + momentum * batch``."""

    updated = False  # set by the first training forward

    def forward(self, x, train_flg=True):
        running_mean, running_var = self.running_mean, self.running_var
        out = super().forward(x, train_flg)
        if train_flg and self.updated:
            axes, _ = self._layout(x)
            m = self.momentum
            self.running_mean = (1 - m) * running_mean + m * x.mean(axis=axes)
            self.running_var = (1 - m) * running_var + m * x.var(axis=axes)
        self.updated = self.updated or bool(train_flg)
        return out


class CountsIgnoredTimeSoftmaxWithLoss(manual_bp.layers.TimeSoftmaxWithLoss):
    """Divides by N * T, every position, instead of the number of positions not ignored."""

    def forward(self, xs, ts):
        loss = super().forward(xs, ts)
        scale = max(1, int(self.mask.sum())) / self.mask.size
        self.loss = (loss * scale).astype(loss.dtype)
        return self.loss

    def backward(self, dout=1.0):
        scale = max(1, int(self.mask.sum())) / self.mask.size
        return (super().backward(dout) * scale).astype(self.ys.dtype)


class DeltaSigmoidWithLoss(manual_bp.layers.SigmoidWithLoss):
    """The book's loss: ``-log(y + 1e-7)`` of the sigmoid, saturating at 16.1, not the function of backward."""

    def forward(self, x, t):
        super().forward(x, t)
        y, t = self.y.astype(np.float64), self.t
        self.loss = np.asarray(-np.mean(t * np.log(y + 1e-7) + (1 - t) * np.log(1 - y + 1e-7)), self.y.dtype)
        return self.loss


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
        return (
            (ds[:, :, None] * self.h[:, None, :]).astype(self.hs.dtype),
            (ds[:, None, :] @ self.hs)[:, 0, :].astype(self.h.dtype),
        )


class OnePathAttention(manual_bp.Attention):
    """dhs = dhs_score only: the path through the weighted sum into hs is dropped."""

    def backward(self, dc):
        _, da = self.weight_sum_layer.backward(dc)
        return self.attention_weight_layer.backward(da)


class MaskIgnoringTimeAttention(manual_bp.TimeAttention):
    """forward(hs_enc, hs_dec, mask) drops the mask: padded encoder steps get weight."""

    def forward(self, hs_enc, hs_dec, mask=None):
        return super().forward(hs_enc, hs_dec)


# -- What a gradient check cannot see: random components, documented values, mixed dtypes --------
# Each row's cases are drawn with the broken component itself (as a user's own row draws with the
# user's sampler), so every gradient check passes: only the new checks catch these.


class PowerIgnoringUnigramSampler(manual_bp.layers.negative_sampling.UnigramSampler):
    """``p(w) = count(w) / sum count``: ``power`` is kept but never applied."""

    def __init__(self, corpus, power=0.75, sample_size=5, *, rng=None, seed=None):
        super().__init__(corpus, 1.0, sample_size, rng=rng, seed=seed)
        self.power = float(power)


class PowerIgnoringNegativeSamplingLoss(manual_bp.layers.negative_sampling.NegativeSamplingLoss):
    """Negative sampling whose sampler ignores ``power`` (draws from the raw unigram counts)."""

    def __init__(self, W, corpus, power=0.75, sample_size=5, *, rng=None, seed=None):
        super().__init__(W, corpus, power, sample_size, rng=rng, seed=seed)
        self.sampler = PowerIgnoringUnigramSampler(corpus, power, sample_size, rng=self.sampler.rng)


def swapped_keep_mask(rng, shape, dropout_ratio):
    """``rng.random(shape) < dropout_ratio``: each unit kept with probability ``p``, not ``1 - p``."""
    return rng.random(shape) < dropout_ratio


class KeepRatioDropout(manual_bp.Dropout):
    """Keeps each unit with probability ``dropout_ratio`` instead of ``1 - dropout_ratio`` (the
    uniforms compared the wrong way): the same law at 0.5, the default, so only other ratios show it."""

    def forward(self, x, train_flg=True):
        out = super().forward(x, train_flg)
        if self.mask is None:
            return out
        self.mask = ~self.mask  # rng.random(shape) < p, from the same uniforms
        return np.where(self.mask, np.asarray(x) / (1 - self.dropout_ratio), 0).astype(out.dtype)


class NegativeIgnoreTimeSoftmaxWithLoss(manual_bp.layers.TimeSoftmaxWithLoss):
    """Leaves out the positions whose label is negative (``ts < 0``), not those equal to
    ``ignore_label``: right for -1 and -100; a padding id 0, or any id at or past 0, is scored as a
    class (an id past the classes clipped into range, as a JAX gather does)."""

    def forward(self, xs, ts):
        ts, label = np.asarray(ts), self.ignore_label
        self.ignore_label = -1
        try:
            return super().forward(xs, np.where(ts < 0, -1, np.minimum(ts, np.shape(xs)[-1] - 1)))
        finally:
            self.ignore_label = label


class WeightDtypeWeightSum(manual_bp.WeightSum):
    """``dhs`` in the dtype of the weights ``a``, not of ``hs``: invisible while both share one dtype."""

    def backward(self, dc):
        dhs, da = super().backward(dc)
        return dhs.astype(self.a.dtype), da


def _cases_redrawn(name: str, redraw):
    """The cases of the catalog row ``name``, each passed through ``redraw(case)``."""
    return lambda dtype, **kwargs: find_entry(name).cases(dtype, **kwargs).map(redraw)


def _negatives_of_power_ignoring_sampler(case):
    sampler = PowerIgnoringUnigramSampler(
        case.params["corpus"], rng=np.random.default_rng(int(case.params["seed"])), **case.config
    )
    negatives = sampler.get_negative_sample(case.inputs["target"])
    return dataclasses.replace(case, params={**case.params, "negatives": negatives})


def _swapped_dropout_mask(case):
    x, ratio = case.inputs["x"], case.config.get("dropout_ratio", 0.5)
    mask = swapped_keep_mask(np.random.default_rng(int(case.params["seed"])), x.shape, ratio).astype(x.dtype)
    return dataclasses.replace(case, params={**case.params, "mask": mask})


def _broken(name: str, layer) -> "object":
    return dataclasses.replace(find_entry(name), name=f"{name}[{layer.__name__}]", layer=layer)


BROKEN = {
    "transposed dW product": (_broken("Affine", TransposedProductAffine), "dW"),
    "dx without W.T": (
        dataclasses.replace(
            _broken("Affine", SquareTransposedAffine),
            cases=lambda dtype: find_entry("Affine").cases(dtype, features=((3,),), outputs=(3,)),
        ),
        "dx",
    ),
    "db summed on the wrong axis": (_broken("Affine", WrongAxisBiasAffine), "db"),
    "missing / N": (_broken("SoftmaxWithLoss", NoBatchMeanSoftmaxWithLoss), "dx"),
    "gradient ignores dout": (_broken("Sigmoid", IgnoresDoutSigmoid), "dx"),
    "ReLU'(0) = 1": (_broken("ReLU", KinkAtZeroReLU), "dx"),
    "write into dout": (_broken("ReLU", BookReLU), "mutation"),
    "second backward differs": (_broken("Sigmoid", StatefulSigmoid), "dx"),
    "softmax without max-shift": (_broken("SoftmaxWithLoss", UnshiftedSoftmaxWithLoss), "forward"),
    "loss with the 1e-7 delta": (_broken("SoftmaxWithLoss", DeltaLogSoftmaxWithLoss), "forward"),
    "col2im assigns instead of adding": (_broken("Convolution", AssigningCol2imConvolution), "dx"),
    "max-pool tie to every maximum": (_broken("Pooling", TieToEveryMaxPooling), "dx"),
    "forward accepts a boolean x": (_broken("ReLU", UncheckedReLU), "error input"),
    "batch norm without the mean term": (_broken("BatchNormalization", NoMeanTermBatchNormalization), "dx"),
    "dropout backward ignores the mask": (
        dataclasses.replace(
            find_entry("Dropout"),
            name="Dropout[MaskIgnoringDropout]",
            layer=functools.partial(seeded_dropout_layer, layer=MaskIgnoringDropout),
        ),
        "dx",
    ),
    # each wrong only in a configuration the catalog draws
    "convolution assumes square filters": (_broken("Convolution", SquareFilterConvolution), "dx"),
    "max-pool steps by the window, not the stride": (_broken("Pooling", WindowStepPooling), "dx"),
    "dropout scales by 1/(1 - 0.5) whatever the ratio": (
        dataclasses.replace(
            find_entry("Dropout"),
            name="Dropout[HalfRatioDropout]",
            layer=functools.partial(seeded_dropout_layer, layer=HalfRatioDropout),
        ),
        "dx",
    ),
    "dropout applies a stale mask at inference": (
        dataclasses.replace(
            find_entry("Dropout"),
            name="Dropout[StaleMaskDropout]",
            layer=functools.partial(seeded_dropout_layer, layer=StaleMaskDropout),
        ),
        "dx",
    ),
    "batch norm backward trains after an inference forward": (
        _broken("BatchNormalization", TrainingFormulaBatchNormalization),
        "call 3 dx",  # every sequence with an inference call has one third
    ),
    "leaky ReLU backward with the default alpha": (_broken("LeakyReLU", DefaultAlphaLeakyReLU), "dx"),
    "softmax backward along the last axis": (_broken("Softmax", LastAxisSoftmax), "dx"),
    "cross-entropy assumes rows of t sum to 1": (_broken("SoftmaxWithLoss", UnitRowSumSoftmaxWithLoss), "dx"),
    "cross-entropy counts a 1-D sample's classes as its batch": (
        _broken("SoftmaxWithLoss", FirstAxisBatchSoftmaxWithLoss),
        "dx",
    ),
    "affine dx in W's dtype": (_broken("Affine", WeightDtypeAffine), "dx"),
    # what the caller owns
    "forward returns its cache (the book's Sigmoid)": (
        _broken("Sigmoid", CacheReturningSigmoid),
        "caller-owned forward output",
    ),
    "backward returns an internal buffer": (_broken("ReLU", BufferReturningReLU), "caller-owned returned gradient"),
    # -- the sequel
    "embedding gradient assigned, not added": (_broken("Embedding", AssigningEmbedding), "dW"),
    "time embedding gradient assigned, not added": (_broken("TimeEmbedding", AssigningTimeEmbedding), "dW"),
    "time dropout scales by 1/(1 - 0.5) whatever the ratio": (
        dataclasses.replace(
            find_entry("TimeDropout"),
            name="TimeDropout[HalfRatioTimeDropout]",
            layer=functools.partial(seeded_time_dropout_layer, layer=HalfRatioTimeDropout),
        ),
        "dxs",
    ),
    "LSTM gates read in PyTorch's order": (_broken("LSTM", PyTorchGateOrderLSTM), "db"),
    "gradient leaks across the BPTT boundary": (_broken("TimeRNN", LeakingTimeRNN), "dh is not zero for a zero dout"),
    # -- state carried from one call to the next (sequence cases)
    "TimeLSTM does not carry its cell state": (_broken("TimeLSTM", HiddenOnlyTimeLSTM), "call 2 forward"),
    "TimeRNN resets h after every forward": (_broken("TimeRNN", ForgetfulTimeRNN), "call 2 forward"),
    "batch norm swaps momentum after the first update": (
        _broken("BatchNormalization", SwappedMomentumBatchNormalization),
        "call 3 forward",
    ),
    "ignored positions counted in the divisor": (
        _broken("TimeSoftmaxWithLoss", CountsIgnoredTimeSoftmaxWithLoss),
        "forward",
    ),
    "sigmoid loss with the 1e-7 delta": (_broken("SigmoidWithLoss", DeltaSigmoidWithLoss), "forward"),
    # -- the sequel: attention
    "attention softmax over the wrong axis": (_broken("AttentionWeight", WrongAxisSoftmaxAttentionWeight), "forward"),
    "attention drops the weighted-sum path into hs": (_broken("Attention", OnePathAttention), "dhs"),
    "time attention ignores the mask": (_broken("TimeAttention", MaskIgnoringTimeAttention), "dhs_enc"),
    # -- what only the distribution checks and the full documented ranges see
    "sampler ignores power": (
        dataclasses.replace(
            find_entry("NegativeSamplingLoss"),
            name="NegativeSamplingLoss[PowerIgnoringNegativeSamplingLoss]",
            layer=functools.partial(seeded_negative_sampling_layer, layer=PowerIgnoringNegativeSamplingLoss),
            cases=_cases_redrawn("NegativeSamplingLoss", _negatives_of_power_ignoring_sampler),
        ),
        "negatives (power=0.75, K=1)",
    ),
    "dropout keeps with probability ratio, not 1 - ratio": (
        dataclasses.replace(
            find_entry("Dropout"),
            name="Dropout[KeepRatioDropout]",
            layer=functools.partial(seeded_dropout_layer, layer=KeepRatioDropout),
            cases=_cases_redrawn("Dropout", _swapped_dropout_mask),
        ),
        "keep rate",
    ),
    "time loss assumes ignore_label is negative": (
        _broken("TimeSoftmaxWithLoss", NegativeIgnoreTimeSoftmaxWithLoss),
        "forward",
    ),
    "weighted sum's dhs in the dtype of a": (_broken("WeightSum", WeightDtypeWeightSum), "dhs"),
}

# A user catalog of the broken layers, for `manual-bp verify --catalog tests/broken_layers.py:CATALOG`.
CATALOG = tuple(entry for entry, _ in BROKEN.values())

# The four caught only by the distribution checks and the full documented ranges (issue 17).
UNSEEN_BY_GRADIENTS = tuple(
    BROKEN[bug][0]
    for bug in (
        "sampler ignores power",
        "dropout keeps with probability ratio, not 1 - ratio",
        "time loss assumes ignore_label is negative",
        "weighted sum's dhs in the dtype of a",
    )
)

# A correct row and a broken one, for the test that worker processes report what one process does.
WORKER_CHECK = (find_entry("Sigmoid"), BROKEN["max-pool steps by the window, not the stride"][0])

# -- the sequel's networks: planted bugs of the parameter convention -------------------------


class TiedOnceBetterRnnlm(manual_bp.BetterRnnlm):
    """The tied ``embed_W`` gradient keeps only the embedding's use (the output layer's ``dW.T`` is
    dropped): tied weights counted once."""

    def _collect(self):
        super()._collect()
        self.grads["embed_W"][...] = self.embed.dW


class DroppedLastStepAttentionDecoder(manual_bp.networks.seq2seq.AttentionDecoder):
    """The encoder's last state also started the decoder's LSTM, but that gradient (``lstm.dh``) is
    dropped: only the attention path reaches ``hs``."""

    def backward(self, dscore):
        denc_hs = super().backward(dscore)
        denc_hs[:, -1, :] -= self.lstm.dh
        return denc_hs


class DroppedLastStepAttentionSeq2seq(manual_bp.networks.seq2seq.AttentionSeq2seq):
    decoder_class = DroppedLastStepAttentionDecoder


class SwappedPeekyDecoder(manual_bp.networks.seq2seq.PeekyDecoder):
    """Backward reads the affine input's halves in the wrong order: ``concat(dec_hs, h)`` instead of
    ``concat(h, dec_hs)`` (forward is right)."""

    def backward(self, dscore):
        H = self.hidden
        dout = self.affine.backward(dscore)
        dout = np.concatenate([dout[:, :, H:], dout[:, :, :H]], axis=2)  # the planted swap
        dpeek, dout = dout[:, :, :H], dout[:, :, H:]
        dout = self.lstm.backward(dout)
        dpeek = dpeek + dout[:, :, :H]
        self.embed.backward(dout[:, :, H:])
        self._collect()
        return self.lstm.dh + dpeek.sum(axis=1)


class SwappedPeekySeq2seq(manual_bp.networks.seq2seq.PeekySeq2seq):
    decoder_class = SwappedPeekyDecoder
