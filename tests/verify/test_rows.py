"""Short-form rows: declared from shapes, they verify correct layers and catch broken ones; catalogs are checked."""

import pathlib
import sys

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import manual_bp
from oracle import CatalogEntry, find_entry, layer_tests, row
from oracle.catalog import CATALOG
from oracle.layers.activations import relu
from oracle.layers.convolution import convolution
from oracle.layers.losses import softmax_with_loss
from oracle.verify.rows import as_catalog
from oracle.verify.runner import run_entry

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import user_layers  # noqa: E402  (a user's module, beside the tests)

BROKEN, USER_CATALOG = user_layers.BROKEN, user_layers.CATALOG

# The one line a user writes (see the plugin): one Hypothesis test per short-form row and dtype.
test_user_layers_match_their_oracles = layer_tests(USER_CATALOG)


@pytest.mark.parametrize("entry", BROKEN, ids=lambda e: e.layer.__name__)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_short_form_rows_catch_a_broken_backward(entry, dtype):
    result = run_entry(entry, dtype, examples=100, seed_value=0)
    assert not result.passed
    assert f"{entry.name}: dx does not match the JAX oracle ({dtype})" in result.failure
    assert result.case is not None and result.case.inputs["x"].dtype == np.dtype(dtype)


@settings(max_examples=20)
@given(data=st.data())
def test_named_dimensions_are_drawn_once_per_case_and_dout_has_the_output_shape(data):
    entry = find_entry("LayerNorm", USER_CATALOG)
    dtype = data.draw(st.sampled_from([np.float64, np.float32]))
    case = data.draw(entry.cases(dtype))
    x, gamma, beta = case.inputs["x"], case.params["gamma"], case.params["beta"]
    assert x.shape in {(1, 4), (4, 4)} and gamma.shape == beta.shape == (4,)
    assert case.dout.shape == x.shape and {x.dtype, gamma.dtype, case.dout.dtype} == {np.dtype(dtype)}


def test_dims_choose_the_sizes_and_a_reduction_gets_a_scalar_cotangent():
    entry = row(
        "SoftmaxWithLoss",
        manual_bp.SoftmaxWithLoss,
        softmax_with_loss,
        inputs={"x": ("B", "C"), "t": np.array([0, 2])},
        nondiff=("t",),
        dims={"B": (2,), "C": (3,)},
    )
    case = find(entry.cases(np.float64), lambda case: True)
    assert case.inputs["x"].shape == (2, 3) and case.dout.shape == ()
    assert case.inputs["t"].dtype == np.array([0, 2]).dtype and set(case.inputs["t"]) <= {0, 1, 2}
    assert run_entry(entry, "float64", examples=30).passed


def test_example_arrays_and_a_fixed_configuration_are_enough_for_a_strided_convolution():
    x, W, b = np.zeros((1, 2, 5, 5)), np.zeros((3, 2, 2, 3)), np.zeros(3)
    entry = row(
        "Convolution-s2p1",
        manual_bp.Convolution,
        convolution,
        inputs={"x": x},
        params={"W": W, "b": b},
        config={"stride": 2, "pad": 1},
    )
    case = find(entry.cases(np.float32), lambda case: True)
    assert case.dout.shape == (1, 3, 3, 3) and case.config == {"stride": 2, "pad": 1}
    assert run_entry(entry, "float32", examples=20).passed


def test_a_short_form_row_draws_the_kink_that_exposes_relu_prime_of_zero():
    class KinkReLU:
        def forward(self, x):
            self.x = x
            return np.where(x > 0, x, 0.0)

        def backward(self, dout):
            return np.where(self.x >= 0, dout, 0.0)  # the bug: ReLU'(0) = 1

    good = row("ReLU", manual_bp.ReLU, relu, inputs={"x": ("N", 3)})
    bad = row("ReLU", KinkReLU, relu, inputs={"x": ("N", 3)})
    assert run_entry(good, "float64", examples=50).passed
    result = run_entry(bad, "float64", examples=100)
    assert not result.passed and 0.0 in result.case.inputs["x"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(inputs={}), "inputs is empty"),
        (dict(inputs={"x": [2, 3]}), r"x must be a shape \(a tuple of ints and dimension names"),
        (dict(inputs={"x": ("M", 3)}), r"dimension\(s\) M not in dims \['N'\]"),
        (dict(inputs={"x": (2, 3)}, nondiff=("t",)), r"nondiff names \['t'\] are not arguments"),
    ],
)
def test_row_says_what_is_wrong_with_a_declaration(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        row("ReLU", manual_bp.ReLU, relu, **kwargs)


@pytest.mark.parametrize(
    ("value", "found"),
    [
        (np, "is a module (numpy)"),
        ("CATALOG", "is a str ('CATALOG')"),
        ([], "is an empty list"),
        (CATALOG[0], "is one CatalogEntry (AddLayer), not a sequence of them (put it in a list)"),
        ([CATALOG[0], {"name": "x"}], "is a list holding a dict at index 1"),
        (len, "is a builtin_function_or_method"),
    ],
)
def test_a_value_that_is_not_a_catalog_is_named_in_one_line(value, found):
    with pytest.raises(ValueError) as error:
        as_catalog(value, "my_layers:CATALOG")
    message = str(error.value)
    assert message.startswith(f"my_layers:CATALOG {found}; a catalog must be a non-empty list or tuple of ")
    assert "\n" not in message


def test_a_catalog_is_returned_as_a_tuple_of_its_rows():
    rows = as_catalog(list(CATALOG[:2]))
    assert rows == CATALOG[:2] and all(isinstance(r, CatalogEntry) for r in rows)
