"""Every DeZero optimizer, with and without hooks, follows optax (or a pure JAX reference) step by step."""

import numpy as np
import optax
import pytest
from hypothesis import given
from hypothesis import strategies as st

from manual_bp.dezero import Parameter, Variable
from manual_bp.dezero.layers import Layer
from manual_bp.dezero.optimizers import (
    SGD,
    AdaDelta,
    AdaGrad,
    Adam,
    ClipGrad,
    FreezeParam,
    MomentumSGD,
    WeightDecay,
)
from oracle.optimizers import adagrad, reference_trajectory
from oracle.verify.strategies import float_arrays
from oracle.verify.tolerance import TOLERANCES, Tolerance, compare

SHAPES = {"W": (3, 2), "b": (2,)}
RATE = st.floats(1e-3, 1.0)
# (optimizer, its reference), both built from the same drawn hyperparameters
OPTIMIZERS = {
    "sgd": (st.fixed_dictionaries({"lr": RATE}), lambda h: SGD(**h), lambda h: optax.sgd(h["lr"])),
    "momentum": (
        st.fixed_dictionaries({"lr": RATE, "momentum": st.floats(0.0, 0.99)}),
        lambda h: MomentumSGD(**h),
        lambda h: optax.sgd(h["lr"], momentum=h["momentum"]),
    ),
    "adagrad": (
        st.fixed_dictionaries({"lr": RATE, "eps": st.sampled_from([1e-8, 1e-3])}),
        lambda h: AdaGrad(**h),
        lambda h: adagrad(h["lr"], h["eps"]),
    ),
    "adadelta": (
        st.fixed_dictionaries({"rho": st.floats(0.5, 0.99), "eps": st.sampled_from([1e-6, 1e-3])}),
        lambda h: AdaDelta(**h),
        lambda h: optax.adadelta(1.0, rho=h["rho"], eps=h["eps"]),
    ),
    "adam": (
        st.fixed_dictionaries(
            {
                "alpha": RATE,
                "beta1": st.floats(0.0, 0.99),
                "beta2": st.floats(0.5, 0.9999),
                "eps": st.sampled_from([1e-8, 1e-3]),
            }
        ),
        lambda h: Adam(**h),
        lambda h: optax.adam(h["alpha"], b1=h["beta1"], b2=h["beta2"], eps=h["eps"]),
    ),
}
# As for the first book's optimizers: a few float64 ulps of the largest parameter after several steps.
TRAJECTORY_TOL = Tolerance(atol=1e-12, rtol=1e-10, ntol=1e-10)


class Pair(Layer):
    def __init__(self, params):
        super().__init__()
        self.W = Parameter(params["W"].copy())
        self.b = Parameter(params["b"].copy())


def _draw(data, name):
    return {
        k: data.draw(float_arrays(np.float64, shape, max_value=10.0), label=name + k) for k, shape in SHAPES.items()
    }


def _run(optimizer, params, grads):
    model = Pair(params)
    optimizer.setup(model)
    trajectory = []
    for step in grads:
        model.W.grad, model.b.grad = Variable(step["W"].copy()), Variable(step["b"].copy())
        optimizer.update()
        trajectory.append({"W": model.W.data.copy(), "b": model.b.data.copy()})
    return trajectory


def _assert_same(trajectory, reference, tol, label):
    for step, (got, want) in enumerate(zip(trajectory, reference), 1):
        for name in got:
            result = compare(got[name], want[name], tol)
            assert result.passed, f"{label}: step {step}, {name}\n{result.report}"


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@given(data=st.data(), steps=st.integers(1, 5))
def test_optimizer_follows_its_reference(name, data, steps):
    hyper_strategy, make, reference = OPTIMIZERS[name]
    hyper = data.draw(hyper_strategy, label="hyper")
    params = _draw(data, "p")
    grads = [_draw(data, f"g{i}") for i in range(steps)]
    want = reference_trajectory(reference(hyper), params, grads)
    _assert_same(_run(make(hyper), params, grads), want, TRAJECTORY_TOL, name)


