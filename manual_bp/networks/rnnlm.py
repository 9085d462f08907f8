"""The sequel's recurrent language models (ch. 5-6): ``SimpleRnnlm``, ``Rnnlm`` and ``BetterRnnlm``.

Each is ``TimeEmbedding -> recurrent layer(s) (stateful) -> TimeAffine -> TimeSoftmaxWithLoss``;
``forward(xs, ts)`` returns the mean loss of a ``(N, T)`` block and carries the recurrent state to
the next block (truncated BPTT), ``reset_state()`` forgets it. ``params``/``grads`` are
``{name: array}`` with every distinct array once: ``BetterRnnlm``'s output layer uses the
transpose of the embedding (weight tying) and ``grads["embed_W"]`` is the sum of both uses.
"""

from __future__ import annotations

import numpy as np

from manual_bp._checks import float_dtype, generator, positive_int
from manual_bp.layers.time_layers import (
    TimeAffine,
    TimeDropout,
    TimeEmbedding,
    TimeLSTM,
    TimeRNN,
    TimeSoftmaxWithLoss,
)

__all__ = ["BetterRnnlm", "Rnnlm", "SimpleRnnlm"]


def _init(rng, dtype, vocab, wordvec, hidden, gates, prefixes):
    """The book's initialisation: embedding ``N(0, 1) / 100``, weights ``N(0, 1) / sqrt(fan_in)``, biases 0."""
    params = {"embed_W": (rng.standard_normal((vocab, wordvec)) / 100).astype(dtype)}
    fan_in = wordvec
    for prefix in prefixes:
        params[f"{prefix}_Wx"] = (rng.standard_normal((fan_in, gates * hidden)) / np.sqrt(fan_in)).astype(dtype)
        params[f"{prefix}_Wh"] = (rng.standard_normal((hidden, gates * hidden)) / np.sqrt(hidden)).astype(dtype)
        params[f"{prefix}_b"] = np.zeros(gates * hidden, dtype)
        fan_in = hidden
    return params


class _Rnnlm:
    """Shared by the language models: the layer stack, forward/backward, named params/grads."""

    recurrent_layer: type[TimeRNN] | type[TimeLSTM] = TimeRNN
    gates = 1

    def __init__(self, vocab_size=10000, wordvec_size=100, hidden_size=100, *, seed=None, rng=None, dtype=np.float64):
        vocab, wordvec, hidden = (
            positive_int(n, v)
            for n, v in (("vocab_size", vocab_size), ("wordvec_size", wordvec_size), ("hidden_size", hidden_size))
        )
        self.rng, dtype = generator(seed, rng), float_dtype(dtype)
        self.params = _init(self.rng, dtype, vocab, wordvec, hidden, self.gates, self._prefixes())
        self.params["affine_W"] = (self.rng.standard_normal((hidden, vocab)) / np.sqrt(hidden)).astype(dtype)
        self.params["affine_b"] = np.zeros(vocab, dtype)
        p = self.params
        self.embed = TimeEmbedding(p["embed_W"])
        prefix = self._prefixes()[0]
        self.recurrent = [self.recurrent_layer(p[f"{prefix}_Wx"], p[f"{prefix}_Wh"], p[f"{prefix}_b"], stateful=True)]
        self.affine = TimeAffine(p["affine_W"], p["affine_b"])
        self.loss_layer = TimeSoftmaxWithLoss()
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}

    def predict(self, xs):
        """Scores ``(N, T, V)`` of the next word at every position (the state carries on)."""
        hs = self.embed.forward(xs)
        for layer in self.recurrent:
            hs = layer.forward(hs)
        return self.affine.forward(hs)

    def forward(self, xs, ts):
        """The mean cross-entropy of the ``(N, T)`` block ``xs`` against the next words ``ts``."""
        return self.loss_layer.forward(self.predict(xs), ts)

    def backward(self, dout=1.0):
        dhs = self.affine.backward(self.loss_layer.backward(dout))
        for layer in reversed(self.recurrent):
            dhs = layer.backward(dhs)
        self.embed.backward(dhs)
        self._collect()
        return None

    def _collect(self):
        self.grads["embed_W"][...] = self.embed.dW
        self.grads["affine_W"][...] = self.affine.dW
        self.grads["affine_b"][...] = self.affine.db
        for prefix, layer in zip(self._prefixes(), self.recurrent):
            for name in ("Wx", "Wh", "b"):
                self.grads[f"{prefix}_{name}"][...] = layer.grads[name]

    def _prefixes(self):
        return ["rnn"]

    def reset_state(self):
        """Forget the carried state: the next block starts from zeros."""
        for layer in self.recurrent:
            layer.reset_state()


