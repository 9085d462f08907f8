"""DeZero's layers: a ``Layer`` owns ``Parameter``s (and other layers) found through its attributes.

    layer = Linear(10, rng=0)            # input size inferred on the first call
    y = layer(x)                         # forward; parameters are created now
    for p in layer.params(): ...         # every Parameter, nested layers included, each once
    layer.save_weights("w.npz"); layer.load_weights("w.npz")

Parameters are collected in the order their attributes were first set (the book uses a
set, so its order varies from run to run); a Parameter reachable twice (a tied weight) is
yielded once, so an optimizer updates it once. Weights are drawn from an injected
``np.random.Generator`` (or a seed), never from NumPy's global generator.
"""

from __future__ import annotations

import os
import pathlib
import tempfile
import weakref

import numpy as np

import manual_bp.dezero.functions as F
from manual_bp._checks import shape_str
from manual_bp.dezero.core import Parameter, Variable
from manual_bp.dezero.functions.convolution import conv2d, deconv2d, kernel_pair
from manual_bp.dezero.functions.embedding import embed_id
from manual_bp.dezero.functions.normalization import batch_norm

__all__ = ["LSTM", "RNN", "BatchNorm", "Conv2d", "Deconv2d", "EmbedID", "Layer", "Linear", "as_generator", "normal"]


def as_generator(rng) -> np.random.Generator:
    """``rng`` itself when a Generator, else ``np.random.default_rng(rng)`` (a seed; None: fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def normal(rng: np.random.Generator, shape: tuple, scale: float, dtype) -> np.ndarray:
    """``scale * z`` with ``z`` standard normal of ``shape``, drawn directly in ``dtype`` when the
    Generator can (float32, float64: no float64 draw to cast, which dominated building VGG16)."""
    dtype = np.dtype(dtype)
    if dtype in (np.float32, np.float64):
        z = rng.standard_normal(shape, dtype=dtype)
        z *= dtype.type(scale)
        return z
    return (rng.standard_normal(shape) * scale).astype(dtype)


class Layer:
    """A callable holding Parameters and sub-layers as attributes; ``forward`` maps Variables to Variables."""

    _param_names: dict[str, None]

    def __init__(self):
        object.__setattr__(self, "_param_names", {})  # attribute name -> None, in first-set order

    def __setattr__(self, name, value):
        if isinstance(value, (Parameter, Layer)):
            self._param_names[name] = None
        else:
            self._param_names.pop(name, None)  # an attribute rebound to something else stops being collected
        object.__setattr__(self, name, value)

    def __call__(self, *inputs):
        outputs = self.forward(*inputs)
        if not isinstance(outputs, tuple):
            outputs = (outputs,)
        self.inputs = [weakref.ref(x) for x in inputs if isinstance(x, Variable)]
        self.outputs = [weakref.ref(y) for y in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def params(self):
        """Every Parameter of this layer and its sub-layers, each once (by identity)."""
        return iter(self._unique_params([], set()))

    def _unique_params(self, found: list, seen: set) -> list:
        for name in self._param_names:
            value = self.__dict__[name]
            if isinstance(value, Layer):
                value._unique_params(found, seen)
            elif id(value) not in seen:
                seen.add(id(value))
                found.append(value)
        return found

    def _named_params(self, prefix: str):
        for name in self._param_names:
            value = getattr(self, name)
            key = prefix + name
            if isinstance(value, Layer):
                yield from value._named_params(key + "/")
            else:
                yield key, value

    def named_params(self) -> dict:
        """``{"l0/W": Parameter, ...}``: each Parameter under its attribute path (the first, when tied)."""
        named: dict = {}
        seen: set[int] = set()
        for key, param in self._named_params(""):
            if id(param) not in seen:
                seen.add(id(param))
                named[key] = param
        return named

    def cleargrads(self) -> None:
        """Forget every Parameter's gradient."""
        for param in self.params():
            param.cleargrad()

    def save_weights(self, path) -> None:
        """Write every initialised Parameter to ``path`` (``.npz``) atomically: a temporary file
        in the same folder, then ``os.replace``, so a crash never leaves a half-written file."""
        path = pathlib.Path(path)
        arrays = {key: p.data for key, p in self.named_params().items() if p.data is not None}
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                np.savez(stream, **arrays)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise

    def load_weights(self, path) -> None:
        """Set every Parameter from ``path``; a missing, extra or differently shaped one is a ``ValueError`` naming it.

        A Parameter not yet initialised (a ``Linear`` before its first call) takes the saved array.
        """
        named = self.named_params()
        with np.load(path) as saved:
            missing = sorted(set(named) - set(saved.files))
            extra = sorted(set(saved.files) - set(named))
            if missing or extra:
                raise ValueError(f"{path}: parameters missing from the file {missing}, not in the layer {extra}")
            for key, param in named.items():
                array = saved[key]
                if param.data is not None and array.shape != param.data.shape:
                    raise ValueError(
                        f"{path}: parameter {key!r} has shape {shape_str(array.shape)} in the file, "
                        f"{shape_str(param.data.shape)} in the layer"
                    )
                dtype = array.dtype if param.data is None else param.data.dtype
                param.data = array.astype(dtype, copy=True)