HOOKS = st.sampled_from(["decay", "clip", "freeze_b"])


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
@given(data=st.data(), steps=st.integers(1, 4), hooks=st.lists(HOOKS, min_size=1, max_size=3, unique=True))
def test_hooks_run_in_order_before_the_update_as_an_optax_chain(name, data, steps, hooks):
    hyper_strategy, make, reference = OPTIMIZERS[name]
    hyper = data.draw(hyper_strategy, label="hyper")
    rate, max_norm = data.draw(st.floats(1e-4, 0.5), label="rate"), data.draw(st.floats(0.1, 20.0), label="max_norm")
    params = _draw(data, "p")
    grads = [_draw(data, f"g{i}") for i in range(steps)]
    # The reference: each hook an optax transformation; FreezeParam splits the chain from where it stands.
    stages = {"decay": optax.add_decayed_weights(rate), "clip": optax.clip_by_global_norm(max_norm)}
    frozen_at = hooks.index("freeze_b") if "freeze_b" in hooks else None
    if frozen_at is None:
        transformation = optax.chain(*[stages[h] for h in hooks], reference(hyper))
    else:
        after = optax.chain(*[stages[h] for h in hooks[frozen_at + 1 :]], reference(hyper))
        split = optax.multi_transform({"train": after, "frozen": optax.set_to_zero()}, {"W": "train", "b": "frozen"})
        transformation = optax.chain(*[stages[h] for h in hooks[:frozen_at]], split)
    optimizer = make(hyper)
    model = Pair(params)
    optimizer.setup(model)
    for hook in hooks:
        optimizer.add_hook(
            {
                "decay": lambda: WeightDecay(rate),
                "clip": lambda: ClipGrad(max_norm),
                "freeze_b": lambda: FreezeParam(model.b),
            }[hook]()
        )
    trajectory = []
    for step in grads:
        model.W.grad, model.b.grad = Variable(step["W"].copy()), Variable(step["b"].copy())
        optimizer.update()
        trajectory.append({"W": model.W.data.copy(), "b": model.b.data.copy()})
    _assert_same(trajectory, reference_trajectory(transformation, params, grads), TRAJECTORY_TOL, f"{name} {hooks}")


def test_weight_decay_on_a_gradient_shared_by_two_parameters_decays_each_once():
    # a + b hands the same gradient Variable to both; the book's in-place hook would add both decays to it.
    model = Layer()
    model.a, model.b = Parameter(np.array([1.0])), Parameter(np.array([3.0]))
    (model.a + model.b).backward()
    assert model.a.grad is model.b.grad
    optimizer = SGD(lr=1.0).setup(model)
    optimizer.add_hook(WeightDecay(0.1))
    optimizer.update()
    np.testing.assert_allclose([model.a.data[0], model.b.data[0]], [1.0 - 1.1, 3.0 - 1.3])


def test_a_parameter_without_gradient_is_left_alone():
    model = Pair({"W": np.ones((3, 2)), "b": np.ones(2)})
    model.W.grad = Variable(np.ones((3, 2)))
    Adam().setup(model).update()
    np.testing.assert_array_equal(model.b.data, np.ones(2))


def test_float32_parameters_stay_float32_and_follow_the_float64_reference():
    rng = np.random.default_rng(3)
    params = {k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()}
    grads = [{k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()} for _ in range(4)]
    trajectory = _run(Adam(alpha=0.01), params, grads)
    assert all(v.dtype == np.float32 for step in trajectory for v in step.values())
    _assert_same(
        trajectory,
        reference_trajectory(optax.adam(0.01, eps=1e-8), params, grads),
        TOLERANCES[np.dtype(np.float32)],
        "adam",
    )


def test_update_before_setup_is_named():
    with pytest.raises(RuntimeError, match=r"SGD.update before setup\(target\)"):
        SGD().update()


class BookAdam(Adam):
    """The book's form: bias corrections folded into the step size, so eps is scaled by sqrt(1 - beta2^t)."""

    def update_one(self, param):
        m, v = self._buffers(param, "m", "v")
        grad = param.grad.data
        m += (1 - self.beta1) * (grad - m)
        v += (1 - self.beta2) * (grad * grad - v)
        lr = self.alpha * np.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        param.data -= lr * m / (np.sqrt(v) + self.eps)


class BookClipGrad(ClipGrad):
    def __call__(self, params):
        total_norm = np.sqrt(sum(float((p.grad.data**2).sum()) for p in params))
        rate = self.max_norm / (total_norm + 1e-6)
        if rate < 1:
            for param in params:
                param.grad.data *= rate


@pytest.mark.parametrize("planted", ["book adam", "book clip"])
def test_the_books_forms_are_told_apart_from_the_reference(planted):
    rng = np.random.default_rng(0)
    params = {k: rng.normal(size=s) for k, s in SHAPES.items()}
    grads = [{k: rng.normal(size=s) * 1e-3 for k, s in SHAPES.items()} for _ in range(3)]
    if planted == "book adam":
        optimizer, reference = BookAdam(alpha=0.1, eps=1e-3), optax.adam(0.1, eps=1e-3)
    else:
        optimizer, reference = SGD(lr=1.0), optax.chain(optax.clip_by_global_norm(1e-3), optax.sgd(1.0))
        optimizer.add_hook(BookClipGrad(1e-3))
    with pytest.raises(AssertionError, match="step 1, W"):
        _assert_same(_run(optimizer, params, grads), reference_trajectory(reference, params, grads), TRAJECTORY_TOL, "")
