"""The book's deeper networks: ``MultiLayerNet`` (ch. 6) and ``SimpleConvNet`` (ch. 7).

Both have ``TwoLayerNet``'s interface, so one trainer trains any of them: ``params`` (a dict
of arrays that the layers hold too, so an optimizer's in-place update reaches them),
``layers`` (an ordered dict), ``last_layer``, ``predict(x, train_flg=False)``,
``loss(x, t, train_flg=False)``, ``accuracy(x, t)``, ``gradient(x, t) -> dict`` (one
training-mode forward and one backward; new arrays), ``loss_with`` and
``numerical_gradient``.
"""

from __future__ import annotations

import numbers
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from manual_bp._checks import (
    as_float_array,
    float_dtype,
    generator,
    positive_int,
    shape_str,
)
from manual_bp.functions import as_labels
from manual_bp.layers.activations import ReLU, Sigmoid
from manual_bp.layers.affine import Affine
from manual_bp.layers.convolution import Convolution
from manual_bp.layers.dropout import Dropout, dropout_mask
from manual_bp.layers.im2col import conv_output_size
from manual_bp.layers.losses import SoftmaxWithLoss
from manual_bp.layers.normalization import BatchNormalization
from manual_bp.layers.pooling import Pooling
from manual_bp.numerical import numerical_gradient

__all__ = ["MultiLayerNet", "SimpleConvNet"]

ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid}
INIT_SCALES = {"he": 2.0, "relu": 2.0, "xavier": 1.0, "sigmoid": 1.0}  # std = sqrt(scale / fan_in)


def _init_std(weight_init_std, fan_in: int) -> float:
    """``'he'``/``'relu'``: ``sqrt(2 / fan_in)``; ``'xavier'``/``'sigmoid'``: ``sqrt(1 / fan_in)``; a number: itself."""
    if isinstance(weight_init_std, str):
        if weight_init_std.lower() not in INIT_SCALES:
            raise ValueError(
                f"weight_init_std must be 'he', 'xavier' (or the book's 'relu', 'sigmoid') or a number, "
                f"got {weight_init_std!r}"
            )
        return float(np.sqrt(INIT_SCALES[weight_init_std.lower()] / fan_in))
    if (
        isinstance(weight_init_std, bool)
        or not isinstance(weight_init_std, numbers.Real)
        or not (np.isfinite(float(weight_init_std)) and float(weight_init_std) >= 0)
    ):
        raise ValueError(f"weight_init_std must be 'he', 'xavier' or a finite number >= 0, got {weight_init_std!r}")
    return float(weight_init_std)


