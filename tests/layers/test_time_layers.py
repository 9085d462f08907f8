"""The time layers: the cells over a block, state carried when stateful, truncated BPTT, masked loss."""

import jax
import numpy as np
import pytest

from manual_bp import (
    GRU,
    LSTM,
    RNN,
    TimeAffine,
    TimeBiLSTM,
    TimeDropout,
    TimeEmbedding,
    TimeGRU,
    TimeLSTM,
    TimeRNN,
    TimeSoftmaxWithLoss,
)
from oracle.catalog import find_entry
from oracle.layers.time_layers import time_lstm, time_softmax_with_loss
from oracle.verify.entry import verify_case
from oracle.verify.strategies import Case
from oracle.verify.verifier import verify_layer

RNG = np.random.default_rng(0)
N, T, D, H = 2, 4, 3, 2
# Jitted once: called bare, the scan inside time_lstm is traced and compiled again at each call
# (a compile in a mutmut worker forked after JAX ran hangs; see docs/guide/campaigns.md).
TIME_LSTM = jax.jit(time_lstm)


def _params(gates, dtype=np.float64):
    return [RNG.normal(size=s).astype(dtype) for s in ((D, gates * H), (H, gates * H), (gates * H,))]


@pytest.mark.parametrize(("time_cls", "cell_cls", "gates"), [(TimeRNN, RNN, 1), (TimeGRU, GRU, 3), (TimeLSTM, LSTM, 4)])
def test_a_time_layer_is_its_cell_run_step_by_step(time_cls, cell_cls, gates):
    params, xs = _params(gates), RNG.normal(size=(N, T, D))
    hs = time_cls(*params).forward(xs)
    cell, h, c = cell_cls(*params), np.zeros((N, H)), np.zeros((N, H))
    for t in range(T):
        if gates == 4:
            h, c = cell.forward(xs[:, t], h, c)
        else:
            h = cell.forward(xs[:, t], h)
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(("cls", "gates"), [(TimeRNN, 1), (TimeGRU, 3), (TimeLSTM, 4)])
def test_stateful_blocks_continue_where_the_last_one_ended(cls, gates):
    params, xs = _params(gates), RNG.normal(size=(N, 2 * T, D))
    whole = cls(*params).forward(xs)
    layer = cls(*params, stateful=True)
    halves = np.concatenate([layer.forward(xs[:, :T]), layer.forward(xs[:, T:])], axis=1)
    np.testing.assert_allclose(halves, whole, rtol=1e-13)
    layer.reset_state()
    np.testing.assert_allclose(layer.forward(xs[:, :T]), whole[:, :T], rtol=1e-13)


def test_a_stateless_layer_starts_from_zeros_whatever_set_state_said():
    params, xs = _params(1), RNG.normal(size=(N, T, D))
    layer = TimeRNN(*params)
    layer.set_state(np.ones((N, H)))
    np.testing.assert_array_equal(layer.forward(xs), TimeRNN(*params).forward(xs))


def test_set_state_without_c_starts_the_cell_state_from_zeros():
    params, xs = _params(4), RNG.normal(size=(N, T, D))
    h0 = RNG.normal(size=(N, H))
    layer = TimeLSTM(*params, stateful=True)
    layer.set_state(h0)
    with jax.enable_x64(True):
        expected = np.asarray(TIME_LSTM(xs, h0, np.zeros((N, H)), *params))
    np.testing.assert_allclose(layer.forward(xs), expected, rtol=1e-12)


def test_the_gradient_of_the_initial_states_is_verified_for_a_stateful_lstm():
    params, xs = _params(4), RNG.normal(size=(N, T, D))
    case = Case(
        {"xs": xs, "h": RNG.normal(size=(N, H)), "c": RNG.normal(size=(N, H))},
        dict(zip(("Wx", "Wh", "b"), params)),
        RNG.normal(size=(N, T, H)),
        config={"stateful": True},
    )
    verification = verify_case(find_entry("TimeLSTM"), case)
    assert {"dh", "dc", "dxs", "dWx", "dWh", "db"} <= set(verification.comparisons)


