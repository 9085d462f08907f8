"""The catalog property: every layer equals its JAX oracle on drawn cases, in both dtypes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.verify.catalog import CATALOG, DTYPES, find_entry, verify_case


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("entry", CATALOG, ids=lambda e: e.name)
@given(data=st.data())
def test_layer_matches_its_oracle(entry, dtype, data):
    case = data.draw(entry.cases(dtype), label="case")
    verification = verify_case(entry, case)
    assert verification.dtype == dtype or entry.name in {"AddLayer", "MulLayer"}
    assert verification.worst_ratio <= 1.0


def test_catalog_names_are_unique_and_found_case_insensitively():
    names = [entry.name for entry in CATALOG]
    assert len(names) == len(set(names)) == 17
    assert find_entry("relu") is find_entry("ReLU")


def test_unknown_layer_lists_the_known_ones():
    with pytest.raises(KeyError, match="no layer 'Conv'.*Affine"):
        find_entry("Conv")


@pytest.mark.parametrize("entry", CATALOG, ids=lambda e: e.name)
def test_every_row_names_its_arguments_and_conventions(entry):
    assert entry.conventions
    assert set(entry.nondiff) <= set(entry.inputs) | set(entry.params)