class _Network:
    """What both networks share: forward through ``layers``, the loss, accuracy, gradients."""

    params: dict
    layers: OrderedDict
    last_layer: SoftmaxWithLoss
    dtype: np.dtype
    loss_with: Callable[..., float]  # each network's loss at given parameter values
    output_size: int

    def _inputs(self, x) -> np.ndarray:
        raise NotImplementedError

    def _decay(self, params) -> float:
        return 0.0

    def regularization(self) -> float:
        """The loss term beyond the cross-entropy at the current parameters (weight decay), or 0."""
        return self._decay(self.params)

    def _run(self, layers, x, train_flg: bool) -> np.ndarray:
        out = self._inputs(x)
        for layer in layers.values():
            has_modes = isinstance(layer, (Dropout, BatchNormalization))
            out = layer.forward(out, train_flg) if has_modes else layer.forward(out)
        return out

    def predict(self, x, train_flg=False, *, batch_size=100) -> np.ndarray:
        """Class scores ``(N, output_size)``, before softmax. ``train_flg``: dropout and batch-norm mode.

        ``batch_size`` (keyword, default 100): at inference (``train_flg=False``) the samples go
        through the layers ``batch_size`` at a time, so the memory the layers take (the
        convolution's window matrix: ``batch * OH * OW * C * FH * FW`` numbers) is bounded by the
        batch, not by ``N``; each sample's scores do not depend on the others then. ``None``: all
        at once. In training mode all ``N`` go at once (batch normalization's statistics and the
        dropout masks are of the whole batch).
        """
        x = self._inputs(x)
        if train_flg or batch_size is None or x.shape[0] <= positive_int("batch_size", batch_size):
            return self._run(self.layers, x, train_flg)
        return np.concatenate(
            [self._run(self.layers, x[i : i + batch_size], False) for i in range(0, x.shape[0], batch_size)]
        )

    def loss(self, x, t, train_flg=False):
        """Mean cross-entropy of ``softmax(predict(x, train_flg))`` against ``t``, plus weight decay if any."""
        scores = self._run(self.layers, x, train_flg)  # in one pass: ``gradient`` backpropagates through it
        value = self.last_layer.forward(scores, as_labels(t, (scores.shape[0], self.output_size)))
        return (value + self._decay(self.params)).astype(self.dtype)

    def accuracy(self, x, t, batch_size=100) -> float:
        """Fraction of samples whose highest score (inference mode) is the true class; ``t`` indices or one-hot.

        ``batch_size`` (default 100, as the book's ``SimpleConvNet``): samples per forward pass,
        which bounds the memory the convolution's windows take.
        """
        x = self._inputs(x)
        t = as_labels(t, (x.shape[0], self.output_size))
        truth = t.argmax(axis=1) if t.ndim == 2 else t
        if not truth.size:
            return 0.0
        return float(
            np.mean(self.predict(x, batch_size=positive_int("batch_size", batch_size)).argmax(axis=1) == truth)
        )

    def _backward(self) -> None:
        dout = self.last_layer.backward(1.0)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)

    def numerical_gradient(self, x, t, *, h: float = 1e-4) -> dict:
        """``{name: dL/dparam}`` of ``loss_with`` by central differences; ``params`` and layers untouched.

        Cost: two forward passes per parameter entry: use small networks.
        """
        return {
            name: numerical_gradient(
                lambda value, name=name: self.loss_with({name: value}, x, t), self.params[name], h=h
            )
            for name in self.params
        }


