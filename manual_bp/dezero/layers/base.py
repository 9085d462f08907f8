"""The base of DeZero's layers: a ``Layer`` owns ``Parameter``s (and other layers) found through its attributes.

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

from manual_bp._checks import shape_str
from manual_bp.dezero.core import Parameter, Variable

__all__ = ["Layer", "as_generator", "normal"]


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
