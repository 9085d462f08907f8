"""DeZero's Functions, by family; ``import manual_bp.dezero.functions as F`` then ``F.tanh(x)``.

Families (one module each): ``elementwise`` (sin cos tanh exp log), ``activations``
(sigmoid relu leaky_relu softmax log_softmax clip), ``shapes`` (reshape transpose get_item
expand_dims flatten broadcast_to sum_to), ``reductions`` (sum average mean max min),
``affine`` (matmul linear), ``losses`` (mean_squared_error softmax_cross_entropy
sigmoid_cross_entropy binary_cross_entropy accuracy).
"""

from manual_bp.dezero.functions.affine import linear, matmul
from manual_bp.dezero.functions.elementwise import cos, exp, log, sin, tanh
from manual_bp.dezero.functions.reductions import average, max, mean, min, sum
from manual_bp.dezero.functions.shapes import (
    broadcast_to,
    expand_dims,
    flatten,
    get_item,
    reshape,
    sum_to,
    transpose,
)

__all__ = [
    "average",
    "broadcast_to",
    "cos",
    "exp",
    "expand_dims",
    "flatten",
    "get_item",
    "linear",
    "log",
    "matmul",
    "max",
    "mean",
    "min",
    "reshape",
    "sin",
    "sum",
    "sum_to",
    "tanh",
    "transpose",
]
