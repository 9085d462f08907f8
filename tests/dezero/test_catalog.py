"""Every DeZero Function is a catalog row, equal to its JAX oracle to the second order, in both dtypes."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import manual_bp.dezero.functions as F
from manual_bp.dezero import Function
from oracle.catalog import EVERY_ROW, FUNCTIONS, find_entry
from oracle.verify.entry import DTYPES, check_error_inputs, verify_case
from oracle.verify.function_entry import FunctionCase
from oracle.verify.verifier import VerificationError

NOT_DIFFERENTIABLE = {"accuracy"}


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("entry", FUNCTIONS, ids=lambda e: e.name)
@given(data=st.data())
def test_function_matches_its_oracle_to_the_second_order(entry, dtype, data):
    case = data.draw(entry.cases(dtype), label="case")
    verification = verify_case(entry, case)
    assert verification.dtype == dtype
    assert verification.worst_ratio <= 1.0
    diff = [k for k in entry.inputs if k not in entry.nondiff]
    assert {f"d/d{k} <g, w>" for k in diff} | {"d/dgy <g, w>"} <= set(verification.comparisons)


def test_every_public_function_has_a_row():
    names = {entry.name.split("[")[0].removeprefix("F.") for entry in FUNCTIONS}
    assert set(F.__all__) - NOT_DIFFERENTIABLE <= names


def test_the_elementwise_rows_check_derivatives_up_to_the_sixth():
    for name in ("F.sin", "F.cos", "F.tanh", "F.exp", "F.log", "F.sigmoid"):
        entry = find_entry(name, FUNCTIONS)
        assert entry.derivatives == 6 and entry.orders_checked == "first and second order, derivatives 1-6"


@pytest.mark.parametrize("entry", [e for e in FUNCTIONS if e.errors], ids=lambda e: e.name)
def test_declared_error_inputs_are_rejected(entry):
    assert check_error_inputs(entry) == []


def test_verify_runs_the_layers_then_the_functions_with_unique_names():
    names = [entry.name.lower() for entry in EVERY_ROW]
    assert len(names) == len(set(names))
    assert names.index("f.add") > names.index("affine")


def test_a_wrong_second_derivative_is_reported_with_its_quantity():
    class TanhFromData(Function):  # right to first order, its backward reads y.data: no second order
        def forward(self, x):
            return np.tanh(x)

        def backward(self, gy):
            return gy * (1 - self.outputs[0]().data ** 2)

    entry = dataclasses.replace(find_entry("F.tanh", FUNCTIONS), layer=lambda x: TanhFromData()(x), derivatives=0)
    case = FunctionCase({"x": np.array([0.5, -1.0, 2.0])}, {}, np.array([1.0, 2.0, -1.0]), w={"x": np.ones(3)})
    with pytest.raises(VerificationError, match=r"F.tanh: d/dx <g, w> \(float64\) differs") as failure:
        verify_case(entry, case)
    assert "F.tanh: dx" not in str(failure.value)  # the first order is right
