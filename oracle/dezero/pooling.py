"""Oracles of ``pooling`` (max) and ``average_pooling``, with DeZero's arguments.

``kernel_size`` (an int or ``(KH, KW)``), ``stride`` (default 1), ``pad``. Average pooling is
the first book's oracle (it counts only the cells inside ``x``). Max pooling is written here
as a gather of each window's **first** maximum in row-major window order (``jnp.argmax`` of
the stacked window cells, padding ``-inf``): ``lax.reduce_window``'s own VJP follows that
convention, but the transpose of its VJP (``select_and_gather_add``, which the second-order
check with respect to ``gy`` uses) breaks ties differently, so with ties its first and second
orders disagree with each other (measured: one tied window of a 2x2 pad-1 stride-3 case).
The argmax is piecewise constant, so the derivatives of this oracle are a gather at it (first
order, and second order with respect to ``gy``) and zero (second order with respect to ``x``).
"""

import jax.numpy as jnp

from oracle.layers.pooling import avg_pooling as _avg_pooling

__all__ = ["average_pooling", "pooling", "pooling_simple"]


def _pair(kernel_size) -> tuple:
    return (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)


def _window_cells(x, kh, kw, stride, pad, fill):
    """``(N, C, KH*KW, OH, OW)``: the cells of each window of ``x`` padded with ``fill``, row-major."""
    xp = jnp.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=fill)
    out_h = (xp.shape[2] - kh) // stride + 1
    out_w = (xp.shape[3] - kw) // stride + 1
    cells = [
        xp[:, :, i : i + stride * out_h : stride, j : j + stride * out_w : stride] for i in range(kh) for j in range(kw)
    ]
    return jnp.stack(cells, axis=2)


def pooling(x, *, kernel_size, stride=1, pad=0):
    """The maximum of each window, taken at its first maximum in row-major window order."""
    kh, kw = _pair(kernel_size)
    cells = _window_cells(x, kh, kw, stride, pad, -jnp.inf)
    first = jnp.argmax(cells, axis=2, keepdims=True)
    return jnp.take_along_axis(cells, first, axis=2)[:, :, 0]


def average_pooling(x, *, kernel_size, stride=1, pad=0):
    pool_h, pool_w = _pair(kernel_size)
    return _avg_pooling(x, pool_h=pool_h, pool_w=pool_w, stride=stride, pad=pad)


def pooling_simple(x, *, kernel_size, stride=1, pad=0):
    """The maximum of each window of ``x`` padded with zeros, by ``jnp.max``: tied cells share the gradient."""
    kh, kw = _pair(kernel_size)
    return jnp.max(_window_cells(x, kh, kw, stride, pad, 0.0), axis=2)
