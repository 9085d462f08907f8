"""The verifier itself: planted bugs are rejected, with the right quantity named."""

import numpy as np
import pytest
from broken_layers import (
    BROKEN,
    BookAffine,
    BookReLU,
    IgnoresDoutSigmoid,
    KinkAtZeroReLU,
)

from manual_bp import Affine, ReLU, Sigmoid
from oracle.layers.activations import relu, sigmoid
from oracle.layers.affine import affine
from oracle.verify.entry import DTYPES
from oracle.verify.runner import run_entry
from oracle.verify.tolerance import Tolerance, floor_tolerance
from oracle.verify.verifier import VerificationError, verify_layer


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("bug", list(BROKEN))
def test_hypothesis_search_rejects_every_planted_bug(bug, dtype):
    entry, quantity = BROKEN[bug]
    result = run_entry(entry, dtype, examples=100, seed_value=0)
    assert not result.passed, f"{bug} passed {result.examples} {dtype} examples"
    assert f"{entry.name}: {quantity}" in result.failure
    # error inputs and distribution checks run once per row and dtype, not on a drawn case
    checked_once = quantity == "error input" or any(d.check == quantity for d in result.distributions)
    assert result.case is not None or checked_once


def test_the_correct_book_affine_passes():
    rng = np.random.default_rng(1)
    verify_layer(
        BookAffine,
        affine,
        {"x": rng.normal(size=(3, 4))},
        {"W": rng.normal(size=(4, 2)), "b": rng.normal(size=2)},
        rng.normal(size=(3, 2)),
    )


def test_report_names_layer_quantity_dtype_indices_and_tolerance():
    x = np.array([[0.0, 1.0], [-2.0, 0.0]], np.float32)
    dout = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    with pytest.raises(VerificationError) as caught:
        verify_layer(KinkAtZeroReLU, relu, {"x": x}, dout=dout, name="ReLU")
    message = str(caught.value)
    assert message.startswith("ReLU: dx does not match the JAX oracle (float32):")
    assert "2 of 4 entries out of tolerance" in message
    assert "tolerance: |got - expected| <= atol + rtol*|expected| + ntol*max|expected| with atol=1e-38" in message
    assert "+ per entry the 'computed' column (4 x the computed bound on the round-off of the oracle" in message
    assert "(1, 1)" in message and "(0, 0)" in message  # the two kinks, worst first
    assert "(case: x float32 (2, 2), dout float32 (2, 2))" in message


def test_write_into_dout_is_named_with_a_fix():
    x, dout = np.array([-1.0, 2.0]), np.array([5.0, 6.0])
    with pytest.raises(VerificationError, match=r"BookReLU: mutation: forward/backward wrote into dout .*np.where"):
        verify_layer(BookReLU, relu, {"x": x}, dout=dout)
    np.testing.assert_array_equal(dout, [5.0, 6.0])  # the verifier's own copies took the write


def test_ignoring_dout_fails_both_the_comparison_and_the_zero_cotangent_check():
    with pytest.raises(VerificationError) as caught:
        verify_layer(IgnoresDoutSigmoid, sigmoid, {"x": np.array([0.5, -1.0])}, dout=np.array([2.0, -3.0]))
    assert "dx does not match" in str(caught.value)
    assert "dx is not zero for a zero dout" in str(caught.value)


def test_wrong_gradient_shape_is_reported_as_such():
    class FlatDx(Affine):
        def backward(self, dout):
            return super().backward(dout).reshape(-1)

    rng = np.random.default_rng(0)
    with pytest.raises(VerificationError, match=r"FlatDx: dx has shape \(6,\), expected \(2, 3\) \(the shape of x\)"):
        verify_layer(
            FlatDx,
            affine,
            {"x": rng.normal(size=(2, 3))},
            {"W": rng.normal(size=(3, 2)), "b": np.zeros(2)},
            rng.normal(size=(2, 2)),
        )


