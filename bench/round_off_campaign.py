"""How close the float32 layers come to the computed bound: a campaign over the catalog.

Run: ``PYTHONPATH=. python bench/round_off_campaign.py [--examples N] [--seed S] [--jobs J]
[--rows A,B] [--dtype float32] [--layers-only | --functions-only]`` (by hand; minutes: see docs/benchmarks.md, "The
computed float32 bound").

For every row (the layers, then the third book's Functions) it draws ``--examples`` cases as
``manual-bp verify`` does (``run_entry``, no shrinking) and, for every low-precision quantity
compared, computes the full bound (not only where the cheap floor is exceeded) and records:

- ``of bound``: the largest ``|got - expected| / bound`` over the entries (the verdict: above 1
  fails; ``bound = ROUND_OFF_FACTOR * e + NORMWISE_ULPS * u * max|expected| + tiny``);
- ``needs``: the smallest ``ROUND_OFF_FACTOR`` that would pass every entry the floor alone does
  not, ``max (|got - expected| - floor) / e`` (what the campaign sets the factor from);
- ``floor ulps``: the smallest ``NORMWISE_ULPS`` that would pass every entry with the factor as it
  is, ``max (|got - expected| - ROUND_OFF_FACTOR * e) / (u max|expected|)``;
- ``beyond floor``: the share of examples in which some entry exceeded the floor (so that the
  round-off bound was computed at all during a normal run).

A failure stops that row (as in ``verify``) and is printed. Rows run in ``--jobs`` processes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time

import numpy as np


def campaign_row(job: tuple) -> dict:
    name, dtype, examples, seed = job
    import oracle.verify.second_order as second_order
    import oracle.verify.tolerance as tolerance
    import oracle.verify.verifier as verifier
    from oracle.catalog import find_entry
    from oracle.verify.runner import run_entry

    stats = {"of_bound": 0.0, "needs": 0.0, "ulps": 0.0, "compared": 0, "beyond": 0}
    original = tolerance.compare_with_round_off

    def recording(got, expected, dtype, round_off):
        bound = round_off()
        stats["compared"] += 1
        if bound is not None and np.shape(bound) == np.shape(expected) and np.size(expected):
            err = np.abs(np.asarray(got, np.float64) - np.asarray(expected, np.float64))
            floor = tolerance.floor_tolerance(dtype).bound(np.asarray(expected, np.float64))
            total = floor + tolerance.ROUND_OFF_FACTOR * np.where(np.isfinite(bound), bound, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                of_bound = float(np.nanmax(err / total))
                beyond = err > floor
                needs = float(np.max(np.where(beyond, (err - floor) / bound, 0.0)))
            stats["beyond"] += bool(np.any(beyond))
            stats["of_bound"] = max(stats["of_bound"], of_bound)
            scale = float(np.max(np.abs(expected))) * float(np.finfo(dtype).eps) / 2
            computed = tolerance.ROUND_OFF_FACTOR * np.where(np.isfinite(bound), bound, 0.0)
            if scale > 0:
                stats["ulps"] = max(stats["ulps"], float(np.max(err - computed)) / scale)
            stats["needs"] = max(stats["needs"], needs)
        return original(got, expected, dtype, lambda: bound)

    verifier.compare_with_round_off = recording
    second_order.compare_with_round_off = recording
    start = time.process_time()
    result = run_entry(find_entry(name), dtype, examples=examples, seed_value=seed, shrink=False)
    return {
        "row": name,
        "examples": result.examples,
        "failure": result.failure,
        "worst_quantity": result.worst_quantity,
        "cpu": time.process_time() - start,
        **stats,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rows", default="", help="comma-separated row names (default: every row)")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float16"])
    parser.add_argument("--layers-only", action="store_true", help="only the layer rows")
    parser.add_argument("--functions-only", action="store_true", help="only the third book's Function rows")
    args = parser.parse_args(argv)
    from oracle.catalog import CATALOG, EVERY_ROW, FUNCTIONS

    chosen = CATALOG if args.layers_only else FUNCTIONS if args.functions_only else EVERY_ROW
    rows = args.rows.split(",") if args.rows else [e.name for e in chosen]
    from oracle.catalog import find_entry

    for name in rows:
        try:
            find_entry(name)
        except KeyError as error:
            parser.error(f"--rows: {error.args[0]}")  # before any work, in one line
    jobs = [(name, np.dtype(args.dtype), args.examples, args.seed) for name in rows]
    print(f"{len(rows)} rows x {args.examples} examples, {args.dtype}, seed {args.seed}, {args.jobs} processes")
    header = f"{'examples':>9}{'of bound':>10}{'needs':>9}{'floor ulps':>11}{'beyond floor':>14}{'CPU s':>8}"
    print(f"{'row':<30}{header}  worst")
    failed = 0
    start = time.time()
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        for r in pool.imap(campaign_row, jobs):
            share = r["beyond"] / max(r["compared"], 1)
            print(
                f"{r['row']:<30}{r['examples']:>9}{r['of_bound']:>10.3f}{r['needs']:>9.3f}{r['ulps']:>11.2f}{share:>14.1%}"
                f"{r['cpu']:>8.1f}  {r['worst_quantity']}",
                flush=True,
            )
            if r["failure"]:
                failed += 1
                print("    FAILED:", r["failure"][:2000].replace("\n", "\n    "), flush=True)
    print(f"{len(rows) - failed} of {len(rows)} rows passed in {time.time() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
