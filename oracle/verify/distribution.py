"""Random components checked in distribution: many seeded draws against the documented law.

A gradient check takes what a layer drew (a dropout mask, negative samples) as data, so it
cannot see a layer that draws from the wrong distribution. A row's ``distributions`` (a tuple
of ``Distribution``) close that hole. Each one builds the row's own layer from a seeded
Generator, draws many times, and returns a ``Tally``: for each category (a word given a
target, a unit kept at one ratio, ...) how many of ``trials`` independent trials showed it and
the documented probability ``p`` of that, so each count is ``Binomial(trials, p)``; plus the
structural rules the draws broke (the target drawn, a repeat in a row), which never fail by
chance.

The test is exact: for each of the ``m`` categories, the two binomial tails of its count,
``P(X <= k)`` and ``P(X >= k)``, summed exactly (``binomial_tails``); the check fails when
either is at most ``ALPHA / (2 m)``. By the union bound a correct layer fails a check with
probability at most ``ALPHA`` = 1e-6, whatever ``m`` and the number of trials (the tails of a
discrete law only make it smaller). A probability of 0 or 1 is exact as well: one draw against
it fails. The seed comes from ``manual-bp verify --seed``, so a run replays.

Your own layer's check, as a row field (see the README, "Your own layers")::

    def keep_rate(make_layer, dtype, rng):
        layer = make_layer(dropout_ratio=0.3, rng=rng)
        kept = layer.forward(np.ones(20_000, dtype)) != 0
        return Tally(("kept at 0.3",), [kept.sum()], kept.size, [0.7])

    CatalogEntry(..., distributions=(Distribution("keep rate", keep_rate, "each unit kept with 1 - ratio"),))

``make_layer`` is the row's ``layer`` factory (``CatalogEntry.layer``), as the gradient cases call it.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["ALPHA", "Distribution", "DistributionResult", "Tally", "binomial_tails", "run_distribution"]

ALPHA = 1e-6  # the largest probability that a correct layer fails one check (union bound over categories)


@dataclasses.dataclass(frozen=True)
class Tally:
    """What one distribution check observed.

    - ``categories``: a name for each category (``"word 3 | target 0"``), used in reports.
    - ``counts``: per category, the trials that showed it.
    - ``trials``: independent trials per category (one int for all, or one per category).
    - ``expected``: per category, the documented probability of it in one trial.
    - ``broken``: structural rules the draws broke, one line each (``"target drawn in 3 rows"``).
    """

    categories: Sequence[str]
    counts: Sequence[int]
    trials: int | Sequence[int]
    expected: Sequence[float]
    broken: Sequence[str] = ()


@dataclasses.dataclass(frozen=True)
class Distribution:
    """A documented distribution of what a row's layer draws.

    - ``name``: the quantity a failure names (``"Dropout: keep rate"``).
    - ``tally``: ``tally(make_layer, dtype, rng) -> Tally``; ``make_layer`` is the row's ``layer``
      factory, ``rng`` a seeded ``numpy.random.Generator`` to build the layer's own Generator from.
    - ``law`` (default ``""``): the documented law in words (``manual-bp verify --list`` prints it).
    """

    name: str
    tally: Callable[..., Tally]
    law: str = ""


@dataclasses.dataclass
class DistributionResult:
    """One distribution check of one row in one dtype: its figures, its cost, and its verdict."""

    check: str
    draws: int  # trials summed over categories
    categories: int
    smallest_tail: float  # the smallest one-sided binomial tail over categories (1.0: none drawn)
    bound: float  # a tail at or below it fails: ALPHA / (2 * categories)
    seconds: float
    failure: str | None = None

    @property
    def passed(self) -> bool:
        return self.failure is None

    def as_dict(self) -> dict:
        return {**dataclasses.asdict(self), "passed": self.passed}


def binomial_tails(k: int, n: int, p: float) -> tuple[float, float]:
    """``(P(X <= k), P(X >= k))`` for ``X ~ Binomial(n, p)``, summed exactly term by term.

    The terms ``C(n, j) p^j (1 - p)^(n - j)`` are computed in log space (``log C(n, j)`` as the
    running sum of ``log((n - i + 1) / i)``, NumPy, O(n): about 1 ms per 10^4 trials), then
    summed relative to the largest one, so a tail of 1e-300 is as accurate as a tail of 0.5
    (relative error about ``n`` times 1e-15, far below what moves a 1e-7 decision).
    ``p`` of 0 or 1 gives exact 0 / 1 tails.
    """
    if not 0 <= k <= n:
        raise ValueError(f"k must lie in [0, n] = [0, {n}], got {k}")
    if p <= 0.0 or p >= 1.0:
        certain = 0 if p <= 0.0 else n
        return (1.0 if k >= certain else 0.0), (1.0 if k <= certain else 0.0)
    j = np.arange(n + 1, dtype=np.float64)
    i = j[1:]
    log_choose = np.concatenate([[0.0], np.cumsum(np.log(n - i + 1) - np.log(i))])
    log_pmf = log_choose + j * math.log(p) + (n - j) * math.log1p(-p)
    return min(1.0, _sum_exp(log_pmf[: k + 1])), min(1.0, _sum_exp(log_pmf[k:]))


def _sum_exp(log_terms: np.ndarray) -> float:
    top = float(np.max(log_terms))
    return math.exp(top) * float(np.sum(np.exp(log_terms - top)))


def run_distribution(
    check: Distribution, make_layer: Callable, dtype, *, seed: int | Sequence[int] = 0, layer: str = ""
) -> DistributionResult:
    """Draw ``check``'s tally from ``np.random.default_rng(seed)`` and test it (module docstring).

    ``layer`` (default ``""``): the row's name, which starts every failure line.
    """
    started = time.perf_counter()
    label = f"{layer}: {check.name}" if layer else check.name
    tally = check.tally(make_layer, np.dtype(dtype), np.random.default_rng(seed))
    counts = np.asarray(tally.counts, dtype=np.int64).reshape(-1)
    expected = np.asarray(tally.expected, dtype=np.float64).reshape(-1)
    trials = np.broadcast_to(np.asarray(tally.trials, dtype=np.int64), counts.shape)
    names = list(tally.categories)
    if not (len(names) == counts.size == expected.size):
        raise ValueError(
            f"{label}: a Tally needs one name, count and probability per category, got "
            f"{len(names)}, {counts.size} and {expected.size}"
        )
    bound = ALPHA / (2 * max(1, counts.size))
    lines = [f"{label}: {rule}" for rule in tally.broken]
    smallest = 1.0
    for name, k, n, p in zip(names, counts, trials, expected):
        low, high = binomial_tails(int(k), int(n), float(p))
        tail = min(low, high)
        smallest = min(smallest, tail)
        if tail <= bound:
            lines.append(
                f"{label}: {name}: {k} of {n} ({k / max(n, 1):.4g}), documented probability {p:.4g} "
                f"(expected {n * p:.1f}); binomial tail P(X {'<=' if low <= high else '>='} {k}) = {tail:.3g} "
                f"<= {bound:.3g} (false-failure rate {ALPHA:g} per check)"
            )
    return DistributionResult(
        check.name,
        int(trials.sum()),
        int(counts.size),
        smallest,
        bound,
        time.perf_counter() - started,
        "\n".join(lines) or None,
    )