def test_promoted_gradient_dtype_is_reported():
    class Promoting(Sigmoid):
        def backward(self, dout):
            return super().backward(dout).astype(np.float64)

    x, dout = np.array([0.5], np.float32), np.array([2.0], np.float32)
    with pytest.raises(
        VerificationError, match=r"Promoting: dx has dtype float64, expected float32 \(the dtype of x\)"
    ):
        verify_layer(Promoting, sigmoid, {"x": x}, dout=dout)


def test_missing_parameter_gradient_is_reported():
    class NoDb(Affine):
        @property
        def grads(self):
            return {"W": self.dW}

        def backward(self, dout):
            dx = super().backward(dout)
            self.db = None
            return dx

    rng = np.random.default_rng(0)
    with pytest.raises(VerificationError, match=r"NoDb: db is missing"):
        verify_layer(
            NoDb,
            affine,
            {"x": rng.normal(size=(2, 3))},
            {"W": rng.normal(size=(3, 2)), "b": np.zeros(2)},
            rng.normal(size=(2, 2)),
        )


def test_a_crashing_backward_is_a_failure_not_an_error():
    class Crashes(ReLU):
        def backward(self, dout):
            raise ZeroDivisionError("boom")

    with pytest.raises(VerificationError, match=r"Crashes: backward raised ZeroDivisionError: boom") as caught:
        verify_layer(Crashes, relu, {"x": np.ones(2)}, dout=np.array([1.0, 2.0]))
    assert isinstance(caught.value.__cause__, ZeroDivisionError)


def test_a_cotangent_is_required():
    with pytest.raises(TypeError, match="needs a cotangent dout"):
        verify_layer(ReLU, relu, {"x": np.ones(2)})


def test_tolerance_override_applies_and_is_not_scaled_by_size():
    x = np.linspace(-1, 1, 1000)
    dout = np.linspace(1, 2, 1000)

    class SlightlyOff(Sigmoid):  # a 0.1 % gradient bug
        def backward(self, dout):
            return super().backward(dout) * 1.001

    with pytest.raises(VerificationError, match="1000 of 1000 entries out of tolerance"):
        verify_layer(SlightlyOff, sigmoid, {"x": x}, dout=dout, tolerance=Tolerance(atol=0, rtol=1e-4, ntol=0))
    verify_layer(SlightlyOff, sigmoid, {"x": x}, dout=dout, tolerance=Tolerance(atol=0, rtol=2e-3, ntol=0))


def test_verification_reports_errors_of_every_quantity():
    rng = np.random.default_rng(2)
    result = verify_layer(
        Affine,
        affine,
        {"x": rng.normal(size=(2, 3))},
        {"W": rng.normal(size=(3, 2)), "b": np.ones(2)},
        rng.normal(size=(2, 2)),
    )
    assert set(result.comparisons) == {"forward", "dx", "dW", "db"}
    assert 0 <= result.max_rel_error < 1e-12 and result.worst_ratio < 1


def test_writing_into_the_forward_output_is_named_as_such():
    from broken_layers import CacheReturningSigmoid

    x, dout = np.array([0.5, -1.0, 2.0]), np.array([1.0, -2.0, 0.5])
    with pytest.raises(VerificationError, match="caller-owned forward output: writing into the array forward"):
        verify_layer(CacheReturningSigmoid, sigmoid, {"x": x}, dout=dout)


def test_a_returned_internal_buffer_is_named_as_such():
    from broken_layers import BufferReturningReLU

    x, dout = np.array([0.5, -1.0, 2.0]), np.array([1.0, -2.0, 0.5])
    with pytest.raises(VerificationError, match="caller-owned returned gradient: writing into a gradient"):
        verify_layer(BufferReturningReLU, relu, {"x": x}, dout=dout)


