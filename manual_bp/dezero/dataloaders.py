"""DeZero's data loaders: iterate over a dataset in mini-batches of arrays.

    loader = DataLoader(Spiral(), batch_size=30, rng=0)
    for x, t in loader: ...          # one epoch: ceil(len / batch_size) batches, then StopIteration

``DataLoader`` shuffles every epoch with an injected ``np.random.Generator`` (or seed), never
NumPy's global generator. ``SeqDataLoader`` keeps order for truncated BPTT: batch row ``i``
reads position ``(i * jump + k) % len`` at step ``k`` (``jump = len // batch_size``), so each
row walks through its own stretch of the sequence.
"""

from __future__ import annotations

import math

import numpy as np

from manual_bp.dezero.layers import as_generator

__all__ = ["DataLoader", "SeqDataLoader"]


class DataLoader:
    """Mini-batches ``(x, t)`` of ``dataset``; ``shuffle`` draws a new order from ``rng`` each epoch."""

    def __init__(self, dataset, batch_size: int, shuffle: bool = True, rng=None):
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, shuffle
        self.rng = as_generator(rng)
        self.data_size = len(dataset)
        self.max_iter = math.ceil(self.data_size / batch_size)
        self.reset()

    def reset(self) -> None:
        self.iteration = 0
        self.index = self.rng.permutation(self.data_size) if self.shuffle else np.arange(self.data_size)

    def __iter__(self):
        return self

    def _batch_index(self) -> np.ndarray:
        i, size = self.iteration, self.batch_size
        return self.index[i * size : (i + 1) * size]

    def __next__(self):
        if self.iteration >= self.max_iter:
            self.reset()
            raise StopIteration
        batch = [self.dataset[int(i)] for i in self._batch_index()]
        self.iteration += 1
        return np.array([x for x, _ in batch]), np.array([t for _, t in batch])

    def next(self):
        return self.__next__()


class SeqDataLoader(DataLoader):
    """Ordered mini-batches for truncated BPTT (no shuffling): row ``i`` of step ``k`` is sample
    ``(i * (len // batch_size) + k) % len``."""

    def __init__(self, dataset, batch_size: int):
        super().__init__(dataset, batch_size, shuffle=False)

    def _batch_index(self) -> np.ndarray:
        jump = self.data_size // self.batch_size
        return np.array([(i * jump + self.iteration) % self.data_size for i in range(self.batch_size)])
