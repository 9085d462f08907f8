"""Data sets, loaded offline (nothing is downloaded).

- ``classification``: ``load_digits`` (scikit-learn's 8x8 digits), ``load_spiral``,
  ``load_mnist(path)`` from IDX files a user has, and ``read_idx``.
- ``sequence`` (the sequel's toy tasks, generated in the book's text format): ``load_addition``,
  ``load_dates``, ``load_sequence_file(path)``, ``Vocabulary``, ``reverse_questions``, ``padding_mask``, and the
  generators ``addition_lines``, ``date_lines`` with ``write_sequence_file``.
"""

from manual_bp.data.classification import (
    MNIST_FILES,
    load_digits,
    load_mnist,
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

__all__ = [
    "MNIST_FILES",
    "Vocabulary",
    "addition_lines",
    "date_lines",
    "load_addition",
    "load_dates",
    "load_digits",
    "load_mnist",
    "load_sequence_file",
    "load_spiral",
    "padding_mask",
    "read_idx",
    "reverse_questions",
    "write_sequence_file",
]
