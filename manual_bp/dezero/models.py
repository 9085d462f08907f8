"""DeZero's models: a ``Model`` is a ``Layer`` that can draw its graph; ``Sequential`` and ``MLP``.

model = MLP((10, 3), rng=0)          # 2 -> 10 -> 3 once called on (N, 2) inputs
loss = F.softmax_cross_entropy(model(x), t)
model.cleargrads(); loss.backward()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

import manual_bp.dezero.functions as F
from manual_bp.dezero.layers import LSTM, RNN, Layer, Linear, as_generator
from manual_bp.dezero.utils import plot_dot_graph

__all__ = ["MLP", "BetterRNN", "Model", "Sequential", "SimpleRNN"]


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
