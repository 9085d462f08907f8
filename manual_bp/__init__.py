"""manual-bp: the layers and networks of "Deep Learning from Scratch" (chapters 5 to 7) and
its sequel's attention layers (chapter 8), hand-written in NumPy and verified against JAX.

Each layer keeps the book's protocol: ``out = layer.forward(...)`` caches what backward
needs; ``layer.backward(dout)`` returns the input gradient(s) and sets parameter gradients
(``dW``, ``db``, also ``layer.grads``). Nothing a caller passes in is ever written to.
NumPy is the only dependency; the JAX oracle that verifies these layers lives in ``oracle``.

Layout: ``layers`` (one module per family), ``networks``, ``optimizers``, ``data``,
``training`` (trainer, checkpoints), ``functions`` (softmax, cross-entropy, ...) and
``numerical`` (finite differences). The names below are the ones users import from here.
"""

from manual_bp import functions
from manual_bp.layers import (
    AddLayer,
    Affine,
    Attention,
    AttentionWeight,
    AvgPooling,
    BatchNormalization,
    Convolution,
    Dropout,
    LeakyReLU,
    MeanSquaredError,
    MulLayer,
    Pooling,
    ReLU,
    Relu,
    Sigmoid,
    Softmax,
    SoftmaxWithLoss,
    Tanh,
    TimeAttention,
    WeightSum,
    col2im,
    conv_output_size,
    im2col,
)
from manual_bp.networks import MultiLayerNet, SimpleConvNet, TwoLayerNet
from manual_bp.numerical import numerical_gradient, numerical_jvp, numerical_vjp

__all__ = [
    "AddLayer",
    "Affine",
    "Attention",
    "AttentionWeight",
    "AvgPooling",
    "BatchNormalization",
    "Convolution",
    "Dropout",
    "LeakyReLU",
    "MeanSquaredError",
    "MulLayer",
    "MultiLayerNet",
    "Pooling",
    "ReLU",
    "Relu",
    "Sigmoid",
    "SimpleConvNet",
    "Softmax",
    "SoftmaxWithLoss",
    "Tanh",
    "TimeAttention",
    "TwoLayerNet",
    "WeightSum",
    "col2im",
    "conv_output_size",
    "functions",
    "im2col",
    "numerical_gradient",
    "numerical_jvp",
    "numerical_vjp",
]
__version__ = "0.1.0"
