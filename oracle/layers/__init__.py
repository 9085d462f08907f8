"""The oracle functions: for every layer family of ``manual_bp.layers`` a module of the same
stem holding pure, forward-only JAX functions; their gradients come from ``jax.vjp`` alone.

Each function is the snake_case of its layer (``Affine`` -> ``affine``) and takes the same
arguments in the same order: inputs, then parameters, then keyword-only hyperparameters.
"""

from oracle.layers.activations import leaky_relu, relu, sigmoid, softmax, tanh
from oracle.layers.affine import affine, matmul
from oracle.layers.arithmetic import add, mul
from oracle.layers.attention import (
    attention,
    attention_weight,
    time_attention,
    weight_sum,
)
from oracle.layers.convolution import convolution
from oracle.layers.dropout import dropout, seeded_dropout
from oracle.layers.embedding import embedding, embedding_dot
from oracle.layers.losses import (
    mean_squared_error,
    sigmoid_with_loss,
    softmax_with_loss,
)
from oracle.layers.negative_sampling import negative_sampling_loss
from oracle.layers.normalization import batch_normalization
from oracle.layers.pooling import avg_pooling, pooling
from oracle.layers.recurrent import gru, lstm, rnn
from oracle.layers.ties import max_first
from oracle.layers.time_layers import (
    time_affine,
    time_bilstm,
    time_dropout,
    time_embedding,
    time_gru,
    time_lstm,
    time_rnn,
    time_softmax_with_loss,
)

__all__ = [
    "add",
    "affine",
    "attention",
    "attention_weight",
    "avg_pooling",
    "batch_normalization",
    "convolution",
    "dropout",
    "embedding",
    "embedding_dot",
    "gru",
    "leaky_relu",
    "lstm",
    "matmul",
    "max_first",
    "mean_squared_error",
    "mul",
    "negative_sampling_loss",
    "pooling",
    "relu",
    "rnn",
    "seeded_dropout",
    "sigmoid",
    "sigmoid_with_loss",
    "softmax",
    "softmax_with_loss",
    "tanh",
    "time_affine",
    "time_attention",
    "time_bilstm",
    "time_dropout",
    "time_embedding",
    "time_gru",
    "time_lstm",
    "time_rnn",
    "time_softmax_with_loss",
    "weight_sum",
]
