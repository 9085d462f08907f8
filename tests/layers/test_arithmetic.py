"""AddLayer and MulLayer: the book's apple example, broadcasting, scalars, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from manual_bp import AddLayer, MulLayer
from oracle.layers.arithmetic import add, mul
from oracle.verify.strategies import cotangents, float_arrays
from oracle.verify.verifier import verify_layer


def test_reproduces_the_books_apple_figures():
    mul_apple, mul_tax = MulLayer(), MulLayer()
    price = mul_tax.forward(mul_apple.forward(100, 2), 1.1)
    dapple_price, dtax = mul_tax.backward(1)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    assert price == pytest.approx(220)
    assert (dapple, dapple_num, dtax) == pytest.approx((2.2, 110, 200))


def test_reproduces_the_books_apple_and_orange_figures():
    mul_apple, mul_orange, add_fruit, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    apple_price = mul_apple.forward(100, 2)
    orange_price = mul_orange.forward(150, 3)
    price = mul_tax.forward(add_fruit.forward(apple_price, orange_price), 1.1)
    dall_price, dtax = mul_tax.backward(1)
    dapple_price, dorange_price = add_fruit.backward(dall_price)
    dorange, dorange_num = mul_orange.backward(dorange_price)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    assert price == pytest.approx(715)
    assert (dapple, dapple_num, dorange, dorange_num, dtax) == pytest.approx((2.2, 110, 3.3, 165, 650))


@pytest.mark.parametrize(("layer", "function"), [(AddLayer, add), (MulLayer, mul)], ids=["add", "mul"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@given(data=st.data(), shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_gradients_have_their_inputs_shapes_under_any_broadcasting(layer, function, dtype, data, shapes):
    (x_shape, y_shape), out_shape = shapes.input_shapes, shapes.result_shape
    x = data.draw(float_arrays(dtype, x_shape, max_value=100.0), label="x")
    y = data.draw(float_arrays(dtype, y_shape, max_value=100.0), label="y")
    dout = data.draw(cotangents(dtype, out_shape), label="dout")
    verify_layer(layer, function, {"x": x, "y": y}, dout=dout)
    node = layer()
    node.forward(x, y)
    dx, dy = node.backward(dout)
    assert (np.shape(dx), np.shape(dy)) == (x_shape, y_shape)


@pytest.mark.parametrize("layer", [AddLayer, MulLayer])
def test_python_scalars_work_and_give_scalar_gradients(layer):
    node = layer()
    out = node.forward(3.0, 4)
    dx, dy = node.backward(2.0)
    assert np.shape(out) == np.shape(dx) == np.shape(dy) == ()


@pytest.mark.parametrize("layer", [AddLayer, MulLayer])
def test_float32_stays_float32(layer):
    node = layer()
    x, y = np.ones((2, 3), np.float32), np.full((3,), 2.0, np.float32)
    out = node.forward(x, y)
    dx, dy = node.backward(np.ones((2, 3), np.float32))
    assert out.dtype == dx.dtype == dy.dtype == np.float32


@pytest.mark.parametrize("layer", [AddLayer, MulLayer])
def test_gradients_are_fresh_arrays_not_aliases_of_dout(layer):
    node = layer()
    node.forward(np.ones(3), np.ones(3))
    dout = np.arange(3.0)
    dx, dy = node.backward(dout)
    assert not np.shares_memory(dx, dout) and not np.shares_memory(dy, dout)


@pytest.mark.parametrize("layer", [AddLayer, MulLayer])
def test_unbroadcastable_shapes_are_named(layer):
    with pytest.raises(ValueError, match=r"x and y must be broadcastable to one shape, got x \(2, 3\) and y \(4,\)"):
        layer().forward(np.ones((2, 3)), np.ones(4))


@pytest.mark.parametrize("layer", [AddLayer, MulLayer])
def test_dout_of_the_wrong_shape_is_rejected(layer):
    node = layer()
    node.forward(np.ones((2, 3)), np.ones(3))
    with pytest.raises(
        ValueError, match=r"dout must have shape \(2, 3\) \(the shape of the forward output\), got \(3,\)"
    ):
        node.backward(np.ones(3))


@pytest.mark.parametrize("layer", [AddLayer, MulLayer])
def test_backward_before_forward_says_so(layer):
    with pytest.raises(RuntimeError, match=r"backward called before .*forward"):
        layer().backward(1.0)


@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.array([True, False]), {"a": 1}])
def test_non_numeric_input_is_a_type_error(bad):
    with pytest.raises(TypeError, match="x must be a real numeric array"):
        MulLayer().forward(bad, 1.0)


def test_integer_arrays_are_computed_in_float64():
    node = MulLayer()
    out = node.forward(np.array([1, 2]), np.array([3, 4]))
    dx, _ = node.backward(np.array([0.5, 0.5]))
    assert out.dtype == dx.dtype == np.float64
    np.testing.assert_array_equal(dx, [1.5, 2.0])
