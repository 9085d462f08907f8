"""One training step of TwoLayerNet (float32, SGD) in manual_bp vs the same model in PyTorch (CPU, eager).

Run by hand: `python bench/train_step.py` (needs `pip install torch==2.13.0`, the CPU build).
Both sides do forward, backward and an SGD update of the same 784-H-10 network with ReLU
and softmax cross-entropy on the same random batch; each configuration is timed in one run,
in alternating blocks (PyTorch's and OpenBLAS's threads spin after a call and slow whatever
runs next on a 2-core machine), as the median of repeated steps, for 1 and 2 threads, and
reported as a ratio (manual / torch).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from manual_bp.networks.two_layer import TwoLayerNet
from manual_bp.optimizers import SGD

CONFIGS = ((50, 100), (1000, 100), (50, 1000), (1000, 1000))  # (hidden, batch)


def manual_step_fn(hidden: int, x: np.ndarray, t: np.ndarray):
    net = TwoLayerNet(784, hidden, 10, weight_init_std=0.01, seed=0, dtype=np.float32)
    optimizer = SGD(0.1)

    def step():
        optimizer.update(net.params, net.gradient(x, t))

    return step


def torch_step_fn(hidden: int, x: np.ndarray, t: np.ndarray):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.CrossEntropyLoss()
    xs, ts = torch.from_numpy(x), torch.from_numpy(t)

    def step():
        optimizer.zero_grad(set_to_none=False)
        loss_fn(model(xs), ts).backward()
        optimizer.step()

    return step


def median_time(step, repeat: int) -> float:
    for _ in range(5):
        step()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="timed steps per side and configuration (default 200)")
    parser.add_argument(
        "--threads", type=int, nargs="+", default=[1, 2], help="BLAS / torch thread counts to measure (default: 1 2)"
    )
    args = parser.parse_args()
    print(
        f"torch {torch.__version__}; numpy {np.__version__}; median of {args.repeat} steps per side, "
        f"in alternating blocks; min over 3 rounds"
    )
    print(f"{'threads':>7}  {'network':<12}{'batch':>6}{'manual_bp':>12}{'torch':>12}{'manual/torch':>14}")
    rng = np.random.default_rng(0)
    for threads in args.threads:
        torch.set_num_threads(threads)
        with threadpool_limits(threads):
            for hidden, batch in CONFIGS:
                x = rng.random((batch, 784), dtype=np.float32)
                t = rng.integers(0, 10, batch)
                manual, reference = manual_step_fn(hidden, x, t), torch_step_fn(hidden, x, t)
                times = {"manual": [], "torch": []}
                for _ in range(3):  # alternate blocks: both sides see the same machine load
                    times["manual"].append(median_time(manual, args.repeat // 3))
                    times["torch"].append(median_time(reference, args.repeat // 3))
                m, r = min(times["manual"]), min(times["torch"])
                print(
                    f"{threads:>7}  784-{hidden}-10{'':<{4 - len(str(hidden))}}{batch:>6}{m * 1e3:>10.3f}ms"
                    f"{r * 1e3:>10.3f}ms{m / r:>13.2f}x"
                )


if __name__ == "__main__":
    main()
