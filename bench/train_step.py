"""One training step of TwoLayerNet (float32, SGD) in manual_bp vs the same model in PyTorch (CPU, eager).

Run by hand: `python bench/train_step.py` (needs `pip install torch==2.13.0`, the CPU build).
Both sides do forward, backward and an SGD update of the same 784-H-10 network with ReLU
and softmax cross-entropy on the same random batch; each configuration is timed in one run,
interleaved, as the median of repeated steps, and reported as a ratio (manual / torch).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from manual_bp.networks import TwoLayerNet
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
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; numpy {np.__version__}")
    print(f"{'network':<14}{'batch':>6}{'manual_bp':>12}{'torch':>12}{'manual/torch':>14}")
    rng = np.random.default_rng(0)
    for hidden, batch in CONFIGS:
        x = rng.random((batch, 784), dtype=np.float32)
        t = rng.integers(0, 10, batch)
        manual, reference = manual_step_fn(hidden, x, t), torch_step_fn(hidden, x, t)
        times = {"manual": [], "torch": []}
        for _ in range(3):  # interleave rounds so both sides see the same machine load
            times["manual"].append(median_time(manual, args.repeat // 3))
            times["torch"].append(median_time(reference, args.repeat // 3))
        m, r = min(times["manual"]), min(times["torch"])
        print(f"784-{hidden}-10{'':<{6 - len(str(hidden))}}{batch:>6}{m * 1e3:>10.3f}ms{r * 1e3:>10.3f}ms{m / r:>13.2f}x")


if __name__ == "__main__":
    main()
