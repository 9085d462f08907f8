"""Dropout: inverted scaling, masks from the injected Generator, both modes, errors."""

import dataclasses

import numpy as np
import pytest
from hypothesis import example, given

from manual_bp import Dropout
from manual_bp.layers.dropout import dropout_mask
from oracle.catalog import find_entry
from oracle.catalog.dropout import dropout_cases
from oracle.layers.dropout import dropout, seeded_dropout_layer
from oracle.verify.binding import bind
from oracle.verify.entry import verify_case
from oracle.verify.runner import run_entry
from oracle.verify.strategies import Case

DROPOUT = find_entry("Dropout")
RATIOS = (0.0, 0.2, 0.9)
ORACLES = {
    p: bind(lambda x, mask, seed, *, dropout_ratio: dropout(x, mask, dropout_ratio=dropout_ratio), dropout_ratio=p)
    for p in RATIOS
}


def _case(x, seed, dout):
    mask = dropout_mask(np.random.default_rng(seed), x.shape, 0.5).astype(x.dtype)
    return Case({"x": x}, {"mask": mask, "seed": seed}, dout)


ZEROS_F32 = _case(np.zeros((2, 3), np.float32), 7, np.arange(6, dtype=np.float32).reshape(2, 3))


@given(case=dropout_cases(np.float64))
@example(case=ZEROS_F32)
@example(case=_case(np.array([1.0, -2.0, 0.0, 3.0, 4.0]), 0, np.array([1.0, 2.0, 3.0, 4.0, 5.0])))
def test_dropout_matches_oracle_mask_for_mask(case):
    verify_case(DROPOUT, case)


@pytest.mark.parametrize("ratio", RATIOS)
def test_any_ratio_matches_oracle(ratio):
    entry = dataclasses.replace(
        DROPOUT,
        name=f"Dropout({ratio})",
        function=ORACLES[ratio],
        layer=lambda mask, seed: Dropout(ratio, rng=np.random.default_rng(seed)),
        cases=lambda dtype: dropout_cases(dtype, dropout_ratio=ratio),
        distributions=(),  # they build the row's factory with a ratio; this one has its ratio fixed
    )
    result = run_entry(entry, np.float64, examples=20)
    assert result.passed, result.failure


def test_training_output_is_inverted_dropout_and_inference_is_the_identity():
    x = np.arange(1.0, 9.0)
    layer = Dropout(0.25, seed=3)
    out = layer.forward(x)
    np.testing.assert_array_equal(out, np.where(layer.mask, x / 0.75, 0))
    np.testing.assert_array_equal(layer.backward(np.ones(8)), np.where(layer.mask, 1 / 0.75, 0))
    np.testing.assert_array_equal(layer.forward(x, train_flg=False), x)
    np.testing.assert_array_equal(layer.backward(np.full(8, 2.0)), np.full(8, 2.0))


def test_the_expected_training_output_is_the_input():
    out = Dropout(0.5, seed=0).forward(np.ones(200_000))
    assert abs(out.mean() - 1.0) < 0.01


def test_masks_come_from_the_injected_generator_and_not_the_global_state():
    state = np.random.get_state()[1].copy()
    first, second = Dropout(0.5, rng=np.random.default_rng(42)), Dropout(0.5, seed=42)
    first.forward(np.ones((3, 4)))
    second.forward(np.ones((3, 4)))
    np.testing.assert_array_equal(first.mask, second.mask)
    np.testing.assert_array_equal(first.mask, np.random.default_rng(42).random((3, 4)) >= 0.5)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_each_training_forward_draws_a_new_mask_and_backward_reuses_the_last():
    layer = Dropout(0.5, seed=1)
    layer.forward(np.ones(64))
    first = layer.mask.copy()
    layer.forward(np.ones(64))
    assert not np.array_equal(first, layer.mask)
    np.testing.assert_array_equal(layer.backward(np.ones(64)), layer.backward(np.ones(64)))


def test_the_catalog_layer_draws_the_cases_mask_itself():
    case = ZEROS_F32
    layer = seeded_dropout_layer(case.params["mask"], case.params["seed"])
    layer.forward(case.inputs["x"])
    np.testing.assert_array_equal(layer.mask, case.params["mask"])


def test_ratio_zero_keeps_everything_and_float32_stays_float32():
    layer = Dropout(0.0, seed=0)
    x = np.arange(6, dtype=np.float32)
    np.testing.assert_array_equal(layer.forward(x), x)
    assert layer.forward(x).dtype == layer.backward(np.ones(6, np.float32)).dtype == np.float32


@pytest.mark.parametrize("ratio", [1.0, -0.1])
def test_a_ratio_outside_zero_to_one_is_rejected(ratio):
    with pytest.raises(ValueError, match=r"dropout_ratio must lie in \[0, 1\)"):
        Dropout(ratio)


def test_the_generator_must_be_a_numpy_generator():
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        Dropout(0.5, rng=np.random.RandomState(0))
    with pytest.raises(ValueError, match="give seed or rng, not both"):
        Dropout(0.5, rng=np.random.default_rng(0), seed=0)


def test_dout_of_the_wrong_shape_is_rejected_and_backward_needs_forward():
    layer = Dropout()
    with pytest.raises(RuntimeError, match="Dropout.backward called before Dropout.forward"):
        layer.backward(np.ones(2))
    layer.forward(np.ones((2, 3)))
    with pytest.raises(
        ValueError,
        match=r"dout must have shape \(2, 3\) \(the shape of the forward output\), "
        r"got \(3,\)",
    ):
        layer.backward(np.ones(3))
