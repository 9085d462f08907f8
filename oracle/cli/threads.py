"""BLAS threads for ``manual-bp train``, chosen per problem (``threadpoolctl``).

Splitting a small matrix product over threads costs more in synchronisation than it saves
(the sequel's models make hundreds of them per step, one per time step and gate), and on a
busy machine a second BLAS thread that spins for a core is far slower still
(``bench/README.md``: 5 to 11 times slower per epoch under load). Large products (a language
model's output layer over a large vocabulary, an im2col convolution of a big batch) gain from
every core. ``choose_threads`` decides from the largest product one step makes (multiply-adds);
``--threads N`` overrides it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

__all__ = ["MULTI_THREAD_FROM", "blas_threads", "choose_threads"]

# Multiply-adds of one product from which more threads pay (see bench/train_threads.py).
MULTI_THREAD_FROM = 20_000_000


def choose_threads(largest_product: int, *, cores: int | None = None) -> int:
    """1 below ``MULTI_THREAD_FROM`` multiply-adds per product, else one per core."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return 1 if largest_product < MULTI_THREAD_FROM else max(1, cores)


@contextlib.contextmanager
def blas_threads(threads: int) -> Iterator[None]:
    """BLAS (OpenBLAS, MKL, BLIS) limited to ``threads`` inside the block."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads, user_api="blas"):
        yield