class SimpleRnnlm(_Rnnlm):
    """``TimeEmbedding -> TimeRNN(stateful) -> TimeAffine -> TimeSoftmaxWithLoss`` (ch. 5).

    ``params``: ``embed_W (V, D)``, ``rnn_Wx (D, H)``, ``rnn_Wh (H, H)``, ``rnn_b (H,)``,
    ``affine_W (H, V)``, ``affine_b (V,)``.
    """


class Rnnlm(_Rnnlm):
    """As ``SimpleRnnlm`` with a ``TimeLSTM`` (gates ``[f, g, i, o]``): ``lstm_Wx (D, 4H)``, ``lstm_Wh (H, 4H)``,
    ``lstm_b (4H,)`` (ch. 6)."""

    recurrent_layer = TimeLSTM
    gates = 4

    def _prefixes(self):
        return ["lstm"]


class BetterRnnlm(_Rnnlm):
    """``Embedding -> Dropout -> LSTM -> Dropout -> LSTM -> Dropout -> TimeAffine(embed_W^T, affine_b)`` (ch. 6).

    Two LSTM layers (``lstm1_*``, ``lstm2_*``), inverted dropout (``dropout_ratio``, masks from the
    model's Generator) and weight tying: the output layer's weight is ``embed_W.T`` (requires
    ``wordvec_size == hidden_size``), so ``params`` has **no** ``affine_W`` and
    ``grads["embed_W"] = dW_embedding + dW_affine^T``. ``forward(xs, ts, train_flg=True)``;
    ``predict(xs, train_flg=False)``.
    """

    recurrent_layer = TimeLSTM
    gates = 4

    def __init__(
        self,
        vocab_size=10000,
        wordvec_size=650,
        hidden_size=650,
        dropout_ratio=0.5,
        *,
        seed=None,
        rng=None,
        dtype=np.float64,
    ):
        if wordvec_size != hidden_size:
            raise ValueError(f"weight tying needs wordvec_size == hidden_size, got {wordvec_size} and {hidden_size}")
        vocab, hidden = positive_int("vocab_size", vocab_size), positive_int("hidden_size", hidden_size)
        self.rng, dtype = generator(seed, rng), float_dtype(dtype)
        self.params = _init(self.rng, dtype, vocab, hidden, hidden, 4, self._prefixes())
        self.params["affine_b"] = np.zeros(vocab, dtype)
        p = self.params
        self.embed = TimeEmbedding(p["embed_W"])
        self.recurrent = [TimeLSTM(p[f"lstm{k}_Wx"], p[f"lstm{k}_Wh"], p[f"lstm{k}_b"], stateful=True) for k in (1, 2)]
        self.dropouts = [TimeDropout(dropout_ratio, rng=self.rng) for _ in range(3)]
        self.affine = TimeAffine(p["embed_W"].T, p["affine_b"])  # tied: a view of the embedding
        self.loss_layer = TimeSoftmaxWithLoss()
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}

    def _prefixes(self):
        return ["lstm1", "lstm2"]

    def predict(self, xs, train_flg=False):
        hs = self.dropouts[0].forward(self.embed.forward(xs), train_flg)
        for layer, dropout in zip(self.recurrent, self.dropouts[1:]):
            hs = dropout.forward(layer.forward(hs), train_flg)
        return self.affine.forward(hs)

    def forward(self, xs, ts, train_flg=True):
        return self.loss_layer.forward(self.predict(xs, train_flg), ts)

    def backward(self, dout=1.0):
        dhs = self.dropouts[2].backward(self.affine.backward(self.loss_layer.backward(dout)))
        for layer, dropout in zip(reversed(self.recurrent), reversed(self.dropouts[:2])):
            dhs = dropout.backward(layer.backward(dhs))
        self.embed.backward(dhs)
        self._collect()
        return None

    def _collect(self):
        self.grads["embed_W"][...] = self.embed.dW
        self.grads["embed_W"] += self.affine.dW.T  # the tied output weight: both uses summed
        self.grads["affine_b"][...] = self.affine.db
        for prefix, layer in zip(self._prefixes(), self.recurrent):
            for name in ("Wx", "Wh", "b"):
                self.grads[f"{prefix}_{name}"][...] = layer.grads[name]
