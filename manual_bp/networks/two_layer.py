"""The book's two-layer network, ``TwoLayerNet``: Affine -> ReLU -> Affine -> SoftmaxWithLoss."""

from __future__ import annotations

import numbers
from collections import OrderedDict

import numpy as np

from manual_bp._checks import (
    as_float_array,
    float_dtype,
    generator,
    positive_int,
    shape_str,
)
from manual_bp.functions import as_labels
from manual_bp.layers.activations import ReLU
from manual_bp.layers.affine import Affine
from manual_bp.layers.losses import SoftmaxWithLoss
from manual_bp.numerical import numerical_gradient

__all__ = ["PARAM_NAMES", "TwoLayerNet"]

PARAM_NAMES = ("W1", "b1", "W2", "b2")


class TwoLayerNet:
    """``loss = SoftmaxWithLoss(relu(x2 @ W1 + b1) @ W2 + b2, t)``, the book's network (ch. 5).

    Shapes: ``x`` is ``(N, input_size)`` (or ``(N, ...)`` with ``input_size`` features per
    sample, flattened as by ``Affine``); ``W1`` ``(input_size, hidden_size)``, ``b1``
    ``(hidden_size,)``, ``W2`` ``(hidden_size, output_size)``, ``b2`` ``(output_size,)``;
    ``t`` is class indices ``(N,)`` or one-hot targets ``(N, output_size)``.

    Backward (``gradient``): ``SoftmaxWithLoss`` gives ``da2 = (softmax(a2) - t) / N``; then
    ``dW2 = z1.T @ da2``, ``db2 = sum_n da2``, ``dz1 = da2 @ W2.T``, ``da1 = dz1 * (a1 > 0)``,
    ``dW1 = x2.T @ da1``, ``db1 = sum_n da1``.

    - ``input_size``, ``hidden_size``, ``output_size``: layer widths, each at least 1.
    - ``weight_init_std`` (default ``0.01``, the book's): ``W1``, ``W2`` are drawn from
      ``N(0, weight_init_std^2)``; ``b1``, ``b2`` start at zero.
    - ``seed`` (keyword, default ``None``) or ``rng`` (keyword, a ``numpy.random.Generator``):
      where the initial weights come from; ``seed=s`` equals ``rng=np.random.default_rng(s)``.
      Neither: fresh OS entropy. The global ``np.random`` state is never used.
    - ``dtype`` (keyword, default ``float64``; or ``float32``): of the parameters; inputs
      ``x`` are cast to it, so the whole network computes in it.

    ``params`` holds the arrays; the layers in ``layers`` (``Affine1``, ``Relu1``,
    ``Affine2``) hold the same arrays, so an in-place update such as
    ``net.params["W1"] -= lr * grads["W1"]`` (the book's SGD step) reaches them.
    """

    def __init__(
        self, input_size, hidden_size, output_size, weight_init_std=0.01, *, seed=None, rng=None, dtype=np.float64
    ):
        sizes = [
            positive_int(n, v)
            for n, v in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size))
        ]
        if (
            isinstance(weight_init_std, bool)
            or not isinstance(weight_init_std, numbers.Real)
            or not (np.isfinite(weight_init_std) and weight_init_std >= 0)
        ):
            raise ValueError(f"weight_init_std must be a finite number >= 0, got {weight_init_std!r}")
        self.dtype = float_dtype(dtype)
        draws = generator(seed, rng)
        n_in, n_hidden, n_out = sizes
        self.params = {
            "W1": (weight_init_std * draws.standard_normal((n_in, n_hidden))).astype(self.dtype),
            "b1": np.zeros(n_hidden, dtype=self.dtype),
            "W2": (weight_init_std * draws.standard_normal((n_hidden, n_out))).astype(self.dtype),
            "b2": np.zeros(n_out, dtype=self.dtype),
        }
        self.layers = self._build_layers(self.params)
        self.last_layer = SoftmaxWithLoss()

    @staticmethod
    def _build_layers(params) -> OrderedDict:
        return OrderedDict(
            Affine1=Affine(params["W1"], params["b1"]),
            Relu1=ReLU(),
            Affine2=Affine(params["W2"], params["b2"]),
        )

    @property
    def sizes(self) -> tuple:
        """``(input_size, hidden_size, output_size)``."""
        return (*self.params["W1"].shape, self.params["W2"].shape[1])

    def _inputs(self, x) -> np.ndarray:
        x = as_float_array("x", x)
        n_in = self.sizes[0]
        if x.ndim < 2 or int(np.prod(x.shape[1:])) != n_in:
            raise ValueError(
                f"x must have shape (N, {n_in}) (input_size features per sample), got {shape_str(x.shape)}"
                + ("; for one sample use x[None]" if x.ndim == 1 and x.size == n_in else "")
            )
        return x.astype(self.dtype, copy=False)

    def _labels(self, t, n: int) -> np.ndarray:
        return as_labels(t, (n, self.sizes[2]))

    def predict(self, x) -> np.ndarray:
        """Scores ``a2 = relu(x2 @ W1 + b1) @ W2 + b2``, shape ``(N, output_size)``, before softmax."""
        out = self._inputs(x)
        for layer in self.layers.values():
            out = layer.forward(out)
        return out

    def loss(self, x, t):
        """The mean cross-entropy of ``softmax(predict(x))`` against ``t``, a scalar of ``dtype``."""
        scores = self.predict(x)
        return self.last_layer.forward(scores, self._labels(t, scores.shape[0]))

    def accuracy(self, x, t) -> float:
        """The fraction of samples whose highest score is the true class (``t`` indices or one-hot)."""
        scores = self.predict(x)
        t = self._labels(t, scores.shape[0])
        truth = t.argmax(axis=1) if t.ndim == 2 else t
        return float(np.mean(scores.argmax(axis=1) == truth)) if truth.size else 0.0

    def gradient(self, x, t) -> dict:
        """``{name: dL/dparam}`` by backpropagation: one forward, one backward (new arrays)."""
        self.loss(x, t)
        dout = self.last_layer.backward(1.0)
        for name, layer in reversed(self.layers.items()):
            # x is data: the first layer's input gradient is never needed, so it is skipped.
            dout = layer.backward(dout, input_grad=False) if name == "Affine1" else layer.backward(dout)
        first, second = self.layers["Affine1"], self.layers["Affine2"]
        return {"W1": first.dW.copy(), "b1": first.db.copy(), "W2": second.dW.copy(), "b2": second.db.copy()}

    def loss_with(self, params, x, t):
        """The loss at other parameter values: ``params`` maps some of ``W1, b1, W2, b2`` to arrays.

        Names not in ``params`` keep their current values. The forward pass runs on fresh
        layers, so ``self.params``, ``self.layers`` and ``self.last_layer`` are untouched: this
        is the function of the parameters that ``numerical_gradient`` differentiates.
        """
        unknown = sorted(set(params) - set(PARAM_NAMES))
        if unknown:
            raise ValueError(f"params may only name {', '.join(PARAM_NAMES)}, got {', '.join(map(repr, unknown))}")
        out = self._inputs(x)
        t = self._labels(t, out.shape[0])
        for layer in self._build_layers({**self.params, **params}).values():
            out = layer.forward(out)
        return SoftmaxWithLoss().forward(out, t)

    def numerical_gradient(self, x, t, *, h: float = 1e-4) -> dict:
        """``{name: dL/dparam}`` by central differences (``manual_bp.numerical.numerical_gradient``).

        Cost: ``2 * (number of parameters)`` forward passes (79 520 for the book's
        784-50-10 network, about 15 s here). Each evaluation is ``loss_with`` at a perturbed
        copy of one parameter, so ``params``, ``layers`` and ``last_layer`` are untouched.
        Near ReLU's kink the estimate can be wrong: see ``finite_difference_kinks``.

        - ``h`` (keyword, default ``1e-4``): the finite-difference step.
        """
        x = self._inputs(x)
        t = self._labels(t, x.shape[0])
        return {
            name: numerical_gradient(
                lambda value, name=name: self.loss_with({name: value}, x, t), self.params[name], h=h
            )
            for name in PARAM_NAMES
        }

    def finite_difference_kinks(self, x, *, h: float = 1e-4) -> np.ndarray:
        """Where a finite difference of step ``h`` crosses ReLU's kink: a bool mask ``(N, hidden_size)``.

        A step ``+-h`` on ``W1[i, j]`` moves the pre-activation ``a1[n, j] = x2[n] @ W1[:, j] + b1[j]``
        by ``+-h * x2[n, i]``; on ``b1[j]`` by ``+-h``; on ``W2``, ``b2`` not at all. So the
        step crosses zero, and the central difference averages the two slopes of ReLU instead
        of taking one, exactly when ``|a1[n, j]| < h * max(1, max_i |x2[n, i]|)``. Flagged
        units explain large numerical errors in ``W1`` and ``b1``; backprop is unaffected.
        """
        x = self._inputs(x)
        x2 = x.reshape(x.shape[0], -1)
        pre_activation = x2 @ self.params["W1"] + self.params["b1"]
        reach = h * np.maximum(1.0, np.abs(x2).max(axis=1, initial=0.0))
        return np.abs(pre_activation) < reach[:, None]
