"""The sequel's word2vec models (ch. 3-4): ``SimpleCBOW`` (softmax over the vocabulary), ``CBOW`` and
``SkipGram`` with negative sampling.

One parameter convention for both books: ``params`` and ``grads`` are ``{name: array}`` with every
distinct array **once**; a weight used by several layers (``W_in`` by every context, ``W_out``
by every negative-sampling loss) has its gradients summed inside the model, by construction
(the book lists it once per use and merges the copies afterwards by comparing values).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from manual_bp._checks import as_indices, float_dtype, generator, positive_int, shape_str
from manual_bp.layers.affine import MatMul
from manual_bp.layers.embedding import Embedding
from manual_bp.layers.losses import SoftmaxWithLoss
from manual_bp.layers.negative_sampling import NegativeSamplingLoss

__all__ = ["CBOW", "SimpleCBOW", "SkipGram"]


def _contexts(contexts, vocab: int, width: int) -> np.ndarray:
    contexts = as_indices("contexts", contexts, vocab)
    if contexts.ndim != 2 or contexts.shape[1] != width:
        raise ValueError(
            f"contexts must be word ids of shape (N, {width}) (2 * window per target), got {shape_str(contexts.shape)}"
        )
    return contexts


class SimpleCBOW:
    """``loss = SoftmaxWithLoss(0.5 * (c_0 + c_1) @ W_out, target)`` with ``c_i = onehot(contexts[:, i]) @ W_in``.

    Shapes: ``contexts`` ``(N, 2)`` word ids (the book feeds one-hot ``(N, 2, V)``; ids are the same
    product, ``MatMul`` of a one-hot row picks a row of ``W_in``), ``target`` ``(N,)`` ids;
    ``W_in`` ``(V, H)``, ``W_out`` ``(H, V)``, initialised ``0.01 * N(0, 1)`` as the book.

    Backward: ``da = SoftmaxWithLoss.backward(dout)``; ``dW_out = h^T da``; ``dh = 0.5 * da W_out^T``;
    ``dW_in`` is the **sum** of the two contexts' ``MatMul`` gradients.
    """

    def __init__(self, vocab_size, hidden_size, *, seed=None, rng=None, dtype=np.float64):
        vocab, hidden = positive_int("vocab_size", vocab_size), positive_int("hidden_size", hidden_size)
        rng, dtype = generator(seed, rng), float_dtype(dtype)
        self.params = {
            "W_in": (0.01 * rng.standard_normal((vocab, hidden))).astype(dtype),
            "W_out": (0.01 * rng.standard_normal((hidden, vocab))).astype(dtype),
        }
        self.in_layers = [MatMul(self.params["W_in"]) for _ in range(2)]
        self.out_layer = MatMul(self.params["W_out"])
        self.loss_layer = SoftmaxWithLoss()
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}
        self.word_vecs = self.params["W_in"]

    def forward(self, contexts, target):
        vocab = self.params["W_in"].shape[0]
        contexts = _contexts(contexts, vocab, 2)
        eye = np.eye(vocab, dtype=self.params["W_in"].dtype)
        h = 0.5 * (self.in_layers[0].forward(eye[contexts[:, 0]]) + self.in_layers[1].forward(eye[contexts[:, 1]]))
        return self.loss_layer.forward(self.out_layer.forward(h), as_indices("target", target, vocab))

    def backward(self, dout=1.0):
        da = self.loss_layer.backward(dout)
        dh = 0.5 * self.out_layer.backward(da)
        self.grads["W_out"][...] = self.out_layer.dW
        self.grads["W_in"][...] = 0
        for layer in self.in_layers:
            layer.backward(dh)
            self.grads["W_in"] += layer.dW
        return None


class _NegativeSamplingModel:
    """What ``CBOW`` and ``SkipGram`` share: ``W_in``/``W_out`` of ``(V, H)`` (``0.01 * N(0, 1)``), the
    input ``Embedding`` and the negative-sampling losses, all drawing from one Generator."""

    def __init__(
        self,
        vocab_size,
        hidden_size,
        window_size,
        corpus,
        *,
        power=0.75,
        sample_size=5,
        seed=None,
        rng=None,
        dtype=np.float64,
    ):
        vocab, hidden = positive_int("vocab_size", vocab_size), positive_int("hidden_size", hidden_size)
        self.window = positive_int("window_size", window_size)
        rng, dtype = generator(seed, rng), float_dtype(dtype)
        self.params = {
            "W_in": (0.01 * rng.standard_normal((vocab, hidden))).astype(dtype),
            "W_out": (0.01 * rng.standard_normal((vocab, hidden))).astype(dtype),
        }
        self.in_layer = Embedding(self.params["W_in"])
        self._build_losses(lambda: NegativeSamplingLoss(self.params["W_out"], corpus, power, sample_size, rng=rng))
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}
        self.word_vecs = self.params["W_in"]

    def _build_losses(self, new_loss: Callable[[], NegativeSamplingLoss]) -> None:
        raise NotImplementedError


class CBOW(_NegativeSamplingModel):
    """``loss = NegativeSamplingLoss(W_out)(h, target)``, ``h = mean_i W_in[contexts[:, i]]`` (``2 * window`` contexts).

    Shapes: ``contexts`` ``(N, 2 * window)`` ids, ``target`` ``(N,)`` ids; ``W_in``, ``W_out`` ``(V, H)``
    (``0.01 * N(0, 1)``). ``corpus`` (1-D ids), ``power`` (0.75) and ``sample_size`` (5) set the
    sampler; one Generator (``seed``/``rng``) draws the weights, then every negative sample.

    Backward: ``dh = loss.backward(dout) / (2 * window)``; ``dW_in`` = one scatter-add of ``dh`` to every
    context id (an ``Embedding`` over the ``(N, 2 * window)`` block: repeated ids accumulate);
    ``dW_out`` from the loss (its ``K + 1`` scores share it, summed inside it).
    """

    def _build_losses(self, new_loss):
        self.ns_loss = new_loss()

    def forward(self, contexts, target):
        contexts = _contexts(contexts, self.params["W_in"].shape[0], 2 * self.window)
        h = self.in_layer.forward(contexts).mean(axis=1)
        return self.ns_loss.forward(h, target)

    def backward(self, dout=1.0):
        dh = self.ns_loss.backward(dout) / (2 * self.window)
        self.in_layer.backward(np.repeat(dh[:, None, :], 2 * self.window, axis=1))
        self.grads["W_in"][...] = self.in_layer.dW
        self.grads["W_out"][...] = self.ns_loss.dW
        return None


class SkipGram(_NegativeSamplingModel):
    """``loss = sum_i NegativeSamplingLoss(W_out)(W_in[target], contexts[:, i])`` over the ``2 * window`` contexts.

    Shapes and initialisation as ``CBOW``. The ``2 * window`` losses share ``W_out`` (the book lists
    it ``2 * window * (K + 1)`` times); here it is one array whose gradient is their sum.

    Backward: ``dh = sum_i loss_i.backward(dout)``; ``dW_in = scatter_add(target, dh)``;
    ``dW_out = sum_i dW_out_i``.
    """

    def _build_losses(self, new_loss):
        self.losses = [new_loss() for _ in range(2 * self.window)]

    def forward(self, contexts, target):
        contexts = _contexts(contexts, self.params["W_in"].shape[0], 2 * self.window)
        h = self.in_layer.forward(target)
        return sum(loss.forward(h, contexts[:, i]) for i, loss in enumerate(self.losses))

    def backward(self, dout=1.0):
        dh = sum(loss.backward(dout) for loss in self.losses)
        self.in_layer.backward(dh)
        self.grads["W_in"][...] = self.in_layer.dW
        self.grads["W_out"][...] = 0
        for loss in self.losses:
            self.grads["W_out"] += loss.dW
        return None
