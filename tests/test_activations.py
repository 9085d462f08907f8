"""ReLU and Sigmoid: kinks, stability at large magnitudes, no mutation, errors."""

import warnings

import numpy as np
import pytest
from hypothesis import example, given

from manual_bp import ReLU, Relu, Sigmoid
from oracle.activations import relu, sigmoid
from oracle.catalog import find_entry, verify_case
from oracle.strategies import Case, elementwise_cases
from oracle.verifier import verify_layer

KINKS = Case({"x": np.array([0.0, -0.0, 1.0, -1.0, 0.0])}, {}, np.array([1.5, -2.0, 0.5, 3.0, -1.0]))
KINKS_F32 = Case({"x": np.array([[0.0, 0.0, 5e-8], [-5e-8, 0.0, 1e4]], np.float32)}, {},
                 np.array([[2.0, -1.0, 1.0], [4.0, 0.25, -3.0]], np.float32))


@given(case=elementwise_cases(np.float64))
@example(case=KINKS)
@example(case=KINKS_F32)
def test_relu_matches_oracle_including_exact_zeros(case):
    verify_case(find_entry("ReLU"), case)


def test_relu_gradient_at_exactly_zero_is_zero():
    layer = ReLU()
    layer.forward(np.array([0.0, -0.0, 2.0]))
    np.testing.assert_array_equal(layer.backward(np.array([5.0, 5.0, 5.0])), [0.0, 0.0, 5.0])


def test_relu_is_the_books_relu_too():
    assert Relu is ReLU


def test_relu_never_writes_into_dout_even_when_it_is_writable():
    layer = ReLU()
    layer.forward(np.array([-1.0, 2.0]))
    dout = np.array([3.0, 4.0])
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dout, [3.0, 4.0])
    assert not np.shares_memory(dx, dout)


@pytest.mark.parametrize("layer", [ReLU, Sigmoid])
def test_read_only_input_and_dout_are_accepted(layer):
    x, dout = np.array([-1.0, 0.0, 3.0]), np.array([1.0, 2.0, 3.0])
    x.flags.writeable = dout.flags.writeable = False
    node = layer()
    node.forward(x)
    node.backward(dout)


@given(case=elementwise_cases(np.float32))
@example(case=Case({"x": np.array([-1e3, -1e4, 1e4, 709.0, -745.0])}, {}, np.array([1.0, 2.0, 3.0, 4.0, 5.0])))
def test_sigmoid_matches_oracle_at_large_magnitudes(case):
    verify_layer(Sigmoid, sigmoid, case.inputs, dout=case.dout)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_is_finite_and_silent_for_huge_inputs(dtype):
    x = np.array([-1e4, -1e3, -800.0, 0.0, 800.0, 1e3, 1e4], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = Sigmoid().forward(x)
    assert out.dtype == dtype and np.all(np.isfinite(out))
    np.testing.assert_array_equal(out[[0, 1, 3, 5, 6]], [0.0, 0.0, 0.5, 1.0, 1.0])


def test_sigmoid_output_edits_do_not_corrupt_backward():
    layer = Sigmoid()
    out = layer.forward(np.array([0.0]))
    out[0] = 99.0
    np.testing.assert_allclose(layer.backward(np.array([1.0])), [0.25])


@pytest.mark.parametrize("layer", [ReLU, Sigmoid])
def test_float32_in_gives_float32_out_and_gradient(layer):
    node = layer()
    out = node.forward(np.array([-1.0, 0.5], np.float32))
    dx = node.backward(np.array([1.0, 1.0], np.float32))
    assert out.dtype == dx.dtype == np.float32


@pytest.mark.parametrize("layer", [ReLU, Sigmoid])
def test_dout_of_the_wrong_shape_is_rejected(layer):
    node = layer()
    node.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"dout must have shape \(2, 3\) \(the shape of the forward output\), got \(3, 2\)"):
        node.backward(np.zeros((3, 2)))


@pytest.mark.parametrize("layer", [ReLU, Sigmoid])
def test_backward_before_forward_says_so(layer):
    with pytest.raises(RuntimeError, match=f"{layer.__name__}.backward called before {layer.__name__}.forward"):
        layer().backward(np.zeros(2))


@pytest.mark.parametrize("layer", [ReLU, Sigmoid])
def test_strings_are_a_type_error(layer):
    with pytest.raises(TypeError, match=r"x must be a real numeric array \(float or integer\), got dtype <U1"):
        layer().forward(np.array(["a"]))


def test_oracle_relu_pins_the_kink_convention():
    import jax

    with jax.enable_x64(True):
        assert float(jax.grad(relu)(0.0)) == 0.0
        assert float(jax.grad(relu)(2.0)) == 1.0
