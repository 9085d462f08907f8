"""Per-epoch time of `manual-bp train` in float64 vs float32 and on 1 vs 2 BLAS threads, as ratios.

Run by hand: `PYTHONPATH=. python bench/train_threads.py [--network peeky --task addition --size 5000 --rounds 3]`.
Each configuration (dtype x threads) trains `--epochs` epochs of the chosen seq2seq model through
the command line itself (`oracle.cli.main`, `--threads N --dtype D`); the configurations run in
alternating rounds so that a change of machine load hits all of them alike, and each reports the
median seconds per epoch (evaluation included), the CPU seconds per epoch of this process (all its
threads), and the ratio to float64 on 1 thread. On a shared machine the absolute times mean little;
the ratios measured in one run are the figure to quote, with the load average printed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import statistics

from oracle.cli import main

CONFIGS = (("float64", 1), ("float64", 2), ("float32", 1), ("float32", 2))


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_once(args, dtype: str, threads: int) -> tuple[float, float]:
    """(median wall seconds per epoch, CPU seconds per epoch) of one training run."""
    argv = ["train", "--network", args.network, "--task", args.task, "--reverse", "--size", str(args.size)]
    argv += ["--epochs", str(args.epochs), "--dtype", dtype, "--threads", str(threads), "--json"]
    out, err = io.StringIO(), io.StringIO()
    before = _cpu_seconds()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    cpu = _cpu_seconds() - before
    if status != 0:
        raise SystemExit(f"manual-bp train failed ({status}): {err.getvalue()}")
    history = json.loads(out.getvalue())["history"]
    return statistics.median(e["seconds"] for e in history), cpu / len(history)


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="peeky", choices=("seq2seq", "peeky", "attention"))
    parser.add_argument("--task", default="addition", choices=("addition", "dates"))
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    wall: dict = {c: [] for c in CONFIGS}
    cpu: dict = {c: [] for c in CONFIGS}
    for _ in range(args.rounds):
        for config in CONFIGS:
            seconds, cpu_seconds = run_once(args, *config)
            wall[config].append(seconds)
            cpu[config].append(cpu_seconds)
    base = statistics.median(wall[CONFIGS[0]])
    run = f"{args.network} --task {args.task} --reverse --size {args.size}"
    print(f"{run}, {args.epochs} epochs x {args.rounds} rounds")
    print(f"{'dtype':8} {'threads':>7} {'s/epoch':>8} {'CPU s/epoch':>11} {'vs float64, 1 thread':>21}")
    for config in CONFIGS:
        median, cpu_median = statistics.median(wall[config]), statistics.median(cpu[config])
        print(f"{config[0]:8} {config[1]:>7} {median:8.2f} {cpu_median:11.2f} {median / base:21.2f}")
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main_bench()
