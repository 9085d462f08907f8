"""The third book's small demonstrations, as claims (README, "The third book", shows them as code)."""

import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable


def newton_iterates(x0: float, steps: int) -> list:
    """Newton's method on ``y = x**4 - 2 x**2``, both derivatives by (double) backprop (step 33)."""
    x = Variable(np.array(x0))
    iterates = [float(x.data)]
    for _ in range(steps):
        y = x**4 - 2 * x**2
        x.cleargrad()
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.backward()
        x.data = x.data - gx.data / x.grad.data
        iterates.append(float(x.data))
    return iterates


def test_newton_with_the_second_derivative_from_double_backprop_reaches_1_at_iteration_7():
    iterates = newton_iterates(2.0, 7)
    expected = [2.0, 1.4545454545454546, 1.1510467893775467, 1.0253259289766978, 1.0009084519430513]
    np.testing.assert_allclose(iterates[:5], expected, rtol=1e-15)
    assert 1.0000012 < iterates[5] < 1.0000013 and 0 < iterates[6] - 1 < 1e-11
    assert iterates[7] == 1.0


def test_double_backprop_of_gx_cubed_plus_y_gives_100():
    x = Variable(np.array(2.0))
    y = x**2
    y.backward(create_graph=True)
    gx = x.grad
    x.cleargrad()
    z = gx**3 + y
    z.backward()
    assert x.grad.data == 100.0  # d/dx ((2x)**3 + x**2) = 24 x**2 + 2 x at x = 2


def rosenbrock(x0, x1):
    return 100 * (x1 - x0**2) ** 2 + (1 - x0) ** 2


def test_gradient_descent_on_rosenbrock_walks_toward_the_minimum():
    x0, x1 = Variable(np.array(0.0)), Variable(np.array(2.0))
    values, lr = [], 0.001
    for _ in range(1000):
        y = rosenbrock(x0, x1)
        values.append(float(y.data))
        x0.cleargrad()
        x1.cleargrad()
        y.backward()
        if not values[1:]:
            assert (x0.grad.data, x1.grad.data) == (-2.0, 400.0)  # at (0, 2)
        x0.data = x0.data - lr * x0.grad.data
        x1.data = x1.data - lr * x1.grad.data
    assert all(b <= a for a, b in zip(values, values[1:]))  # lr 0.001 never overshoots here
    assert values[-1] < 0.15 and 0.6 < x0.data < 0.75 and 0.4 < x1.data < 0.55  # slow, as the book shows


def tanh_derivatives(x: np.ndarray, order: int) -> list:
    """tanh and its first ``order`` derivatives at ``x`` by repeated double backprop (step 35)."""
    v = Variable(x)
    y = F.tanh(v)
    out = [y.data]
    y.backward(create_graph=True)
    for n in range(order):
        gx = v.grad
        out.append(gx.data)
        if n + 1 < order:
            v.cleargrad()
            gx.backward(create_graph=True)
    return out


def test_tanh_derivatives_up_to_the_sixth_match_their_polynomials_in_tanh():
    # d/dx P(tanh x) = P'(tanh x) (1 - tanh**2 x): P_0(y) = y, P_{n+1} = P_n' * (1 - y**2).
    x = np.linspace(-3, 3, 13)
    got = tanh_derivatives(x, 6)
    p = np.polynomial.Polynomial([0.0, 1.0])
    for n in range(7):
        np.testing.assert_allclose(got[n], p(np.tanh(x)), rtol=1e-12, atol=1e-12, err_msg=f"order {n}")
        p = p.deriv() * np.polynomial.Polynomial([1.0, 0.0, -1.0])


def test_the_tanh_plot_is_written(tmp_path):
    pytest.importorskip("matplotlib")
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).parents[2] / "bench" / "tanh_derivatives.py"
    spec = importlib.util.spec_from_file_location("tanh_derivatives", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = module.plot(tmp_path / "tanh.png")
    assert out.stat().st_size > 10_000
