"""Oracle of ``dropout``: the first book's inverted dropout with the mask as data; the identity in inference.

The case draws ``seed``; the Function is called with ``seed=seed`` and the oracle is given
``mask = dropout_mask(np.random.default_rng(seed), x.shape, dropout_ratio)``, the very mask the
Function must draw, so the gradients are compared exactly, mask for mask.
"""

from oracle.layers.dropout import dropout as _dropout

__all__ = ["dropout", "seeded_dropout"]


def dropout(x, mask, *, dropout_ratio=0.5, train=True):
    return _dropout(x, mask, dropout_ratio=dropout_ratio) if train else x


def seeded_dropout(x, mask, seed, *, dropout_ratio=0.5):
    """The catalog's oracle: ``dropout(x, mask)`` in training; ``seed`` (data) is the Function's."""
    return _dropout(x, mask, dropout_ratio=dropout_ratio)
