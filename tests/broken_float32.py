"""Planted float32-only bugs of relative size 3e-5: in each row that carried a hand-set float32
tolerance before the bound was computed, the layer's first gradient comes out scaled by
``1 + 3e-5`` when it computes in float32 (float64 is untouched). The computed bound must still
see it: ``manual-bp verify --dtype float32`` fails each row within the default examples.

``BROKEN`` maps the row to (the broken entry, the quantity its report must name); the CLI test
loads this file as a user catalog.
"""

import dataclasses

import numpy as np

from oracle.catalog import find_entry

SCALE = 3e-5
ROWS = (
    "Tanh",
    "Softmax",
    "BatchNormalization",
    "RNN",
    "LSTM",
    "GRU",
    "TimeRNN",
    "TimeLSTM",
    "TimeGRU",
    "TimeBiLSTM",
    "WeightSum",
    "AttentionWeight",
    "Attention",
    "TimeAttention",
)


def scaled_in_float32(layer_class):
    """``layer_class`` whose ``backward`` returns its first gradient times ``1 + SCALE`` in float32."""

    class Scaled(layer_class):
        def backward(self, *douts):
            grads = super().backward(*douts)
            first = grads[0] if isinstance(grads, tuple) else grads
            if first.dtype == np.float32:
                first = first * np.float32(1 + SCALE)
            return (first, *grads[1:]) if isinstance(grads, tuple) else first

    Scaled.__name__ = Scaled.__qualname__ = f"Float32Scaled{layer_class.__name__}"
    return Scaled


def _broken(name: str):
    entry = find_entry(name)
    first = next(k for k in entry.inputs if k not in entry.nondiff)
    return dataclasses.replace(entry, name=f"{name}[x(1+3e-5) in float32]", layer=scaled_in_float32(entry.layer)), (
        "d" + first
    )


BROKEN = {name: _broken(name) for name in ROWS}
CATALOG = [entry for entry, _ in BROKEN.values()]
