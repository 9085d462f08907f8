"""The strategies draw what verification needs: valid values, kinks, large values, informative dout."""

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from oracle.catalog import CATALOG
from oracle.catalog.activations import elementwise_cases
from oracle.catalog.losses import softmax_with_loss_cases
from oracle.verify.entry import DTYPES
from oracle.verify.strategies import cotangents, float_arrays, informative, labels


def _share(strategy, predicate, examples=200):
    seen = []

    @settings(max_examples=examples, derandomize=True, database=None)
    @given(strategy)
    def collect(value):
        seen.append(bool(predicate(value)))

    collect()
    return sum(seen) / len(seen)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("entry", CATALOG, ids=lambda e: e.name)
@given(data=st.data())
def test_cases_are_finite_normal_and_of_the_layers_dtype(entry, dtype, data):
    case = data.draw(entry.cases(dtype))
    for name, value in {**case.inputs, **case.params, "dout": case.dout}.items():
        array = np.asarray(value)
        if name in entry.nondiff and array.dtype.kind in "iub":  # labels, masks: data, not floats
            continue
        mixed = name != entry.inputs[0]  # all but the first input may be of the other width (mixed dtypes)
        assert array.dtype == dtype or mixed and array.dtype.kind == "f", name
        assert np.all(np.isfinite(array)), name
        tiny = np.finfo(dtype).tiny
        assert not np.any((array != 0) & (np.abs(array) < tiny)), f"{name} has a subnormal"


@given(dout=st.sampled_from([(), (1,), (2, 3)]).flatmap(lambda shape: cotangents(np.float32, shape)))
def test_cotangents_are_never_constant_nor_zero_or_one(dout):
    flat = dout.ravel()
    assert dout.dtype == np.float32
    if flat.size == 1:
        assert flat[0] not in (0.0, 1.0)
    else:
        assert not np.all(flat == flat[0])


def test_informative_repairs_constant_cotangents():
    assert not np.all(informative(np.ones((2, 2))) == 1.0)
    assert informative(np.array(1.0)) == 1.5
    assert informative(np.zeros(3, np.float32)).dtype == np.float32


def test_a_fair_share_of_elementwise_cases_hit_the_kink_at_zero():
    assert _share(elementwise_cases(np.float64), lambda c: np.any(c.inputs["x"] == 0)) > 0.25


def test_a_fair_share_of_elementwise_cases_have_large_magnitudes():
    assert _share(elementwise_cases(np.float64), lambda c: np.any(np.abs(c.inputs["x"]) > 100)) > 0.25


def test_a_fair_share_of_arrays_have_ties():
    def has_ties(x):
        return np.unique(x).size < x.size

    assert _share(float_arrays(np.float64, (6,)), has_ties) > 0.25


def test_both_label_kinds_and_single_samples_are_drawn():
    def kind(c):
        return (c.inputs["x"].ndim, c.inputs["t"].dtype.kind)

    find(softmax_with_loss_cases(np.float64), lambda c: kind(c) == (1, "i"))
    find(softmax_with_loss_cases(np.float64), lambda c: kind(c) == (2, "f"))


@given(t=labels(4, (3,), np.float32))
def test_labels_are_indices_in_range_or_rows_summing_to_one(t):
    if t.dtype.kind == "i":
        assert t.shape == (3,) and t.min() >= 0 and t.max() < 4
    else:
        assert t.dtype == np.float32 and t.shape == (3, 4)
        np.testing.assert_allclose(t.sum(axis=-1), 1, rtol=1e-6)


def test_dense_targets_of_any_non_negative_row_sum_are_drawn_all_zero_rows_included():
    t = find(
        labels(3, (4,), np.float64, any_sums=True),
        lambda t: t.dtype.kind == "f" and np.any(t.sum(axis=-1) == 0) and np.any(t.sum(axis=-1) > 1.5),
    )
    assert np.all(t >= 0)


def test_float32_values_are_drawn_at_float32_width():
    x = find(float_arrays(np.float32, (3,), max_value=1e3), lambda a: np.any((a != 0) & (a != np.round(a))))
    assert x.dtype == np.float32