@pytest.mark.parametrize(("name", "gates"), [("TimeRNN", 1), ("TimeGRU", 3)])
def test_backpropagation_through_time_is_verified_on_a_random_block(name, gates):
    # The catalog's first few drawn cases are mostly T = 1, where no gradient flows between
    # steps: mutmut's 10-example profile let a sign error in dh's recursion through.
    rng = np.random.default_rng(7)
    params = [rng.normal(size=s) for s in ((D, gates * H), (H, gates * H), (gates * H,))]
    case = Case(
        {"xs": rng.normal(size=(N, T, D)), "h": rng.normal(size=(N, H))},
        dict(zip(("Wx", "Wh", "b"), params)),
        rng.normal(size=(N, T, H)),
        config={"stateful": True},
    )
    verification = verify_case(find_entry(name), case)
    assert {"dh", "dxs", "dWx", "dWh", "db"} <= set(verification.comparisons)


def test_truncated_bptt_two_blocks_backward_equal_two_fresh_ones():
    params, xs, dhs = _params(4), RNG.normal(size=(N, 2 * T, D)), RNG.normal(size=(N, T, H))
    layer = TimeLSTM(*params, stateful=True)
    layer.forward(xs[:, :T])
    layer.backward(dhs)
    h, c = layer.h.copy(), layer.c.copy()
    layer.forward(xs[:, T:])
    second = layer.backward(dhs), layer.dWh.copy()
    fresh = TimeLSTM(*params, stateful=True)
    fresh.set_state(h, c)
    fresh.forward(xs[:, T:])
    np.testing.assert_array_equal(second[0], fresh.backward(dhs))
    np.testing.assert_array_equal(second[1], fresh.dWh)


def test_float32_in_gives_float32_everywhere():
    layer = TimeLSTM(*_params(4, np.float32))
    hs = layer.forward(RNG.normal(size=(N, T, D)).astype(np.float32))
    dxs = layer.backward(np.ones_like(hs))
    assert {a.dtype for a in (hs, dxs, layer.dh, layer.dc, *layer.grads.values())} == {np.dtype(np.float32)}


def test_bilstm_concatenates_the_forward_and_the_time_reversed_direction():
    p1, p2, xs = _params(4), _params(4), RNG.normal(size=(N, T, D))
    out = TimeBiLSTM(*p1, *p2).forward(xs)
    np.testing.assert_allclose(out[..., :H], TimeLSTM(*p1).forward(xs), rtol=1e-13)
    np.testing.assert_allclose(out[..., H:], TimeLSTM(*p2).forward(xs[:, ::-1])[:, ::-1], rtol=1e-13)


# -- TimeSoftmaxWithLoss ---------------------------------------------------------------------


def test_ignored_positions_contribute_nothing_and_the_divisor_counts_the_rest():
    xs = RNG.normal(size=(1, 3, 4))
    loss = TimeSoftmaxWithLoss()
    value = loss.forward(xs, np.array([[2, -1, 0]]))
    logp = xs - np.log(np.exp(xs).sum(-1, keepdims=True))
    assert value == pytest.approx(-(logp[0, 0, 2] + logp[0, 2, 0]) / 2)
    assert not loss.backward()[0, 1].any()


def test_all_positions_ignored_gives_zero_loss_and_zero_gradient_not_nan():
    loss = TimeSoftmaxWithLoss()
    assert loss.forward(RNG.normal(size=(2, 2, 3)), np.full((2, 2), -1)) == 0.0
    assert not loss.backward(1.0).any()
    assert float(time_softmax_with_loss(np.zeros((1, 1, 3)), np.array([[-1]]))) == 0.0


def test_float32_loss_stays_finite_when_the_last_class_underflows_at_an_ignored_position():
    xs = np.zeros((1, 2, 3), np.float32)
    xs[0, 1] = [200.0, 0.0, -200.0]  # softmax of the last class is 0 in float32: the book's log(0) * 0 = NaN
    value = TimeSoftmaxWithLoss().forward(xs, np.array([[1, -1]]))
    assert np.isfinite(value) and value == pytest.approx(np.log(3.0), rel=1e-6)


def test_backward_twice_gives_the_same_gradient():
    loss = TimeSoftmaxWithLoss(ignore_label=-100)
    loss.forward(RNG.normal(size=(2, 3, 4)), np.array([[0, 1, -100], [3, 3, 2]]))
    np.testing.assert_array_equal(loss.backward(0.5), loss.backward(0.5))


