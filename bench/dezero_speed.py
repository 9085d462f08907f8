"""Speed of the third book's framework: one MLP training step (784-100-10, ReLU, batch 100,
float32, SGD) against the same step with the first book's layers (``TwoLayerNet``), and PyTorch
eager when ``torch`` is installed (not a dependency: skipped when absent); then the overhead of
one Function call in microseconds.

Run by hand: ``PYTHONPATH=. python bench/dezero_speed.py [--repeat 300] [--blocks 5]``. One BLAS
thread (threadpoolctl). The implementations are timed in alternating blocks in one run, each
figure the median step of its blocks, so machine load shifts them together; the ratios are
what to read.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
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

    with no_grad():
        no_graph = timed(lambda: F.sin(x))
    figures = {
        "np.sin on a 0-d array": timed(lambda: np.sin(a)),
        "F.sin, no_grad (forward only)": no_graph,
        "F.sin, recording the graph": timed(lambda: F.sin(x)),
        "x * x (operator, recording)": timed(lambda: x * x),
        "10 chained F.sin, forward + backward, per Function": timed(chain_backward) / 10,
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="steps per block")
    parser.add_argument("--blocks", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.random((100, 784), dtype=np.float32)
    t = rng.integers(0, 10, size=100)
    steps = {
        "dezero (MLP, F.relu, SGD)": dezero_step(x, t),
        "first book (TwoLayerNet, SGD)": first_book_step(x, t),
        "first book's layers, input gradient computed too": first_book_full_step(x, t),
    }
    if importlib.util.find_spec("torch") is not None:
        steps["PyTorch eager"] = torch_step(x, t)
    else:
        print("torch is not installed: PyTorch eager skipped")
    with threadpool_limits(1):
        for step in steps.values():
            for _ in range(20):
                step()
        blocks: dict = {name: [] for name in steps}
        for _ in range(args.blocks):
            for name, step in steps.items():
                blocks[name].append(median_step(step, args.repeat))
        overheads = call_overheads(20000)
    medians = {name: statistics.median(v) for name, v in blocks.items()}
    base = medians["first book (TwoLayerNet, SGD)"]
    print("\n| training step, 784-100-10, batch 100, float32, 1 thread | median | ratio to the first book |")
    print("|---|---:|---:|")
    for name, value in medians.items():
        print(f"| {name} | {value * 1e3:.3f} ms | {value / base:.2f}x |")
    print("\n| one Function call | us |")
    print("|---|---:|")
    for name, value in overheads.items():
        print(f"| {name} | {value:.2f} |")


if __name__ == "__main__":
    main()
