"""Random directional derivatives: unit directions, exact on quadratics, unbiased in float32."""

import numpy as np
import pytest

from oracle.compare.directional import directional_derivatives, project, unit_directions


def test_directions_have_unit_norm_and_the_requested_shape():
    v = unit_directions((3, 4), 5, np.random.default_rng(0))
    assert v.shape == (5, 3, 4)
    np.testing.assert_allclose(np.sqrt((v**2).sum(axis=(1, 2))), 1.0, rtol=1e-15)


def test_central_differences_of_a_quadratic_equal_the_projected_gradient_to_rounding():
    rng = np.random.default_rng(1)
    A, w = rng.standard_normal((4, 4)), rng.standard_normal(4)
    point = {"w": w, "c": np.array(3.0)}

    def loss(values):
        return 0.5 * values["w"] @ A @ values["w"] + values["c"] * values["w"].sum()

    numerical, moves, steps = directional_derivatives(loss, point, ["w", "c"], h=1e-3, directions=3, rng=rng)
    exact = {"w": 0.5 * (A + A.T) @ w + 3.0, "c": np.array(w.sum())}
    along = project(exact, moves)
    for name in ("w", "c"):
        assert numerical[name].shape == (3,) and len(steps[name]) == 3
        np.testing.assert_allclose(numerical[name], along[name], rtol=1e-9, atol=1e-12)  # no truncation error
    np.testing.assert_array_equal(point["w"], w)  # never written


def test_float32_steps_are_measured_as_taken_so_a_linear_function_has_no_step_rounding_error():
    rng = np.random.default_rng(2)
    x = (1000 + rng.random(50)).astype(np.float32)  # large values: x +- h v rounds visibly in float32
    g = rng.standard_normal(50)

    def loss(values):
        return float(np.dot(g, values["x"].astype(np.float64)))

    numerical, moves, _ = directional_derivatives(
        loss, {"x": x}, ["x"], h=1e-2, directions=4, rng=np.random.default_rng(3)
    )
    np.testing.assert_allclose(numerical["x"], project({"x": g}, moves)["x"], rtol=1e-8)
    nominal = unit_directions((50,), 4, np.random.default_rng(3)) @ g  # <g, v> on the directions as drawn
    assert np.max(np.abs(numerical["x"] - nominal) / np.abs(nominal)) > 1e-3  # what dividing by 2h would miss


@pytest.mark.parametrize("count", [1, 8])
def test_the_same_generator_state_draws_the_same_directions(count):
    first = unit_directions((2, 3), count, np.random.default_rng(7))
    np.testing.assert_array_equal(first, unit_directions((2, 3), count, np.random.default_rng(7)))
