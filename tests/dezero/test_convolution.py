"""conv2d, deconv2d, im2col and col2im: the weight gradient is differentiable (the book's crashes),
the adjoint pairs, and the shape errors. Drawn cases in both dtypes are the catalog rows'."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from broken_nn_functions import output_passing_conv2d

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable
from oracle.dezero import convolution as oracle
from oracle.verify.binding import bind
from oracle.verify.verifier import VerificationError

from .exact import verify_exactly

DTYPES = (np.float64, np.float32)


def _images(dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 2, 5, 6)).astype(dtype)
    W = rng.normal(size=(3, 2, 3, 2)).astype(dtype)
    b = rng.normal(size=3).astype(dtype)
    return x, W, b


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_weight_gradient_of_conv2d_is_differentiable_to_the_second_order(dtype):
    x, W, b = _images(dtype)
    conv = lambda x, W, b: F.conv2d(x, W, b, stride=2, pad=1)  # noqa: E731
    verification = verify_exactly(conv, bind(oracle.conv2d, stride=2, pad=1), {"x": x, "W": W, "b": b})
    assert {"d/dx <g, w>", "d/dW <g, w>", "d/dgy <g, w>"} <= set(verification.comparisons)


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_books_weight_gradient_backward_is_right_to_first_order_and_crashes_at_the_second(dtype):
    x, W, _ = _images(dtype)
    books = lambda x, W: output_passing_conv2d(x, W, stride=2, pad=1)  # noqa: E731
    bound = bind(oracle.conv2d, stride=2, pad=1)
    verify_exactly(books, bound, {"x": x, "W": W}, order=1)
    with pytest.raises(VerificationError, match="TypeError"):
        verify_exactly(books, bound, {"x": x, "W": W})


def test_a_second_derivative_through_the_weight_gradient_has_its_closed_form():
    # L = <conv(x, W), g>; dL/dW = Conv2DGradW(x, g) is linear in x, so d/dx <dL/dW, V> = deconv2d(g, V).
    x, W, _ = _images(np.float64)
    xv, Wv = Variable(x), Variable(W)
    y = F.conv2d(xv, Wv, stride=2, pad=1)
    g = np.random.default_rng(1).normal(size=y.shape)
    y.grad = Variable(g)
    y.backward(create_graph=True)
    V = np.random.default_rng(2).normal(size=W.shape)
    gW = Wv.grad
    xv.cleargrad()
    (gW * Variable(V)).sum().backward()
    expected = F.deconv2d(g, V, stride=2, pad=1, outsize=x.shape[2:]).data
    np.testing.assert_allclose(xv.grad.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("to_matrix", [True, False])
def test_col2im_is_the_adjoint_of_im2col(to_matrix):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 5, 4))
    col = F.im2col(x, (3, 2), stride=2, pad=1, to_matrix=to_matrix).data
    c = rng.normal(size=col.shape)
    back = F.col2im(c, x.shape, (3, 2), stride=2, pad=1, to_matrix=to_matrix).data
    assert np.isclose(np.vdot(col, c), np.vdot(x, back), rtol=1e-13)


def test_deconv2d_is_the_adjoint_of_conv2d_in_x():
    x, W, _ = _images(np.float64)
    y = F.conv2d(x, W, stride=2, pad=1).data
    g = np.random.default_rng(3).normal(size=y.shape)
    back = F.deconv2d(g, W, stride=2, pad=1, outsize=x.shape[2:]).data
    assert back.shape == x.shape
    assert np.isclose(np.vdot(y, g), np.vdot(x, back), rtol=1e-13)


def test_conv2d_simple_composes_to_conv2d():
    x, W, b = _images(np.float64)
    fast, simple = F.conv2d(x, W, b, stride=2, pad=1), F.conv2d_simple(x, W, b, stride=2, pad=1)
    np.testing.assert_allclose(simple.data, fast.data, rtol=1e-13, atol=1e-13)


def test_an_outsize_no_convolution_maps_back_is_an_error():
    x = np.ones((1, 1, 3, 3))
    with pytest.raises(ValueError, match=r"outsize must be \(OH, OW\) with 7 <= OH < 9"):
        F.deconv2d(x, np.ones((1, 1, 3, 3)), stride=2, pad=0, outsize=(9, 7))


def test_filters_with_other_channels_than_the_images_are_an_error_naming_both():
    with pytest.raises(ValueError, match=r"W must have shape \(OC, C, KH, KW\) with C = 2 .*got \(3, 4, 3, 3\)"):
        F.conv2d(np.ones((1, 2, 5, 5)), np.ones((3, 4, 3, 3)))
    with pytest.raises(ValueError, match=r"b must have shape \(3,\)"):
        F.conv2d(np.ones((1, 2, 5, 5)), np.ones((3, 2, 3, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\)"):
        F.deconv2d(np.ones((2, 5, 5)), np.ones((2, 3, 3, 3)))


def test_a_third_derivative_through_the_weight_gradient_matches_nested_jax_grad():
    # f(W) = sum(tanh(conv2d(x, W))): the second backward goes through Conv2DGradW's backward,
    # the third through the conv2d and deconv2d that backward built.
    x, W, _ = _images(np.float64)
    rng = np.random.default_rng(5)
    v, u = rng.normal(size=W.shape), rng.normal(size=W.shape)
    Wv = Variable(W)
    F.sum(F.tanh(F.conv2d(x, Wv, stride=2, pad=1))).backward(create_graph=True)
    g = Wv.grad
    Wv.cleargrad()
    F.sum(g * Variable(v)).backward(create_graph=True)
    h = Wv.grad
    Wv.cleargrad()
    F.sum(h * Variable(u)).backward()

    def f(W):
        return jnp.sum(jnp.tanh(oracle.conv2d(x, W, stride=2, pad=1)))

    def along(function, direction):
        return lambda W: jnp.vdot(jax.grad(function)(W), direction)

    with jax.enable_x64(True):
        expected = np.asarray(jax.grad(along(along(f, v), u))(W))
    np.testing.assert_allclose(Wv.grad.data, expected, rtol=1e-10, atol=1e-10 * np.abs(expected).max())