def test_labels_out_of_range_are_named():
    with pytest.raises(ValueError, match=r"ts must hold ids in \[0, 4\) or -1, got 4"):
        TimeSoftmaxWithLoss().forward(np.zeros((1, 2, 4)), np.array([[0, 4]]))


# -- TimeDropout -----------------------------------------------------------------------------


def test_dropout_masks_come_from_the_injected_generator_and_inference_passes_through():
    xs = np.ones((2, 3, 4))
    one, two = TimeDropout(0.5, seed=4), TimeDropout(0.5, rng=np.random.default_rng(4))
    np.testing.assert_array_equal(one.forward(xs), two.forward(xs))
    assert set(np.unique(one.forward(xs))) <= {0.0, 2.0}
    one.train_flg = False
    np.testing.assert_array_equal(one.forward(xs), xs)
    np.testing.assert_array_equal(one.backward(xs * 3), xs * 3)


def test_time_lstm_verifies_from_a_stateless_zero_start():
    params, xs = _params(4), RNG.normal(size=(N, T, D))
    zeros = np.zeros((N, H))
    verify_layer(
        TimeLSTM,
        time_lstm,
        {"xs": xs, "h": zeros, "c": zeros},
        dict(zip(("Wx", "Wh", "b"), params)),
        RNG.normal(size=(N, T, H)),
        state=("h", "c"),
    )


# -- boundaries: each error names the argument (written for mutants that survived a mutmut run) --

STRINGS = np.array([[["a"]]])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: TimeEmbedding(np.zeros((5, 2))).forward(np.array([[0, 9]])),
            ValueError,
            r"^xs must hold ids in \[0, 5\), got 9",
        ),
        (
            lambda: TimeAffine(np.zeros((3, 2)), np.zeros(2)).forward(STRINGS),
            TypeError,
            "^xs must be a real numeric array",
        ),
        (
            lambda: TimeAffine(np.zeros((3, 2)), np.zeros(2)).forward(np.zeros((1, 2, 4))),
            ValueError,
            r"^xs must have shape \(N, T, 3\) \(W has shape \(3, 2\)\), got \(1, 2, 4\)$",
        ),
        (lambda: TimeSoftmaxWithLoss(ignore_label=1.5), TypeError, "^ignore_label must be an int, got float$"),
        (lambda: TimeSoftmaxWithLoss(ignore_label=True), TypeError, "^ignore_label must be an int, got bool$"),
        (
            lambda: TimeSoftmaxWithLoss().forward(STRINGS, np.zeros((1, 1), int)),
            TypeError,
            "^xs must be a real numeric array",
        ),
        (
            lambda: TimeSoftmaxWithLoss().forward(np.zeros((2, 3)), np.zeros(2, int)),
            ValueError,
            r"^xs must have shape \(N, T, V\), got \(2, 3\)$",
        ),
        (
            lambda: TimeSoftmaxWithLoss().forward(np.zeros((1, 2, 3)), np.zeros((1, 3), int)),
            ValueError,
            r"^ts must have shape \(1, 2\) \(one label per position of xs\), got \(1, 3\)$",
        ),
    ],
)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def _loss_after_forward():
    loss = TimeSoftmaxWithLoss()
    loss.forward(np.array([[[0.5, -1.0, 2.0], [1.0, 0.0, 0.0]]]), np.array([[2, -1]]))
    return loss


@pytest.mark.parametrize(
    ("dout", "error", "match"),
    [
        (np.array("a"), TypeError, "^dout must be a real numeric array"),
        (np.ones(2), ValueError, r"^dout must have shape \(\) \(the loss is a scalar\), got \(2,\)$"),
    ],
)
def test_bad_upstream_gradients_of_the_loss_are_named(dout, error, match):
    with pytest.raises(error, match=match):
        _loss_after_forward().backward(dout)


def test_the_loss_backward_defaults_to_an_upstream_gradient_of_one():
    np.testing.assert_array_equal(_loss_after_forward().backward(), _loss_after_forward().backward(1.0))


def test_one_class_with_ignored_positions_costs_nothing():
    loss = TimeSoftmaxWithLoss()
    assert loss.forward(np.zeros((1, 2, 1)), np.array([[0, -1]])) == 0.0
    assert not loss.backward().any()


