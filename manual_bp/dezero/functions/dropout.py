"""Inverted dropout: ``dropout(x, dropout_ratio=0.5, *, rng=None, seed=None)``.

Training (``Config.train``): ``y = x * mask / (1 - dropout_ratio)`` with
``mask = dropout_mask(rng, x.shape, dropout_ratio)`` (the first book's layer helper: each unit
kept with probability ``1 - dropout_ratio``), written with the ``Mul`` and ``Div`` Functions, so
the backward ``gx = gy * mask / (1 - dropout_ratio)`` and every higher derivative follow. The
mask is **data** (a draw, not a function of ``x``). Inference (``with test_mode():``): ``y`` is
``x`` itself, as in DeZero, and no random number is drawn.

The randomness is injected: ``rng`` (a ``numpy.random.Generator``) or ``seed`` (an int,
``np.random.default_rng(seed)``); with neither, fresh OS entropy. DeZero draws from the global
``np.random`` state, which this never touches.
"""

from __future__ import annotations

import numbers

from manual_bp._checks import generator
from manual_bp.dezero.core import Config, Variable, as_variable
from manual_bp.layers.dropout import dropout_mask

__all__ = ["dropout"]


def dropout(x, dropout_ratio: float = 0.5, *, rng=None, seed=None) -> Variable:
    """``x * mask / (1 - dropout_ratio)`` in training, ``x`` in inference (see the module docstring)."""
    if isinstance(dropout_ratio, bool) or not isinstance(dropout_ratio, numbers.Real):
        raise TypeError(f"dropout_ratio must be a real number, got {type(dropout_ratio).__name__}")
    if not 0 <= dropout_ratio < 1:
        raise ValueError(f"dropout_ratio must lie in [0, 1) (the probability of dropping a unit), got {dropout_ratio}")
    rng = generator(seed, rng)
    x = as_variable(x)
    if not Config.train:
        return x
    mask = dropout_mask(rng, x.shape, dropout_ratio).astype(x.dtype)
    return x * mask / (1 - dropout_ratio)
