"""Sequence cases: the state a layer carries from one call to the next is read from the layer, and
every call of the sequence gets every check, named by its call."""

import dataclasses

import numpy as np
import pytest
from broken_layers import BROKEN, ForgetfulTimeRNN, HiddenOnlyTimeLSTM, SwappedMomentumBatchNormalization

from manual_bp.layers import TimeRNN
from oracle.catalog import find_entry
from oracle.catalog.normalization import new_layer_statistics
from oracle.verify.entry import verify_case
from oracle.verify.reference import compile_count
from oracle.verify.strategies import Call, Case
from oracle.verify.verifier import VerificationError

RNG = np.random.default_rng(7)
N, T, D, H = 2, 3, 3, 2
TIME_LSTM, TIME_RNN, BATCH_NORM = find_entry("TimeLSTM"), find_entry("TimeRNN"), find_entry("BatchNormalization")


def _lstm_params():
    return {"Wx": RNG.normal(size=(D, 4 * H)), "Wh": RNG.normal(size=(H, 4 * H)), "b": RNG.normal(size=4 * H)}


def _rnn_params():
    return {"Wx": RNG.normal(size=(D, H)), "Wh": RNG.normal(size=(H, H)), "b": RNG.normal(size=H)}


def _later(method="", args=None, state=None):
    return Call(
        {"xs": RNG.normal(size=(N, T, D))}, RNG.normal(size=(N, T, H)), method=method, args=args or {}, state=state
    )


def _lstm_case(*calls, stateful=True):
    states = {"h": RNG.normal(size=(N, H)), "c": RNG.normal(size=(N, H))}
    if not stateful:
        states = {k: np.zeros((N, H)) for k in states}
    inputs = {"xs": RNG.normal(size=(N, T, D)), **states}
    return Case(inputs, _lstm_params(), RNG.normal(size=(N, T, H)), config={"stateful": stateful}, calls=calls)


def _rnn_case(*calls):
    inputs = {"xs": RNG.normal(size=(N, T, D)), "h": RNG.normal(size=(N, H))}
    return Case(inputs, _rnn_params(), RNG.normal(size=(N, T, H)), config={"stateful": True}, calls=calls)


def _failure(entry, case) -> str:
    with pytest.raises(VerificationError) as caught:
        verify_case(entry, case)
    return str(caught.value)


def test_a_correct_stateful_lstm_passes_carried_reset_and_set_state_calls_and_names_each_call():
    h, c = RNG.normal(size=(N, H)), RNG.normal(size=(N, H))
    zeros = np.zeros((N, H))
    case = _lstm_case(
        _later(),
        _later("reset_state", state={"h": zeros, "c": zeros}),
        _later("set_state", {"h": h}, state={"h": h, "c": zeros}),
        _later("set_state", {"h": h, "c": c}, state={"h": h, "c": c}),
    )
    verification = verify_case(TIME_LSTM, case)
    assert {"forward", "dxs", "dh", "dc", "call 2 forward", "call 5 dc", "call 5 dWh"} <= set(verification.comparisons)


def test_a_stateless_lstm_is_verified_to_ignore_set_state_and_start_every_block_from_zeros():
    zeros = np.zeros((N, H))
    case = _lstm_case(_later(), _later("set_state", {"h": RNG.normal(size=(N, H))}, {"h": zeros, "c": zeros}))
    verify_case(
        TIME_LSTM, dataclasses.replace(case, config={"stateful": False}, inputs={**case.inputs, "h": zeros, "c": zeros})
    )


def test_a_cell_state_not_carried_fails_from_call_2_naming_the_call():
    message = _failure(dataclasses.replace(TIME_LSTM, layer=HiddenOnlyTimeLSTM), _lstm_case(_later()))
    assert "TimeLSTM: call 2 forward does not match" in message
    assert "TimeLSTM: forward" not in message and "TimeLSTM: dxs" not in message  # the first call is right
    assert "then 1 more call(s)" in message


def test_a_state_forgotten_after_forward_fails_but_one_restored_by_set_state_passes():
    broken = dataclasses.replace(TIME_RNN, layer=ForgetfulTimeRNN)
    assert "TimeRNN: call 2 forward" in _failure(broken, _rnn_case(_later()))
    h = RNG.normal(size=(N, H))
    verify_case(broken, _rnn_case(_later("set_state", {"h": h}, {"h": h})))


class IgnoredResetTimeRNN(TimeRNN):
    """``reset_state()`` does nothing: the next block continues from the carried state."""

    def reset_state(self):
        pass


class ZeroSetStateTimeRNN(TimeRNN):
    """``set_state(h)`` forgets ``h``: the next block starts from zeros."""

    def set_state(self, h):
        super().set_state(np.zeros_like(h))


