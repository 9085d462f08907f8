"""Layers collect their Parameters exactly once, initialise from an injected Generator, and save atomically."""

import os

import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import Parameter, Variable, test_mode
from manual_bp.dezero.layers import LSTM, RNN, BatchNorm, Conv2d, Deconv2d, EmbedID, Layer, Linear
from manual_bp.dezero.models import MLP, Sequential


def test_parameters_are_found_through_attributes_and_nested_layers_in_order():
    outer = Layer()
    outer.a = Parameter(np.zeros(1), name="a")
    outer.inner = Linear(3, in_size=2, rng=0)
    outer.note = Variable(np.zeros(1))  # a plain Variable is not a parameter
    assert [p.name for p in outer.params()] == ["a", "W", "b"]
    assert list(outer.named_params()) == ["a", "inner/W", "inner/b"]


def test_a_tied_parameter_is_collected_once():
    shared = Linear(2, in_size=2, rng=0)
    model = Sequential(shared, F.tanh, shared)
    assert len(list(model.params())) == 2
    y = model(np.ones((1, 2), np.float32))
    model.cleargrads()
    y.backward()
    assert shared.W.grad.shape == (2, 2)  # both uses accumulated into the one Parameter


def test_an_attribute_rebound_to_a_non_parameter_is_no_longer_collected():
    layer = Layer()
    layer.p = Parameter(np.zeros(1))
    layer.p = None
    assert list(layer.params()) == []


def test_linear_infers_its_input_size_on_the_first_call_and_draws_from_the_injected_generator():
    layer = Linear(4, rng=np.random.default_rng(7))
    assert layer.W.data is None
    y = layer(np.ones((5, 3), np.float32))
    assert y.shape == (5, 4) and layer.W.shape == (3, 4) and layer.W.dtype == np.float32
    expected = np.random.default_rng(7).standard_normal((3, 4), dtype=np.float32) * np.float32(np.sqrt(1 / 3))
    np.testing.assert_array_equal(layer.W.data, expected)


def test_linear_does_not_touch_the_global_generator():
    state = np.random.get_state()[1].copy()
    Linear(3, rng=None)(np.ones((1, 2)))
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_linear_names_a_wrong_input_width():
    layer = Linear(2, in_size=3, rng=0)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 3\) \(the in_size of this Linear\), got \(1, 4\)"):
        layer(np.ones((1, 4), np.float32))


def test_cleargrads_forgets_every_gradient():
    model = MLP((3, 2), rng=0)
    model(np.ones((2, 4), np.float32)).sum().backward()
    assert all(p.grad is not None for p in model.params())
    model.cleargrads()
    assert all(p.grad is None for p in model.params())


def test_weights_round_trip_through_npz(tmp_path):
    x = np.random.default_rng(1).normal(size=(3, 4)).astype(np.float32)
    model = MLP((5, 2), rng=0)
    y = model(x).data
    model.save_weights(tmp_path / "w.npz")
    other = MLP((5, 2), rng=1)
    other.load_weights(tmp_path / "w.npz")  # lazily initialised parameters take the saved arrays
    np.testing.assert_array_equal(other(x).data, y)
    assert os.listdir(tmp_path) == ["w.npz"]  # the temporary file was renamed, nothing left behind


def test_a_failed_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    model = MLP((2,), rng=0)
    model(np.ones((1, 2), np.float32))
    model.save_weights(tmp_path / "w.npz")
    before = (tmp_path / "w.npz").read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(tmp_path / "w.npz")
    assert (tmp_path / "w.npz").read_bytes() == before and os.listdir(tmp_path) == ["w.npz"]


def test_loading_a_parameter_of_another_shape_names_it(tmp_path):
    small, large = MLP((3, 2), rng=0), MLP((4, 2), rng=0)
    small(np.ones((1, 2), np.float32))
    large(np.ones((1, 2), np.float32))
    small.save_weights(tmp_path / "w.npz")
    with pytest.raises(ValueError, match=r"parameter 'l0/W' has shape \(2, 3\) in the file, \(2, 4\) in the layer"):
        large.load_weights(tmp_path / "w.npz")


def test_loading_a_file_of_another_model_names_the_missing_parameters(tmp_path):
    one, two = MLP((3,), rng=0), MLP((3, 2), rng=0)
    one(np.ones((1, 2), np.float32))
    one.save_weights(tmp_path / "w.npz")
    with pytest.raises(ValueError, match=r"missing from the file \['l1/W', 'l1/b'\]"):
        two.load_weights(tmp_path / "w.npz")


