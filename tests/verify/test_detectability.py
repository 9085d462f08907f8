"""bench/detectability.py plants what it says: a corruption of one named gradient, of relative
size delta, that the verifier catches when it is large and that is harmless when delta is 0."""

import importlib.util
import pathlib

import numpy as np
import pytest

from oracle.catalog import find_entry
from oracle.verify.runner import run_entry

PATH = pathlib.Path(__file__).parents[2] / "bench" / "detectability.py"
spec = importlib.util.spec_from_file_location("detectability", PATH)
assert spec is not None and spec.loader is not None
detectability = importlib.util.module_from_spec(spec)
spec.loader.exec_module(detectability)


def test_a_scaled_gradient_has_relative_error_delta_and_one_entry_moves_by_delta_of_the_max():
    g = np.array([[1.0, -4.0], [2.0, 0.5]], dtype=np.float64)
    scaled = detectability.corrupt_array(g, "scale", 1e-3)
    np.testing.assert_allclose(scaled, g * 1.001, rtol=1e-15)
    bumped = detectability.corrupt_array(g, "entry", 1e-3)
    assert bumped[0, 0] == pytest.approx(1.0 + 4e-3, rel=1e-15)
    assert np.array_equal(bumped.flat[1:], g.flat[1:])
    for kind in detectability.KINDS:  # still linear in dout: a zero gradient stays zero
        zero = detectability.corrupt_array(np.zeros((2, 3), np.float32), kind, 1e-1)
        assert zero.dtype == np.float32 and not np.any(zero)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("row", "quantity"), [("Affine", "dW"), ("Affine", "dx"), ("F.tanh", "dx")])
def test_a_tenth_planted_into_one_gradient_is_caught_naming_it(row, quantity, dtype):
    entry = detectability.corrupted_entry(find_entry(row), quantity, "scale", 1e-1)
    result = run_entry(entry, dtype, examples=10, shrink=False)
    assert not result.passed
    assert result.failed_quantity == quantity, result.failure


@pytest.mark.parametrize("row", ["Affine", "F.tanh"])
def test_the_wrapper_with_delta_zero_passes(row):
    entry = find_entry(row)
    for quantity in detectability.quantities(entry):
        result = run_entry(detectability.corrupted_entry(entry, quantity, "entry", 0.0), "float64", examples=10)
        assert result.passed, result.failure
