"""The cells RNN, LSTM (gates [f, g, i, o]) and GRU (the book's form): conventions pinned, errors named."""

import numpy as np
import pytest
from hypothesis import given

from manual_bp import GRU, LSTM, RNN
from oracle.catalog import find_entry
from oracle.catalog.recurrent import lstm_cell_cases
from oracle.verify.entry import verify_case


@given(case=lstm_cell_cases(np.float64))
def test_lstm_matches_its_oracle_with_a_cotangent_for_each_output(case):
    verify_case(find_entry("LSTM"), case)


def _one_gate_lstm(gate: int, value: float = 50.0):
    """An LSTM with D = H = 1 whose pre-activation is 0 except ``value`` on one gate slot."""
    b = np.zeros(4)
    b[gate] = value
    return LSTM(np.zeros((1, 4)), np.zeros((1, 4)), b)


def test_gate_slots_are_forget_candidate_input_output_in_the_book_order():
    x, h, c = np.zeros((1, 1)), np.zeros((1, 1)), np.ones((1, 1))
    # all gates at 0 pre-activation: f = i = o = 0.5, g = 0
    _, c_next = _one_gate_lstm(0).forward(x, h, c)  # f saturated to 1: c' = c
    assert c_next[0, 0] == pytest.approx(1.0)
    _, c_next = _one_gate_lstm(1, 1.0).forward(x, h, c)  # g = tanh(1), i = 0.5
    assert c_next[0, 0] == pytest.approx(0.5 + 0.5 * np.tanh(1.0))
    _, c_next = _one_gate_lstm(2, 1.0).forward(x, h, c)  # i = sigmoid(1), but g = 0
    assert c_next[0, 0] == pytest.approx(0.5)
    h_next, c_next = _one_gate_lstm(3).forward(x, h, c)  # o saturated to 1: h' = tanh(c')
    assert h_next[0, 0] == pytest.approx(np.tanh(c_next[0, 0]))


def test_lstm_backward_returns_dx_dh_prev_dc_prev():
    rng = np.random.default_rng(0)
    layer = LSTM(rng.normal(size=(3, 8)), rng.normal(size=(2, 8)), rng.normal(size=8))
    h, c = layer.forward(rng.normal(size=(4, 3)), rng.normal(size=(4, 2)), rng.normal(size=(4, 2)))
    dx, dh, dc = layer.backward(np.ones_like(h), np.zeros_like(c))
    assert (dx.shape, dh.shape, dc.shape) == ((4, 3), (4, 2), (4, 2))


def test_gru_update_gate_weights_the_candidate_as_the_book_not_the_old_state_as_pytorch():
    # z saturated to 1 (bias 50): the book's h' = h_hat; PyTorch's h' = (1 - z) n + z h would keep h
    layer = GRU(np.zeros((1, 3)), np.array([[0.0, 0.0, 2.0]]), np.array([50.0, 0.0, 1.0]))
    h = np.array([[1.0]])
    assert layer.forward(np.zeros((1, 1)), h)[0, 0] == pytest.approx(np.tanh(1.0 + 0.5 * 1.0 * 2.0))


def test_gru_reset_gate_scales_h_before_the_product():
    # r saturated to 0 (bias -50): the candidate sees no h at all, tanh(b_h)
    layer = GRU(np.zeros((1, 3)), np.array([[0.0, 0.0, 2.0]]), np.array([50.0, -50.0, 0.25]))
    assert layer.forward(np.zeros((1, 1)), np.array([[3.0]]))[0, 0] == pytest.approx(np.tanh(0.25))


def test_float32_stays_float32():
    rng = np.random.default_rng(0)
    f32 = {
        k: v.astype(np.float32)
        for k, v in {"Wx": rng.normal(size=(2, 3)), "Wh": rng.normal(size=(3, 3)), "b": rng.normal(size=3)}.items()
    }
    layer = RNN(**f32)
    h = layer.forward(np.ones((1, 2), np.float32), np.zeros((1, 3), np.float32))
    dx, dh = layer.backward(np.ones_like(h))
    assert {h.dtype, dx.dtype, dh.dtype, layer.dWx.dtype, layer.dWh.dtype, layer.db.dtype} == {np.dtype(np.float32)}


@pytest.mark.parametrize(
    ("cls", "shapes", "match"),
    [
        (LSTM, ((3, 8), (2, 6), (8,)), r"Wh must have shape \(H, 4\*H\) \(gates \[f, g, i, o\]\), got \(2, 6\)"),
        (GRU, ((3, 5), (2, 6), (6,)), r"Wx must have shape \(D, 6\)"),
        (RNN, ((3, 2), (2, 2), (3,)), r"b must have shape \(2,\)"),
    ],
)
def test_parameter_shapes_are_checked_with_the_gate_layout(cls, shapes, match):
    with pytest.raises(ValueError, match=match):
        cls(*(np.zeros(s) for s in shapes))


