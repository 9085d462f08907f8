"""Inverted dropout ``Dropout(dropout_ratio=0.5, *, rng=None, seed=None)`` (book ch. 6, as its sequel)."""

from __future__ import annotations

import numbers

import numpy as np

from manual_bp._checks import as_float_array, check_dout, generator, require_forward

__all__ = ["Dropout", "dropout_mask"]


def dropout_mask(rng: np.random.Generator, shape: tuple, dropout_ratio: float) -> np.ndarray:
    """The mask ``Dropout`` draws: ``rng.random(shape) >= dropout_ratio`` (True: the unit is kept).

    Each unit is kept with probability exactly ``1 - dropout_ratio``. The uniforms are float64
    whatever the data's dtype, so one seed gives one mask in float32 and float64.
    """
    return rng.random(shape) >= dropout_ratio


class Dropout:
    """Inverted dropout: ``out = x * mask / (1 - p)`` in training, ``out = x`` at inference.

    ``x`` has any shape; ``mask`` has ``x``'s shape, drawn at each training forward as
    ``dropout_mask(rng, x.shape, p)`` (each unit kept with probability ``1 - p``). Scaling the
    kept units by ``1 / (1 - p)`` keeps the expected output equal to ``x``, so inference needs
    no correction. The book's ``Dropout`` (book 1) instead passes ``x * mask`` unscaled in
    training and multiplies by ``1 - p`` at inference; its sequel, like every framework,
    uses this inverted form. The two train the same network up to a rescaling of the
    weights after the layer, but their outputs differ.

    Backward: ``dx = dout * mask / (1 - p)`` after a training forward, ``dx = dout`` after an
    inference forward. The mask is kept until the next forward, so ``backward`` is repeatable.

    - ``dropout_ratio`` (default 0.5): ``p``, the probability of dropping a unit, in ``[0, 1)``.
    - ``rng`` (keyword, a ``numpy.random.Generator``) or ``seed`` (keyword, an int): where the
      masks come from; ``seed=s`` is ``rng=np.random.default_rng(s)``; neither: fresh OS
      entropy. The global ``np.random`` state (which the book uses) is never touched.
    """

    def __init__(self, dropout_ratio=0.5, *, rng=None, seed=None):
        if isinstance(dropout_ratio, bool) or not isinstance(dropout_ratio, numbers.Real):
            raise TypeError(f"dropout_ratio must be a real number, got {type(dropout_ratio).__name__}")
        if not 0 <= dropout_ratio < 1:
            raise ValueError(
                f"dropout_ratio must lie in [0, 1) (the probability of dropping a unit), got {dropout_ratio}"
            )
        self.dropout_ratio = float(dropout_ratio)
        self.rng = generator(seed, rng)
        self.mask = None  # kept units of the last training forward (None after an inference one): dx needs it
        self.x_shape = None  # x's shape: what dout must look like
        self.x_dtype = None  # x's dtype: dx has it

    input_name = "x"  # what error messages call forward's argument

    def forward(self, x, train_flg=True):
        x = as_float_array(self.input_name, x)
        self.x_shape, self.x_dtype = x.shape, x.dtype
        if not train_flg:
            self.mask = None
            return x.copy()
        self.mask = dropout_mask(self.rng, x.shape, self.dropout_ratio)
        return np.where(self.mask, x / (1 - self.dropout_ratio), 0).astype(x.dtype, copy=False)

    def backward(self, dout):
        require_forward(self, self.x_shape)
        dout = check_dout(dout, self.x_shape)
        if self.mask is None:
            return dout.astype(self.x_dtype, copy=True)
        return np.where(self.mask, dout / (1 - self.dropout_ratio), 0).astype(self.x_dtype, copy=False)
