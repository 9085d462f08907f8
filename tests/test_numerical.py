"""manual_bp.numerical: central differences that are right, safe for the caller, and explained."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import manual_bp
from manual_bp.numerical import numerical_gradient, numerical_jvp, numerical_vjp

SHAPES = ((), (3,), (2, 3))


def values(shape, max_value=3.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(-max_value, max_value, allow_subnormal=False))


def shaped_values(max_value=3.0):
    return st.sampled_from(SHAPES).flatmap(lambda shape: values(shape, max_value))


# -- numerical_gradient -----------------------------------------------------------------------
@given(x=shaped_values())
def test_gradient_of_a_cubic_matches_its_derivative(x):
    # f = sum(x^3 + 2x): f' = 3x^2 + 2, f''' = 6, so the truncation error is h^2 = 1e-8.
    grad = numerical_gradient(lambda z: np.sum(z**3 + 2 * z), x)
    np.testing.assert_allclose(grad, 3 * x**2 + 2, rtol=1e-7, atol=1e-7)
    assert grad.shape == x.shape and grad.dtype == np.float64


@given(x=values((4,)), a=values((4, 4)))
def test_gradient_of_a_quadratic_form_is_exact_up_to_rounding(x, a):
    # A central difference has no truncation error on a quadratic: only rounding, ~eps*|f|/h.
    grad = numerical_gradient(lambda z: z @ a @ z, x)
    np.testing.assert_allclose(grad, (a + a.T) @ x, rtol=1e-8, atol=1e-8)


def test_gradient_of_sin_matches_cos_at_the_books_step():
    x = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(numerical_gradient(lambda z: np.sin(z).sum(), x), np.cos(x), atol=2e-9)


@given(x=shaped_values())
def test_callers_array_is_unchanged_and_never_passed_to_f(x):
    original = x.copy()
    x.flags.writeable = False  # any write into it would raise
    seen = []
    numerical_gradient(lambda z: seen.append(z is x) or float(np.sum(z**2)), x)
    np.testing.assert_array_equal(x, original)
    assert not any(seen)


def test_callers_array_is_unchanged_when_f_raises_midway():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(z):
        calls.append(z.copy())
        if len(calls) == 3:  # after x[0] was moved both ways and x[1] moved up
            raise RuntimeError("boom")
        return float(z.sum())

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(calls[2], [1.0, 2.0001, 3.0])


def test_integer_input_is_differentiated_in_float64():
    # The book's version perturbs an int array in place: x + 1e-4 truncates back to x and
    # every entry gets the gradient 0. Here the copy is float64.
    x = np.array([1, 2, 3])
    grad = numerical_gradient(lambda z: np.sum(z**2), x)
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, [2.0, 4.0, 6.0], rtol=1e-10)
    np.testing.assert_array_equal(x, [1, 2, 3])
    assert x.dtype.kind == "i"


def test_float32_input_gives_float32_gradient_divided_by_the_step_actually_taken():
    # At 1000 the float32 spacing is 6.1e-5: 1000 +- 1e-4 round to 1000 +- 1.22e-4, so
    # dividing by 2h would report a slope of 2.44 for f = 2x; the step taken gives 2.
    x = np.array([1000.0], dtype=np.float32)
    grad = numerical_gradient(lambda z: 2.0 * np.float64(z[0]), x)
    assert grad.dtype == np.float32
    assert grad[0] == pytest.approx(2.0, rel=1e-12)


def test_book_like_closure_over_a_perturbed_array_gives_zero_not_a_silent_mutation():
    # The book's `lambda W: net.loss(x, t)` ignores its argument and relies on in-place
    # perturbation; here f must read its argument, so such an f sees no change.
    w = np.array([1.0, 2.0])
    grad = numerical_gradient(lambda _: float(np.sum(w**2)), w)
    np.testing.assert_array_equal(grad, [0.0, 0.0])
    np.testing.assert_array_equal(w, [1.0, 2.0])


def test_empty_input_gives_an_empty_gradient_without_calling_f():
    grad = numerical_gradient(lambda z: pytest.fail("f must not be called"), np.zeros((0, 3)))
    assert grad.shape == (0, 3)


def test_costs_two_evaluations_per_element():
    calls = []
    numerical_gradient(lambda z: calls.append(1) or 0.0, np.zeros((2, 3)))
    assert len(calls) == 12


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"f": 3.0}, TypeError, r"f must be a callable taking an array, got float"),
        ({"h": 0.0}, ValueError, r"h must be a positive finite number \(the finite-difference step\), got 0.0"),
        ({"h": -1e-4}, ValueError, r"h must be a positive finite number"),
        ({"h": float("nan")}, ValueError, r"h must be a positive finite number .*nan"),
        ({"h": "1e-4"}, TypeError, r"h must be a real number \(the finite-difference step\), got str"),
        ({"x": np.array([True, False])}, TypeError, r"x must be a real numeric array .*booleans"),
        ({"x": [[1.0], [2.0, 3.0]]}, TypeError, r"x must be a real numeric array"),
        ({"f": lambda z: z}, ValueError, r"f must return a scalar \(the loss\), got an array of shape \(2,\)"),
        ({"f": lambda z: "loss"}, TypeError, r"f must return a real number \(the loss\), got dtype <U4"),
    ],
)
def test_bad_arguments_raise_errors_naming_the_argument(kwargs, error, message):
    arguments = {"f": lambda z: float(np.sum(z)), "x": np.array([1.0, 2.0]), "h": 1e-4, **kwargs}
    with pytest.raises(error, match=message):
        numerical_gradient(arguments["f"], arguments["x"], h=arguments["h"])


def test_a_step_too_small_for_the_dtype_is_an_error_not_a_zero_division():
    # float32 spacing at 1e4 is 9.8e-4: the book's h = 1e-4 rounds away.
    with pytest.raises(
        ValueError, match=r"h = 0.0001 is too small to change x\[1\] = 10000 in float32; use a larger h"
    ):
        numerical_gradient(lambda z: float(z.sum()), np.array([1e-3, 1e4], np.float32))


def test_step_is_keyword_only():
    with pytest.raises(TypeError):
        numerical_gradient(lambda z: 0.0, np.zeros(2), 1e-4)


# -- numerical_vjp ------------------------------------------------------------------------------
@given(x=values((3,)), a=values((2, 3)), u=values((2,)))
def test_vjp_of_a_linear_map_is_its_transpose_applied_to_u(x, a, u):
    np.testing.assert_allclose(numerical_vjp(lambda z: a @ z, x, u), a.T @ u, rtol=1e-8, atol=1e-8)


@given(x=values((2, 3)), u=values((2, 3)))
def test_vjp_of_a_layer_matches_its_backward(x, u):
    # Sigmoid is smooth and its backward is dout * out * (1 - out).
    layer = manual_bp.Sigmoid()
    layer.forward(x)
    expected = layer.backward(u)
    got = numerical_vjp(lambda z: manual_bp.Sigmoid().forward(z), x, u)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def test_vjp_of_a_scalar_function_is_its_gradient_times_u():
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(numerical_vjp(lambda z: np.sum(z**2), x, 3.0), 3.0 * 2 * x, rtol=1e-9)


def test_vjp_rejects_a_cotangent_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"u must have the shape of f\(x\), \(2,\), got \(3,\)"):
        numerical_vjp(lambda z: z * 2, np.zeros(2), np.ones(3))


# -- numerical_jvp ---------------------------------------------------------------------------
@given(x=values((3,)), a=values((2, 3)), v=values((3,)))
def test_jvp_of_a_linear_map_is_the_map_applied_to_v(x, a, v):
    np.testing.assert_allclose(numerical_jvp(lambda z: a @ z, x, v), a @ v, rtol=1e-8, atol=1e-8)


def test_jvp_costs_two_evaluations_whatever_the_size():
    calls = []
    numerical_jvp(lambda z: calls.append(1) or z, np.zeros((50, 40)), np.ones((50, 40)))
    assert len(calls) == 2


def _dot_test_gap(backward_scale: float, seed: int) -> float:
    """|<u, J v> - <J^T u, v>| / scale for Affine's input gradient, J^T u from its backward."""
    rng = np.random.default_rng(seed)
    x, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    u, v = rng.standard_normal((4, 2)), rng.standard_normal((4, 3))
    layer = manual_bp.Affine(W, b)
    layer.forward(x)
    vjp = backward_scale * layer.backward(u)
    numerical = np.vdot(u, numerical_jvp(lambda z: manual_bp.Affine(W, b).forward(z), x, v))
    return abs(numerical - np.vdot(vjp, v)) / abs(np.vdot(vjp, v))


def test_dot_product_test_accepts_a_correct_backward_and_rejects_a_one_percent_bug():
    assert max(_dot_test_gap(1.0, seed) for seed in range(5)) < 1e-9
    assert min(_dot_test_gap(1.01, seed) for seed in range(5)) > 1e-3


def test_jvp_leaves_x_and_v_unchanged_and_rejects_a_direction_of_the_wrong_shape():
    x, v = np.array([1.0, 2.0]), np.array([0.5, 0.5])
    numerical_jvp(lambda z: z**2, x, v)
    np.testing.assert_array_equal(x, [1.0, 2.0])
    np.testing.assert_array_equal(v, [0.5, 0.5])
    with pytest.raises(ValueError, match=r"v must have the shape of x, \(2,\), got \(3,\)"):
        numerical_jvp(lambda z: z, x, np.ones(3))
    with pytest.raises(TypeError, match=r"f must return a real array, got dtype <U1"):
        numerical_jvp(lambda z: np.array(["a"]), x, v)
