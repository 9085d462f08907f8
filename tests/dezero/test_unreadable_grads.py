"""Gradients nobody can read are not computed: a raw array a Function wraps gets no ``.grad``
and costs no backward work; user Variables, Parameters, outputs and double backward are as before."""

import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import Function, Parameter, Variable
from manual_bp.dezero.core import add, div, mul, sub

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 3))
W = RNG.standard_normal((3, 2))
B = RNG.standard_normal(2)


class CountingMul(Function):
    """``y = x0 * x1``, recording each backward call and the ``needs_input_grad`` it was given."""

    def __init__(self):
        self.calls: list[tuple[bool, ...]] = []

    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        self.calls.append(self.needs_input_grad)
        x0, x1 = self.inputs
        return gy * x1, gy * x0


class ReturnsItsConstant(Function):
    """``y = sum(x * c)``, whose backward hands back its wrapped input ``c`` itself (right for ``gy = 1``)."""

    def forward(self, x, c):
        return (x * c).sum()

    def backward(self, gy):
        return self.inputs[1], None


def test_a_raw_array_input_gets_no_grad_and_backward_is_told_so():
    x = Variable(np.array([1.0, 2.0]))
    f = CountingMul()
    y = f(x, np.array([3.0, 4.0]))
    y.backward()
    wrapped = y.creator.inputs[1]
    assert f.calls == [(True, False)]
    assert wrapped.grad is None and not wrapped.requires_grad
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])


def test_a_function_of_raw_arrays_only_is_never_called_backward_but_its_output_gets_its_grad():
    f = CountingMul()
    a = f(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    x = Variable(np.array([5.0, 6.0]))
    y = (a * x).sum()
    y.backward(retain_grad=True)
    assert f.calls == []
    np.testing.assert_array_equal(a.grad.data, [5.0, 6.0])  # an output is the user's: its grad is kept
    np.testing.assert_array_equal(x.grad.data, [3.0, 8.0])
    b = CountingMul()(np.array([1.0]), np.array([2.0]))
    (b * x).sum().backward()
    assert b.grad is None  # retain_grad=False still frees it


def test_linear_on_raw_data_gives_the_same_parameter_grads_and_no_data_grad():
    grads = {}
    for kind, x in {"raw": X, "variable": Variable(X)}.items():
        w, b = Parameter(W.copy()), Parameter(B.copy())
        y = F.linear(x, w, b)
        (y * y).sum().backward()
        grads[kind] = (w.grad.data, b.grad.data, y.creator.inputs[0].grad)
    np.testing.assert_array_equal(grads["raw"][0], grads["variable"][0])
    np.testing.assert_array_equal(grads["raw"][1], grads["variable"][1])
    assert grads["raw"][2] is None
    y = X @ W + B
    np.testing.assert_allclose(grads["variable"][2].data, 2 * y @ W.T)


IMAGES, FILTERS = RNG.standard_normal((1, 2, 4, 4)), RNG.standard_normal((3, 2, 3, 3))
SKIPPING = {
    "matmul": (F.matmul, (X, W)),
    "linear": (F.linear, (X, W, B)),
    "add": (add, (X, B[:1])),
    "sub": (sub, (X, B[:1])),
    "mul": (mul, (X, B[:1])),
    "div": (div, (X, 2.0 + B[:1] ** 2)),
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, pad=1), (IMAGES, FILTERS, B[:1].repeat(3))),
    "deconv2d": (
        lambda x, w, b: F.deconv2d(x, w, b, stride=2),
        (IMAGES, FILTERS.transpose(1, 0, 2, 3), B[:1].repeat(3)),
    ),
}


@pytest.mark.parametrize("name", SKIPPING)
def test_each_input_left_raw_gets_no_grad_and_leaves_the_others_bit_for_bit(name):
    function, arrays = SKIPPING[name]

    def grads(raw: int | None):
        inputs = [a if i == raw else Variable(a) for i, a in enumerate(arrays)]
        y = function(*inputs)
        (y * y).sum().backward()
        return [None if i == raw else v.grad.data for i, v in enumerate(inputs)], y.creator.inputs

    all_variables, _ = grads(None)
    for raw in range(len(arrays)):
        some, recorded = grads(raw)
        assert recorded[raw].grad is None
        for i, g in enumerate(some):
            if i != raw:
                np.testing.assert_array_equal(g, all_variables[i], err_msg=f"input {i} with input {raw} raw")


def test_user_variables_and_parameters_all_get_their_grads():
    x, w, b = Variable(X), Parameter(W), Variable(B)
    y = F.linear(x, w, b)
    y.backward()
    assert all(v.requires_grad for v in (x, w, b, y))
    np.testing.assert_allclose(x.grad.data, np.ones((4, 2)) @ W.T)
    np.testing.assert_allclose(w.grad.data, X.T @ np.ones((4, 2)))
    np.testing.assert_allclose(b.grad.data, np.full(2, 4.0))


def test_double_backward_through_a_raw_array_matches_the_same_array_as_a_variable():
    """d/dx sum(c * x**3) = 3 c x**2; differentiating that sum again gives 6 c x, raw c or not."""
    xv = np.array([1.0, -2.0, 0.5])
    c = np.array([2.0, 3.0, -1.0])
    second = {}
    for kind, constant in {"raw": c, "variable": Variable(c)}.items():
        x = Variable(xv)
        y = (x**3 * constant).sum()
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.sum().backward()
        second[kind] = x.grad.data
        if kind == "variable":
            # x**3 from the first backward, plus d/dc sum(3 c x**2) from the second
            np.testing.assert_allclose(constant.grad.data, xv**3 + 3 * xv**2)
    np.testing.assert_allclose(second["raw"], 6 * c * xv)
    np.testing.assert_array_equal(second["raw"], second["variable"])


def test_a_wrapped_array_handed_to_the_user_as_a_gradient_can_be_differentiated_again():
    x = Variable(np.array([1.0, 2.0]))
    y = ReturnsItsConstant()(x, np.array([3.0, 4.0]))
    y.backward()
    assert x.grad is y.creator.inputs[1] and x.grad.requires_grad
    w = Variable(np.array([5.0, 6.0]))
    (x.grad * w).sum().backward()
    np.testing.assert_array_equal(x.grad.grad.data, [5.0, 6.0])
