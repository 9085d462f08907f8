"""manual-bp: the layers of "Deep Learning from Scratch" chapter 5, hand-written in NumPy.

Each layer keeps the book's protocol: ``out = layer.forward(...)`` caches what backward
needs; ``layer.backward(dout)`` returns the input gradient(s) and sets parameter gradients
(``dW``, ``db``, also ``layer.grads``). Nothing a caller passes in is ever written to.
NumPy is the only dependency; the JAX oracle that verifies these layers lives in ``oracle``.
"""

from manual_bp import functions
from manual_bp.activations import ReLU, Relu, Sigmoid
from manual_bp.affine import Affine
from manual_bp.arithmetic import AddLayer, MulLayer
from manual_bp.networks import TwoLayerNet
from manual_bp.numerical import numerical_gradient, numerical_jvp, numerical_vjp
from manual_bp.softmax_with_loss import SoftmaxWithLoss

# Chapters 6 and 7.
from manual_bp.batch_norm import BatchNormalization
from manual_bp.convolution import Convolution
from manual_bp.deep_networks import MultiLayerNet, SimpleConvNet
from manual_bp.dropout import Dropout
from manual_bp.extra_activations import LeakyReLU, Softmax, Tanh
from manual_bp.im2col import col2im, conv_output_size, im2col
from manual_bp.mean_squared_error import MeanSquaredError
from manual_bp.pooling import AvgPooling, Pooling

__all__ = [
    "Affine",
    "AddLayer",
    "MulLayer",
    "ReLU",
    "Relu",
    "Sigmoid",
    "SoftmaxWithLoss",
    "TwoLayerNet",
    "functions",
    "numerical_gradient",
    "numerical_jvp",
    "numerical_vjp",
]
__all__ += [
    "AvgPooling",
    "BatchNormalization",
    "Convolution",
    "Dropout",
    "LeakyReLU",
    "MeanSquaredError",
    "MultiLayerNet",
    "Pooling",
    "SimpleConvNet",
    "Softmax",
    "Tanh",
    "col2im",
    "conv_output_size",
    "im2col",
]
__version__ = "0.1.0"
