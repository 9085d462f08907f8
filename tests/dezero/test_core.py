"""The core's semantics, as the book documents them: accumulation, freeing, no_grad, weak outputs, order."""

import gc
import weakref

import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import Config, Function, Parameter, Variable, as_array, as_variable, no_grad, test_mode
from manual_bp.dezero.core import using_config


def test_gradients_accumulate_across_backward_calls_until_cleargrad():
    x = Variable(np.array([1.0, 2.0]))
    y = F.sin(x)
    y.backward()
    y.backward()
    np.testing.assert_allclose(x.grad.data, 2 * np.cos([1.0, 2.0]))
    x.cleargrad()
    y.backward()
    np.testing.assert_allclose(x.grad.data, np.cos([1.0, 2.0]))


def test_retain_grad_false_frees_intermediate_gradients_and_true_keeps_them():
    x = Variable(np.array(3.0))
    a = x * x
    y = a + 1
    y.backward()
    assert a.grad is None and y.grad is None and x.grad.data == 6.0
    x.cleargrad()
    b = x * x
    z = b + 1
    z.backward(retain_grad=True)
    assert b.grad.data == 1.0 and z.grad.data == 1.0


def test_no_grad_records_no_graph():
    x = Variable(np.array(2.0))
    with no_grad():
        y = F.exp(x * x)
    assert y.creator is None and y.generation == 0
    assert Config.enable_backprop is True
    y.backward()
    assert x.grad is None


def test_using_config_restores_the_value_even_after_an_error():
    with pytest.raises(RuntimeError), test_mode():
        assert Config.train is False
        raise RuntimeError
    assert Config.train is True
    with using_config("train", False):
        assert Config.train is False


def test_outputs_are_held_by_weak_reference():
    x = Variable(np.array(1.0))
    y = F.tanh(x)
    f = y.creator
    assert isinstance(f.outputs[0], weakref.ref) and f.outputs[0]() is y
    del y
    gc.collect()
    assert f.outputs[0]() is None


def test_generations_order_a_diamond_graph():
    # x -> a -> (b, c) -> y: a's gradient must collect both branches before reaching x.
    x = Variable(np.array(2.0))
    a = x**2
    y = a**2 + a**2
    y.backward()
    assert x.grad.data == 64.0  # d/dx 2 x**4 = 8 x**3


def test_the_same_variable_twice_adds_both_gradients():
    x = Variable(np.array(3.0))
    y = x + x
    y.backward()
    assert x.grad.data == 2.0
    z = x * x * x
    x.cleargrad()
    z.backward()
    assert x.grad.data == 27.0


def test_nothing_is_written_into_the_caller_arrays():
    data = np.array([[1.0, -2.0], [0.5, 3.0]])
    data.flags.writeable = False
    gy = np.array([[1.0, 2.0], [3.0, 4.0]])
    gy.flags.writeable = False
    x = Variable(data)
    y = F.sum(F.tanh(x) * x + F.broadcast_to(F.sum(x, axis=0), (2, 2)), axis=1)
    y.grad = Variable(np.array([1.0, 2.0]))
    y.backward(create_graph=True)
    (x.grad * Variable(gy)).sum().backward()
    np.testing.assert_array_equal(data, [[1.0, -2.0], [0.5, 3.0]])


def test_float32_stays_float32_through_scalars_and_every_order():
    x = Variable(np.array([0.5, 1.5], dtype=np.float32))
    y = 2 * x**3 / 3.0 - 1 + F.exp(-x) * 0.5
    assert y.dtype == np.float32
    y.backward(create_graph=True)
    assert x.grad.dtype == np.float32
    gx = x.grad
    x.cleargrad()
    gx.sum().backward()
    assert x.grad.dtype == np.float32


def test_backward_seeds_with_ones_or_with_a_given_gradient():
    x = Variable(np.array([1.0, 2.0]))
    y = x * 3
    y.grad = Variable(np.array([2.0, -1.0]))
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [6.0, -3.0])


def test_broadcasting_arithmetic_sums_gradients_back_to_each_shape():
    x = Variable(np.ones((2, 3)))
    b = Variable(np.array([1.0, 2.0, 3.0]))
    y = (x * b - b / x + b).sum()
    y.backward()
    assert b.grad.shape == (3,) and x.grad.shape == (2, 3)
    np.testing.assert_allclose(b.grad.data, [2.0, 2.0, 2.0])


def test_variable_api_names_the_book_uses():
    x = Variable(np.arange(6.0).reshape(2, 3), name="x")
    assert (x.shape, x.ndim, x.size, x.dtype, len(x)) == ((2, 3), 2, 6, np.float64, 2)
    assert repr(Variable(np.array([1.0, 2.0]))) == "variable([1. 2.])"
    assert x.reshape(3, 2).shape == (3, 2) and x.reshape((6,)).shape == (6,)
    assert x.T.shape == (3, 2) and x.transpose(1, 0).shape == (3, 2)
    assert x.sum(axis=0, keepdims=True).shape == (1, 3)
    assert x[1].shape == (3,)
    assert (x @ Variable(np.ones((3, 4)))).shape == (2, 4)
    assert (np.ones((4, 2)) @ x).shape == (4, 3)
    assert (1 - x).data[0, 0] == 1.0 and (6 / (x + 1)).data[0, 0] == 6.0 and (-x).data[0, 1] == -1.0
    assert isinstance(np.ones(3) + Variable(np.ones(3)), Variable)
    assert isinstance(Parameter(np.ones(1)), Variable)
    assert as_variable(x) is x and as_array(1.0).shape == ()


def test_a_variable_holds_only_arrays():
    with pytest.raises(TypeError, match="numpy.ndarray, got float"):
        Variable(1.0)


def test_a_backward_of_the_wrong_shape_is_an_error_naming_the_function():
    class Bad(Function):
        def forward(self, x):
            return x.sum()

        def backward(self, gy):
            return gy

    x = Variable(np.ones(3))
    with pytest.raises(
        ValueError, match=r"Bad.backward returned a gradient of shape \(\) for an input of shape \(3,\)"
    ):
        Bad()(x).backward()


def test_second_derivative_of_a_polynomial_by_double_backprop():
    x = Variable(np.array(2.0))
    y = x**4 - 2 * x**2
    y.backward(create_graph=True)
    gx = x.grad
    assert gx.data == 24.0 and gx.creator is not None
    x.cleargrad()
    gx.backward()
    assert x.grad.data == 44.0  # 12 x**2 - 4


def test_without_create_graph_the_gradient_has_no_graph():
    x = Variable(np.array(2.0))
    (x**3).backward()
    assert x.grad.creator is None
