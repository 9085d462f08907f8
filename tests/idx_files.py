"""Write IDX files (MNIST's format) for tests: nothing real is downloaded here."""

import gzip

import numpy as np


def write_idx(path, array, *, compress=False, magic=None):
    """Write ``array`` to ``path`` as IDX (uint8), gzipped if ``compress``; ``magic`` overrides the header."""
    header = bytes([0, 0, 0x08, array.ndim]) if magic is None else magic
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)
