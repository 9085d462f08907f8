"""DeZero's models: a ``Model`` is a ``Layer`` that can draw its graph; ``Sequential``, ``MLP``,
the book's recurrent models, and the ``VGG16`` and ``ResNet`` architectures (no pretrained
weights: nothing is downloaded; every weight is drawn from ``rng``).

model = MLP((10, 3), rng=0)          # 2 -> 10 -> 3 once called on (N, 2) inputs
loss = F.softmax_cross_entropy(model(x), t)
model.cleargrads(); loss.backward()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

import manual_bp.dezero.functions as F
from manual_bp.dezero.functions.dropout import dropout
from manual_bp.dezero.functions.pooling import average_pooling, pooling
from manual_bp.dezero.layers import LSTM, RNN, BatchNorm, Conv2d, Layer, Linear, as_generator
from manual_bp.dezero.utils import plot_dot_graph

__all__ = [
    "MLP",
    "VGG16",
    "BetterRNN",
    "Model",
    "ResNet",
    "ResNet50",
    "ResNet101",
    "ResNet152",
    "Sequential",
    "SimpleRNN",
]


class Model(Layer):
    """A Layer that is a whole network; ``plot(*inputs, to_file=...)`` draws the graph of one forward."""

    def plot(self, *inputs, to_file: str = "model.png"):
        y = self.forward(*inputs)
        return plot_dot_graph(y, verbose=True, to_file=to_file)


class Sequential(Model):
    """``y = layer_k(... layer_1(x))``; each layer (or plain Function-like callable) is applied in turn.

    Layers are held as attributes ``l0``, ``l1``, ... so their Parameters are collected.
    """

    def __init__(self, *layers):
        super().__init__()
        self.layers = []
        for i, layer in enumerate(layers):
            if isinstance(layer, Layer):
                setattr(self, f"l{i}", layer)
            self.layers.append(layer)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class MLP(Model):
    """Fully connected layers of output sizes ``fc_output_sizes``, ``activation`` (default sigmoid,
    as the book) between them and none after the last: ``y = L_k(act(... act(L_1(x))))``.

    Parameters ``l0/W``, ``l0/b``, ``l1/W``, ...; weights drawn from ``rng`` (Generator or seed)
    in layer order, with ``dtype`` (default float32).
    """

    def __init__(
        self,
        fc_output_sizes: Sequence[int],
        activation: Callable = F.sigmoid,
        dtype=np.float32,
        rng=None,
    ):
        super().__init__()
        self.activation = activation
        rng = as_generator(rng)
        self.layers = []
        for i, out_size in enumerate(fc_output_sizes):
            layer = Linear(out_size, dtype=dtype, rng=rng)
            setattr(self, f"l{i}", layer)
            self.layers.append(layer)

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)


class SimpleRNN(Model):
    """The book's sine-curve model: ``y_t = fc(RNN(x_t))`` (hidden state kept between calls).

    Parameters ``rnn/x2h/W``, ``rnn/x2h/b``, ``rnn/h2h/W``, ``fc/W``, ``fc/b``.
    """

    def __init__(self, hidden_size: int, out_size: int, dtype=np.float32, rng=None):
        super().__init__()
        rng = as_generator(rng)
        self.rnn: RNN | LSTM = RNN(hidden_size, dtype=dtype, rng=rng)
        self.fc = Linear(out_size, dtype=dtype, rng=rng)

    def reset_state(self) -> None:
        self.rnn.reset_state()

    def forward(self, x):
        return self.fc(self.rnn(x))


class BetterRNN(SimpleRNN):
    """``SimpleRNN`` with an ``LSTM`` cell in place of the Elman cell (parameters ``rnn/x2f/W``, ...)."""

    def __init__(self, hidden_size: int, out_size: int, dtype=np.float32, rng=None):
        Model.__init__(self)
        rng = as_generator(rng)
        self.rnn = LSTM(hidden_size, dtype=dtype, rng=rng)
        self.fc = Linear(out_size, dtype=dtype, rng=rng)


_VGG_BLOCKS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))  # (channels, 3x3 convolutions) per block


class VGG16(Model):
    """VGG-16 (Simonyan & Zisserman): five blocks of 3x3 convolutions (pad 1) with ReLU, each
    followed by 2x2 max pooling (stride 2); then ``fc6`` (4096), ``fc7`` (4096) with ReLU and
    dropout, and ``fc8`` (``num_classes``, default 1000). Any input of side a multiple of 32
    works (``fc6``'s input size is inferred); 224x224 is the original's.

    Dropout draws from ``rng`` as the weights do (``with test_mode():`` turns it off).
    """

    def __init__(self, num_classes: int = 1000, dtype=np.float32, rng=None):
        super().__init__()
        self.rng = as_generator(rng)
        for block, (channels, convs) in enumerate(_VGG_BLOCKS, 1):
            for i in range(1, convs + 1):
                setattr(self, f"conv{block}_{i}", Conv2d(channels, 3, stride=1, pad=1, dtype=dtype, rng=self.rng))
        self.fc6 = Linear(4096, dtype=dtype, rng=self.rng)
        self.fc7 = Linear(4096, dtype=dtype, rng=self.rng)
        self.fc8 = Linear(num_classes, dtype=dtype, rng=self.rng)

    def forward(self, x):
        for block, (_, convs) in enumerate(_VGG_BLOCKS, 1):
            for i in range(1, convs + 1):
                x = F.relu(getattr(self, f"conv{block}_{i}")(x))
            x = pooling(x, 2, stride=2)
        x = F.reshape(x, (x.shape[0], -1))
        x = dropout(F.relu(self.fc6(x)), rng=self.rng)
        x = dropout(F.relu(self.fc7(x)), rng=self.rng)
        return self.fc8(x)


class _Bottleneck(Layer):
    """``relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x))``: 1x1 to ``mid``
    channels, 3x3 (pad 1), 1x1 to ``out``; ``stride`` on the 1x1 (the book's default,
    ``downsample_fb=False``). The shortcut is ``x`` itself, or a strided 1x1 convolution with
    batch norm where the shape changes (the first block of a stage)."""

    def __init__(self, out_channels: int, mid_channels: int, stride: int, project: bool, dtype, rng):
        super().__init__()
        self.conv1 = Conv2d(mid_channels, 1, stride, 0, nobias=True, dtype=dtype, rng=rng)
        self.bn1 = BatchNorm()
        self.conv2 = Conv2d(mid_channels, 3, 1, 1, nobias=True, dtype=dtype, rng=rng)
        self.bn2 = BatchNorm()
        self.conv3 = Conv2d(out_channels, 1, 1, 0, nobias=True, dtype=dtype, rng=rng)
        self.bn3 = BatchNorm()
        if project:
            self.conv4 = Conv2d(out_channels, 1, stride, 0, nobias=True, dtype=dtype, rng=rng)
            self.bn4 = BatchNorm()
        self.project = project

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.relu(self.bn2(self.conv2(h)))
        h = self.bn3(self.conv3(h))
        shortcut = self.bn4(self.conv4(x)) if self.project else x
        return F.relu(h + shortcut)


_RESNET_DEPTHS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3)}


class ResNet(Model):
    """ResNet-50/101/152 (He et al.) as the book builds it: 7x7 convolution (64, stride 2, pad 3),
    batch norm, ReLU, 3x3 max pooling (stride 2); four stages of bottleneck blocks (``res2`` to
    ``res5``: 256, 512, 1024, 2048 channels, stride 1, 2, 2, 2); global average pooling;
    ``fc6`` (``num_classes``). Blocks per stage: ``n_layers`` 50 (3, 4, 6, 3), 101 (3, 4, 23,
    3), 152 (3, 8, 36, 3).
    """

    def __init__(self, n_layers: int = 152, num_classes: int = 1000, dtype=np.float32, rng=None):
        super().__init__()
        if n_layers not in _RESNET_DEPTHS:
            raise ValueError(f"n_layers must be 50, 101 or 152, got {n_layers!r}")
        rng = as_generator(rng)
        self.conv1 = Conv2d(64, 7, stride=2, pad=3, dtype=dtype, rng=rng)
        self.bn1 = BatchNorm()
        in_channels = 64
        self.stages = []
        for stage, (blocks, mid, stride) in enumerate(
            zip(_RESNET_DEPTHS[n_layers], (64, 128, 256, 512), (1, 2, 2, 2)), 2
        ):
            out = mid * 4
            layers = Sequential(
                *[_Bottleneck(out, mid, stride if i == 0 else 1, i == 0, dtype, rng) for i in range(blocks)]
            )
            setattr(self, f"res{stage}", layers)
            self.stages.append(layers)
            in_channels = out
        self.fc6 = Linear(num_classes, in_size=in_channels, dtype=dtype, rng=rng)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = pooling(x, 3, stride=2)
        for stage in self.stages:
            x = stage(x)
        N, C, H, W = x.shape
        x = F.reshape(average_pooling(x, (H, W), stride=1), (N, C))  # global average pooling
        return self.fc6(x)


class ResNet50(ResNet):
    def __init__(self, num_classes: int = 1000, dtype=np.float32, rng=None):
        super().__init__(50, num_classes, dtype, rng)


class ResNet101(ResNet):
    def __init__(self, num_classes: int = 1000, dtype=np.float32, rng=None):
        super().__init__(101, num_classes, dtype, rng)


class ResNet152(ResNet):
    def __init__(self, num_classes: int = 1000, dtype=np.float32, rng=None):
        super().__init__(152, num_classes, dtype, rng)
