"""Oracle function for ``Dropout``, with the mask as an explicit input."""

import jax.numpy as jnp
import numpy as np

from manual_bp.layers.dropout import Dropout
from oracle.layers.traced import traced_hyperparameters

__all__ = ["CATALOG_RATIO", "dropout", "seeded_dropout", "seeded_dropout_layer"]

CATALOG_RATIO = 0.5


@traced_hyperparameters("dropout_ratio")
def dropout(x, mask, *, dropout_ratio=0.5):
    """``x * mask / (1 - dropout_ratio)``: inverted dropout with a given mask (data, not differentiated)."""
    return jnp.where(mask != 0, x / (1 - dropout_ratio), jnp.zeros_like(x))


@traced_hyperparameters("dropout_ratio")
def seeded_dropout(x, mask, seed, *before, dropout_ratio=CATALOG_RATIO, train_flg=True):
    """The catalog's oracle: ``dropout(x, mask, dropout_ratio=...)`` in training, ``x`` at inference.

    The case draws ``seed``, then ``mask = dropout_mask(np.random.default_rng(seed), x.shape,
    dropout_ratio)``; the layer is built with that same seeded Generator
    (``seeded_dropout_layer``), so it must draw this very mask itself, and the gradient is
    compared exactly, mask for mask. ``seed`` is unused here; ``before`` (inputs of earlier
    training forwards) do not change an inference forward, which is the identity.
    """
    if not train_flg:
        return x
    return dropout(x, mask, dropout_ratio=dropout_ratio)


def seeded_dropout_layer(mask, seed, *, dropout_ratio=CATALOG_RATIO, layer=Dropout):
    """The catalog's layer factory: ``layer(dropout_ratio, rng=np.random.default_rng(seed))``.

    ``mask`` is the oracle's input, ignored here: the layer draws its own from the Generator.
    """
    return layer(dropout_ratio, rng=np.random.default_rng(int(seed)))
