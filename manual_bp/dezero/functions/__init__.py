"""DeZero's Functions, by family; ``import manual_bp.dezero.functions as F`` then ``F.tanh(x)``.

Families (one module each): ``elementwise`` (sin cos tanh exp log), ``activations``
(sigmoid relu leaky_relu softmax log_softmax clip), ``shapes`` (reshape transpose get_item
expand_dims flatten broadcast_to sum_to), ``reductions`` (sum average mean max min),
``affine`` (matmul linear), ``losses`` (mean_squared_error softmax_cross_entropy
sigmoid_cross_entropy binary_cross_entropy accuracy); the neural-network families
``convolution`` (conv2d deconv2d im2col col2im conv2d_simple), ``pooling`` (pooling
average_pooling pooling_simple), ``normalization`` (batch_norm), ``dropout`` (dropout), ``embedding`` (embed_id).
"""

from manual_bp.dezero.functions.activations import clip, leaky_relu, log_softmax, relu, sigmoid, softmax
from manual_bp.dezero.functions.affine import linear, matmul
from manual_bp.dezero.functions.convolution import col2im, conv2d, conv2d_simple, deconv2d, im2col
from manual_bp.dezero.functions.dropout import dropout
from manual_bp.dezero.functions.elementwise import cos, exp, log, sin, tanh
from manual_bp.dezero.functions.embedding import embed_id
from manual_bp.dezero.functions.losses import (
    accuracy,
    binary_cross_entropy,
    mean_squared_error,
    sigmoid_cross_entropy,
    softmax_cross_entropy,
)
from manual_bp.dezero.functions.normalization import batch_norm
from manual_bp.dezero.functions.pooling import average_pooling, pooling, pooling_simple
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
    "accuracy",
    "average",
    "average_pooling",
    "batch_norm",
    "binary_cross_entropy",
    "broadcast_to",
    "clip",
    "col2im",
    "conv2d",
    "conv2d_simple",
    "cos",
    "deconv2d",
    "dropout",
    "embed_id",
    "exp",
    "expand_dims",
    "flatten",
    "get_item",
    "im2col",
    "leaky_relu",
    "linear",
    "log",
    "log_softmax",
    "matmul",
    "max",
    "mean",
    "mean_squared_error",
    "min",
    "pooling",
    "pooling_simple",
    "relu",
    "reshape",
    "sigmoid",
    "sigmoid_cross_entropy",
    "sin",
    "softmax",
    "softmax_cross_entropy",
    "sum",
    "sum_to",
    "tanh",
    "transpose",
]