def test_a_state_of_the_wrong_batch_is_named():
    layer = RNN(np.zeros((2, 3)), np.zeros((3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"h_prev must have shape \(4, 3\) \(batch, hidden\), got \(1, 3\)"):
        layer.forward(np.zeros((4, 2)), np.zeros((1, 3)))


@pytest.mark.parametrize("cell", [RNN, LSTM, GRU])
def test_backward_before_forward_names_the_cell(cell):
    gates = {RNN: 1, LSTM: 4, GRU: 3}[cell]
    layer = cell(np.zeros((1, gates)), np.zeros((1, gates)), np.zeros(gates))
    name = cell.__name__
    with pytest.raises(RuntimeError, match=f"{name}.backward called before {name}.forward"):
        layer.backward(np.ones((1, 1))) if cell is not LSTM else layer.backward(np.ones((1, 1)), np.ones((1, 1)))


def _lstm_after_forward(dtype):
    rng = np.random.default_rng(3)
    Wx, Wh, b = (rng.normal(size=s) for s in ((3, 8), (2, 8), (8,)))
    layer = LSTM(Wx.astype(dtype), Wh.astype(dtype), b.astype(dtype))
    layer.forward(*(rng.normal(size=s).astype(dtype) for s in ((4, 3), (4, 2), (4, 2))))
    return layer


def test_a_float64_lstm_given_float32_upstream_gradients_computes_in_float64():
    rng = np.random.default_rng(4)
    dh, dc = rng.normal(size=(4, 2)).astype(np.float32), rng.normal(size=(4, 2)).astype(np.float32)
    narrow, wide = _lstm_after_forward(np.float64), _lstm_after_forward(np.float64)
    for got, expected in zip(narrow.backward(dh, dc), wide.backward(dh.astype(np.float64), dc.astype(np.float64))):
        np.testing.assert_array_equal(got, expected)  # the float32 values, exactly, in float64 arithmetic


def _lstm():
    return LSTM(np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: _lstm().forward(np.array([["a"] * 3]), np.zeros((1, 2)), np.zeros((1, 2))),
            TypeError,
            "^x must be a real",
        ),
        (
            lambda: _lstm().forward(np.zeros((4, 2)), np.zeros((4, 2)), np.zeros((4, 2))),
            ValueError,
            r"^x must have shape \(N, 3\) \(Wx has shape \(3, 8\)\), got \(4, 2\)$",
        ),
        (
            lambda: _lstm().forward(np.zeros(3), np.zeros((1, 2)), np.zeros((1, 2))),
            ValueError,
            r"^x must have shape .*, got \(3,\)$",
        ),
        (
            lambda: _lstm().forward(np.zeros((4, 3)), np.zeros((4, 2)), np.zeros((4, 3))),
            ValueError,
            r"^c_prev must have shape \(4, 2\) \(batch, hidden\), got \(4, 3\)$",
        ),
    ],
)
def test_bad_inputs_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("bad", ["Wx", "Wh", "b"])
def test_each_parameter_is_named_when_not_numeric(bad):
    params = {"Wx": np.zeros((3, 4)), "Wh": np.zeros((1, 4)), "b": np.zeros(4)}
    params[bad] = np.full(params[bad].shape, "a")
    with pytest.raises(TypeError, match=f"^{bad} must be a real numeric array"):
        LSTM(*params.values())


def test_a_state_that_is_not_numeric_is_named():
    with pytest.raises(TypeError, match="^h_prev must be a real numeric array"):
        _lstm().forward(np.zeros((1, 3)), np.full((1, 2), "a"), np.zeros((1, 2)))


def test_a_float64_gru_given_a_float32_upstream_gradient_computes_in_float64():
    rng = np.random.default_rng(5)
    params, x, h = (
        [rng.normal(size=s) for s in ((3, 6), (2, 6), (6,))],
        rng.normal(size=(4, 3)),
        rng.normal(size=(4, 2)),
    )
    narrow, wide = GRU(*params), GRU(*params)
    narrow.forward(x, h), wide.forward(x, h)
    dh = rng.normal(size=(4, 2)).astype(np.float32)
    for got, expected in zip(narrow.backward(dh), wide.backward(dh.astype(np.float64))):
        np.testing.assert_array_equal(got, expected)