@pytest.mark.parametrize("name", ["TimeAffine", "TimeSoftmaxWithLoss"])
def test_backward_before_forward_names_the_layer(name):
    # built inside the test: mutmut runs a mutated __init__ only in the worker, not at collection
    layer = TimeAffine(np.zeros((3, 2)), np.zeros(2)) if name == "TimeAffine" else TimeSoftmaxWithLoss()
    with pytest.raises(RuntimeError, match=f"^{name}.backward called before {name}.forward"):
        layer.backward(np.ones((1, 1, 2)) if name == "TimeAffine" else 1.0)


def test_time_dropout_drops_half_by_default_and_one_call_may_override_the_mode():
    assert TimeDropout(seed=0).dropout_ratio == 0.5
    xs = np.ones((2, 3, 4))
    np.testing.assert_array_equal(TimeDropout(0.5, seed=0).forward(xs, train_flg=False), xs)


@pytest.mark.parametrize(("cls", "gates"), [(TimeRNN, 1), (TimeGRU, 3), (TimeLSTM, 4)])
def test_a_carried_state_of_the_wrong_batch_size_is_named(cls, gates):
    layer = cls(*_params(gates), stateful=True)
    layer.set_state(np.zeros((N + 1, H)))
    with pytest.raises(ValueError, match=rf"^h must have shape \({N}, {H}\) \(batch, hidden\), got \({N + 1}, {H}\)$"):
        layer.forward(np.zeros((N, T, D)))


@pytest.mark.parametrize(("cls", "gates"), [(TimeRNN, 1), (TimeGRU, 3), (TimeLSTM, 4)])
def test_a_float64_layer_given_float32_upstream_gradients_computes_in_float64(cls, gates):
    params, xs = _params(gates), RNG.normal(size=(N, T, D))
    dhs = RNG.normal(size=(N, T, H)).astype(np.float32)
    narrow, wide = cls(*params), cls(*params)
    narrow.forward(xs), wide.forward(xs)
    np.testing.assert_array_equal(narrow.backward(dhs), wide.backward(dhs.astype(np.float64)))
    for name, grad in narrow.grads.items():
        np.testing.assert_array_equal(grad, wide.grads[name])


def test_bilstm_names_its_input_and_its_backward_before_forward():
    layer = TimeBiLSTM(*_params(4), *_params(4))
    assert layer.hidden == H
    with pytest.raises(TypeError, match="^xs must be a real numeric array"):
        layer.forward(STRINGS)
    with pytest.raises(RuntimeError, match="^TimeBiLSTM.backward called before TimeBiLSTM.forward"):
        layer.backward(np.zeros((N, T, 2 * H)))


@pytest.mark.parametrize("wide", ["xs", "Wx", "Wh", "b"])
@pytest.mark.parametrize(("cls", "gates"), [(TimeRNN, 1), (TimeGRU, 3), (TimeLSTM, 4)])
def test_one_float64_operand_makes_the_whole_block_float64(cls, gates, wide):
    arrays = dict(zip(("Wx", "Wh", "b"), _params(gates, np.float32)), xs=RNG.normal(size=(N, T, D)).astype(np.float32))
    arrays[wide] = arrays[wide].astype(np.float64)
    layer = cls(arrays["Wx"], arrays["Wh"], arrays["b"])
    assert layer.forward(arrays["xs"]).dtype == np.float64


def test_set_state_names_a_cell_state_that_is_not_numeric():
    with pytest.raises(TypeError, match="^c must be a real numeric array"):
        TimeLSTM(*_params(4), stateful=True).set_state(np.zeros((N, H)), np.full((N, H), "a"))


