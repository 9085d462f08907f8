"""Memory of a training loop on the third book's framework over 1,000 steps (tracemalloc).

Run by hand: ``PYTHONPATH=. python bench/dezero_memory.py [--steps 1000]``. An MLP (784-100-10,
float32, batch 100) trains with SGD; the traced memory is sampled every 100 steps after a
warm-up. The loop as the book writes it stays flat: Functions hold outputs by weak reference
and gradients of intermediate Variables are dropped. For contrast, the same loop that keeps
every step's loss *Variable* (``history.append(loss)`` instead of ``float(loss.data)``): each
one keeps its whole graph, inputs and activations alive.
"""

from __future__ import annotations

import argparse
import tracemalloc

import numpy as np

import manual_bp.dezero.functions as F
from manual_bp.dezero.models import MLP
from manual_bp.dezero.optimizers import SGD


def run(steps: int, keep_variables: bool) -> list:
    rng = np.random.default_rng(0)
    x = rng.random((100, 784), dtype=np.float32)
    t = rng.integers(0, 10, size=100)
    model = MLP((100, 10), activation=F.relu, rng=0)
    optimizer = SGD(0.1).setup(model)
    history: list = []
    total = 0.0
    samples = []
    tracemalloc.start()
    for step in range(1, steps + 1):
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        if keep_variables:
            history.append(loss)
        else:
            total += float(loss.data)  # what the book's loop does
        if step == 10 or step % (steps // 10) == 0:
            current, peak = tracemalloc.get_traced_memory()
            samples.append((step, current, peak))
    tracemalloc.stop()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    flat = run(args.steps, keep_variables=False)
    leaky = run(300, keep_variables=True)
    print("| step | traced now (book's loop) | peak | traced now (keeping each loss Variable) |")
    print("|---:|---:|---:|---:|")
    leaky_at = {step: current for step, current, _ in leaky}
    for step, current, peak in flat:
        other = f"{leaky_at[step] / 2**20:.1f} MiB" if step in leaky_at else ""
        print(f"| {step} | {current / 2**10:.1f} KiB | {peak / 2**20:.2f} MiB | {other} |")
    growth = flat[-1][1] - flat[0][1]
    print(f"\ngrowth from step {flat[0][0]} to step {flat[-1][0]}: {growth / 2**10:.1f} KiB")


if __name__ == "__main__":
    main()
