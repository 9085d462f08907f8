"""Text utilities of the sequel (ch. 2-4): corpus and vocabulary, contexts and targets, co-occurrence,
PPMI, cosine similarity, ``most_similar``, ``analogy``, and ``load_ptb(path)`` for local PTB files.

Nothing is downloaded. Functions return new arrays and never write into their arguments (the
book's ``normalize`` divides in place).
"""

from __future__ import annotations

import pathlib
import re

import numpy as np

from manual_bp._checks import as_float_array, as_indices, positive_int, shape_str

__all__ = [
    "analogy",
    "cos_similarity",
    "create_co_matrix",
    "create_contexts_target",
    "load_ptb",
    "most_similar",
    "ppmi",
    "preprocess",
]


def preprocess(text: str):
    """``(corpus, word_to_id, id_to_word)`` of ``text``: lower-cased, ``.`` split off as a word, split
    on whitespace; ids in order of first occurrence (the book's ``preprocess``).

    ``preprocess('You say goodbye and I say hello.')`` gives the corpus ``[0 1 2 3 4 1 5 6]``.
    """
    words = re.sub(r"\.", " .", text.lower()).split()
    word_to_id: dict = {}
    for word in words:
        word_to_id.setdefault(word, len(word_to_id))
    id_to_word = {i: w for w, i in word_to_id.items()}
    return np.array([word_to_id[w] for w in words], dtype=np.int64), word_to_id, id_to_word


def _corpus(corpus) -> np.ndarray:
    corpus = np.asarray(corpus)
    if corpus.ndim != 1:
        raise ValueError(f"corpus must be a 1-D array of word ids, got shape {shape_str(corpus.shape)}")
    return as_indices("corpus", corpus, int(corpus.max()) + 1 if corpus.size and corpus.dtype.kind in "iu" else 0)


def create_contexts_target(corpus, window_size: int = 1):
    """``(contexts (M, 2 * window), target (M,))``: each word with ``window_size`` words on each side,
    ``M = len(corpus) - 2 * window_size`` (the book's; contexts in order left to right)."""
    corpus, window = _corpus(corpus), positive_int("window_size", window_size)
    if corpus.size <= 2 * window:
        raise ValueError(f"corpus needs more than 2 * window_size = {2 * window} words, got {corpus.size}")
    offsets = [o for o in range(-window, window + 1) if o != 0]
    target = corpus[window:-window]
    contexts = np.stack([corpus[window + o : corpus.size - window + o] for o in offsets], axis=1)
    return contexts, target


def create_co_matrix(corpus, vocab_size: int, window_size: int = 1) -> np.ndarray:
    """``C[i, j]`` = how often word ``j`` occurs within ``window_size`` words of word ``i`` (int64, ``(V, V)``)."""
    corpus, window = _corpus(corpus), positive_int("window_size", window_size)
    vocab = positive_int("vocab_size", vocab_size)
    if corpus.size and corpus.max() >= vocab:
        raise ValueError(f"corpus holds id {int(corpus.max())}, not below vocab_size {vocab}")
    matrix = np.zeros((vocab, vocab), np.int64)
    for offset in range(1, window + 1):
        np.add.at(matrix, (corpus[:-offset], corpus[offset:]), 1)
        np.add.at(matrix, (corpus[offset:], corpus[:-offset]), 1)
    return matrix


def ppmi(C, *, eps: float = 1e-8) -> np.ndarray:
    """Positive pointwise mutual information ``max(0, log2(C_ij * N / (S_i S_j) + eps))``, ``N = sum C``,
    ``S = C.sum(0)`` (the book's, ``eps`` 1e-8 inside the log); float64 ``(V, V)``."""
    C = as_float_array("C", C)
    total, counts = C.sum(), C.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log2(C * total / np.outer(counts, counts) + eps)
    return np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)


def cos_similarity(x, y, *, eps: float = 1e-8) -> float:
    """``x . y / ((|x| + eps) (|y| + eps))`` (the book's placement of ``eps``)."""
    x, y = as_float_array("x", x), as_float_array("y", y)
    return float(x @ y / ((np.linalg.norm(x) + eps) * (np.linalg.norm(y) + eps)))


def most_similar(query: str, word_to_id: dict, id_to_word: dict, word_matrix, top: int = 5) -> list:
    """The ``top`` words most cosine-similar to ``query`` (itself excluded): ``[(word, similarity), ...]``."""
    if query not in word_to_id:
        raise KeyError(f"{query!r} is not in the vocabulary")
    matrix = as_float_array("word_matrix", word_matrix)
    norms = np.linalg.norm(matrix, axis=1) + 1e-8
    query_vec = matrix[word_to_id[query]]
    similarity = matrix @ query_vec / (norms * (np.linalg.norm(query_vec) + 1e-8))
    order = [i for i in np.argsort(-similarity, kind="stable") if i != word_to_id[query]]
    return [(id_to_word[i], float(similarity[i])) for i in order[:top]]


def analogy(a: str, b: str, c: str, word_to_id: dict, id_to_word: dict, word_matrix, top: int = 5) -> list:
    """``a : b = c : ?``: the ``top`` words ``w`` (not ``a``, ``b``, ``c``) maximising ``normalise(b - a + c) . W[w]``
    (the book dots the normalised query with the **unnormalised** matrix: ``normalize`` it first for cosines)."""
    for word in (a, b, c):
        if word not in word_to_id:
            raise KeyError(f"{word!r} is not in the vocabulary")
    matrix = as_float_array("word_matrix", word_matrix)
    query = matrix[word_to_id[b]] - matrix[word_to_id[a]] + matrix[word_to_id[c]]
    query = query / np.sqrt(np.sum(query * query))
    scores = matrix @ query
    skip = {word_to_id[w] for w in (a, b, c)}
    order = [i for i in np.argsort(-scores, kind="stable") if i not in skip]
    return [(id_to_word[i], float(scores[i])) for i in order[:top]]


def load_ptb(path, split: str = "train", *, word_to_id: dict | None = None):
    """``(corpus, word_to_id, id_to_word)`` of ``ptb.<split>.txt`` in the directory ``path`` (or the file).

    The Penn Treebank text files (``ptb.train.txt``, ``ptb.valid.txt``, ``ptb.test.txt``) as users
    have them; nothing is downloaded. As the book: each line's words, then ``<eos>`` for the line
    break; ids by first occurrence. ``split`` ``'val'`` is ``'valid'``. Pass the train split's
    ``word_to_id`` to read valid/test with the same ids (an unknown word is then an error).
    """
    split = {"val": "valid"}.get(split, split)
    if split not in ("train", "valid", "test"):
        raise ValueError(f"split must be 'train', 'valid' or 'test', got {split!r}")
    path = pathlib.Path(path)
    file = path / f"ptb.{split}.txt" if path.is_dir() else path
    if not file.is_file():
        raise FileNotFoundError(f"no PTB file {file} (expected ptb.train.txt / ptb.valid.txt / ptb.test.txt)")
    words = file.read_text(encoding="utf-8").replace("\n", " <eos> ").split()
    vocabulary = dict(word_to_id) if word_to_id is not None else {}
    ids = []
    for word in words:
        if word not in vocabulary:
            if word_to_id is not None:
                raise ValueError(f"{file}: word {word!r} is not in the given word_to_id")
            vocabulary[word] = len(vocabulary)
        ids.append(vocabulary[word])
    return np.array(ids, dtype=np.int64), vocabulary, {i: w for w, i in vocabulary.items()}
