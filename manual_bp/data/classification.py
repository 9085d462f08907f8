"""Data sets in the book's format: ``(x_train, t_train), (x_test, t_test)``.

- ``load_digits``: the 8x8 UCI handwritten digits (1,797 images) shipped inside scikit-learn
  (extra ``data``), split deterministically; real digits with no network access.
- ``load_spiral``: the sequel's 3-class spiral, generated (no dependency).
- ``load_mnist(path)``: the four standard MNIST IDX files (gzipped or not) from a directory.

Common options, as in the book's ``load_mnist``: ``normalize`` (pixels scaled to [0, 1] as
float; else the raw ``uint8``), ``flatten`` (``(N, H*W)``; else ``(N, 1, H, W)``),
``one_hot_label`` (labels ``(N, 10)`` one-hot; else class indices ``(N,)``).
"""

from __future__ import annotations

import gzip
import pathlib

import numpy as np

__all__ = ["MNIST_FILES", "load_digits", "load_mnist", "load_spiral", "read_idx"]

MNIST_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "t_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "t_test": "t10k-labels-idx1-ubyte",
}
DIGITS_TEST_SIZE = 360  # 20 % of 1,797; the split is a fixed permutation (seed 0)


def _one_hot(t: np.ndarray, num_classes: int) -> np.ndarray:
    return np.eye(num_classes, dtype=np.float64)[t]


def _format(images: np.ndarray, labels: np.ndarray, *, scale: float, normalize: bool, flatten: bool,
            one_hot_label: bool, num_classes: int = 10):
    """Apply the book's three options to ``images (N, H, W)`` of uint8 and ``labels (N,)``."""
    x = images.astype(np.float64) / scale if normalize else images
    x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, *images.shape[1:])
    t = _one_hot(labels, num_classes) if one_hot_label else labels.astype(np.int64)
    return x, t


def load_digits(*, normalize: bool = True, flatten: bool = True, one_hot_label: bool = False):
    """The 8x8 digits: 1,437 training and 360 test images of 16 grey levels (0-16), 10 classes.

    Needs scikit-learn (``pip install 'manual-bp[data]'``), which ships the data: nothing is
    downloaded. ``normalize`` divides by 16. The split is the same on every call.
    """
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ImportError("load_digits needs scikit-learn, which ships the digits: pip install 'manual-bp[data]'") from None
    bunch = sklearn_digits()
    images = bunch.images.astype(np.uint8)
    labels = bunch.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(images))
    test, train = order[:DIGITS_TEST_SIZE], order[DIGITS_TEST_SIZE:]
    options = dict(scale=16.0, normalize=normalize, flatten=flatten, one_hot_label=one_hot_label)
    return _format(images[train], labels[train], **options), _format(images[test], labels[test], **options)


def _spiral(samples_per_class: int, num_classes: int, rng: np.random.Generator):
    rate = np.tile(np.arange(samples_per_class) / samples_per_class, num_classes)
    cls = np.repeat(np.arange(num_classes), samples_per_class)
    theta = cls * 4.0 + 4.0 * rate + rng.standard_normal(len(cls)) * 0.2
    x = np.stack([rate * np.sin(theta), rate * np.cos(theta)], axis=1)
    return x, cls


def load_spiral(*, samples_per_class: int = 100, num_classes: int = 3, seed: int = 1984, one_hot_label: bool = False,
                normalize: bool = True, flatten: bool = True):
    """The sequel's spiral: ``num_classes`` arms of ``samples_per_class`` 2-D points each.

    Point ``i`` of arm ``j``: radius ``r = i / samples_per_class``, angle ``4 j + 4 r + 0.2 z``
    (``z`` standard normal), ``x = (r sin angle, r cos angle)``. The training set is drawn
    with ``seed``, the test set with ``seed + 1``. Points are already in [-1, 1] and flat, so
    ``normalize`` and ``flatten`` change nothing; they exist so every loader takes the same
    options.
    """
    if samples_per_class < 1 or num_classes < 2:
        raise ValueError(f"need samples_per_class >= 1 and num_classes >= 2, got {samples_per_class}, {num_classes}")
    sets = []
    for offset in (0, 1):
        x, t = _spiral(samples_per_class, num_classes, np.random.default_rng(seed + offset))
        sets.append((x, _one_hot(t, num_classes) if one_hot_label else t))
    return tuple(sets)


def read_idx(path) -> np.ndarray:
    """Read one IDX file of unsigned bytes (``.gz`` or not) into an array of its dimensions.

    Raises ``FileNotFoundError`` naming a missing file and ``ValueError`` naming a corrupt one
    (bad magic number, unsupported type, wrong length).
    """
    path = pathlib.Path(path)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise ValueError(f"{path}: not a readable IDX file ({error})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic number)")
    if raw[2] != 0x08:
        raise ValueError(f"{path}: IDX type 0x{raw[2]:02x} is not unsigned bytes (0x08)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape, dtype=np.int64))
    if len(raw) != expected:
        raise ValueError(f"{path}: IDX data has {len(raw) - header} bytes, its header promises {expected - header}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _find(directory: pathlib.Path, stem: str) -> pathlib.Path:
    for name in (stem, stem + ".gz"):
        if (directory / name).is_file():
            return directory / name
    raise FileNotFoundError(f"MNIST file {stem} (or {stem}.gz) not found in {directory}")


def load_mnist(path, *, normalize: bool = True, flatten: bool = True, one_hot_label: bool = False):
    """MNIST from the four standard IDX files in directory ``path`` (the book's options).

    Files: ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
    ``t10k-labels-idx1-ubyte``, each optionally gzipped (``.gz``). ``normalize`` divides by 255.
    """
    directory = pathlib.Path(path)
    if not directory.is_dir():
        raise FileNotFoundError(f"MNIST directory {directory} does not exist")
    arrays = {key: read_idx(_find(directory, stem)) for key, stem in MNIST_FILES.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"t_{split}"]
        name = MNIST_FILES[f"x_{split}"]
        if images.ndim != 3:
            raise ValueError(f"{name}: images must have 3 dimensions (N, H, W), got {images.shape}")
        if labels.ndim != 1 or len(labels) != len(images):
            raise ValueError(f"{MNIST_FILES[f't_{split}']}: {labels.shape} labels for {len(images)} images")
        if labels.size and labels.max() > 9:
            raise ValueError(f"{MNIST_FILES[f't_{split}']}: label {labels.max()} is not a digit 0-9")
    options = dict(scale=255.0, normalize=normalize, flatten=flatten, one_hot_label=one_hot_label)
    return (_format(arrays["x_train"], arrays["t_train"], **options),
            _format(arrays["x_test"], arrays["t_test"], **options))
