"""The sequel's one-step cells: RNN, LSTM and GRU.

The family's catalog rows (``ROWS``) and the strategies that draw their cases; its layers are in
``manual_bp/layers/recurrent.py``, its oracles in ``oracle/layers/recurrent.py``, its kink and
error tests in ``tests/layers/test_recurrent.py``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from manual_bp.layers import recurrent as _recurrent
from oracle.layers import recurrent as _recurrent_oracle
from oracle.verify.entry import CatalogEntry
from oracle.verify.strategies import (
    Case,
    cotangents,
    float_arrays,
    param_dtype,
)
from oracle.verify.tolerance import Tolerance

# the sequel's recurrent rows, float32 (see tolerance_reason)
RECURRENT_FLOAT32 = {np.dtype(np.float32): Tolerance(atol=1e-5, rtol=1e-5, ntol=1e-5)}


RECURRENT_FLOAT32_REASON = (
    "1 - h**2 (tanh') and g (1 - g) (sigmoid') are computed from states rounded to float32: where a "
    "unit saturates the exact derivative is ~1e-4 but carries an absolute error of ~eps32 = 1.2e-7 "
    "per unit of dout (up to 10) times |Wh| (up to 3 per entry), summed over H and, in the time "
    "layers, over T steps: up to 4.9e-6 absolute seen in 3000 examples, above the default 1e-6 "
    "(as the Tanh row). The planted bugs still fail in float32."
)


# the Time rows run T steps: each step's rounding passes back through Wh (entries up to 3)
TIME_RECURRENT_FLOAT32 = {np.dtype(np.float32): Tolerance(atol=1e-5, rtol=1e-4, ntol=1e-5)}


TIME_RECURRENT_FLOAT32_REASON = RECURRENT_FLOAT32_REASON + (
    " Over T steps the rounding of saturated states is amplified through Wh: a 10,000-example "
    "float32 campaign found TimeRNN (T = 5, |Wh| up to 3, gradients about 200) 2.6e-5 to 6.5e-5 off "
    "in every gradient, while the oracle run in float32 itself was 1.4e-6 off (its tanh rounds "
    "differently): rtol 1e-4."
)


CELL_SIZES = ((3, 3, 2), (1, 2, 4))  # (N, D, H) of the cells


RECURRENT_VALUE = 3.0  # |values| of recurrent inputs and weights: saturates gates sometimes, not always


def recurrent_params(draw, dtype, d: int, h: int, gates: int, suffix: str = "") -> dict:
    value = RECURRENT_VALUE
    return {
        "Wx" + suffix: draw(float_arrays(dtype, (d, gates * h), max_value=value)),
        "Wh" + suffix: draw(float_arrays(dtype, (h, gates * h), max_value=value)),
        "b" + suffix: draw(float_arrays(dtype, (gates * h,), max_value=value)),
    }


@st.composite
def _cell_cases(draw, dtype, *, gates: int, cell_state: bool, sizes=CELL_SIZES, mixed: bool = True):
    """One step: ``x (N, D)``, ``h_prev`` (and ``c_prev``) ``(N, H)``, ``Wx``, ``Wh``, ``b`` (sometimes of
    the other float width: ``mixed``), a cotangent for each output in the result's dtype."""
    n, d, h = draw(st.sampled_from(sizes))
    pdtype = param_dtype(draw, dtype, mixed)
    inputs = {
        "x": draw(float_arrays(dtype, (n, d), max_value=RECURRENT_VALUE)),
        "h_prev": draw(float_arrays(dtype, (n, h), max_value=RECURRENT_VALUE)),
    }
    if cell_state:
        inputs["c_prev"] = draw(float_arrays(dtype, (n, h), max_value=RECURRENT_VALUE))
    out_dtype = np.result_type(dtype, pdtype)
    dout = draw(cotangents(out_dtype, (n, h)))
    if cell_state:
        dout = (dout, draw(cotangents(out_dtype, (n, h))))
    return Case(inputs, recurrent_params(draw, pdtype, d, h, gates), dout)


def rnn_cell_cases(dtype, **kwargs):
    """``x (N, D)``, ``h_prev (N, H)``, ``Wx (D, H)``, ``Wh (H, H)``, ``b (H,)``, ``dout (N, H)``."""
    return _cell_cases(dtype, gates=1, cell_state=False, **kwargs)


def lstm_cell_cases(dtype, **kwargs):
    """As ``rnn_cell_cases`` with ``c_prev``, ``4H`` gates, and ``dout = (dh_next, dc_next)``: two outputs."""
    return _cell_cases(dtype, gates=4, cell_state=True, **kwargs)


def gru_cell_cases(dtype, **kwargs):
    """As ``rnn_cell_cases`` with ``3H`` gates."""
    return _cell_cases(dtype, gates=3, cell_state=False, **kwargs)


ROWS: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "RNN",
        _recurrent.RNN,
        _recurrent_oracle.rnn,
        ("x", "h_prev"),
        ("Wx", "Wh", "b"),
        rnn_cell_cases,
        conventions="tanh(h Wh + x Wx + b), one step; Wx, Wh, b of either float width; backward -> (dx, dh_prev)",
    ),
    CatalogEntry(
        "LSTM",
        _recurrent.LSTM,
        _recurrent_oracle.lstm,
        ("x", "h_prev", "c_prev"),
        ("Wx", "Wh", "b"),
        lstm_cell_cases,
        conventions="gates [f, g, i, o] (the book's; PyTorch: [i, f, g, o]); Wx, Wh, b of either float width; "
        "forward -> (h_next, c_next); "
        "backward(dh_next, dc_next) -> (dx, dh_prev, dc_prev)",
    ),
    CatalogEntry(
        "GRU",
        _recurrent.GRU,
        _recurrent_oracle.gru,
        ("x", "h_prev"),
        ("Wx", "Wh", "b"),
        gru_cell_cases,
        conventions="the book's form: gates [z, r, h_hat], reset before Wh_h, h' = (1 - z) h + z h_hat; "
        "Wx, Wh, b of either float width",
    ),
)
