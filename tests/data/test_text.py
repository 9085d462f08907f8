"""The sequel's text utilities on its toy corpus, and load_ptb on tiny files written here."""

import numpy as np
import pytest

from manual_bp.data import (
    analogy,
    cos_similarity,
    create_co_matrix,
    create_contexts_target,
    load_ptb,
    most_similar,
    ppmi,
    preprocess,
)

TEXT = "You say goodbye and I say hello."


def test_preprocess_gives_the_books_corpus_and_vocabulary():
    corpus, word_to_id, id_to_word = preprocess(TEXT)
    np.testing.assert_array_equal(corpus, [0, 1, 2, 3, 4, 1, 5, 6])
    assert list(word_to_id) == ["you", "say", "goodbye", "and", "i", "hello", "."]
    assert id_to_word[6] == "."


def test_contexts_and_targets_of_window_one_are_the_books():
    contexts, target = create_contexts_target(preprocess(TEXT)[0], window_size=1)
    np.testing.assert_array_equal(contexts, [[0, 2], [1, 3], [2, 4], [3, 1], [4, 5], [1, 6]])
    np.testing.assert_array_equal(target, [1, 2, 3, 4, 1, 5])


def test_co_occurrence_of_say_is_the_books_row():
    corpus, word_to_id, _ = preprocess(TEXT)
    C = create_co_matrix(corpus, len(word_to_id))
    np.testing.assert_array_equal(C[word_to_id["say"]], [1, 0, 1, 0, 1, 1, 0])
    np.testing.assert_array_equal(C, C.T)


def test_ppmi_is_nonnegative_and_zero_where_words_never_meet():
    corpus, word_to_id, _ = preprocess(TEXT)
    C = create_co_matrix(corpus, len(word_to_id))
    M = ppmi(C)
    assert (M >= 0).all() and (M[C == 0] == 0).all()
    assert M[0, 1] == pytest.approx(np.log2(1 * 14 / (1 * 4)), rel=1e-6)  # you-say: C=1, N=14, S=1, 4


def test_most_similar_and_analogy_rank_by_the_vectors():
    word_to_id = {"king": 0, "man": 1, "queen": 2, "woman": 3, "apple": 4}
    id_to_word = {i: w for w, i in word_to_id.items()}
    W = np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0], [-1.0, 0.2, -0.3]])
    assert analogy("king", "man", "queen", word_to_id, id_to_word, W, top=1)[0][0] == "woman"
    assert most_similar("king", word_to_id, id_to_word, W, top=1)[0][0] in {"man", "queen"}
    assert cos_similarity(W[0], W[0]) == pytest.approx(1.0, rel=1e-7)
    with pytest.raises(KeyError, match="'dog' is not in the vocabulary"):
        most_similar("dog", word_to_id, id_to_word, W)


def test_load_ptb_reads_local_files_with_eos_and_shared_ids(tmp_path):
    (tmp_path / "ptb.train.txt").write_text(" the cat sat \n the dog sat \n")
    (tmp_path / "ptb.valid.txt").write_text(" the cat \n")
    corpus, word_to_id, id_to_word = load_ptb(tmp_path)
    assert [id_to_word[i] for i in corpus] == ["the", "cat", "sat", "<eos>", "the", "dog", "sat", "<eos>"]
    valid, _, _ = load_ptb(tmp_path, "val", word_to_id=word_to_id)
    np.testing.assert_array_equal(valid, [0, 1, 3])


def test_load_ptb_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="ptb.test.txt"):
        load_ptb(tmp_path, "test")
