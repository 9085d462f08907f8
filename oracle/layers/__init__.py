"""The oracle functions: for every layer family of ``manual_bp.layers`` a module of the same
stem holding pure, forward-only JAX functions; their gradients come from ``jax.vjp`` alone.

Each function is the snake_case of its layer (``Affine`` -> ``affine``) and takes the same
arguments in the same order: inputs, then parameters, then keyword-only hyperparameters.
"""

from oracle.layers.activations import leaky_relu, relu, sigmoid, softmax, tanh
from oracle.layers.affine import affine
from oracle.layers.arithmetic import add, mul
from oracle.layers.attention import attention, attention_weight, time_attention, weight_sum
from oracle.layers.convolution import convolution
from oracle.layers.dropout import dropout, seeded_dropout
from oracle.layers.losses import mean_squared_error, softmax_with_loss
from oracle.layers.normalization import batch_normalization
from oracle.layers.pooling import avg_pooling, pooling

__all__ = [
    "add",
    "affine",
    "attention",
    "attention_weight",
    "avg_pooling",
    "batch_normalization",
    "convolution",
    "dropout",
    "leaky_relu",
    "mean_squared_error",
    "mul",
    "pooling",
    "relu",
    "seeded_dropout",
    "sigmoid",
    "softmax",
    "softmax_with_loss",
    "tanh",
    "time_attention",
    "weight_sum",
]
