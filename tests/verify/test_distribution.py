"""Distribution checks: the exact binomial test, its reports, and the catalog's random components."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.catalog import EVERY_ROW, find_entry
from oracle.catalog.dezero.dropout import seeded_dropout
from oracle.catalog.negative_sampling import inclusion_probabilities
from oracle.verify.distribution import ALPHA, Distribution, Tally, binomial_tails, run_distribution


def _exact_tails(k: int, n: int, p: Fraction) -> tuple[Fraction, Fraction]:
    pmf = [math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(n + 1)]
    return sum(pmf[: k + 1]), sum(pmf[k:])


@given(n=st.integers(1, 60), data=st.data(), p=st.sampled_from((Fraction(1, 100), Fraction(1, 3), Fraction(9, 10))))
def test_binomial_tails_equal_the_exact_sums_to_a_relative_1e_12(n, data, p):
    k = data.draw(st.integers(0, n))
    low, high = binomial_tails(k, n, float(p))
    exact_low, exact_high = _exact_tails(k, n, p)
    assert low == pytest.approx(float(exact_low), rel=1e-12, abs=1e-300)
    assert high == pytest.approx(float(exact_high), rel=1e-12, abs=1e-300)


def test_binomial_tails_far_out_are_tiny_but_not_zero():
    low, high = binomial_tails(9_000, 20_000, 0.5)  # about 14 standard deviations below
    assert 0 < low < 1e-40 and high == pytest.approx(1.0)
    # the exact lowest term, C(n, 0) p^0 (1 - p)^n, to round-off
    assert binomial_tails(0, 1_000, 0.25)[0] == pytest.approx(0.75**1_000, rel=1e-12)


def test_probabilities_zero_and_one_are_exact():
    assert binomial_tails(0, 50, 0.0) == (1.0, 1.0)
    assert binomial_tails(1, 50, 0.0) == (1.0, 0.0)
    assert binomial_tails(50, 50, 1.0) == (1.0, 1.0)
    assert binomial_tails(49, 50, 1.0) == (0.0, 1.0)


def _check(counts, trials, expected, broken=()):
    names = tuple(f"category {i}" for i in range(len(counts)))
    return Distribution("coin", lambda make_layer, dtype, rng: Tally(names, counts, trials, expected, broken))


def test_counts_near_their_expectation_pass_and_report_their_smallest_tail():
    result = run_distribution(_check([5_030, 2_480], 10_000, [0.5, 0.25]), None, np.float64, layer="Coin")
    assert result.passed, result.failure
    assert result.draws == 20_000 and result.categories == 2
    assert result.bound == ALPHA / 4
    assert 0.05 < result.smallest_tail < 0.5


def test_a_count_far_off_fails_naming_the_row_the_check_and_the_category():
    result = run_distribution(_check([5_030, 2_800], 10_000, [0.5, 0.25]), None, np.float64, layer="Coin")
    assert not result.passed
    assert result.failure.startswith("Coin: coin: category 1: 2800 of 10000 (0.28), documented probability 0.25")
    assert "P(X >= 2800)" in result.failure and "false-failure rate 1e-06 per check" in result.failure
    assert "category 0" not in result.failure


def test_one_draw_of_a_probability_zero_event_fails():
    assert not run_distribution(_check([0, 1], 10, [0.5, 0.0]), None, np.float64).passed


def test_a_broken_structural_rule_fails_whatever_the_counts():
    result = run_distribution(_check([5], 10, [0.5], ["the target drawn in 2 rows"]), None, np.float64, layer="L")
    assert result.failure == "L: coin: the target drawn in 2 rows"


def test_a_tally_with_unequal_lengths_is_a_value_error_naming_the_check():
    with pytest.raises(ValueError, match="Coin: coin: a Tally needs one name, count and probability per category"):
        run_distribution(_check([1, 2], 10, [0.5]), None, np.float64, layer="Coin")


@pytest.mark.parametrize("weights", ([1.0, 2.0, 4.0, 0.0, 8.0], [3.0, 3.0, 3.0, 3.0]))
@pytest.mark.parametrize("k", (1, 2, 3))
def test_inclusion_probabilities_sum_to_the_sample_size_and_are_the_weights_for_one_draw(weights, k):
    inclusion = inclusion_probabilities(weights, k)
    assert inclusion.sum() == pytest.approx(k)
    assert inclusion[np.asarray(weights) == 0].sum() == 0
    if k == 1:
        np.testing.assert_allclose(inclusion, np.asarray(weights) / sum(weights))


def test_every_row_that_draws_has_a_distribution_check_and_no_other_does():
    drawing = {"Dropout", "TimeDropout", "NegativeSamplingLoss", "F.dropout"}
    assert {entry.name for entry in EVERY_ROW if entry.distributions} == drawing


@pytest.mark.parametrize("dtype", (np.float64, np.float32))
@pytest.mark.parametrize("name", ("Dropout", "TimeDropout", "NegativeSamplingLoss", "F.dropout"))
def test_the_projects_random_components_follow_their_documented_laws(name, dtype):
    entry = find_entry(name)
    for index, check in enumerate(entry.distributions):
        result = run_distribution(check, entry.layer, dtype, seed=(1, index), layer=name)
        assert result.passed, result.failure
        assert result.draws >= 20_000


def _keeping_with_probability_ratio(x, mask, seed, *, dropout_ratio):
    """The third book's dropout with the ratio's meaning swapped (right only at 0.5)."""
    return seeded_dropout(x, mask, seed, dropout_ratio=1 - dropout_ratio if dropout_ratio else 0.0)


@pytest.mark.parametrize("dtype", (np.float64, np.float32))
def test_a_function_dropout_keeping_with_probability_ratio_fails_its_keep_rate_check(dtype):
    entry = find_entry("F.dropout")
    (check,) = entry.distributions
    result = run_distribution(check, _keeping_with_probability_ratio, dtype, seed=0, layer="F.dropout")
    assert not result.passed
    assert "F.dropout: keep rate: unit kept at dropout_ratio=0.2" in result.failure
    assert "dropout_ratio=0.5:" not in result.failure
