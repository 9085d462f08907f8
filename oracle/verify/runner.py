"""Run one catalog entry through Hypothesis against its oracle: the engine of ``manual-bp verify``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings

from oracle.verify.distribution import DistributionResult, run_distribution
from oracle.verify.entry import CatalogEntry, check_error_inputs, verify_case
from oracle.verify.strategies import Case, with_layouts

__all__ = ["EntryResult", "run_entry"]


@dataclasses.dataclass
class EntryResult:
    """The outcome of drawing ``examples`` cases of one layer in one dtype."""

    layer: str
    dtype: str
    examples: int  # examples that passed (all of them, unless it failed)
    max_abs_error: float
    max_rel_error: float  # entrywise |got - ref| / |ref|, over entries with ref != 0
    worst_ratio: float  # largest |got - ref| / tolerance bound seen (above 1 fails); a failure's included
    seed: int
    failure: str | None = None  # the verifier's report for the shrunk failing case
    case: Case | None = None  # the shrunk failing case
    worst_quantity: str = ""  # the quantity that reached worst_ratio (forward, dx, dW, ...)
    failed_quantity: str = ""  # the first failed check's quantity (dx, mutation, ...), if it failed
    distributions: list[DistributionResult] = dataclasses.field(default_factory=list)  # one per check

    @property
    def passed(self) -> bool:
        return self.failure is None

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["case"] = None if self.case is None else repr(self.case)
        data["passed"] = self.passed
        data["distributions"] = [d.as_dict() for d in self.distributions]
        return data


def run_entry(
    entry: CatalogEntry,
    dtype,
    *,
    examples: int = 100,
    seed_value: int = 0,
    shrink: bool = True,
    on_example: Callable[[], None] | None = None,
) -> EntryResult:
    """Verify ``entry`` on ``examples`` Hypothesis-drawn cases of ``dtype``.

    - ``seed_value`` (default 0): the same seed draws the same cases (replay a failure).
    - ``shrink`` (default True): on a failure, shrink it to a minimal case first.
    - ``on_example`` (default None): called after every passed example (progress).
    """
    dtype = np.dtype(dtype)
    result = EntryResult(entry.name, dtype.name, 0, 0.0, 0.0, 0.0, seed_value)
    last_failure: list = [None, None]
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])

    @seed(seed_value)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=phases,
        verbosity=Verbosity.quiet,
        derandomize=False,  # the seed decides, whatever the ambient profile (CI derandomizes)
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=False,
    )
    @given(case=with_layouts(entry.cases(dtype)))
    def check(case):
        try:
            verification = verify_case(entry, case)
        except Exception as error:
            last_failure[:] = [error, case]
            raise
        result.examples += 1
        _fold(result, verification.comparisons)
        if on_example is not None:
            on_example()

    try:
        check()
    except Exception as error:  # noqa: BLE001 - every failure becomes a report
        failing, case = last_failure if last_failure[0] is not None else (error, None)
        message = str(failing) if isinstance(failing, AssertionError) else f"{type(failing).__name__}: {failing}"
        result.failure, result.case = message, case
        _fold(result, getattr(failing, "comparisons", {}))  # the failing example's figures count too
        result.failed_quantity = next(iter(getattr(failing, "quantities", ())), type(failing).__name__)
    declared = check_error_inputs(entry)  # once per row: the boundary errors it declares
    if declared:
        result.failure = "\n".join([*([result.failure] if result.failure else []), *declared])
        result.failed_quantity = result.failed_quantity or "error input"
    check_distributions(entry, dtype, result, seed_value)
    return result


def check_distributions(entry: CatalogEntry, dtype, result: EntryResult, seed_value: int = 0) -> None:
    """Run the row's distribution checks (once per dtype) into ``result``; a failed one fails the row."""
    for index, check in enumerate(entry.distributions):
        outcome = run_distribution(check, entry.layer, dtype, seed=(seed_value, index), layer=entry.name)
        result.distributions.append(outcome)
        if not outcome.passed:
            result.failure = "\n".join([*([result.failure] if result.failure else []), outcome.failure or ""])
            result.failed_quantity = result.failed_quantity or check.name


def _fold(result: EntryResult, comparisons: dict) -> None:
    """Add one example's figures (``{quantity: Comparison}``) to ``result``."""
    for quantity, c in comparisons.items():
        result.max_abs_error = max(result.max_abs_error, c.max_abs_error)
        result.max_rel_error = max(result.max_rel_error, c.max_rel_error)
        if c.worst_ratio > result.worst_ratio or not result.worst_quantity:
            result.worst_ratio, result.worst_quantity = max(result.worst_ratio, c.worst_ratio), quantity