class Linear(Layer):
    """``y = x @ W + b``: ``x`` ``(N, in_size)``, ``W`` ``(in_size, out_size)``, ``b`` ``(out_size,)``.

    ``in_size=None`` infers it from the first input. ``W`` is drawn as
    ``rng.standard_normal((in_size, out_size), dtype) * sqrt(1 / in_size)`` (the book's scale) from
    ``rng`` (a Generator, a seed, or None for fresh entropy); ``b`` starts at zero.
    ``dtype`` (default float32, as the book) is the parameters' dtype.
    """

    def __init__(self, out_size: int, nobias: bool = False, dtype=np.float32, in_size: int | None = None, rng=None):
        super().__init__()
        self.in_size, self.out_size, self.dtype = in_size, out_size, np.dtype(dtype)
        self.rng = as_generator(rng)
        self.W = Parameter(None, name="W")
        if in_size is not None:
            self._init_W()
        self.b = None if nobias else Parameter(np.zeros(out_size, dtype=self.dtype), name="b")

    def _init_W(self) -> None:
        in_size = int(self.in_size)  # type: ignore[arg-type]  # set by __init__ or the first call
        scale = np.sqrt(1.0 / in_size)
        self.W.data = normal(self.rng, (in_size, self.out_size), scale, self.dtype)

    def forward(self, x):
        if self.W.data is None:
            self.in_size = x.shape[1]
            self._init_W()
        elif x.ndim == 2 and x.shape[1] != self.W.data.shape[0]:
            raise ValueError(
                f"x must have shape (N, {self.W.data.shape[0]}) (the in_size of this Linear), got {shape_str(x.shape)}"
            )
        return F.linear(x, self.W, self.b)


class _Filters(Layer):
    """Shared by ``Conv2d`` and ``Deconv2d``: filters ``W`` created lazily from the input's channels."""

    def __init__(
        self, out_channels, kernel_size, stride=1, pad=0, nobias=False, dtype=np.float32, in_channels=None, rng=None
    ):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.pad = kernel_pair(kernel_size), stride, pad
        self.dtype, self.rng = np.dtype(dtype), as_generator(rng)
        self.W = Parameter(None, name="W")
        if in_channels is not None:
            self._init_W()
        self.b = None if nobias else Parameter(np.zeros(out_channels, dtype=self.dtype), name="b")

    def _filter_shape(self, C: int, OC: int, KH: int, KW: int) -> tuple:
        raise NotImplementedError

    def _init_W(self) -> None:
        C, OC = int(self.in_channels), self.out_channels  # in_channels is set by __init__ or the first call
        KH, KW = self.kernel_size
        scale = np.sqrt(1.0 / (C * KH * KW))
        self.W.data = normal(self.rng, self._filter_shape(C, OC, KH, KW), scale, self.dtype)

    def _prepare(self, x) -> None:
        if self.W.data is None:
            self.in_channels = x.shape[1]
            self._init_W()


class Conv2d(_Filters):
    """``y = conv2d(x, W, b, stride, pad)``: ``x`` ``(N, C, H, W)``, ``W`` ``(OC, C, KH, KW)``, ``b`` ``(OC,)``.

    ``in_channels=None`` infers ``C`` from the first input; ``W`` is drawn standard normal
    times ``sqrt(1 / (C * KH * KW))`` from ``rng``; ``b`` starts at zero.
    """

    def _filter_shape(self, C, OC, KH, KW):
        return (OC, C, KH, KW)

    def forward(self, x):
        self._prepare(x)
        return conv2d(x, self.W, self.b, self.stride, self.pad)


class Deconv2d(_Filters):
    """``y = deconv2d(x, W, b, stride, pad)`` (transposed convolution): ``W`` ``(C, OC, KH, KW)``.

    Initialised as ``Conv2d`` (same scale, ``C`` inferred from the first input).
    """

    def _filter_shape(self, C, OC, KH, KW):
        return (C, OC, KH, KW)

    def forward(self, x):
        self._prepare(x)
        return deconv2d(x, self.W, self.b, self.stride, self.pad)


