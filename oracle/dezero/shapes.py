"""Oracles of ``reshape transpose get_item expand_dims flatten broadcast_to sum_to``.

``get_item`` takes the name of an index of ``INDEXES`` (the catalog binds hyperparameters, which
must be hashable; slices and index arrays are not), and so does the Function's row.
"""

import jax.numpy as jnp
import numpy as np

__all__ = ["INDEXES", "broadcast_to", "expand_dims", "flatten", "get_item", "reshape", "sum_to", "transpose"]

# Named indexes of a (3, 4) array, simplest first: an integer, a slice, both, a step, and
# integer arrays with a repeated row (its gradient adds up: scatter-add, not assignment).
INDEXES = {
    "[1]": (1,),
    "[1:3]": (slice(1, 3),),
    "[:, 2]": (slice(None), 2),
    "[::2, 1:]": (slice(None, None, 2), slice(1, None)),
    "[[0, 2, 0]]": (np.array([0, 2, 0]),),
    "[[0, 2, 2], [1, 3, 3]]": (np.array([0, 2, 2]), np.array([1, 3, 3])),
}


def reshape(x, *, shape):
    return jnp.reshape(x, shape)


def transpose(x, *, axes=None):
    return jnp.transpose(x, axes)


def get_item(x, *, index):
    """``x[INDEXES[index]]``."""
    return x[INDEXES[index]]


def expand_dims(x, *, axis):
    return jnp.expand_dims(x, axis)


def flatten(x):
    return jnp.reshape(x, (x.shape[0], -1))


def broadcast_to(x, *, shape):
    return jnp.broadcast_to(x, shape)


def sum_to(x, *, shape):
    """``x`` summed over the leading axes broadcasting added and the axes it stretched from 1."""
    lead = x.ndim - len(shape)
    stretched = tuple(lead + i for i, size in enumerate(shape) if size == 1)
    y = jnp.sum(x, axis=tuple(range(lead)) + stretched, keepdims=True)
    return jnp.reshape(y, shape)
