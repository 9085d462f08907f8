"""TimeLSTM forward + backward vs torch.nn.LSTM on the CPU, and TimeEmbedding's backward allocation.

The book's Rnnlm sizes: float32, batch 20, 35 time steps, 100 inputs, 100 hidden units. One
thread each (threadpoolctl for NumPy's BLAS, torch.set_num_threads(1)). Each side runs
forward, then backward with the same random upstream gradient (input and weight gradients);
medians of alternating blocks, in one run, so the ratio is of the same machine state.
Also timed: a book-style TimeLSTM (one LSTM cell object per step, every product per step), and
the matrix products TimeLSTM does, alone on arrays of the same shapes (the floor of any NumPy
implementation with those products; the rest of TimeLSTM's time is elementwise work and calls).
The header names the BLAS and the kernels it picked for this CPU (``OPENBLAS_CORETYPE`` overrides).

Run: ``python bench/lstm_speed.py [--repeat N]`` (needs ``pip install torch``).
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from manual_bp import LSTM, TimeEmbedding, TimeLSTM

N, T, D, H = 20, 35, 100, 100


class BookTimeLSTM:
    """The book's structure: a new LSTM cell per step on every forward, all products per step."""

    def __init__(self, Wx, Wh, b):
        self.params = (Wx, Wh, b)

    def forward(self, xs):
        n, t, _ = xs.shape
        h = c = np.zeros((n, H), xs.dtype)
        self.cells, hs = [], np.empty((n, t, H), xs.dtype)
        for k in range(t):
            cell = LSTM(*self.params)
            h, c = cell.forward(xs[:, k], h, c)
            hs[:, k] = h
            self.cells.append(cell)
        return hs

    def backward(self, dhs):
        dxs = np.empty((dhs.shape[0], dhs.shape[1], D), dhs.dtype)
        dh = dc = np.zeros((dhs.shape[0], H), dhs.dtype)
        grads = [np.zeros_like(p) for p in self.params]
        for k in reversed(range(dhs.shape[1])):
            dxs[:, k], dh, dc = self.cells[k].backward(dhs[:, k] + dh, dc)
            for g, name in zip(grads, ("dWx", "dWh", "db")):
                g += getattr(self.cells[k], name)
        return dxs


def median_time(fn, calls: int, clock=time.perf_counter) -> float:
    times = []
    for _ in range(calls):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times)


def blas_products(rng, dtype=np.float32):
    """TimeLSTM's matrix products on fresh arrays of its shapes: forward ``[xs, 1] [Wx; b]`` and T steps of
    ``h Wh``; backward T steps of ``dA Wh^T``, ``[xs, 1, hs]^T dA`` and ``dA Wx^T``."""
    a = {
        name: rng.standard_normal(shape).astype(dtype)
        for name, shape in {
            "x1": (T * N, D + 1),
            "Wxb": (D + 1, 4 * H),
            "h": (N, H),
            "Wh": (H, 4 * H),
            "WhT": (4 * H, H),
            "dA": (T * N, 4 * H),
            "xh": (T * N, D + 1 + H),
            "Wx": (D, 4 * H),
        }.items()
    }
    ax, step, dh = np.empty((T * N, 4 * H), dtype), np.empty((N, 4 * H), dtype), np.empty((N, H), dtype)
    dxh, dxs = np.empty((D + 1 + H, 4 * H), dtype), np.empty((T * N, D), dtype)

    def run():
        np.matmul(a["x1"], a["Wxb"], out=ax)
        for _ in range(T):
            np.matmul(a["h"], a["Wh"], out=step)
        for k in range(T):
            np.matmul(a["dA"][k * N : (k + 1) * N], a["WhT"], out=dh)
        np.matmul(a["xh"].T, a["dA"], out=dxh)
        np.matmul(a["dA"], a["Wx"].T, out=dxs)

    return run


