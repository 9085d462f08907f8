"""Each optimizer's parameters equal its reference (optax, or pure JAX) over drawn step sequences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from manual_bp.optimizers import OPTIMIZERS, SGD, Adam, Nesterov
from oracle.optimizers import reference_trajectory, reference_transformation
from oracle.verify.strategies import float_arrays
from oracle.verify.tolerance import TOLERANCES, Tolerance, compare

SHAPES = {"W": (3, 2), "b": (2,)}
RATE = st.floats(1e-3, 1.0)
HYPER = {
    "sgd": st.fixed_dictionaries({"lr": RATE}),
    "momentum": st.fixed_dictionaries({"lr": RATE, "momentum": st.floats(0.0, 0.99)}),
    "nesterov": st.fixed_dictionaries({"lr": RATE, "momentum": st.floats(0.0, 0.99)}),
    "adagrad": st.fixed_dictionaries({"lr": RATE, "eps": st.sampled_from([1e-7, 1e-3])}),
    "rmsprop": st.fixed_dictionaries(
        {"lr": RATE, "decay_rate": st.floats(0.5, 0.999), "eps": st.sampled_from([1e-7, 1e-3])}
    ),
    "adam": st.fixed_dictionaries(
        {
            "lr": RATE,
            "beta1": st.floats(0.0, 0.99),
            "beta2": st.floats(0.5, 0.9999),
            "eps": st.sampled_from([1e-7, 1e-3]),
        }
    ),
}
# Several steps compound round-off (a division by sqrt(h) + eps can amplify it), so the bound
# is a few float64 ulps of the largest parameter rather than the single-operation 1e-12.
TRAJECTORY_TOL = Tolerance(atol=1e-12, rtol=1e-10, ntol=1e-10)


def _params(data, dtype=np.float64):
    return {k: data.draw(float_arrays(dtype, shape, max_value=10.0), label=k) for k, shape in SHAPES.items()}


def _run(optimizer, params, grads):
    current = {k: v.copy() for k, v in params.items()}
    trajectory = []
    for step in grads:
        optimizer.update(current, step)
        trajectory.append({k: v.copy() for k, v in current.items()})
    return trajectory


def _assert_same(trajectory, reference, tol, label):
    for step, (got, want) in enumerate(zip(trajectory, reference), 1):
        for name in got:
            result = compare(got[name], want[name], tol)
            assert result.passed, f"{label}: step {step}, {name}\n{result.report}"


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@given(data=st.data(), steps=st.integers(1, 6))
def test_optimizer_matches_its_reference_over_several_steps(name, data, steps):
    hyper = data.draw(HYPER[name], label="hyper")
    params = _params(data)
    grads = [_params(data) for _ in range(steps)]
    trajectory = _run(OPTIMIZERS[name](**hyper), params, grads)
    _assert_same(
        trajectory, reference_trajectory(reference_transformation(name, **hyper), params, grads), TRAJECTORY_TOL, name
    )


class AdamWithoutBiasCorrection(Adam):
    def update(self, params, grads):
        super().update(params, grads)
        self.iter = 10**6  # the corrections 1 - beta^k become 1 from the next step on


class BookOrderNesterov(Nesterov):
    """The book's order: momentum^2 applied to the velocity after it was updated."""

    def _step(self, key, param, grad):
        v, _ = self._buffers(key, param, "v", "scratch")
        v *= self.momentum
        v -= self.lr * grad
        param += self.momentum * self.momentum * v
        param -= (1 + self.momentum) * self.lr * grad


@pytest.mark.parametrize(
    ("broken", "name", "hyper", "first_wrong_step"),
    [
        (AdamWithoutBiasCorrection, "adam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}, 2),
        (BookOrderNesterov, "nesterov", {"lr": 0.1, "momentum": 0.9}, 1),
    ],
    ids=["adam without bias correction", "nesterov in the book's order"],
)
def test_planted_optimizer_bugs_are_rejected(broken, name, hyper, first_wrong_step):
    rng = np.random.default_rng(0)
    params = {k: rng.normal(size=s) for k, s in SHAPES.items()}
    grads = [{k: rng.normal(size=s) for k, s in SHAPES.items()} for _ in range(3)]
    reference = reference_trajectory(reference_transformation(name, **hyper), params, grads)
    with pytest.raises(AssertionError, match=f"{name}: step {first_wrong_step}, W"):
        _assert_same(_run(broken(**hyper), params, grads), reference, TRAJECTORY_TOL, name)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_updates_are_in_place_on_the_callers_arrays_and_keep_float32(name):
    W = np.ones((3, 2), np.float32)
    params = {"W": W}
    OPTIMIZERS[name]().update(params, {"W": np.full((3, 2), 0.5, np.float32)})
    assert params["W"] is W and W.dtype == np.float32 and np.all(W < 1)


def test_float32_optimizer_follows_the_float64_reference_to_float32_precision():
    rng = np.random.default_rng(3)
    params = {k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()}
    grads = [{k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()} for _ in range(4)]
    hyper = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}
    _assert_same(
        _run(Adam(**hyper), params, grads),
        reference_trajectory(reference_transformation("adam", **hyper), params, grads),
        TOLERANCES[np.dtype(np.float32)],
        "adam float32",
    )


def test_book_defaults():
    assert (Adam().lr, Adam().beta1, Adam().beta2, Adam().eps) == (0.001, 0.9, 0.999, 1e-7)
    assert OPTIMIZERS["adagrad"]().eps == OPTIMIZERS["rmsprop"]().eps == 1e-7
    assert OPTIMIZERS["rmsprop"]().decay_rate == 0.99 and OPTIMIZERS["momentum"]().momentum == 0.9
    assert SGD().lr == 0.01


def test_missing_gradient_is_named():
    with pytest.raises(ValueError, match="grads has no entry for parameter\\(s\\) 'b'"):
        SGD().update({"W": np.ones(2), "b": np.ones(2)}, {"W": np.ones(2)})


def test_gradient_of_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match=r"grads\['W'\] must have the shape of params\['W'\] \(2,\), got \(3,\)"):
        SGD().update({"W": np.ones(2)}, {"W": np.ones(3)})


def test_read_only_parameters_are_refused_with_a_reason():
    W = np.ones(2)
    W.flags.writeable = False
    with pytest.raises(ValueError, match="params\\['W'\\] is read-only; the optimizer updates parameters in place"):
        SGD().update({"W": W}, {"W": np.ones(2)})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": 0}, r"lr must lie in \(0, inf\), got 0"),
        ({"lr": float("nan")}, "lr must be a finite real number"),
        ({"lr": 0.1, "momentum": 1.0}, r"momentum must lie in \[0, 1\), got 1.0"),
    ],
)
def test_bad_hyperparameters_are_named(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        OPTIMIZERS["momentum"](**kwargs)
