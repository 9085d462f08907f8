"""manual_bp.functions against jax.nn: softmax, log_softmax, sigmoid, cross-entropy."""

import warnings

import jax
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from manual_bp.functions import cross_entropy_error, log_softmax, sigmoid, softmax
from oracle.verify.strategies import float_arrays


def _jax(function, x, **kwargs):
    with jax.enable_x64(True):
        return np.asarray(function(x, **kwargs))


@given(x=float_arrays(np.float64, (3, 4), max_value=10.0, large=1e4), axis=st.sampled_from([0, 1, -1]))
def test_softmax_and_log_softmax_match_jax_along_any_axis(x, axis):
    np.testing.assert_allclose(softmax(x, axis=axis), _jax(jax.nn.softmax, x, axis=axis), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(log_softmax(x, axis=axis), _jax(jax.nn.log_softmax, x, axis=axis), rtol=1e-12, atol=1e-9)


@given(x=float_arrays(np.float64, (7,), max_value=10.0, large=1e4))
def test_sigmoid_matches_jax(x):
    np.testing.assert_allclose(sigmoid(x), _jax(jax.nn.sigmoid, x), rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("function", [softmax, log_softmax, sigmoid])
def test_no_overflow_warning_at_1e4(function):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = function(np.array([[1e4, -1e4, 0.0]]))
    assert np.all(np.isfinite(out))


def test_softmax_keeps_float32():
    assert softmax(np.zeros(3, np.float32)).dtype == np.float32


def test_cross_entropy_error_on_probabilities_has_no_delta():
    y = np.array([[0.25, 0.75], [0.5, 0.5]])
    assert cross_entropy_error(y, np.array([0, 1])) == pytest.approx(-(np.log(0.25) + np.log(0.5)) / 2, rel=1e-15)


def test_cross_entropy_error_of_a_zero_probability_is_infinite_and_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cross_entropy_error(np.array([[0.0, 1.0]]), np.array([0])) == np.inf


def test_cross_entropy_error_from_logits_equals_probability_form():
    x, t = np.array([[1.0, 2.0, 0.5]]), np.eye(3)[[1]]
    assert cross_entropy_error(x, t, from_logits=True) == pytest.approx(cross_entropy_error(softmax(x), t), rel=1e-14)


@pytest.mark.parametrize("function", [softmax, log_softmax])
def test_entries_further_apart_than_the_largest_float_do_not_warn(function):
    x = np.array([[1e308, -1e308, 0.0]])
    out = function(x)  # the suite runs with warnings as errors: an overflow warning would fail here
    expected = {softmax: [[1.0, 0.0, 0.0]], log_softmax: [[0.0, -np.inf, -1e308]]}[function]
    np.testing.assert_array_equal(out, expected)
