"""SoftmaxWithLoss and MeanSquaredError: labels of both kinds, one sample, dout, stability, the loss/gradient pair,
t not differentiated, errors."""

import warnings

import numpy as np
import pytest
from hypothesis import example, given

from manual_bp import MeanSquaredError, SoftmaxWithLoss
from manual_bp.functions import cross_entropy_error, softmax
from oracle.catalog import find_entry
from oracle.catalog.losses import mean_squared_error_cases, softmax_with_loss_cases
from oracle.verify.entry import verify_case
from oracle.verify.strategies import Case

SOFTMAX = find_entry("SoftmaxWithLoss")
HUGE = Case({"x": np.array([[1e4, -1e4, 0.0], [0.0, 0.0, 0.0]]), "t": np.array([1, 2])}, {}, np.float64(-2.5))
ONE_SAMPLE = Case({"x": np.array([1.0, 2.0, 3.0]), "t": np.array(2)}, {}, np.float64(3.0))


@given(case=softmax_with_loss_cases(np.float64))
@example(case=HUGE)
@example(case=ONE_SAMPLE)
def test_matches_oracle(case):
    verify_case(SOFTMAX, case)


def test_integer_and_one_hot_labels_give_the_same_loss_and_gradient():
    x = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, 0.0]])
    by_index, by_one_hot = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert by_index.forward(x, np.array([2, 0])) == pytest.approx(by_one_hot.forward(x, np.eye(3)[[2, 0]]), rel=1e-15)
    np.testing.assert_allclose(by_index.backward(0.7), by_one_hot.backward(0.7), rtol=1e-15)


def test_backward_is_the_books_y_minus_t_over_n_scaled_by_dout():
    x, t = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, 0.0]]), np.array([2, 0])
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    np.testing.assert_allclose(layer.backward(3.0), 3.0 * (softmax(x) - np.eye(3)[t]) / 2, rtol=1e-14)
    np.testing.assert_allclose(layer.backward(), (softmax(x) - np.eye(3)[t]) / 2, rtol=1e-14)


def test_a_single_sample_is_scaled_by_one_not_one_over_classes():
    x = np.array([1.0, 2.0, 3.0])
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, 0)
    assert loss == pytest.approx(-np.log(softmax(x)[0]), rel=1e-14)
    np.testing.assert_allclose(layer.backward(), softmax(x) - [1, 0, 0], rtol=1e-14)


def test_loss_has_no_1e7_delta_inside_the_log():
    x = np.array([[0.0, 50.0]])  # p(class 0) = exp(-50) ~ 2e-22, far below 1e-7
    loss = SoftmaxWithLoss().forward(x, np.array([0]))
    assert loss == pytest.approx(50.0, rel=1e-14)  # with the book's delta it would be -log(1e-7) ~ 16.1


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_huge_logits_give_a_finite_loss_without_warnings(dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype)
    layer = SoftmaxWithLoss()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = layer.forward(x, np.array([1, 0]))
        dx = layer.backward()
    assert loss.dtype == dx.dtype == dtype
    assert loss == pytest.approx((2e4 + np.log(3)) / 2, rel=1e-6)
    assert np.all(np.isfinite(dx))


def test_labels_are_not_written_and_read_only_inputs_work():
    x, t = np.array([[1.0, 2.0]]), np.array([1])
    x.flags.writeable = t.flags.writeable = False
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    layer.backward(np.array(2.0))


def test_second_backward_gives_the_same_gradient():
    layer = SoftmaxWithLoss()
    layer.forward(np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([1, 0]))
    np.testing.assert_array_equal(layer.backward(2.0), layer.backward(2.0))


def test_labels_out_of_range_are_named():
    with pytest.raises(ValueError, match=r"t \(class indices\) must lie in \[0, 3\) for 3 classes, got 3"):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), np.array([0, 3]))


def test_negative_labels_are_rejected():
    with pytest.raises(ValueError, match=r"must lie in \[0, 3\).*got -1"):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), np.array([-1, 0]))


def test_labels_of_the_wrong_shape_are_named():
    with pytest.raises(
        ValueError,
        match=r"t must be class indices of shape \(2,\) or one-hot targets of shape "
        r"\(2, 3\) \(x has shape \(2, 3\)\), got \(3,\)",
    ):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), np.array([0, 1, 2]))


def test_float_class_indices_are_a_type_error():
    with pytest.raises(TypeError, match=r"t \(class indices\) must have an integer dtype, got float64"):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), np.array([0.0, 1.0]))


def test_scores_must_be_a_matrix_or_a_vector():
    with pytest.raises(ValueError, match=r"x must have shape \(N, C\) or \(C,\) with C >= 1, got \(2, 3, 4\)"):
        SoftmaxWithLoss().forward(np.zeros((2, 3, 4)), np.zeros((2, 3), int))