class RNN(Layer):
    """An Elman cell: ``h' = tanh(x @ Wx + bx + h @ Wh)``; the state ``h`` is kept between calls.

    The first call after ``reset_state()`` has no ``h`` term. ``x2h`` and ``h2h`` are ``Linear``
    layers (``h2h`` without bias) drawing from ``rng``.
    """

    def __init__(self, hidden_size: int, in_size: int | None = None, dtype=np.float32, rng=None):
        super().__init__()
        rng = as_generator(rng)
        self.x2h = Linear(hidden_size, in_size=in_size, dtype=dtype, rng=rng)
        self.h2h = Linear(hidden_size, in_size=hidden_size, nobias=True, dtype=dtype, rng=rng)
        self.h = None

    def reset_state(self) -> None:
        self.h = None

    def forward(self, x):
        if self.h is None:
            h_new = F.tanh(self.x2h(x))
        else:
            h_new = F.tanh(self.x2h(x) + self.h2h(self.h))
        self.h = h_new
        return h_new


class LSTM(Layer):
    """An LSTM cell; the state ``(h, c)`` is kept between calls.

    ``f, i, o = sigmoid(x @ Wx_g + b_g + h @ Wh_g)`` for the gates, ``u = tanh(x @ Wx_u + b_u +
    h @ Wh_u)``, ``c' = f * c + i * u`` (``i * u`` on the first call), ``h' = o * tanh(c')``.
    """

    def __init__(self, hidden_size: int, in_size: int | None = None, dtype=np.float32, rng=None):
        super().__init__()
        rng = as_generator(rng)
        H, I = hidden_size, in_size  # noqa: E741  # the book's names
        for gate in "fiou":
            setattr(self, f"x2{gate}", Linear(H, in_size=I, dtype=dtype, rng=rng))
        for gate in "fiou":
            setattr(self, f"h2{gate}", Linear(H, in_size=H, nobias=True, dtype=dtype, rng=rng))
        self.reset_state()

    def reset_state(self) -> None:
        self.h = None
        self.c = None

    def forward(self, x):
        pre = {gate: getattr(self, f"x2{gate}")(x) for gate in "fiou"}
        if self.h is not None:
            pre = {gate: pre[gate] + getattr(self, f"h2{gate}")(self.h) for gate in "fiou"}
        f, i, o = F.sigmoid(pre["f"]), F.sigmoid(pre["i"]), F.sigmoid(pre["o"])
        u = F.tanh(pre["u"])
        c_new = i * u if self.c is None else f * self.c + i * u
        h_new = o * F.tanh(c_new)
        self.h, self.c = h_new, c_new
        return h_new


class EmbedID(Layer):
    """``y = W[x]``: rows of ``W`` ``(in_size, out_size)`` picked by integer ids ``x`` (any shape).

    ``W`` is drawn standard normal from ``rng``. Backward scatter-adds into the picked rows
    (an id picked twice gets both gradients).
    """

    def __init__(self, in_size: int, out_size: int, dtype=np.float32, rng=None):
        super().__init__()
        self.W = Parameter(normal(as_generator(rng), (in_size, out_size), 1.0, dtype), name="W")

    def forward(self, x):
        return embed_id(x, self.W)


class BatchNorm(Layer):
    """``y = gamma * (x - mu) / sqrt(var + eps) + beta`` per feature of ``(N, D)`` or channel of
    ``(N, C, H, W)`` inputs (``F.batch_norm``; ``Config.train`` picks batch or running statistics).

    ``gamma`` (ones), ``beta`` (zeros) and the running ``avg_mean`` (zeros), ``avg_var`` (ones)
    are created on the first call, of the input's dtype. The running statistics are
    Parameters, as in the book, so ``save_weights`` keeps them; they never get a gradient, so
    no optimizer changes them.
    """

    def __init__(self, decay: float = 0.9, eps: float = 2e-5):
        super().__init__()
        self.decay, self.eps = decay, eps
        self.avg_mean = Parameter(None, name="avg_mean")
        self.avg_var = Parameter(None, name="avg_var")
        self.gamma = Parameter(None, name="gamma")
        self.beta = Parameter(None, name="beta")

    def forward(self, x):
        if self.avg_mean.data is None:
            D, dtype = x.shape[1], x.dtype
            self.avg_mean.data, self.avg_var.data = np.zeros(D, dtype), np.ones(D, dtype)
            self.gamma.data, self.beta.data = np.ones(D, dtype), np.zeros(D, dtype)
        return batch_norm(x, self.gamma, self.beta, self.avg_mean.data, self.avg_var.data, self.decay, self.eps)
