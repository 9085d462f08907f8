"""The reference compiles once per (function, fixed hyperparameters, shapes): not once per dtype,
nor once per value of a hyperparameter the oracle declares traced.

Counts come from ``reference.compile_count()`` (distinct compiled signatures in this process), never
from timings. Each test uses shapes no other test draws, so its count starts from nothing new.
"""

import jax
import numpy as np

import oracle
from oracle.catalog import find_entry
from oracle.layers.activations import leaky_relu, softmax
from oracle.layers.time_layers import time_softmax_with_loss
from oracle.verify import reference
from oracle.verify.binding import bind
from oracle.verify.entry import verify_case
from oracle.verify.reference import reference_vjp, vjp_of_differentiable
from oracle.verify.strategies import Case

RNG = np.random.default_rng(17)


def _compiles_of(calls) -> int:
    before = reference.compile_count()
    for call in calls:
        call()
    return reference.compile_count() - before


def test_every_value_of_a_traced_hyperparameter_shares_one_compile():
    x, dout = RNG.normal(size=(7, 11)), RNG.normal(size=(7, 11))
    alphas = (0.01, 0.3, -0.5, 2.0)
    results = {}

    def run(alpha):
        results[alpha] = reference_vjp(bind(leaky_relu, alpha=alpha), [x], [True], dout)

    assert _compiles_of([lambda a=a: run(a) for a in alphas]) == 1
    for alpha in alphas:
        (dx,) = results[alpha][1]
        assert np.array_equal(results[alpha][0], np.where(x > 0, x, alpha * x))
        assert np.array_equal(dx, np.where(x > 0, dout, alpha * dout))


def test_a_users_function_declares_its_traced_hyperparameters_through_oracle():
    @oracle.traced_hyperparameters("beta")
    def swish(x, *, beta=1.0):
        return x * jax.nn.sigmoid(beta * x)

    x, dout = RNG.normal(size=(5, 13)), RNG.normal(size=(5, 13))
    calls = [lambda b=b: reference_vjp(bind(swish, beta=b), [x], [True], dout) for b in (0.5, 1.0, 2.0)]
    assert _compiles_of(calls) == 1


def test_a_traced_integer_hyperparameter_keeps_its_kind():
    xs, dout = RNG.normal(size=(2, 13, 3)), np.asarray(RNG.normal())
    ts = np.array([[0, 1, 2] * 4 + [0], [2, 0, 1] * 4 + [1]])
    got = {}
    for ignore_label in (0, 2, -1):
        bound = bind(time_softmax_with_loss, ignore_label=ignore_label)
        assert bound.traced_values[0].dtype == np.int64
        got[ignore_label] = reference_vjp(bound, [xs, ts], [True, False], dout)
        with jax.enable_x64(True):  # the same, compiled with the label fixed, op by op
            primal, (dxs,) = vjp_of_differentiable(bound, (True, False))((xs, ts), dout)
        np.testing.assert_allclose(got[ignore_label][0], primal, rtol=1e-14)
        np.testing.assert_allclose(got[ignore_label][1][0], dxs, rtol=1e-13, atol=1e-16)
    assert not np.array_equal(got[0][1][0], got[2][1][0])  # the value reached the compiled function


def test_a_fixed_hyperparameter_still_compiles_once_per_value():
    x, dout = RNG.normal(size=(3, 5, 7)), RNG.normal(size=(3, 5, 7))
    calls = [lambda a=a: reference_vjp(bind(softmax, axis=a), [x], [True], dout) for a in (0, 1, 2, 0)]
    assert _compiles_of(calls) == 3  # an axis decides shapes: it cannot be traced


def test_bind_gives_every_value_of_a_traced_hyperparameter_one_template():
    assert bind(leaky_relu, alpha=0.3).template is bind(leaky_relu, alpha=2.0).template
    assert bind(leaky_relu, alpha=0.3).__name__ == "leaky_relu[alpha=0.3]"
    assert not hasattr(bind(softmax, axis=0), "template")


def test_both_dtypes_and_every_ignore_label_of_a_row_share_one_compile():
    entry = find_entry("TimeSoftmaxWithLoss")
    ts = np.array([[0, 1, 2, 3, 0, 1, 2, 3, 0]] * 3)
    cases = [
        Case(
            {"xs": RNG.normal(size=(3, 9, 4)).astype(dtype), "ts": ts},
            {"ignore_label": np.int64(ignore_label)},  # the row passes it as data
            np.asarray(RNG.normal(), dtype),
        )
        for dtype in (np.float64, np.float32)
        for ignore_label in (-1, 0, 3, -100)
    ]
    assert _compiles_of([lambda c=c: verify_case(entry, c) for c in cases]) == 1