def test_dout_must_be_a_scalar():
    layer = SoftmaxWithLoss()
    layer.forward(np.zeros((2, 3)), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"dout must have shape \(\) \(the loss is a scalar\), got \(2,\)"):
        layer.backward(np.ones(2))


def test_backward_before_forward_says_so():
    with pytest.raises(RuntimeError, match="SoftmaxWithLoss.backward called before SoftmaxWithLoss.forward"):
        SoftmaxWithLoss().backward()


def test_loss_equals_cross_entropy_error_from_logits():
    x, t = np.array([[0.5, -1.0, 2.0]]), np.array([1])
    assert SoftmaxWithLoss().forward(x, t) == cross_entropy_error(x, t, from_logits=True)


EXACT = Case({"y": np.array([[1.0, 2.0], [3.0, 4.0]]), "t": np.array([[1.0, 2.0], [3.0, 4.0]])}, {}, np.float64(2.5))
ONE_ENTRY_F32 = Case({"y": np.array([3.0], np.float32), "t": np.array([1.0], np.float32)}, {}, np.float32(-0.5))


@given(case=mean_squared_error_cases(np.float32))
@example(case=EXACT)
@example(case=ONE_ENTRY_F32)
def test_mean_squared_error_matches_oracle(case):
    verify_case(find_entry("MeanSquaredError"), case)


def test_loss_is_the_mean_over_all_entries_and_gradient_is_its_derivative():
    y, t = np.array([[1.0, 2.0], [3.0, 6.0]]), np.array([[0.0, 2.0], [3.0, 4.0]])
    layer = MeanSquaredError()
    assert layer.forward(y, t) == pytest.approx((1 + 4) / 4)
    np.testing.assert_allclose(layer.backward(), 2 * (y - t) / 4)
    np.testing.assert_allclose(layer.backward(3.0), 3 * 2 * (y - t) / 4)


def test_integer_targets_are_accepted_and_float32_is_kept():
    layer = MeanSquaredError()
    loss = layer.forward(np.array([0.5, 1.5], np.float32), np.array([0, 1]))
    assert loss.dtype == layer.backward(np.float32(1.0)).dtype == np.float32


def test_targets_must_have_the_shape_of_predictions():
    with pytest.raises(ValueError, match=r"t must have shape \(2, 3\) \(the shape of y\), got \(3,\)"):
        MeanSquaredError().forward(np.ones((2, 3)), np.ones(3))


def test_mean_squared_error_dout_must_be_a_scalar():
    layer = MeanSquaredError()
    layer.forward(np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match=r"dout must have shape \(\) \(the loss is a scalar\), got \(2,\)"):
        layer.backward(np.ones(2))


def test_mean_squared_error_backward_before_forward_says_so():
    with pytest.raises(RuntimeError, match="MeanSquaredError.backward called before MeanSquaredError.forward"):
        MeanSquaredError().backward()


def test_an_empty_batch_is_a_value_error_that_names_it():
    with pytest.raises(ValueError, match=r"empty batch \(shape \(0, 3\)\)"):
        SoftmaxWithLoss().forward(np.zeros((0, 3)), np.zeros(0, int))


def test_logits_further_apart_than_the_largest_float_give_the_rounded_loss_without_warning():
    x = np.array([[1e308, -1e308, 0.0]])
    layer = SoftmaxWithLoss()
    assert layer.forward(x, np.array([1])) == np.inf  # the true loss, 2e308, rounds to inf
    np.testing.assert_array_equal(layer.backward(), [[1.0, -1.0, 0.0]])
    assert layer.forward(x, np.array([[0.5, 0.0, 0.5]])) == 5e307  # a zero target ignores the -inf log p


# -- SigmoidWithLoss (the sequel) ------------------------------------------------------------


def test_sigmoid_loss_of_a_confidently_wrong_logit_is_the_logit_not_16():
    from manual_bp import SigmoidWithLoss

    loss = SigmoidWithLoss()
    assert loss.forward(np.array([-800.0]), np.array([1])) == pytest.approx(800.0)  # the book: 16.1
    np.testing.assert_allclose(loss.backward(), [-1.0])


def test_sigmoid_loss_is_finite_and_silent_at_float32_extremes():
    from manual_bp import SigmoidWithLoss

    x = np.array([1e30, -1e30, 0.0], np.float32)
    loss = SigmoidWithLoss()
    value = loss.forward(x, np.array([0, 1, 1]))
    assert np.isfinite(value) and value.dtype == np.float32
    assert np.isfinite(loss.backward()).all()


def test_sigmoid_loss_targets_must_lie_in_0_1():
    from manual_bp import SigmoidWithLoss

    with pytest.raises(ValueError, match=r"t must lie in \[0, 1\]"):
        SigmoidWithLoss().forward(np.zeros(2), np.array([0, 2]))
