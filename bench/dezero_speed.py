"""Speed of the third book's framework: one MLP training step (784-100-10, ReLU, batch 100,
float32, SGD) against the same step with the first book's layers (``TwoLayerNet``), and PyTorch
eager when ``torch`` is installed (not a dependency: skipped when absent); then the overhead of
one Function call in microseconds.

Run by hand: ``PYTHONPATH=. python bench/dezero_speed.py [--repeat 300] [--blocks 5]``. One BLAS
thread (threadpoolctl; ``torch.set_num_threads(1)``). The implementations are timed in
alternating blocks in one run, each figure the median step of its blocks, so machine load
shifts them together; the ratios are what to read.

``--before PATH`` (e.g. ``--before /work/main``) also compares against another checkout of
``manual_bp``: worker processes (``--worker``, one with ``PYTHONPATH=PATH``, one with this
checkout) alternate ``--rounds`` times, each timing the framework step beside ``TwoLayerNet``
and the per-call overheads, so each round gives a ratio measured within one process.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable, no_grad
from manual_bp.dezero.models import MLP
from manual_bp.dezero.optimizers import SGD as DezeroSGD
from manual_bp.networks.two_layer import TwoLayerNet
from manual_bp.optimizers import SGD


def dezero_step(x, t):
    model = MLP((100, 10), activation=F.relu, rng=0)
    optimizer = DezeroSGD(0.1).setup(model)

    def step():
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        optimizer.update()

    return step


def dezero_variable_data_step(x, t):
    """The framework with the data batch given as a user ``Variable``: its gradient is computed."""
    model = MLP((100, 10), activation=F.relu, rng=0)
    optimizer = DezeroSGD(0.1).setup(model)
    xv = Variable(x)

    def step():
        loss = F.softmax_cross_entropy(model(xv), t)
        model.cleargrads()
        xv.cleargrad()
        loss.backward()
        optimizer.update()

    return step


def first_book_step(x, t):
    net = TwoLayerNet(784, 100, 10, seed=0, dtype=np.float32)
    optimizer = SGD(0.1)

    def step():
        optimizer.update(net.params, net.gradient(x, t))

    return step


def first_book_full_step(x, t):
    """The first book's layers doing DeZero's work: the first layer's input gradient too."""
    net = TwoLayerNet(784, 100, 10, seed=0, dtype=np.float32)
    optimizer = SGD(0.1)
    names = {"Affine1": ("W1", "b1"), "Affine2": ("W2", "b2")}

    def step():
        net.loss(x, t)
        dout = net.last_layer.backward(1.0)
        for layer in reversed(net.layers.values()):
            dout = layer.backward(dout)
        grads = {}
        for layer_name, (w, b) in names.items():
            grads[w], grads[b] = net.layers[layer_name].dW, net.layers[layer_name].db
        optimizer.update(net.params, grads)

    return step


