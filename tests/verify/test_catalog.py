"""The catalog property: every layer equals its JAX oracle on drawn cases, in both dtypes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.catalog import CATALOG, find_entry
from oracle.layers.convolution import convolution
from oracle.verify.binding import bind
from oracle.verify.entry import DTYPES, verify_case
from oracle.verify.strategies import Case
from oracle.verify.verifier import VerificationError


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("entry", CATALOG, ids=lambda e: e.name)
@given(data=st.data())
def test_layer_matches_its_oracle(entry, dtype, data):
    case = data.draw(entry.cases(dtype), label="case")
    verification = verify_case(entry, case)
    arrays = [np.asarray(v) for v in (*case.inputs.values(), *case.params.values())]
    mixed = any(a.dtype != dtype for a in arrays if a.dtype.kind == "f")  # the result has the wider dtype
    assert verification.dtype == dtype or mixed
    assert verification.worst_ratio <= 1.0


def test_catalog_names_are_unique_and_found_case_insensitively():
    names = [entry.name for entry in CATALOG]
    assert len(names) == len(set(names)) == 15 + 16 + 4  # the first book, the sequel, attention
    assert find_entry("relu") is find_entry("ReLU")


def test_unknown_layer_lists_the_known_ones():
    with pytest.raises(KeyError, match="no layer 'Conv'.*Affine"):
        find_entry("Conv")


@pytest.mark.parametrize("entry", CATALOG, ids=lambda e: e.name)
def test_every_row_names_its_arguments_and_conventions(entry):
    assert entry.conventions
    assert set(entry.nondiff) <= set(entry.inputs) | set(entry.params)


def test_a_case_configuration_builds_the_layer_and_binds_the_oracle_alike():
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(1, 2, 5, 5)), rng.normal(size=(3, 2, 2, 3)), rng.normal(size=3)
    config = {"stride": 2, "pad": 1}
    dout = rng.normal(size=(1, 3, 3, 3))  # OH = (5 + 2 - 2) // 2 + 1 = 3, OW = (5 + 2 - 3) // 2 + 1 = 3
    case = Case({"x": x}, {"W": W, "b": b}, dout, config=config)
    verification = verify_case(find_entry("Convolution"), case)
    assert verification.max_abs_error < 1e-12
    assert "config={'stride': 2, 'pad': 1}" in repr(case)
    with pytest.raises(VerificationError, match="shape"):  # the unconfigured layer gives another output shape
        verify_case(find_entry("Convolution"), Case({"x": x}, {"W": W, "b": b}, dout))


def test_bind_returns_one_object_per_function_and_configuration():
    assert bind(convolution, stride=2, pad=1) is bind(convolution, pad=1, stride=2)
    assert bind(convolution, stride=2, pad=1) is not bind(convolution, stride=1, pad=1)


def test_no_row_sets_a_float32_tolerance_by_hand():
    """float32 (and float16) bounds are computed per example (``oracle.verify.round_off``): a row may
    tighten or loosen float64 only, with its reason."""
    from oracle.catalog import EVERY_ROW

    hand_set = [(e.name, str(np.dtype(k))) for e in EVERY_ROW for k in e.tolerance if np.dtype(k).itemsize < 8]
    assert not hand_set
    assert all(e.tolerance_reason for e in EVERY_ROW if e.tolerance)
