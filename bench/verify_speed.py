"""Measure `manual-bp verify` with its default settings: wall time, per-example time and where it goes.

Run by hand: `python bench/verify_speed.py [--repeat N]` (about 2 minutes).

1. Wall time of the whole default command (every catalog row x 2 dtypes x 100 examples) in a
   fresh process: with an empty persistent compilation cache (cold) and again with the cache
   it left (warm), with the default `--jobs` and with `--jobs 1`.
2. In one process, serially, the persistent cache off: the first pass over every row and
   dtype split into import, JAX compilation (the first call of each new oracle signature),
   checking (`verify_case` less compilation) and drawing (the rest: Hypothesis's engine and
   the strategies); the number of compiles; then a second, identical pass (everything
   compiled): the steady-state time per example.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

CPU_SECONDS: list[float] = []
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # this checkout's packages, not an installed copy


def wall_time_of_command(repeat: int, cache: str, *options: str, root: str = ROOT) -> list[float]:
    """Wall times of ``manual-bp verify --json *options`` in fresh processes (CPU seconds of each,
    all its workers included, in ``CPU_SECONDS``: on a shared machine they vary less)."""
    times = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "oracle.cli", "verify", "--json", *options],
            capture_output=True,
            text=True,
            cwd=root,
            env={**os.environ, "MANUAL_BP_JAX_CACHE": cache},
        )
        times.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        CPU_SECONDS.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"manual-bp verify failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return times


def breakdown() -> dict:
    started = time.perf_counter()
    import numpy as np  # noqa: F401

    from oracle.catalog import CATALOG
    from oracle.verify import reference, runner
    from oracle.verify.entry import DTYPES

    imported = time.perf_counter() - started
    seen, spent = set(), {"compile": 0.0, "check": 0.0}
    original_vjp, original_case = reference._jitted_vjp, runner.verify_case

    def timed_vjp(function, differentiable):
        jitted = original_vjp(function, differentiable)

        def call(args, cotangent):
            shapes = tuple(c.shape for c in cotangent) if isinstance(cotangent, tuple) else cotangent.shape
            key = (function, differentiable, tuple((a.shape, a.dtype.str) for a in args), shapes)
            if key in seen:
                return jitted(args, cotangent)
            seen.add(key)
            began = time.perf_counter()
            result = jitted(args, cotangent)
            spent["compile"] += time.perf_counter() - began
            return result

        return call

    def timed_case(entry, case, **overrides):
        began = time.perf_counter()
        try:
            return original_case(entry, case, **overrides)
        finally:
            spent["check"] += time.perf_counter() - began

    reference._jitted_vjp, runner.verify_case = timed_vjp, timed_case
    rows = [(entry, dtype) for entry in CATALOG for dtype in DTYPES]
    began = time.perf_counter()
    for entry, dtype in rows:
        runner.run_entry(entry, dtype, examples=100)
    first = time.perf_counter() - began
    spent["check"] -= spent["compile"]
    check_first = spent["check"]
    spent["check"] = 0.0
    began = time.perf_counter()
    for entry, dtype in rows:
        runner.run_entry(entry, dtype, examples=100)
    second = time.perf_counter() - began
    return {
        "import": imported,
        "first": first,
        "compile": spent["compile"],
        "check": check_first,
        "draw": first - spent["compile"] - check_first,
        "compiles": len(seen),
        "second": second,
        "check_second": spent["check"],
        "examples": 100 * len(rows),
        "rows": len(CATALOG),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="fresh-process runs of each command (default: 1)")
    parser.add_argument(
        "--before",
        metavar="CHECKOUT",
        help="also time the default command of another checkout "
        "(e.g. the commit before a change), alternating with this one, in the same run",
    )
    args = parser.parse_args()

    def show(label, times, cpu):
        print(f"  {label:<44}{', '.join(f'{t:.1f} s' for t in times)}   (CPU {', '.join(f'{c:.1f} s' for c in cpu)})")

    print(f"manual-bp verify defaults (every row x 2 dtypes x 100 examples), fresh process, {os.cpu_count()} cores:")
    for _ in range(args.repeat):
        if args.before:
            del CPU_SECONDS[:]
            show(f"{args.before}", wall_time_of_command(1, "", root=args.before), CPU_SECONDS)
        with tempfile.TemporaryDirectory() as cache:
            del CPU_SECONDS[:]
            show("cold compilation cache, default --jobs", wall_time_of_command(1, cache), CPU_SECONDS)
            del CPU_SECONDS[:]
            show("warm cache, default --jobs", wall_time_of_command(1, cache), CPU_SECONDS)
            del CPU_SECONDS[:]
            show("warm cache, --jobs 1", wall_time_of_command(1, cache, "--jobs", "1"), CPU_SECONDS)

    os.environ["MANUAL_BP_JAX_CACHE"] = ""
    b = breakdown()
    total = b["import"] + b["first"]
    print(
        f"\none process, serial, no persistent cache: {b['rows']} rows x 2 dtypes x 100 examples "
        f"= {b['examples']} examples, {b['compiles']} JAX compiles"
    )
    for part in ("import", "compile", "draw", "check"):
        print(f"  {part:<8}{b[part]:>7.2f} s  {b[part] / total:>5.0%}")
    print(f"  {'total':<8}{total:>7.2f} s")
    print(
        f"second pass (all compiled): {b['second']:.2f} s = {b['second'] / b['examples'] * 1e3:.2f} ms per example "
        f"(checking {b['check_second'] / b['examples'] * 1e3:.2f} ms, drawing the rest)"
    )


if __name__ == "__main__":
    main()
