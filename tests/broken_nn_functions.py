"""Deliberately broken neural-network Functions of DeZero: the book's two second-order bugs.

Each is right to the first order; only differentiating its backward (``backward(create_graph=
True)``, then backpropagating a function of the gradient) shows the bug:

- ``CachedInvStdBatchNorm``: the book's ``BatchNorm.backward`` multiplies by ``inv_std``, a plain
  array cached in forward, so the dependence of ``1/std`` on ``x`` is lost when the backward is
  differentiated (the book's double backward is 9 % off);
- ``OutputPassingConv2DGradW``: the book's weight-gradient Function passes its own output (a weak
  reference) where its incoming gradient belongs, so differentiating a convolution's weight
  gradient crashes with ``TypeError``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from manual_bp.dezero.core import Config, as_variable, using_config
from manual_bp.dezero.functions.convolution import Conv2d, Conv2DGradW, conv2d, deconv2d
from manual_bp.dezero.functions.normalization import BatchNorm, _layout
from manual_bp.dezero.functions.reductions import mean as mean_
from manual_bp.dezero.functions.reductions import sum as sum_
from manual_bp.dezero.functions.shapes import reshape
from oracle.catalog import FUNCTIONS, find_entry
from oracle.verify.function_entry import FunctionEntry

__all__ = [
    "BROKEN",
    "CATALOG",
    "CachedInvStdBatchNorm",
    "OutputPassingConv2DGradW",
    "OutputPassingConv2d",
    "cached_inv_std_batch_norm",
    "output_passing_conv2d",
]


class CachedInvStdBatchNorm(BatchNorm):
    """Training backward with ``inv_std`` cached as an array in forward, as the book writes it."""

    def forward(self, x, gamma, beta):
        y = super().forward(x, gamma, beta)
        if Config.train:
            axes, shape = _layout(x, gamma.shape[0])
            self.inv_std = 1 / np.sqrt(x.var(axis=axes).reshape(shape) + x.dtype.type(self.eps))  # the plain array
        return y

    def backward(self, gy):
        if not self.train:
            return super().backward(gy)
        x, gamma, _ = self.inputs
        axes, shape = _layout(x.data, gamma.shape[0])
        xn = (x - mean_(x, axis=axes, keepdims=True)) * self.inv_std  # inv_std: data, not a Variable of x
        gbeta = sum_(gy, axis=axes)
        ggamma = sum_(xn * gy, axis=axes)
        gxn = gy * reshape(gamma, shape)
        gx = (
            gxn - mean_(gxn, axis=axes, keepdims=True) - xn * mean_(gxn * xn, axis=axes, keepdims=True)
        ) * self.inv_std
        return gx, ggamma, gbeta


def cached_inv_std_batch_norm(x, gamma, beta, mean, var, decay=0.9, eps=2e-5):
    return CachedInvStdBatchNorm(mean, var, decay, eps)(x, gamma, beta)


class OutputPassingConv2DGradW(Conv2DGradW):
    """The book's ``Conv2DGradW.backward``: ``gW = self.outputs[0]`` (a weak reference) where ``ggW`` belongs."""

    def backward(self, ggW):
        x, gy = self.inputs
        (gW,) = self.outputs  # the planted bug: its own output, not the incoming gradient
        gx = deconv2d(gy, gW, stride=self.stride, pad=self.pad, outsize=x.shape[2:])
        ggy = conv2d(x, gW, stride=self.stride, pad=self.pad)
        return gx, ggy


class OutputPassingConv2d(Conv2d):
    """``Conv2d`` whose weight gradient is an ``OutputPassingConv2DGradW``."""

    def backward(self, gy):
        x, W = self.inputs[:2]
        gx = deconv2d(gy, W, stride=self.stride, pad=self.pad, outsize=x.shape[2:])
        gW = OutputPassingConv2DGradW(W.shape[2:], self.stride, self.pad)(x, gy)
        if len(self.inputs) == 2:
            return gx, gW
        return gx, gW, sum_(gy, axis=(0, 2, 3))


def output_passing_conv2d(x, W, b=None, stride=1, pad=0):
    f = OutputPassingConv2d(stride, pad)
    return f(x, W) if b is None else f(x, W, b)


# -- the planted bugs as catalog rows, for `manual-bp verify --catalog tests/broken_nn_functions.py:CATALOG`


def books_batch_norm(x, gamma, beta, mean, var, *, train=True):
    """The ``F.batch_norm`` row's function with the book's cached ``inv_std``."""
    with using_config("train", train):
        return cached_inv_std_batch_norm(
            x, gamma, beta, np.array(as_variable(mean).data), np.array(as_variable(var).data)
        )


def _broken(name: str, function) -> FunctionEntry:
    return dataclasses.replace(
        find_entry(name, FUNCTIONS), name=f"{name}[{function.__name__}]", layer=function, errors=()
    )


# bug name -> (the row with the broken Function, the quantity the report must name)
BROKEN = {
    "batch norm reuses the cached 1/std": (_broken("F.batch_norm", books_batch_norm), "d/dx <g, w>"),
    "the weight gradient's backward passes its output": (_broken("F.conv2d", output_passing_conv2d), "TypeError"),
}

CATALOG = tuple(entry for entry, _ in BROKEN.values())
