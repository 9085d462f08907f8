"""The tolerance model: ``|got - ref| <= atol + rtol * |ref| + ntol * max|ref|``, per dtype.

``rtol`` bounds each entry relative to itself, ``ntol`` relative to the largest entry of the
array (entries that are tiny because of cancellation), ``atol`` guards an all-zero reference.
No term grows with the array's size: a checker that scales by size lets a 0.1 % bug through
on large arrays.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

__all__ = [
    "NORMWISE_ULPS",
    "ROUND_OFF_FACTOR",
    "TOLERANCES",
    "Comparison",
    "Tolerance",
    "compare",
    "compare_with_round_off",
    "computes_bound",
    "floor_tolerance",
    "round_off_why",
    "tolerance_for",
]


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """Per-entry bound ``atol + rtol * |ref| + ntol * max|ref|``."""

    atol: float
    rtol: float
    ntol: float

    def bound(self, ref: np.ndarray) -> np.ndarray:
        scale = float(np.max(np.abs(ref))) if ref.size else 0.0
        return self.atol + self.rtol * np.abs(ref) + self.ntol * scale

    def __str__(self) -> str:
        return f"atol={self.atol:.0e}, rtol={self.rtol:.0e}, ntol={self.ntol:.0e}"


# The layer's dtype picks the row; the reference is always computed in float64. float64 is
# held to about 1e-10 relative; float32 to what float32 round-off allows (eps 6e-8, times a
# few accumulations), which the planted-bug tests show still rejects every planted bug.
TOLERANCES = {
    np.dtype(np.float64): Tolerance(atol=1e-12, rtol=1e-10, ntol=1e-12),
    np.dtype(np.float32): Tolerance(atol=1e-6, rtol=1e-5, ntol=1e-5),
    np.dtype(np.float16): Tolerance(atol=1e-3, rtol=1e-2, ntol=1e-2),
}


# A layer computing in float32 (float16) is held, per entry, to
#     ROUND_OFF_FACTOR * e + NORMWISE_ULPS * u * max|expected| + tiny
# where e is the computed bound on the error of the oracle evaluated op by op in that dtype on this
# very example (oracle.verify.round_off: cancellation and amplification through time measured, not
# written into a row), u the dtype's unit round-off and tiny its smallest normal number. The
# normwise term admits a layer whose formula is less stable than the oracle's where the result is
# small next to the array's largest entry (sigmoid's y * (1 - y) at |x| > 17, where float32 rounds
# y to 1); no catalog row needed it in the campaigns (at 4 ulps it is mainly the cheap first check
# that spares computing e). Both constants hold for the whole catalog; docs/benchmarks.md ("The
# computed float32 bound") gives the campaigns that set them.
ROUND_OFF_FACTOR = 4.0
NORMWISE_ULPS = 4.0


def floor_tolerance(dtype) -> Tolerance:
    """The part of a low-precision bound that needs no computation: ``NORMWISE_ULPS`` unit
    round-offs of the largest entry, plus the smallest normal number (an all-zero reference)."""
    info = np.finfo(dtype)
    return Tolerance(atol=float(info.tiny), rtol=0.0, ntol=NORMWISE_ULPS * float(info.eps) / 2)


def round_off_why(dtype) -> str:
    return (
        f"{ROUND_OFF_FACTOR:g} x the computed bound on the round-off of the oracle evaluated op by op in "
        f"{np.dtype(dtype)} on this example"
    )


def computes_bound(dtype, tolerance=None) -> bool:
    """Whether ``dtype``'s bound is computed (``compare_with_round_off``): a float narrower than
    float64 that ``tolerance`` (a ``Tolerance`` for every dtype, or ``{dtype: Tolerance}``) does not
    cover; otherwise ``tolerance_for`` gives it."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f" or dtype.itemsize >= 8 or isinstance(tolerance, Tolerance):
        return False
    return not (tolerance and dtype in {np.dtype(k) for k in tolerance})


def compare_with_round_off(got, expected, dtype, round_off: Callable[[], np.ndarray | None]) -> Comparison:
    """``compare`` under a low-precision ``dtype``'s computed bound: first against its cheap part
    (``floor_tolerance``); only where an entry exceeds it is ``round_off()`` called for the per-entry
    round-off bound of the oracle evaluated in ``dtype`` (None: none available, the floor stands).
    A bound entry that is not finite (the evaluation overflowed) bounds nothing: the floor stands."""
    floor = floor_tolerance(dtype)
    comparison = compare(got, expected, floor)
    if comparison.passed or not np.all(np.isfinite(got)):
        return comparison
    bound = round_off()
    if bound is None or np.shape(bound) != np.shape(expected):
        return comparison
    bound = np.where(np.isfinite(bound), bound, 0.0)
    return compare(got, expected, floor, allowance=ROUND_OFF_FACTOR * bound, why=round_off_why(dtype))


