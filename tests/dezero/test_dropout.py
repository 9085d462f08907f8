"""dropout: an injected Generator or seed (never the global RNG), the mask as data, identity in test mode."""

import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable, test_mode
from manual_bp.layers.dropout import dropout_mask
from oracle.dezero import dropout as oracle
from oracle.verify.binding import bind

from .exact import verify_exactly

DTYPES = (np.float64, np.float32)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout_with_a_seed_keeps_the_mask_that_seed_draws_to_the_second_order(dtype):
    x = np.random.default_rng(0).normal(size=(4, 5)).astype(dtype)
    mask = dropout_mask(np.random.default_rng(7), x.shape, 0.3).astype(dtype)
    verification = verify_exactly(
        lambda x, mask: F.dropout(x, 0.3, seed=7),
        bind(oracle.dropout, dropout_ratio=0.3),
        {"x": x, "mask": mask},
        nondiff=("mask",),
    )
    assert verification.comparisons["d/dx <g, w>"].max_abs_error == 0.0


def test_the_gradient_is_the_kept_units_scaled_by_one_over_the_keep_probability():
    x = Variable(np.ones((3, 4)))
    y = F.dropout(x, 0.5, seed=1)
    y.backward()
    mask = dropout_mask(np.random.default_rng(1), (3, 4), 0.5)
    np.testing.assert_array_equal(x.grad.data, np.where(mask, 2.0, 0.0))
    np.testing.assert_array_equal(y.data, np.where(mask, 2.0, 0.0))


def test_an_injected_generator_is_drawn_from_and_the_global_state_is_untouched():
    state = np.random.get_state()[1].copy()
    rng = np.random.default_rng(3)
    first, second = F.dropout(np.ones(1000), rng=rng).data, F.dropout(np.ones(1000), rng=rng).data
    assert not np.array_equal(first, second)  # the Generator moved on
    np.testing.assert_array_equal(first, F.dropout(np.ones(1000), seed=3).data)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_in_test_mode_dropout_is_x_itself_and_draws_nothing():
    x, rng = Variable(np.ones(5)), np.random.default_rng(0)
    with test_mode():
        assert F.dropout(x, 0.9, rng=rng) is x
    assert rng.random() == np.random.default_rng(0).random()


def test_float32_stays_float32():
    assert F.dropout(np.ones(4, dtype=np.float32), 0.25, seed=0).dtype == np.float32


def test_a_ratio_outside_zero_to_one_or_two_sources_of_randomness_are_errors():
    with pytest.raises(ValueError, match=r"dropout_ratio must lie in \[0, 1\)"):
        F.dropout(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="give seed or rng, not both"):
        F.dropout(np.ones(3), seed=1, rng=np.random.default_rng(1))