@pytest.mark.parametrize("layout", ["F", "strided", "transposed"])
def test_layouts_keep_the_values_and_change_the_memory(layout):
    from oracle.verify.strategies import relayout

    a = np.arange(6.0).reshape(2, 3)
    b = relayout(a, layout)
    np.testing.assert_array_equal(a, b)
    assert not b.flags.c_contiguous


def test_an_undeclared_boundary_error_fails_the_row():
    from broken_layers import BROKEN

    entry, _ = BROKEN["forward accepts a boolean x"]
    from oracle.verify.entry import check_error_inputs

    [failure] = check_error_inputs(entry)
    assert "error input 'a boolean x' raised nothing (expected TypeError" in failure


def test_a_shrunk_counterexample_has_the_simplest_configuration_and_replays_from_its_repr():
    from numpy import array, float32, float64, int64  # noqa: F401 - names the repr uses

    from oracle.catalog.pooling import POOL_BUCKETS
    from oracle.verify.entry import verify_case
    from oracle.verify.strategies import Case  # noqa: F401 - Case: the repr's constructor

    entry, _ = BROKEN["max-pool tie to every maximum"]  # wrong in every window, given a tie
    result = run_entry(entry, np.float64, examples=100)
    _, pool_h, pool_w, stride, pad = POOL_BUCKETS[0]
    assert result.case.config == {"pool_h": pool_h, "pool_w": pool_w, "stride": stride, "pad": pad}
    with pytest.raises(VerificationError, match="dx"):
        verify_case(entry, eval(repr(result.case)))


# A float32 example found by a 10,000-example campaign: the loss 3.49 is a mean of terms near
# 1e4 - 0.99999e4, which float32 resolves only to about 1e-4; the layer is right.
CANCELLING_X = np.array([2.7392337, -4.6042657, -9.18053, 1e4], dtype=np.float32)
CANCELLING_T = np.full(4, 0.99999, dtype=np.float32)


def test_float32_round_off_of_cancelling_terms_is_within_the_computed_bound():
    from manual_bp.layers.losses import SigmoidWithLoss
    from oracle.layers.losses import sigmoid_with_loss

    result = verify_layer(
        SigmoidWithLoss, sigmoid_with_loss, {"x": CANCELLING_X, "t": CANCELLING_T}, dout=np.float32(2.74), nondiff={"t"}
    )
    forward = result.comparisons["forward"]
    floor = float(floor_tolerance(np.float32).bound(np.array(3.4894)))
    assert forward.passed and forward.max_abs_error > floor  # it needed the computed part, and got it


def test_the_computed_bound_does_not_let_a_small_float32_bug_through():
    from manual_bp.layers.losses import SigmoidWithLoss
    from oracle.layers.losses import sigmoid_with_loss

    class LossOffByOnePerMille(SigmoidWithLoss):
        def forward(self, x, t):
            return super().forward(x, t) * np.float32(1.001)

    with pytest.raises(VerificationError) as failure:
        verify_layer(
            LossOffByOnePerMille,
            sigmoid_with_loss,
            {"x": CANCELLING_X, "t": CANCELLING_T},
            dout=np.float32(2.74),
            nondiff={"t"},
        )
    message = str(failure.value)
    assert "forward does not match the JAX oracle (float32)" in message
    assert "the computed bound on the round-off of the oracle evaluated op by op in float32" in message  # named


def test_float64_results_get_no_round_off_allowance():
    from manual_bp.layers.losses import SigmoidWithLoss
    from oracle.layers.losses import sigmoid_with_loss

    class LossOffByOnePerBillion(SigmoidWithLoss):
        def forward(self, x, t):
            return super().forward(x, t) * (1 + 1e-9)

    x, t = CANCELLING_X.astype(np.float64), CANCELLING_T.astype(np.float64)
    with pytest.raises(VerificationError, match=r"forward does not match the JAX oracle \(float64\)") as failure:
        verify_layer(LossOffByOnePerBillion, sigmoid_with_loss, {"x": x, "t": t}, dout=2.74, nondiff={"t"})
    assert "round-off" not in str(failure.value)
