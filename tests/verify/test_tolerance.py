"""The tolerance model and the comparison report."""

import numpy as np
import pytest

from oracle.verify.tolerance import TOLERANCES, Tolerance, compare, tolerance_for


def test_bound_combines_absolute_relative_and_normwise_terms():
    tol = Tolerance(atol=1.0, rtol=0.1, ntol=0.01)
    np.testing.assert_allclose(tol.bound(np.array([0.0, -10.0, 100.0])), [2.0, 3.0, 12.0])


def test_bound_does_not_grow_with_size():
    tol = TOLERANCES[np.dtype(np.float64)]
    assert tol.bound(np.ones(10))[0] == tol.bound(np.ones(100_000))[0]


def test_float64_is_tight_and_float32_looser():
    assert tolerance_for(np.float64).rtol <= 1e-10
    assert tolerance_for(np.float32).rtol > tolerance_for(np.float64).rtol


def test_override_replaces_one_dtype_only():
    loose = Tolerance(1, 1, 1)
    assert tolerance_for("float32", {np.float32: loose}) is loose
    assert tolerance_for("float64", {np.float32: loose}) is TOLERANCES[np.dtype(np.float64)]


def test_unknown_dtype_is_named():
    with pytest.raises(ValueError, match="no tolerance for dtype int64"):
        tolerance_for(np.int64)


def test_nan_where_reference_is_finite_always_fails():
    result = compare(np.array([np.nan, 1.0]), np.array([0.0, 1.0]), Tolerance(1e9, 1e9, 1e9))
    assert not result.passed and result.failed == 1


def test_matching_infinities_pass():
    assert compare(np.array([np.inf, 1.0]), np.array([np.inf, 1.0]), TOLERANCES[np.dtype(np.float64)]).passed


def test_report_lists_worst_entries_first():
    ref = np.zeros((3, 3))
    got = ref.copy()
    got[2, 1], got[0, 2] = 5.0, 1.0
    result = compare(got, ref, Tolerance(0.5, 0, 0), worst=5)
    lines = result.report.splitlines()
    assert "2 of 9 entries out of tolerance (shape (3, 3))" in lines[0]
    assert lines[4].split()[:2] == ["(2,", "1)"] and lines[5].split()[:2] == ["(0,", "2)"]