def _float_arrays(value, seen=None):
    """Every float array held by ``value``: attributes, dicts, lists and tuples, recursively."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        return [value] if value.dtype.kind == "f" else []
    children = vars(value).values() if hasattr(value, "__dict__") else ()
    if isinstance(value, dict):
        children = value.values()
    elif isinstance(value, (list, tuple)):
        children = value
    return [array for child in children for array in _float_arrays(child, seen)]


@pytest.mark.parametrize(("cls", "gates"), [(TimeRNN, 1), (TimeGRU, 3), (TimeLSTM, 4)])
def test_a_float32_layer_holds_only_float32_arrays(cls, gates):
    # float32 stays float32 (the module's promise): no buffer or cache silently in float64
    layer = cls(*_params(gates, np.float32), stateful=True)
    layer.backward(np.ones((N, T, H), np.float32) * layer.forward(RNG.normal(size=(N, T, D)).astype(np.float32)))
    arrays = _float_arrays(layer)
    assert len(arrays) > 5 and {a.dtype for a in arrays} == {np.dtype(np.float32)}


@pytest.mark.parametrize(("cls", "gates"), [(TimeRNN, 1), (TimeGRU, 3), (TimeLSTM, 4)])
def test_buffers_are_reused_for_blocks_of_one_shape_and_replaced_for_another(cls, gates):
    params = _params(gates)
    layer, gradient_buffers = cls(*params), []
    for steps in (T, T, T + 1):  # two blocks of one shape, then a longer one
        xs, dhs = RNG.normal(size=(N, steps, D)), RNG.normal(size=(N, steps, H))
        layer.forward(xs)
        fresh = cls(*params)
        fresh.forward(xs)
        np.testing.assert_array_equal(layer.backward(dhs), fresh.backward(dhs))
        gradient_buffers.append(layer.dWx)
    assert gradient_buffers[1] is gradient_buffers[0]


def test_a_float32_lstm_keeps_its_block_buffers_from_one_block_to_the_next():
    layer = TimeLSTM(*_params(4, np.float32))
    xs = RNG.normal(size=(N, T, D)).astype(np.float32)
    layer.forward(xs)
    block = layer._block
    layer.forward(xs)
    assert layer._block is block


def test_a_time_lstm_is_stateless_unless_asked():
    layer, xs = TimeLSTM(*_params(4)), RNG.normal(size=(N, T, D))
    assert not layer.stateful
    np.testing.assert_array_equal(layer.forward(xs), layer.forward(xs))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: TimeGRU(np.zeros((D, 3 * H)), np.zeros((H, H)), np.zeros(3 * H)),
            ValueError,
            r"\(gates \[z, r, h_hat\]\)",
        ),
        (lambda: TimeRNN(*_params(1)).set_state(np.full((N, H), "a")), TypeError, "^h must be a real numeric array"),
        (lambda: TimeRNN(*_params(1)).forward(np.full((N, T, D), "a")), TypeError, "^xs must be a real numeric array"),
        (
            lambda: TimeRNN(*_params(1)).forward(np.zeros((N, T, D + 1))),
            ValueError,
            rf"^xs must have shape \(N, T, {D}\) \(Wx has shape \({D}, {H}\)\), got \({N}, {T}, {D + 1}\)$",
        ),
        (
            lambda: TimeRNN(*_params(1)).forward(np.zeros((N, D))),
            ValueError,
            rf"^xs must have shape .*, got \({N}, {D}\)$",
        ),
        (lambda: TimeRNN(*_params(1)).backward(np.zeros((N, T, H))), RuntimeError, "^TimeRNN.backward called before"),
    ],
)
def test_the_recurrent_layers_name_their_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_a_carried_cell_state_of_the_wrong_batch_size_is_named():
    layer = TimeLSTM(*_params(4), stateful=True)
    layer.set_state(np.zeros((N, H)), np.zeros((N + 1, H)))
    with pytest.raises(ValueError, match=rf"^c must have shape \({N}, {H}\) \(batch, hidden\), got \({N + 1}, {H}\)$"):
        layer.forward(np.zeros((N, T, D)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturated_lstm_gates_are_exact_limits_without_an_overflow_warning(dtype):
    """Pre-activations far below -88 (float32's exp overflows) give sigmoid gates of exactly 0, not a
    RuntimeWarning (warnings are errors here) and not NaN; a gate of 5.6e-9 keeps its relative accuracy."""
    H = 2
    Wx = np.zeros((1, 4 * H), dtype)
    Wx[0, :H] = 1.0  # the forget gate follows x; the others see only the bias
    b = np.zeros(4 * H, dtype)
    b[3 * H :] = -19.0  # the output gate: sigmoid(-19) = 5.6e-9
    layer = TimeLSTM(Wx, np.zeros((H, 4 * H), dtype), b)
    hs = layer.forward(np.full((1, 1, 1), -1000.0, dtype))
    f, o = layer._block.f[0], layer._block.o[0]
    assert np.all(f == 0) and np.all(np.isfinite(hs))
    np.testing.assert_allclose(o, 1 / (1 + np.exp(19.0)), rtol=4 * np.finfo(dtype).eps)
