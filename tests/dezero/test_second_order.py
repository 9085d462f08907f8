"""The second-order engine: its reference is exact, and it catches what only a higher order shows."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import Function
from oracle.dezero.elementwise import sin
from oracle.dezero.losses import softmax_cross_entropy
from oracle.verify.second_order import reference, verify_derivatives, verify_function
from oracle.verify.verifier import VerificationError


def test_the_cotangent_derivative_is_jvp_and_the_input_derivative_is_the_vjp_of_the_vjp():
    rng = np.random.default_rng(0)
    x, w, t = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), np.array([0, 3, 1])
    gy = np.array(1.7)
    _, first, (second_x,), second_gy = reference(softmax_cross_entropy, (x, t), (True, False), gy, (w,))
    with jax.enable_x64(True):

        def loss(x):
            return softmax_cross_entropy(x, t)

        grad = np.asarray(jax.grad(loss)(x))
        hvp = np.asarray(jax.grad(lambda x: jnp.vdot(jax.grad(loss)(x) * gy, w))(x))
        jvp = np.asarray(jax.jvp(loss, (x,), (w,))[1])
    np.testing.assert_allclose(first[0], gy * grad, rtol=1e-14)
    np.testing.assert_allclose(second_x, hvp, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(second_gy, jvp, rtol=1e-14)


class WritingSin(Function):
    """Writes into the array it was given (the book's `dout[mask] = 0` habit)."""

    def forward(self, x):
        x *= 1.0
        return np.sin(x)

    def backward(self, gy):
        return gy * F.cos(self.inputs[0])


def test_a_function_writing_into_its_input_fails_on_the_read_only_copy():
    x = np.array([0.5, 1.0])
    with pytest.raises(VerificationError, match="read-only"):
        verify_function(lambda x: WritingSin()(x), sin, {"x": x}, np.array([1.0, 2.0]), {"x": np.ones(2)})
    assert x.flags.writeable  # the caller's array is untouched and still its own


class DataCos(Function):
    """cos whose backward uses the plain array sin(x.data): right to its own first order."""

    def forward(self, x):
        return np.cos(x)

    def backward(self, gy):
        return gy * -np.sin(self.inputs[0].data)


class SinOverDataCos(Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        return gy * DataCos()(self.inputs[0])


def test_a_bug_two_levels_down_passes_second_order_and_fails_the_third_derivative():
    x = np.linspace(-2, 2, 5)
    function = lambda x: SinOverDataCos()(x)  # noqa: E731 - one Function per call
    verify_function(function, sin, {"x": x}, np.arange(1.0, 6.0), {"x": np.ones(5)})  # orders 1 and 2 pass
    with pytest.raises(VerificationError, match=r"d3 \(float64\) differs") as failure:
        verify_derivatives(function, sin, x, 6)
    assert "d2 " not in str(failure.value)


def test_a_crash_inside_backward_is_reported_as_a_failure_naming_the_error():
    class Crashing(Function):
        def forward(self, x):
            return np.sin(x)

        def backward(self, gy):
            raise TypeError("takes its own output where the gradient belongs")

    with pytest.raises(VerificationError, match="TypeError: takes its own output"):
        verify_function(lambda x: Crashing()(x), sin, {"x": np.ones(2)}, np.array([1.0, 2.0]), {"x": np.ones(2)})