def test_rnn_keeps_its_state_until_reset():
    rnn = RNN(3, rng=0)
    x = np.ones((2, 4), np.float32)
    h1 = rnn(x)
    h2 = rnn(x)
    expected = np.tanh(x @ rnn.x2h.W.data + rnn.x2h.b.data + h1.data @ rnn.h2h.W.data)
    np.testing.assert_allclose(h2.data, expected, rtol=1e-6)
    rnn.reset_state()
    np.testing.assert_array_equal(rnn(x).data, h1.data)
    assert len(list(rnn.params())) == 3  # x2h W, b; h2h W (no bias)


def test_lstm_cell_follows_its_formula_over_two_steps():
    lstm = LSTM(2, rng=0, dtype=np.float64)
    x = np.random.default_rng(0).normal(size=(3, 4))

    def gate(name, h):
        pre = x @ getattr(lstm, "x2" + name).W.data + getattr(lstm, "x2" + name).b.data
        return pre if h is None else pre + h @ getattr(lstm, "h2" + name).W.data

    def sigmoid(a):
        return 1 / (1 + np.exp(-a))

    h, c = None, None
    for _ in range(2):
        got = lstm(x).data  # the first call initialises the input weights
        f, i, o, u = sigmoid(gate("f", h)), sigmoid(gate("i", h)), sigmoid(gate("o", h)), np.tanh(gate("u", h))
        c = i * u if c is None else f * c + i * u
        h = o * np.tanh(c)
        np.testing.assert_allclose(got, h, rtol=1e-12)
    assert len(list(lstm.params())) == 12


def test_embed_id_picks_rows_and_adds_gradients_of_repeated_ids():
    embed = EmbedID(5, 3, rng=0, dtype=np.float64)
    ids = np.array([[1, 1], [4, 0]])
    y = embed(ids)
    np.testing.assert_array_equal(y.data, embed.W.data[ids])
    y.backward()
    assert embed.W.grad.data[1].tolist() == [2.0, 2.0, 2.0] and embed.W.grad.data[2].tolist() == [0.0, 0.0, 0.0]


def test_embed_id_refuses_float_ids():
    with pytest.raises(TypeError, match=r"x must be an integer array of ids in \[0, 5\), got dtype float64"):
        EmbedID(5, 3, rng=0)(np.array([1.0]))


def test_conv2d_infers_channels_and_matches_the_function():
    from manual_bp.dezero.functions.convolution import conv2d  # noqa: PLC0415

    layer = Conv2d(4, 3, stride=1, pad=1, rng=0, dtype=np.float64)
    x = np.random.default_rng(1).normal(size=(2, 3, 5, 5))
    y = layer(x)
    assert y.shape == (2, 4, 5, 5) and layer.W.shape == (4, 3, 3, 3)
    np.testing.assert_array_equal(y.data, conv2d(x, layer.W.data, layer.b.data, 1, 1).data)


def test_deconv2d_filters_are_input_channels_first():
    layer = Deconv2d(2, 4, stride=2, pad=1, rng=0)
    y = layer(np.ones((1, 3, 4, 4), np.float32))
    assert layer.W.shape == (3, 2, 4, 4) and y.shape == (1, 2, 8, 8) and y.dtype == np.float32


def test_batch_norm_creates_its_parameters_on_the_first_call_and_updates_running_statistics():
    norm = BatchNorm()
    x = np.random.default_rng(0).normal(loc=3.0, size=(8, 2, 3, 3))
    y = norm(x)
    assert norm.gamma.shape == (2,) and norm.avg_mean.dtype == np.float64
    np.testing.assert_allclose(y.data.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(norm.avg_mean.data, 0.1 * x.mean(axis=(0, 2, 3)))
    with test_mode():
        before = norm.avg_mean.data.copy()
        norm(x)
        np.testing.assert_array_equal(norm.avg_mean.data, before)


def test_batch_norm_running_statistics_are_saved_and_never_stepped(tmp_path):
    from manual_bp.dezero.optimizers import SGD  # noqa: PLC0415

    norm = BatchNorm()
    (norm(np.random.default_rng(0).normal(size=(4, 3))) ** 2).sum().backward()
    assert norm.avg_mean.grad is None and norm.gamma.grad is not None
    SGD().setup(norm).update()
    norm.save_weights(tmp_path / "bn.npz")
    assert sorted(np.load(tmp_path / "bn.npz").files) == ["avg_mean", "avg_var", "beta", "gamma"]
