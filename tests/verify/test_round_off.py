"""The computed round-off bound (``oracle.verify.round_off``): what it charges each operation, and
that it bounds the error of the oracle itself evaluated op by op in float32."""

from unittest import mock

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oracle.verify.sequences
import oracle.verify.verifier
from oracle.catalog import find_entry
from oracle.verify import reference
from oracle.verify.entry import verify_case
from oracle.verify.round_off import round_off, round_off_vjp

U = 2.0**-24  # float32's unit round-off
TINY = float(np.finfo(np.float32).tiny)


def bound_of(function, *args):
    return round_off(function, args, np.float32)[1]


def test_inputs_exact_in_float32_carry_no_error_and_a_rounded_constant_its_rounding():
    x = np.array([3.0, -0.5], np.float32)
    assert np.all(bound_of(lambda x: -x, x) <= TINY)  # exact: nothing but a possible underflow
    tenth = abs(0.1 - float(np.float32(0.1)))
    exact = x.astype(np.float64)
    expected = np.abs(exact) * tenth + U * np.abs(0.1 * exact) + TINY
    np.testing.assert_allclose(bound_of(lambda x: x * 0.1, x), expected, rtol=1e-12)


def test_a_cancelling_sum_gets_a_bound_as_large_as_its_terms_not_its_result():
    x = np.array([1e4, 1.5, -1e4], np.float32)
    [bound] = [bound_of(lambda x: jnp.sum(x * x), x)]  # 1e8 + 2.25 - ... : squares, then a sum
    assert float(bound) > U * 2e8  # the terms are 1e8 each; the result is 2e8 + 2.25: no cancellation here
    cancelling = bound_of(lambda x: jnp.sum(x), x)  # 1.5 from terms of 1e4
    assert float(cancelling) >= U * 2e4 and float(cancelling) / 1.5 > 1e-4  # relative to the result: large


def test_a_masked_minus_infinity_carries_no_error_into_a_softmax():
    scores = np.array([1.0, -np.inf, 2.0], np.float32)
    values, bound = round_off(jax.nn.softmax, (scores,), np.float32)
    assert np.all(np.isfinite(bound)) and bound[1] <= 10 * TINY  # a possible underflow per operation
    assert np.all(bound[[0, 2]] > 0) and np.all(bound[[0, 2]] < 1e-5 * values[[0, 2]])


def recurrence(steps: int):
    def run(h, w):
        return jax.lax.scan(lambda h, _: (jnp.tanh(1.5 * h @ w), None), h, None, length=steps)[0]

    return run


def test_a_recurrence_carries_its_error_through_every_step_of_a_scan():
    h, w = np.array([0.3, -0.2], np.float32), np.array([[0.9, 0.4], [-0.3, 0.8]], np.float32)
    one, eight = (float(np.max(bound_of(recurrence(steps), h, w))) for steps in (1, 8))
    assert eight > 2 * one


def test_underflow_to_zero_is_within_the_bound():
    x = np.array([-100.0], np.float32)  # exp(-100) = 3.7e-44: below float32's smallest normal number
    values, bound = round_off(jnp.exp, (x,), np.float32)
    assert float(values[0]) > 0 and float(values[0]) <= float(bound[0])  # flushed to 0 in float32: within


# one of each kind of computation: products, a loss with softplus, windows, a scan over time, a masked softmax
ROWS = ["Affine", "SigmoidWithLoss", "Convolution", "TimeRNN", "Attention"]


@pytest.mark.parametrize("row", ROWS)
@settings(max_examples=2, derandomize=True, database=None)
@given(data=st.data())
def test_the_bound_bounds_the_oracles_own_float32_evaluation(row, data):
    """Every oracle call the verifier makes, evaluated op by op in float32 (``rounded_reference_vjp``),
    lands within the computed bound of its float64 value, entry by entry."""
    entry = find_entry(row)
    calls = []

    def recording(function, args, differentiable, cotangent):
        calls.append((function, args, differentiable, cotangent))
        return reference.reference_vjp(function, args, differentiable, cotangent)

    with (
        mock.patch.object(oracle.verify.verifier, "reference_vjp", recording),
        mock.patch.object(oracle.verify.sequences, "reference_vjp", recording),
    ):
        verify_case(entry, data.draw(entry.cases(np.float32), label="case"))
    assert calls
    for function, args, differentiable, cotangent in calls:
        primal, grads, primal_bound, grad_bounds = round_off_vjp(function, args, differentiable, cotangent, np.float32)
        rounded = reference.rounded_reference_vjp(function, args, differentiable, cotangent, np.float32)
        got = jax.tree_util.tree_leaves(rounded)
        exact = jax.tree_util.tree_leaves((primal, grads))
        bounds = jax.tree_util.tree_leaves((primal_bound, grad_bounds))
        for g, e, b in zip(got, exact, bounds, strict=True):
            assert np.all(np.abs(np.asarray(g) - e) <= b * (1 + 1e-9)), row


def test_a_primitive_without_a_rule_gets_its_derivative_along_the_errors():
    x = np.array([0.5, -2.0], np.float32)
    values, bound = round_off(lambda x: jnp.arctan(x * 0.1), (x,), np.float32)  # atan: no rule of its own
    of_product = bound_of(lambda x: x * 0.1, x)
    slope = 1 / (1 + (0.1 * x.astype(np.float64)) ** 2)
    np.testing.assert_array_less(slope * of_product, bound)  # the product's error, carried through atan'
    assert np.all(bound < 1e-6 * np.abs(values) + 1e-30)


def test_a_branch_is_interpreted_as_taken_in_float64():
    def branch(x):
        return jax.lax.cond(x[0] > 0, lambda x: jnp.sum(x * 3.0), lambda x: jnp.sum(x) * 0.1, x)

    x = np.array([1.0, 2.0], np.float32)
    taken = bound_of(branch, x)
    assert float(taken) == float(bound_of(lambda x: jnp.sum(x * 3.0), x))