class MultiLayerNet(_Network):
    """``(Affine -> [BatchNorm] -> activation -> [Dropout]) x len(hidden_size_list) -> Affine -> SoftmaxWithLoss``.

    The book's ``MultiLayerNet`` and ``MultiLayerNetExtend`` (ch. 6) in one class.

    Loss: ``mean cross-entropy + 0.5 * weight_decay_lambda * sum_i ||W_i||^2`` (biases, gamma
    and beta are not decayed). Backward (``gradient``): backprop through the layers, then
    ``dW_i += weight_decay_lambda * W_i``; training mode (batch statistics, fresh dropout masks).

    - ``input_size``, ``output_size`` (ints >= 1); ``hidden_size_list``: hidden widths (may be empty).
    - ``activation`` (default ``'relu'``; or ``'sigmoid'``).
    - ``weight_init_std`` (default ``'he'``): ``W_i ~ N(0, std^2)`` with std ``sqrt(2 / fan_in)``
      for ``'he'`` (the book's ``'relu'``), ``sqrt(1 / fan_in)`` for ``'xavier'`` (``'sigmoid'``),
      or the given number. Biases start at 0, ``gamma`` at 1, ``beta`` at 0.
    - ``weight_decay_lambda`` (default 0): the L2 coefficient.
    - ``use_dropout`` (default False), ``dropout_ratio`` (default 0.5; the book spells it
      ``dropout_ration``): a ``Dropout`` after every activation.
    - ``use_batchnorm`` (default False): a ``BatchNormalization`` between every hidden
      ``Affine`` and its activation; parameters ``gamma_i``, ``beta_i``.
    - ``seed`` / ``rng`` (keywords): one Generator draws the initial weights and then every
      dropout mask; ``seed=s`` is ``rng=np.random.default_rng(s)``. Never the global state.
    - ``dtype`` (keyword, default float64; or float32): of the parameters and computations.

    ``params`` keys: ``W1, b1, ..., W{L}, b{L}`` and with batch norm ``gamma1, beta1, ...,
    gamma{L-1}, beta{L-1}``. ``layers``: ``Affine1, BatchNorm1, Activation_function1,
    Dropout1, ..., Affine{L}`` (the book's names).
    """

    def __init__(
        self,
        input_size,
        hidden_size_list,
        output_size,
        activation="relu",
        weight_init_std="he",
        weight_decay_lambda=0.0,
        use_dropout=False,
        dropout_ratio=0.5,
        use_batchnorm=False,
        *,
        seed=None,
        rng=None,
        dtype=np.float64,
    ):
        self.input_size = positive_int("input_size", input_size)
        self.hidden_size_list = [positive_int("hidden_size_list entries", s) for s in hidden_size_list]
        self.output_size = positive_int("output_size", output_size)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be 'relu' or 'sigmoid', got {activation!r}")
        if (
            isinstance(weight_decay_lambda, bool)
            or not isinstance(weight_decay_lambda, numbers.Real)
            or not weight_decay_lambda >= 0
        ):
            raise ValueError(f"weight_decay_lambda must be a number >= 0, got {weight_decay_lambda!r}")
        self.activation, self.weight_decay_lambda = activation, float(weight_decay_lambda)
        self.use_dropout, self.dropout_ratio, self.use_batchnorm = bool(use_dropout), dropout_ratio, bool(use_batchnorm)
        self.dtype = float_dtype(dtype)
        self.rng = generator(seed, rng)
        sizes = [self.input_size, *self.hidden_size_list, self.output_size]
        self.params = {}
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            std = _init_std(weight_init_std, fan_in)
            self.params[f"W{i}"] = (std * self.rng.standard_normal((fan_in, fan_out))).astype(self.dtype)
            self.params[f"b{i}"] = np.zeros(fan_out, dtype=self.dtype)
            if use_batchnorm and i < len(sizes) - 1:
                self.params[f"gamma{i}"] = np.ones(fan_out, dtype=self.dtype)
                self.params[f"beta{i}"] = np.zeros(fan_out, dtype=self.dtype)
        self.layers = self._build_layers(self.params)
        self.last_layer = SoftmaxWithLoss()

    @property
    def _depth(self) -> int:
        return len(self.hidden_size_list) + 1

    def _build_layers(self, params) -> OrderedDict:
        layers: OrderedDict[str, Any] = OrderedDict()
        for i in range(1, self._depth):
            layers[f"Affine{i}"] = Affine(params[f"W{i}"], params[f"b{i}"])
            if self.use_batchnorm:
                layers[f"BatchNorm{i}"] = BatchNormalization(params[f"gamma{i}"], params[f"beta{i}"])
            layers[f"Activation_function{i}"] = ACTIVATIONS[self.activation]()
            if self.use_dropout:
                layers[f"Dropout{i}"] = Dropout(self.dropout_ratio, rng=self.rng)
        last = self._depth
        layers[f"Affine{last}"] = Affine(params[f"W{last}"], params[f"b{last}"])
        return layers

    def _inputs(self, x) -> np.ndarray:
        x = as_float_array("x", x)
        if x.ndim < 2 or int(np.prod(x.shape[1:])) != self.input_size:
            raise ValueError(
                f"x must have shape (N, {self.input_size}) (input_size features per sample), got {shape_str(x.shape)}"
            )
        return x.astype(self.dtype, copy=False)

    def _decay(self, params) -> float:
        if not self.weight_decay_lambda:
            return 0.0
        squares = sum(float(np.sum(np.square(params[f"W{i}"], dtype=np.float64))) for i in range(1, self._depth + 1))
        return 0.5 * self.weight_decay_lambda * squares

    def gradient(self, x, t) -> dict:
        """``{name: dL/dparam}`` by backpropagation, training mode (new arrays, keys as ``params``)."""
        self.loss(x, t, train_flg=True)
        self._backward()
        grads = {}
        for name in self.params:
            kind, index = name.rstrip("0123456789"), name[len(name.rstrip("0123456789")) :]
            layer = self.layers[("BatchNorm" if kind in ("gamma", "beta") else "Affine") + index]
            grads[name] = layer.grads[kind].copy()
            if kind == "W" and self.weight_decay_lambda:
                grads[name] += (self.weight_decay_lambda * self.params[name]).astype(self.dtype)
        return grads

    def dropout_masks(self) -> dict:
        """``{"Dropout1": mask, ...}``: the masks of the last training forward (``None`` before one)."""
        return {name: layer.mask for name, layer in self.layers.items() if isinstance(layer, Dropout)}

    def loss_with(self, params, x, t, *, masks=None):
        """The training-mode loss at other parameter values, on fresh layers (nothing of ``self`` changes).

        - ``params``: some of ``self.params``' names mapped to arrays; the rest keep their values.
        - ``masks`` (default: the masks of the last training forward): ``{"Dropout1": mask, ...}``,
          reused instead of fresh draws, so the loss is a deterministic function of ``params``.
        """
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise ValueError(f"params may only name {', '.join(self.params)}, got {', '.join(map(repr, unknown))}")
        masks = self.dropout_masks() if masks is None else masks
        out = self._inputs(x)
        for name, layer in self._build_layers({**self.params, **params}).items():
            if isinstance(layer, Dropout):
                if masks.get(name) is None:
                    raise ValueError(f"loss_with needs the mask of {name}: run a training forward first or pass masks")
                out = np.where(masks[name], out / (1 - layer.dropout_ratio), 0).astype(out.dtype)
            else:
                out = layer.forward(out, True) if isinstance(layer, BatchNormalization) else layer.forward(out)
        value = SoftmaxWithLoss().forward(out, as_labels(t, (out.shape[0], self.output_size)))
        return value + self._decay({**self.params, **params})

    def numerical_gradient(self, x, t, *, h: float = 1e-4, masks=None) -> dict:
        """``{name: dL/dparam}`` by central differences of ``loss_with`` (training mode).

        Dropout masks are held fixed for every evaluation: ``masks`` if given, else those of the
        last training forward (so it is comparable with the ``gradient(x, t)`` just computed),
        else masks drawn once from the network's Generator. Two forward passes per entry.
        """
        if masks is None:
            masks = self.dropout_masks()
            if any(mask is None for mask in masks.values()):
                n = self._inputs(x).shape[0]
                masks = {
                    f"Dropout{i}": dropout_mask(self.rng, (n, size), self.dropout_ratio)
                    for i, size in enumerate(self.hidden_size_list, start=1)
                }
        return {
            name: numerical_gradient(
                lambda value, name=name: self.loss_with({name: value}, x, t, masks=masks), self.params[name], h=h
            )
            for name in self.params
        }


