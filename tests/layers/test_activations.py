"""ReLU, Sigmoid, Tanh, LeakyReLU and Softmax: kinks, saturation, stability at large magnitudes, any softmax axis,
no mutation, errors."""

import dataclasses
import warnings

import jax
import numpy as np
import pytest
from hypothesis import example, given

from manual_bp import LeakyReLU, ReLU, Relu, Sigmoid, Softmax, Tanh
from oracle.catalog import find_entry
from oracle.catalog.activations import elementwise_cases
from oracle.layers.activations import leaky_relu, relu, sigmoid, softmax
from oracle.verify.binding import bind
from oracle.verify.entry import verify_case
from oracle.verify.runner import run_entry
from oracle.verify.strategies import Case
from oracle.verify.verifier import verify_layer

KINKS = Case({"x": np.array([0.0, -0.0, 1.0, -1.0, 0.0])}, {}, np.array([1.5, -2.0, 0.5, 3.0, -1.0]))
KINKS_F32 = Case(
    {"x": np.array([[0.0, 0.0, 5e-8], [-5e-8, 0.0, 1e4]], np.float32)},
    {},
    np.array([[2.0, -1.0, 1.0], [4.0, 0.25, -3.0]], np.float32),
)


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


@pytest.mark.parametrize("layer", [ReLU, Sigmoid, Tanh, LeakyReLU, Softmax])
def test_dout_of_the_wrong_shape_is_rejected(layer):
    node = layer()
    node.forward(np.zeros((2, 3)))
    with pytest.raises(
        ValueError, match=r"dout must have shape \(2, 3\) \(the shape of the forward output\), got \(3, 2\)"
    ):
        node.backward(np.zeros((3, 2)))


@pytest.mark.parametrize("layer", [ReLU, Sigmoid, Tanh, LeakyReLU, Softmax])
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


KINKS = Case({"x": np.array([0.0, -0.0, 1.0, -1.0, 0.0])}, {}, np.array([1.5, -2.0, 0.5, 3.0, -1.0]))
HUGE_F32 = Case(
    {"x": np.array([[1e4, -1e4, 0.0], [20.0, -20.0, 5e-8]], np.float32)},
    {},
    np.array([[2.0, -1.0, 1.0], [4.0, 0.25, -3.0]], np.float32),
)
AXES = (0, 1, -2)
SOFTMAX_ORACLES = {axis: bind(softmax, axis=axis) for axis in AXES}
ALPHA_ORACLE = bind(leaky_relu, alpha=-0.5)


@given(case=elementwise_cases(np.float64))
@example(case=KINKS)
@example(case=HUGE_F32)
def test_tanh_matches_oracle_at_zero_and_when_saturated(case):
    verify_case(find_entry("Tanh"), case)


@given(case=elementwise_cases(np.float64))
@example(case=KINKS)
@example(case=HUGE_F32)
def test_leaky_relu_matches_oracle_including_exact_zeros(case):
    verify_case(find_entry("LeakyReLU"), case)


def test_leaky_relu_gradient_at_exactly_zero_is_alpha():
    layer = LeakyReLU(alpha=0.1)
    np.testing.assert_array_equal(layer.forward(np.array([0.0, -2.0, 3.0])), [0.0, -0.2, 3.0])
    np.testing.assert_array_equal(layer.backward(np.array([5.0, 5.0, 5.0])), [0.5, 0.5, 5.0])
    with jax.enable_x64(True):
        assert float(jax.grad(lambda x: leaky_relu(x, alpha=0.1))(0.0)) == 0.1


def test_leaky_relu_with_another_alpha_matches_oracle():
    entry = dataclasses.replace(
        find_entry("LeakyReLU"), layer=lambda: LeakyReLU(alpha=-0.5), function=ALPHA_ORACLE, cases=elementwise_cases
    )
    assert run_entry(entry, np.float64, examples=20).passed


@given(case=elementwise_cases(np.float32))
@example(case=HUGE_F32)
@example(case=Case({"x": np.zeros(5)}, {}, np.array([1.0, 2.0, 3.0, 4.0, 5.0])))
def test_softmax_matches_oracle_at_large_magnitudes(case):
    verify_case(find_entry("Softmax"), case)


@pytest.mark.parametrize("axis", AXES)
def test_softmax_along_any_axis_matches_oracle(axis):
    entry = dataclasses.replace(
        find_entry("Softmax"),
        name=f"Softmax(axis={axis})",
        layer=lambda: Softmax(axis),
        function=SOFTMAX_ORACLES[axis],
        cases=lambda dtype: elementwise_cases(dtype, shapes=((2, 3, 2),)),
    )
    result = run_entry(entry, np.float64, examples=20)
    assert result.passed, result.failure


def test_softmax_rows_sum_to_one_along_the_chosen_axis():
    out = Softmax(axis=0).forward(np.random.default_rng(0).normal(size=(3, 4)))
    np.testing.assert_allclose(out.sum(axis=0), np.ones(4), rtol=1e-15)


def test_softmax_gradient_of_a_constant_cotangent_is_zero():
    layer = Softmax()
    layer.forward(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(layer.backward(np.ones((1, 3))), 0, atol=1e-16)


@pytest.mark.parametrize("layer", [Tanh, LeakyReLU, Softmax])
def test_huge_inputs_are_finite_and_silent(layer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        node = layer()
        out = node.forward(np.array([-1e4, 0.0, 1e4], np.float32))
        dx = node.backward(np.array([1.0, 2.0, 3.0], np.float32))
    assert out.dtype == dx.dtype == np.float32 and np.all(np.isfinite(out)) and np.all(np.isfinite(dx))


@pytest.mark.parametrize("layer", [Tanh, LeakyReLU, Softmax])
def test_output_edits_do_not_corrupt_backward(layer):
    node = layer()
    out = node.forward(np.array([0.5, -1.0]))
    expected = node.backward(np.array([1.0, 2.0]))
    out[:] = 99.0
    np.testing.assert_array_equal(node.backward(np.array([1.0, 2.0])), expected)


def test_softmax_axis_out_of_range_names_the_shape():
    with pytest.raises(ValueError, match=r"axis 2 is out of range for x of shape \(2, 3\)"):
        Softmax(axis=2).forward(np.ones((2, 3)))


def test_leaky_relu_alpha_must_be_a_finite_number():
    with pytest.raises(TypeError, match="alpha must be a real number, got str"):
        LeakyReLU(alpha="0.1")
    with pytest.raises(ValueError, match="alpha must be finite, got inf"):
        LeakyReLU(alpha=float("inf"))
