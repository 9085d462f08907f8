"""Measure `manual-bp verify` with its default settings and the cost of one verified example.

Run by hand: `python bench/verify_speed.py` (add `--repeat 3` for more wall-time samples).

1. Wall time of the whole default command in a fresh process (every catalog layer x 2
   dtypes x 100 examples, JAX start-up and compiles included), and of the chapter-5 six
   alone (the figure the 20 s target was set for).
2. Per layer and dtype, in one process: the first run of 100 examples (pays the JAX compile
   of each new shape) and a second identical run (compiles cached): per-example cost.
3. One example broken down, steady state: the hand-written layer, the jitted oracle VJP,
   and the whole verification (all seven checks).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

CHAPTER_5 = ("AddLayer", "MulLayer", "ReLU", "Sigmoid", "Affine", "SoftmaxWithLoss")


def wall_time_of_command(repeat: int, *options: str) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "oracle.cli", "verify", "--json", *options], capture_output=True,
                              text=True, env={**os.environ, "COLUMNS": "120"})
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"manual-bp verify failed:\n{done.stdout}\n{done.stderr}")
    return times


def fresh_import_cost(module: str) -> float:
    def run(code):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - started

    return min(run(f"import {module}") for _ in range(3)) - min(run("pass") for _ in range(3))


def per_entry_costs():
    from oracle.verify.catalog import CATALOG, DTYPES
    from oracle.verify.runner import run_entry

    rows = []
    for entry in CATALOG:
        for dtype in DTYPES:
            first = time.perf_counter()
            run_entry(entry, dtype, examples=100)
            first = time.perf_counter() - first
            second = time.perf_counter()
            run_entry(entry, dtype, examples=100)
            second = time.perf_counter() - second
            rows.append((entry.name, dtype.name, first, second))
    return rows


def one_example_breakdown(repeat: int = 300):
    import manual_bp
    from oracle.layers.affine import affine
    from oracle.verify.reference import reference_vjp
    from oracle.verify.verifier import verify_layer

    rng = np.random.default_rng(0)
    x, W, b, dout = rng.normal(size=(4, 4)), rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=(4, 3))

    def manual():
        layer = manual_bp.Affine(W, b)
        layer.forward(x)
        layer.backward(dout)

    def oracle():
        reference_vjp(affine, (x, W, b), (True, True, True), dout)

    def verify():
        verify_layer(manual_bp.Affine, affine, {"x": x}, {"W": W, "b": b}, dout)

    results = {}
    for name, function in (("manual forward+backward", manual), ("jitted oracle VJP (float64)", oracle),
                           ("whole verify_layer (7 checks)", verify)):
        function()  # compile / warm up
        started = time.perf_counter()
        for _ in range(repeat):
            function()
        results[name] = (time.perf_counter() - started) / repeat
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="fresh-process runs of the default command (default: 1)")
    args = parser.parse_args()

    from oracle.verify.catalog import CATALOG

    walls = wall_time_of_command(args.repeat)
    print(f"manual-bp verify (defaults: {len(CATALOG)} layers x 2 dtypes x 100 examples), fresh process: "
          f"{', '.join(f'{t:.1f} s' for t in walls)}")
    options = [part for name in CHAPTER_5 for part in ("--layer", name)]
    walls = wall_time_of_command(args.repeat, *options)
    print(f"manual-bp verify, the 6 chapter-5 layers x 2 dtypes x 100 examples, fresh process: "
          f"{', '.join(f'{t:.1f} s' for t in walls)}  (target < 20 s)")

    print(f"import jax in a fresh process (less the interpreter's start): {fresh_import_cost('jax'):.2f} s")
    print(f"\n{'layer':<20}{'dtype':<9}{'1st run (compiles)':>20}{'2nd run':>10}{'per example':>14}")
    total_first = total_second = 0.0
    for name, dtype, first, second in per_entry_costs():
        total_first, total_second = total_first + first, total_second + second
        print(f"{name:<20}{dtype:<9}{first:>18.2f} s{second:>8.2f} s{second / 100 * 1e3:>11.2f} ms")
    print(f"{'total':<29}{total_first:>18.2f} s{total_second:>8.2f} s{total_second / (2 * len(CATALOG)) * 10:>11.2f} ms")

    print("\none Affine example (4x4 @ 4x3), steady state:")
    for name, seconds in one_example_breakdown().items():
        print(f"  {name:<32}{seconds * 1e6:>9.1f} us")


if __name__ == "__main__":
    main()