class SimpleConvNet(_Network):
    """``Convolution -> ReLU -> Pooling(2x2, stride 2) -> Affine -> ReLU -> Affine -> SoftmaxWithLoss`` (book ch. 7).

    Shapes: ``x`` is ``(N, C, H, W)`` with ``input_dim = (C, H, W)`` (or ``(N, C*H*W)``,
    reshaped); ``W1 (FN, C, FS, FS)``, ``b1 (FN,)``; ``W2 (FN*PH*PW, hidden_size)``, ``b2``;
    ``W3 (hidden_size, output_size)``, ``b3``, where ``PH = OH // 2`` (floor, the pooled
    convolution output; the book assumes even sizes).

    - ``input_dim`` (default ``(1, 28, 28)``; e.g. ``(1, 8, 8)`` for scikit-learn digits).
    - ``conv_param`` (default ``{'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1}``;
      keys given replace those defaults).
    - ``hidden_size`` (default 100), ``output_size`` (default 10).
    - ``weight_init_std`` (default ``0.01``, the book's; or ``'he'`` / ``'xavier'``, from each
      layer's fan-in: ``C*FS*FS`` for the convolution).
    - ``seed`` / ``rng`` (keywords): where the initial weights come from. ``dtype`` (keyword,
      default float64; or float32).

    Backward (``gradient``): through ``Affine2, Relu2, Affine1, Pool1, Relu1, Conv1``; grads
    ``W1, b1, W2, b2, W3, b3``.
    """

    def __init__(
        self,
        input_dim=(1, 28, 28),
        conv_param=None,
        hidden_size=100,
        output_size=10,
        weight_init_std=0.01,
        *,
        seed=None,
        rng=None,
        dtype=np.float64,
    ):
        defaults = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}
        unknown = sorted(set(conv_param or {}) - set(defaults))
        if unknown:
            raise ValueError(
                f"conv_param may only have keys {', '.join(defaults)}, got {', '.join(map(repr, unknown))}"
            )
        self.conv_param = {**defaults, **(conv_param or {})}
        if len(tuple(input_dim)) != 3:
            raise ValueError(f"input_dim must be (C, H, W), got {tuple(input_dim)}")
        self.input_dim = tuple(positive_int("input_dim entries", s) for s in input_dim)
        channels, height, width = self.input_dim
        filters = positive_int("filter_num", self.conv_param["filter_num"])
        size = positive_int("filter_size", self.conv_param["filter_size"])
        stride, pad = self.conv_param["stride"], self.conv_param["pad"]
        try:
            conv_h, conv_w = conv_output_size(height, size, stride, pad), conv_output_size(width, size, stride, pad)
        except ValueError as error:
            raise ValueError(f"conv_param {self.conv_param} does not fit input_dim {self.input_dim}: {error}") from None
        if min(conv_h, conv_w) < 2:
            raise ValueError(
                f"the convolution output {conv_h}x{conv_w} is too small for the 2x2 pooling "
                f"(input {height}x{width}, filter {size}, stride {stride}, pad {pad})"
            )
        pooled = filters * (conv_h // 2) * (conv_w // 2)
        self.hidden_size = positive_int("hidden_size", hidden_size)
        self.output_size = positive_int("output_size", output_size)
        self.dtype = float_dtype(dtype)
        draws = generator(seed, rng)
        shapes = {
            "W1": (filters, channels, size, size),
            "W2": (pooled, self.hidden_size),
            "W3": (self.hidden_size, self.output_size),
        }
        self.params = {}
        for i, (name, shape) in enumerate(shapes.items(), start=1):
            std = _init_std(weight_init_std, int(np.prod(shape[1:])) if i == 1 else shape[0])
            self.params[name] = (std * draws.standard_normal(shape)).astype(self.dtype)
            self.params[f"b{i}"] = np.zeros(shape[0] if i == 1 else shape[1], dtype=self.dtype)
        self.layers = self._build_layers(self.params)
        self.last_layer = SoftmaxWithLoss()

    def _build_layers(self, params) -> OrderedDict:
        return OrderedDict(
            Conv1=Convolution(params["W1"], params["b1"], self.conv_param["stride"], self.conv_param["pad"]),
            Relu1=ReLU(),
            Pool1=Pooling(2, 2, stride=2),
            Affine1=Affine(params["W2"], params["b2"]),
            Relu2=ReLU(),
            Affine2=Affine(params["W3"], params["b3"]),
        )

    def _inputs(self, x) -> np.ndarray:
        x = as_float_array("x", x)
        if x.ndim == 2 and x.shape[1] == int(np.prod(self.input_dim)):
            x = x.reshape(x.shape[0], *self.input_dim)
        if x.shape[1:] != self.input_dim or x.ndim != 4:
            c, h, w = self.input_dim
            raise ValueError(
                f"x must have shape (N, {c}, {h}, {w}) (input_dim) or (N, {c * h * w}), got {shape_str(x.shape)}"
            )
        return x.astype(self.dtype, copy=False)

    def gradient(self, x, t) -> dict:
        """``{name: dL/dparam}`` by backpropagation (new arrays): ``W1, b1`` (conv), ``W2, b2``, ``W3, b3``."""
        self.loss(x, t)
        self._backward()
        owners = {"1": "Conv1", "2": "Affine1", "3": "Affine2"}
        return {name: self.layers[owners[name[1]]].grads[name[0]].copy() for name in self.params}

    def loss_with(self, params, x, t):
        """The loss at other parameter values (some of ``W1 .. b3``), on fresh layers: ``self`` is untouched."""
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise ValueError(f"params may only name {', '.join(self.params)}, got {', '.join(map(repr, unknown))}")
        scores = self._run(self._build_layers({**self.params, **params}), x, False)
        return SoftmaxWithLoss().forward(scores, as_labels(t, (scores.shape[0], self.output_size)))
