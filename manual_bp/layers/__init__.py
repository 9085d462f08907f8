"""The layers, one module per family, each with the book's protocol.

``out = layer.forward(...)`` caches what backward needs; ``layer.backward(dout)`` returns the
input gradient(s) and sets parameter gradients (``dW``, ``db``, ..., also ``layer.grads``).

- ``arithmetic``: ``AddLayer``, ``MulLayer`` (and ``unbroadcast``);
- ``activations``: ``ReLU``/``Relu``, ``Sigmoid``, ``Tanh``, ``LeakyReLU``, ``Softmax``;
- ``affine``: ``Affine``;
- ``losses``: ``SoftmaxWithLoss``, ``MeanSquaredError``;
- ``convolution`` with ``im2col``: ``Convolution``, ``im2col``, ``col2im``, ``conv_output_size``;
- ``pooling``: ``Pooling`` (max), ``AvgPooling``;
- ``normalization``: ``BatchNormalization``;
- ``dropout``: ``Dropout``.

The sequel (Deep Learning from Scratch 2):

- ``affine``: ``MatMul``; ``losses``: ``SigmoidWithLoss``;
- ``embedding``: ``Embedding``, ``EmbeddingDot``;
- ``negative_sampling``: ``UnigramSampler``, ``NegativeSamplingLoss``;
- ``recurrent``: the cells ``RNN``, ``LSTM``, ``GRU``;
- ``time_layers``: ``TimeRNN``, ``TimeLSTM``, ``TimeGRU``, ``TimeBiLSTM``, ``TimeEmbedding``,
  ``TimeAffine``, ``TimeSoftmaxWithLoss``, ``TimeDropout``.
- ``attention`` (chapter 8): ``WeightSum``, ``AttentionWeight``, ``Attention``, ``TimeAttention``.
"""

from manual_bp.layers.activations import LeakyReLU, ReLU, Relu, Sigmoid, Softmax, Tanh
from manual_bp.layers.affine import Affine, MatMul
from manual_bp.layers.arithmetic import AddLayer, MulLayer
from manual_bp.layers.attention import (
    Attention,
    AttentionWeight,
    TimeAttention,
    WeightSum,
)
from manual_bp.layers.convolution import Convolution
from manual_bp.layers.dropout import Dropout
from manual_bp.layers.embedding import Embedding, EmbeddingDot
from manual_bp.layers.im2col import col2im, conv_output_size, im2col
from manual_bp.layers.losses import MeanSquaredError, SigmoidWithLoss, SoftmaxWithLoss
from manual_bp.layers.negative_sampling import NegativeSamplingLoss, UnigramSampler
from manual_bp.layers.normalization import BatchNormalization
from manual_bp.layers.pooling import AvgPooling, Pooling
from manual_bp.layers.recurrent import GRU, LSTM, RNN
from manual_bp.layers.time_layers import (
    TimeAffine,
    TimeBiLSTM,
    TimeDropout,
    TimeEmbedding,
    TimeGRU,
    TimeLSTM,
    TimeRNN,
    TimeSoftmaxWithLoss,
)

__all__ = [
    "AddLayer",
    "Affine",
    "Attention",
    "AttentionWeight",
    "AvgPooling",
    "BatchNormalization",
    "Convolution",
    "Dropout",
    "Embedding",
    "EmbeddingDot",
    "GRU",
    "LSTM",
    "LeakyReLU",
    "MatMul",
    "MeanSquaredError",
    "MulLayer",
    "NegativeSamplingLoss",
    "Pooling",
    "RNN",
    "ReLU",
    "Relu",
    "Sigmoid",
    "SigmoidWithLoss",
    "Softmax",
    "SoftmaxWithLoss",
    "Tanh",
    "TimeAffine",
    "TimeAttention",
    "TimeBiLSTM",
    "TimeDropout",
    "TimeEmbedding",
    "TimeGRU",
    "TimeLSTM",
    "TimeRNN",
    "TimeSoftmaxWithLoss",
    "UnigramSampler",
    "WeightSum",
    "col2im",
    "conv_output_size",
    "im2col",
]