def test_reset_state_and_set_state_are_verified_between_calls():
    zeros = np.zeros((N, H))
    reset = _rnn_case(_later(), _later("reset_state", state={"h": zeros}))
    message = _failure(dataclasses.replace(TIME_RNN, layer=IgnoredResetTimeRNN), reset)
    assert "TimeRNN: call 3 forward" in message and "call 2 forward" not in message
    h = RNG.normal(size=(N, H))
    message = _failure(
        dataclasses.replace(TIME_RNN, layer=ZeroSetStateTimeRNN), _rnn_case(_later("set_state", {"h": h}, {"h": h}))
    )
    assert "TimeRNN: forward does not match" in message  # the start's set_state too
    assert "TimeRNN: call 2 forward does not match" in message


class SecondCallWritesTimeRNN(TimeRNN):
    """Writes into the caller's ``xs`` from the second forward on."""

    calls = 0

    def forward(self, xs):
        self.calls += 1
        if self.calls > 1:
            xs[...] = 0.0
        return super().forward(xs)


def test_a_write_into_a_later_calls_input_is_named_with_its_call():
    message = _failure(dataclasses.replace(TIME_RNN, layer=SecondCallWritesTimeRNN), _rnn_case(_later()))
    assert "TimeRNN: mutation: forward/backward wrote into call 2 xs (" in message


class ViewCarryingTimeRNN(TimeRNN):
    """Carries ``h`` as a view of the ``hs`` it returned: a caller writing into ``hs`` changes the next block."""

    def forward(self, xs):
        hs = super().forward(xs)
        self.h = hs[:, -1, :]
        return hs


class ReusedOutputTimeRNN(TimeRNN):
    """Returns one output buffer, reused by the next forward: the caller's first ``hs`` changes."""

    def forward(self, xs):
        hs = super().forward(xs)
        if getattr(self, "_out", None) is None or self._out.shape != hs.shape:
            self._out = np.empty_like(hs)
        self._out[...] = hs
        return self._out


def test_a_carried_state_sharing_memory_with_the_output_is_a_caller_owned_failure():
    message = _failure(dataclasses.replace(TIME_RNN, layer=ViewCarryingTimeRNN), _rnn_case(_later()))
    assert "TimeRNN: call 2 caller-owned forward output" in message


def test_an_output_buffer_reused_by_the_next_call_is_named():
    message = _failure(dataclasses.replace(TIME_RNN, layer=ReusedOutputTimeRNN), _rnn_case(_later()))
    assert "TimeRNN: caller-owned forward output: changed after forward returned it" in message


def _batch_norm_case(*modes, momentum=0.9):
    def x():
        return RNG.normal(2.0, 3.0, size=(4, 3))

    calls = tuple(
        Call({"x": x()}, RNG.normal(size=(4, 3)), forward={} if train else {"train_flg": False}) for train in modes[1:]
    )
    return Case(
        {"x": x()},
        {"gamma": RNG.normal(size=3), "beta": RNG.normal(size=3)},
        RNG.normal(size=(4, 3)),
        config={"momentum": momentum, "eps": 1e-6},
        forward={} if modes[0] else {"train_flg": False},
        calls=calls,
        state=new_layer_statistics(3),
    )


def test_batch_norm_inference_reads_the_statistics_its_own_training_calls_left():
    verify_case(BATCH_NORM, _batch_norm_case(True, True, False))
    verify_case(BATCH_NORM, _batch_norm_case(False, True, False, momentum=0.5))
    broken = dataclasses.replace(BATCH_NORM, layer=SwappedMomentumBatchNormalization)
    verify_case(broken, _batch_norm_case(True, False))  # one update: right
    message = _failure(broken, _batch_norm_case(True, True, False))
    assert "BatchNormalization: call 3 forward does not match" in message
    assert "call 2" not in message  # training calls do not read the running statistics


def test_each_call_of_a_sequence_reuses_the_one_block_oracle():
    case = _rnn_case(_later())
    verify_case(TIME_RNN, case)
    before = compile_count()
    verify_case(TIME_RNN, _rnn_case(_later(), _later(), _later()))
    assert compile_count() == before


@pytest.mark.parametrize(
    "bug",
    [
        "TimeLSTM does not carry its cell state",
        "TimeRNN resets h after every forward",
        "batch norm swaps momentum after the first update",
    ],
)
def test_the_state_bugs_are_planted_in_the_broken_catalog(bug):
    entry, quantity = BROKEN[bug]
    assert entry.carry is not None and quantity.startswith("call ")


def test_a_sequence_case_replays_from_its_repr():
    from numpy import array, float64  # noqa: F401 - the names the repr uses

    h = RNG.normal(size=(N, H))
    case = _rnn_case(_later(), _later("set_state", {"h": h}, {"h": h}))
    replayed = eval(repr(case))  # noqa: S307 - the repr is ours
    assert [c.method for c in replayed.calls] == ["", "set_state"]
    np.testing.assert_array_equal(replayed.calls[1].args["h"], h)
    np.testing.assert_array_equal(replayed.calls[0].inputs["xs"], case.calls[0].inputs["xs"])
    message = _failure(dataclasses.replace(TIME_RNN, layer=ForgetfulTimeRNN), replayed)
    assert "TimeRNN: call 2 forward" in message and "call 3" not in message
