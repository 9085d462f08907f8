"""Cost of an exact second-order check of a DeZero Function against a first-order one.

Run: ``python bench/second_order_cost.py [--repeat N]`` (about 20 s). For a few rows, one drawn
float64 case is checked ``N`` times with ``verify_function(order=1)`` (forward, first order,
accumulation, retain_grad, no_grad) and ``order=2`` (the same plus the VJP of the VJP), in
alternation, after a warm-up that compiles both references. Reported: the median wall time
and CPU time per check, and their ratio (the issue's target: at most 2x). Both checks run in
one process in alternation, so machine load affects them alike.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from hypothesis import find, settings

from oracle.catalog import find_entry
from oracle.verify.binding import bind
from oracle.verify.second_order import reference, verify_function

ROWS = ("F.softmax_cross_entropy", "F.tanh", "F.linear", "F.softmax", "F.max", "F.get_item")


def _case(entry):
    strategy = entry.cases(np.float64)
    return find(strategy, lambda case: True, settings=settings(database=None, max_examples=1))


def _timed(check) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    check()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(name: str, repeat: int) -> dict:
    entry = find_entry(name)
    case = _case(entry)
    function, oracle = entry.layer, entry.function
    if case.config:
        oracle = bind(oracle, **case.config)
        config = case.config
        layer = entry.layer

        def function(*xs):
            return layer(*xs, **config)

    inputs = {k: case.inputs[k] for k in entry.inputs}

    def check(order):
        return lambda: verify_function(
            function, oracle, inputs, case.dout, case.w, nondiff=entry.nondiff, name=name, order=order
        )

    def oracle_only(order):
        args = tuple(inputs.values())
        differentiable = [k not in entry.nondiff for k in inputs]
        ws = [case.w[k] for k in inputs if k not in entry.nondiff]
        return lambda: reference(oracle, args, differentiable, case.dout, ws, order=order)

    runs = {"first": check(1), "second": check(2), "oracle first": oracle_only(1), "oracle second": oracle_only(2)}
    for run in runs.values():
        run()  # compile
    times: dict[str, list] = {k: [] for k in runs}
    for _ in range(repeat):
        for key, run in runs.items():
            times[key].append(_timed(run))
    return {k: (statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts)) for k, ts in times.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    print("median microseconds per check (CPU time in brackets); oracle: the jitted JAX reference alone")
    columns = ("1st order", "2nd order", "ratio", "oracle 1st", "oracle 2nd", "ratio")
    print(f"{'row':26}" + "".join(f" {c:>{w}}" for c, w in zip(columns, (14, 14, 6, 11, 11, 6))))
    for name in ROWS:
        r = measure(name, args.repeat)
        (w1, c1), (w2, c2) = r["first"], r["second"]
        o1, o2 = r["oracle first"][1], r["oracle second"][1]
        print(
            f"{name:26} {w1 * 1e6:6.0f} [{c1 * 1e6:5.0f}] {w2 * 1e6:6.0f} [{c2 * 1e6:5.0f}] {c2 / c1:6.2f}"
            f" {o1 * 1e6:11.0f} {o2 * 1e6:11.0f} {o2 / o1:6.2f}"
        )


if __name__ == "__main__":
    main()
