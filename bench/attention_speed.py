"""``TimeAttention`` forward + backward, batched (this project) vs one ``Attention`` per decoder step (the book's).

Run by hand: `python bench/attention_speed.py [--repeat N] [--threads 1 2]`. The case is the
book's date model (chapter 8): a batch of N=128, T=29 encoder steps (the question), T_d=10
decoder steps (the answer without its last character), H=256, float32, no mask.

The book's ``TimeAttention`` makes one ``Attention`` object per decoder step on every forward
and loops over the steps in Python; ``BookTimeAttention`` below does exactly that with this
project's ``Attention``. The two are timed in alternating blocks (same machine load), with
every thread setting in ``--threads`` (``threadpoolctl``); the median of each is reported with
the ratio, and the results are checked against each other (max abs difference, float32).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from manual_bp import Attention, TimeAttention

N, T, T_DEC, H = 128, 29, 10, 256


class BookTimeAttention:
    """The book's ``TimeAttention``: one ``Attention`` per decoder step, in a loop."""

    def forward(self, hs_enc, hs_dec):
        self.layers = [Attention() for _ in range(hs_dec.shape[1])]
        return np.stack([layer.forward(hs_enc, hs_dec[:, t]) for t, layer in enumerate(self.layers)], axis=1)

    def backward(self, dout):
        dhs_enc, dhs_dec = 0, np.empty((dout.shape[0], len(self.layers), dout.shape[2]), dout.dtype)
        for t, layer in enumerate(self.layers):
            dhs, dh = layer.backward(dout[:, t])
            dhs_enc = dhs_enc + dhs
            dhs_dec[:, t] = dh
        return dhs_enc, dhs_dec


def step(layer, hs_enc, hs_dec, dout):
    out = layer.forward(hs_enc, hs_dec)
    return (out, *layer.backward(dout))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="steps per block (default 30)")
    parser.add_argument("--blocks", type=int, default=6, help="alternating blocks per side (default 6)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1], help="BLAS thread counts (default 1)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    hs_enc = np.tanh(rng.standard_normal((N, T, H), dtype=np.float32))  # LSTM outputs lie in (-1, 1)
    hs_dec = np.tanh(rng.standard_normal((N, T_DEC, H), dtype=np.float32))
    dout = rng.standard_normal((N, T_DEC, H), dtype=np.float32)
    print(f"TimeAttention N={N} T={T} T_d={T_DEC} H={H} float32; NumPy {np.__version__}, {platform.machine()}")
    batched, book = step(TimeAttention(), hs_enc, hs_dec, dout), step(BookTimeAttention(), hs_enc, hs_dec, dout)
    print(
        "max |batched - book| over out, dhs_enc, dhs_dec:",
        " ".join(f"{float(np.max(np.abs(a - b))):.1e}" for a, b in zip(batched, book)),
    )
    for threads in args.threads:
        times = {"batched": [], "book": []}
        with threadpool_limits(threads):
            for _ in range(args.blocks):
                for name, make in (("batched", TimeAttention), ("book", BookTimeAttention)):
                    layer = make()
                    for _ in range(args.repeat):
                        start = time.perf_counter()
                        step(layer, hs_enc, hs_dec, dout)
                        times[name].append(time.perf_counter() - start)
        batched_ms, book_ms = (1e3 * statistics.median(times[k]) for k in ("batched", "book"))
        print(
            f"threads {threads}: batched {batched_ms:.2f} ms, book's loop {book_ms:.2f} ms, "
            f"batched / book {batched_ms / book_ms:.2f}"
        )


if __name__ == "__main__":
    main()