def lstm_ratio(repeat: int) -> None:
    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    Wx = (rng.standard_normal((D, 4 * H)) / np.sqrt(D)).astype(np.float32)
    Wh = (rng.standard_normal((H, 4 * H)) / np.sqrt(H)).astype(np.float32)
    b = np.zeros(4 * H, np.float32)
    xs = rng.standard_normal((N, T, D)).astype(np.float32)
    dhs = rng.standard_normal((N, T, H)).astype(np.float32)

    ours, book = TimeLSTM(Wx, Wh, b), BookTimeLSTM(Wx, Wh, b)
    model = torch.nn.LSTM(D, H, batch_first=True)
    x_t = torch.from_numpy(xs).requires_grad_(True)
    dhs_t = torch.from_numpy(dhs)

    def run_ours():
        ours.forward(xs)
        ours.backward(dhs)

    def run_book():
        book.forward(xs)
        book.backward(dhs)

    def run_torch():
        model.zero_grad(set_to_none=True)
        x_t.grad = None
        out, _ = model(x_t)
        out.backward(dhs_t)

    sides = {
        "manual_bp TimeLSTM": run_ours,
        "book-style (cell per step)": run_book,
        "its BLAS products alone": blas_products(rng),
        "torch.nn.LSTM": run_torch,
    }
    for fn in sides.values():  # warm up
        fn()
    # wall time, and the process's CPU time (on a shared machine the wall time includes waiting for a core)
    clocks = {"wall": time.perf_counter, "cpu": time.process_time}
    results = {(name, clock): [] for name in sides for clock in clocks}
    for _ in range(repeat):  # alternating blocks
        for name, fn in sides.items():
            for clock, timer in clocks.items():
                results[name, clock].append(median_time(fn, 20, timer))
    best = {key: min(values) for key, values in results.items()}
    blas = ", ".join(
        f"{i['internal_api']} {i['version']} ({i.get('architecture')} kernels)"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    )
    print(
        f"TimeLSTM forward + backward, float32, N={N}, T={T}, D={D}, H={H}, 1 thread; torch {torch.__version__}, "
        f"numpy {np.__version__} with {blas}; best of {repeat} alternating blocks of 20-call medians"
    )
    print(f"{'side':<28}{'wall ms':>9}{'vs torch':>10}{'cpu ms':>9}{'vs torch':>10}")
    for name in sides:
        wall, cpu = best[name, "wall"], best[name, "cpu"]
        print(
            f"{name:<28}{wall * 1e3:>9.2f}{wall / best['torch.nn.LSTM', 'wall']:>9.2f}x"
            f"{cpu * 1e3:>9.2f}{cpu / best['torch.nn.LSTM', 'cpu']:>9.2f}x"
        )


def embedding_allocation(vocab: int = 10000, width: int = 100) -> None:
    """Peak bytes allocated by TimeEmbedding.backward: the first call (allocates dW), later ones (reuse it)."""
    rng = np.random.default_rng(0)
    layer = TimeEmbedding(rng.standard_normal((vocab, width)).astype(np.float32))
    ids = rng.integers(0, vocab, size=(N, T))
    dout = rng.standard_normal((N, T, width)).astype(np.float32)
    peaks, buffers = [], []
    for _ in range(3):
        layer.forward(ids)
        tracemalloc.start()
        layer.backward(dout)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        buffers.append(layer.dW)
    buffer = vocab * width * 4
    print(
        f"TimeEmbedding backward, V={vocab}, D={width}, float32 (one V x D buffer = {buffer / 1e6:.1f} MB); "
        f"the book allocates T = {T} of them per forward ({T * buffer / 1e6:.0f} MB)"
    )
    print(
        "peak bytes allocated per backward call: "
        + ", ".join(f"{p / 1e6:.2f} MB" for p in peaks)
        + f"; dW is one object across the calls: {all(b is buffers[0] for b in buffers)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="alternating blocks of 20 calls per side (default 5)")
    args = parser.parse_args()
    with threadpool_limits(1):
        lstm_ratio(args.repeat)
        embedding_allocation()


if __name__ == "__main__":
    main()