def torch_step(x, t):
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = torch.nn.Sequential(torch.nn.Linear(784, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.CrossEntropyLoss()
    xs, ts = torch.from_numpy(x), torch.from_numpy(t)

    def step():
        optimizer.zero_grad()
        loss_fn(model(xs), ts).backward()
        optimizer.step()

    return step


def median_step(step, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def call_overheads(repeat: int) -> dict:
    """Microseconds per call on 0-d float64 arrays, where the arithmetic itself is negligible."""
    x = Variable(np.array(1.0))
    a = np.array(1.0)
    c = np.array(2.0)

    def timed(fn) -> float:
        for _ in range(100):
            fn()
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        return (time.perf_counter() - start) / repeat * 1e6

    def chain_backward():
        y = x
        for _ in range(10):
            y = F.sin(y)
        x.cleargrad()
        y.backward()

    def times_raw_backward():
        y = x
        for _ in range(10):
            y = y * c
        x.cleargrad()
        y.backward()

    with no_grad():
        no_graph = timed(lambda: F.sin(x))
    figures = {
        "np.sin on a 0-d array": timed(lambda: np.sin(a)),
        "F.sin, no_grad (forward only)": no_graph,
        "F.sin, recording the graph": timed(lambda: F.sin(x)),
        "x * x (operator, recording)": timed(lambda: x * x),
        "10 chained F.sin, forward + backward, per Function": timed(chain_backward) / 10,
        "10 chained y * c (c a raw array), forward + backward, per Function": timed(times_raw_backward) / 10,
    }
    return figures


FRAMEWORK = "dezero (MLP, F.relu, SGD)"
BASE = "first book (TwoLayerNet, SGD)"


def data():
    rng = np.random.default_rng(0)
    return rng.random((100, 784), dtype=np.float32), rng.integers(0, 10, size=100)


def timed_blocks(steps: dict, repeat: int, blocks: int) -> dict:
    """Median step time (s) of each implementation, over ``blocks`` alternating blocks."""
    for step in steps.values():
        for _ in range(20):
            step()
    samples: dict = {name: [] for name in steps}
    for _ in range(blocks):
        for name, step in steps.items():
            samples[name].append(median_step(step, repeat))
    return {name: statistics.median(v) for name, v in samples.items()}


def worker(repeat: int, blocks: int) -> None:
    """One side of ``--before``: the framework beside ``TwoLayerNet``, then the overheads, as JSON."""
    x, t = data()
    with threadpool_limits(1):
        medians = timed_blocks({FRAMEWORK: dezero_step(x, t), BASE: first_book_step(x, t)}, repeat, blocks)
        overheads = call_overheads(20000)
    print(json.dumps({"source": str(pathlib.Path(F.__file__).parents[3]), "steps": medians, "overheads": overheads}))


def run_worker(pythonpath: str, repeat: int) -> dict:
    env = {**os.environ, "PYTHONPATH": pythonpath}
    command = [sys.executable, __file__, "--worker", "--repeat", str(repeat), "--blocks", "1"]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def before_and_after(before: str, rounds: int, repeat: int) -> None:
    """Alternate workers on ``before`` and on this checkout; print median figures of each side."""
    here = str(pathlib.Path(__file__).resolve().parents[1])
    results: dict = {"before": [], "after": []}
    for _ in range(rounds):
        results["before"].append(run_worker(before, repeat))
        results["after"].append(run_worker(here, repeat))
    sources = {side: results[side][0]["source"] for side in results}
    print(f"\nbefore: {sources['before']}, after: {sources['after']} ({rounds} alternating rounds, medians)")
    print("\n| | before | after |")
    print("|---|---:|---:|")

    def median_of(side: str, section: str, name: str) -> float:
        return statistics.median(r[section][name] for r in results[side])

    for name in (FRAMEWORK, BASE):
        row = [median_of(side, "steps", name) * 1e3 for side in results]
        print(f"| {name} | {row[0]:.3f} ms | {row[1]:.3f} ms |")
    ratio = [statistics.median(r["steps"][FRAMEWORK] / r["steps"][BASE] for r in results[side]) for side in results]
    print(f"| ratio, framework / TwoLayerNet (per round, median) | {ratio[0]:.2f}x | {ratio[1]:.2f}x |")
    for name in results["after"][0]["overheads"]:
        if name in results["before"][0]["overheads"]:
            row = [median_of(side, "overheads", name) for side in results]
            print(f"| {name} | {row[0]:.2f} us | {row[1]:.2f} us |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="steps per block")
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--before", metavar="PATH", help="another checkout of manual_bp to compare with")
    parser.add_argument("--rounds", type=int, default=5, help="alternating worker pairs for --before")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.repeat, args.blocks)
        return
    x, t = data()
    steps = {
        FRAMEWORK: dezero_step(x, t),
        "dezero, the data batch as a user Variable (its gradient computed)": dezero_variable_data_step(x, t),
        BASE: first_book_step(x, t),
        "first book's layers, input gradient computed too": first_book_full_step(x, t),
    }
    if importlib.util.find_spec("torch") is not None:
        steps["PyTorch eager (torch " + _torch_version() + ", 1 thread)"] = torch_step(x, t)
    else:
        print("torch is not installed: PyTorch eager skipped")
    with threadpool_limits(1):
        medians = timed_blocks(steps, args.repeat, args.blocks)
        overheads = call_overheads(20000)
    base = medians[BASE]
    print("\n| training step, 784-100-10, batch 100, float32, 1 thread | median | ratio to the first book |")
    print("|---|---:|---:|")
    for name, value in medians.items():
        print(f"| {name} | {value * 1e3:.3f} ms | {value / base:.2f}x |")
    print("\n| one Function call | us |")
    print("|---|---:|")
    for name, value in overheads.items():
        print(f"| {name} | {value:.2f} |")
    if args.before:
        before_and_after(args.before, args.rounds, args.repeat)


def _torch_version() -> str:
    import torch

    return torch.__version__


if __name__ == "__main__":
    main()