def tolerance_for(dtype, overrides=None) -> Tolerance:
    """The tolerance for a layer computing in ``dtype``; ``overrides`` maps dtype -> Tolerance."""
    dtype = np.dtype(dtype)
    if overrides and dtype in {np.dtype(k) for k in overrides}:
        return {np.dtype(k): v for k, v in overrides.items()}[dtype]
    if dtype not in TOLERANCES:
        raise ValueError(f"no tolerance for dtype {dtype}; known: {', '.join(map(str, TOLERANCES))}")
    return TOLERANCES[dtype]


@dataclasses.dataclass
class Comparison:
    """Outcome of comparing one quantity: errors, and the worst entries if any failed."""

    max_abs_error: float
    max_rel_error: float  # entrywise max |got - ref| / |ref| over the entries where ref != 0 (0 if none)
    worst_ratio: float  # max over entries of |got - ref| / bound: above 1 fails
    failed: int
    size: int
    report: str  # empty when passed

    @property
    def passed(self) -> bool:
        return self.failed == 0


def _index(flat: int, shape: tuple) -> str:
    return str(tuple(int(i) for i in np.unravel_index(flat, shape))) if shape else "()"


def compare(got, ref, tol: Tolerance, *, worst: int = 5, allowance=0.0, why: str = "") -> Comparison:
    """Compare ``got`` with ``ref`` (same shape) entrywise under ``tol``.

    NaN or infinity in ``got`` where ``ref`` is finite always fails. ``allowance`` (a number, or
    an array shaped like ``ref``: one per entry) is added to the bound (``why`` says where it
    comes from in the report). The report lists the ``worst`` entries by how far they exceed
    their bound, with got / expected / errors / bound and, for an array allowance, its share.
    """
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: handled just below
        abs_err = np.abs(got - ref)
    same_nonfinite = (got == ref) | (np.isnan(got) & np.isnan(ref))
    abs_err = np.where(same_nonfinite, 0.0, abs_err)
    abs_err = np.where(np.isnan(abs_err), np.inf, abs_err)
    bound = tol.bound(np.where(np.isfinite(ref), ref, 0.0)) + allowance
    with np.errstate(divide="ignore", invalid="ignore"):
        rel_err = np.where(abs_err == 0, 0.0, abs_err / np.abs(ref))
    bad = abs_err > bound
    max_abs = float(abs_err.max()) if abs_err.size else 0.0
    nonzero = ref != 0
    max_rel = float(rel_err[nonzero].max()) if np.any(nonzero) else 0.0
    ratio = float((abs_err / bound).max()) if abs_err.size else 0.0
    n_bad = int(bad.sum())
    if not n_bad:
        return Comparison(max_abs, max_rel, ratio, 0, int(got.size), "")
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = np.where(bad, abs_err / bound, -np.inf).ravel()
    order = np.argsort(-excess, kind="stable")[: min(worst, n_bad)]
    per_entry = np.ndim(allowance) > 0
    rows = [
        f"    {'index':<14}{'got':>14}{'expected':>14}{'abs err':>11}{'rel err':>11}{'bound':>11}"
        + (f"{'computed':>11}" if per_entry else "")
    ]
    for flat in order:
        rows.append(
            f"    {_index(flat, got.shape):<14}{got.flat[flat]:>14.6g}{ref.flat[flat]:>14.6g}"
            f"{abs_err.flat[flat]:>11.2e}{rel_err.flat[flat]:>11.2e}{bound.flat[flat]:>11.2e}"
            + (f"{np.asarray(allowance).flat[flat]:>11.2e}" if per_entry else "")
        )
    entry_rel = float(rel_err.max())
    header = (
        f"  {n_bad} of {got.size} entries out of tolerance (shape {tuple(got.shape)}); "
        f"max abs error {max_abs:.3e}, max entrywise rel error {entry_rel:.3e}\n"
        f"  tolerance: |got - expected| <= atol + rtol*|expected| + ntol*max|expected| with {tol}"
        + (f", + per entry the 'computed' column ({why})" if per_entry else "")
        + (f", + {allowance:.2e} ({why})" if not per_entry and allowance else "")
        + "\n"
        "  worst entries:\n"
    )
    return Comparison(max_abs, max_rel, ratio, n_bad, int(got.size), header + "\n".join(rows))
