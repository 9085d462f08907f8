"""Embedding, EmbeddingDot, TimeEmbedding: gathers whose gradients scatter-add, one reused buffer."""

import numpy as np
import pytest
from hypothesis import example, given

from manual_bp import Embedding, EmbeddingDot, TimeEmbedding
from oracle.catalog import find_entry
from oracle.catalog.embedding import embedding_cases
from oracle.verify.entry import verify_case
from oracle.verify.strategies import Case

W = np.arange(15, dtype=np.float64).reshape(5, 3)
REPEATED = Case({"idx": np.array([2, 2, 2, 0])}, {"W": W}, np.arange(12, dtype=np.float64).reshape(4, 3) + 1)


@given(case=embedding_cases(np.float64))
@example(case=REPEATED)
def test_embedding_matches_its_oracle_with_repeated_ids(case):
    verify_case(find_entry("Embedding"), case)


def test_repeated_ids_accumulate_their_gradients():
    layer = Embedding(W)
    layer.forward(np.array([2, 2, 0]))
    assert layer.backward(np.ones((3, 3))) is None  # ids are data
    np.testing.assert_array_equal(layer.dW[2], [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(layer.dW[0], [1.0, 1.0, 1.0])
    assert not layer.dW[[1, 3, 4]].any()


def test_forward_returns_a_copy_never_a_view_of_W():
    out = Embedding(W).forward(np.array([1]))
    assert not np.shares_memory(out, W)


def test_embedding_dot_scores_the_target_rows():
    h = np.array([[1.0, 0.0, 2.0], [0.5, 0.5, 0.5]])
    layer = EmbeddingDot(W)
    np.testing.assert_allclose(layer.forward(h, np.array([1, 1])), [3 + 10, 0.5 * (3 + 4 + 5)])
    dh = layer.backward(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(dh, [W[1], 2 * W[1]])
    np.testing.assert_array_equal(layer.dW[1], h[0] + 2 * h[1])


def test_time_embedding_reuses_one_vocabulary_sized_gradient_buffer():
    layer = TimeEmbedding(np.zeros((50, 4), np.float32))
    layer.forward(np.array([[1, 2, 1]]))
    layer.backward(np.ones((1, 3, 4), np.float32))
    buffer = layer.dW
    layer.forward(np.array([[3, 3, 3]]))
    layer.backward(np.ones((1, 3, 4), np.float32))
    assert layer.dW is buffer and buffer.dtype == np.float32
    np.testing.assert_array_equal(buffer[3], [3.0] * 4)
    assert not buffer[[1, 2]].any()  # the previous block's rows were cleared


@pytest.mark.parametrize(
    ("idx", "error", "match"),
    [
        (np.array([0, 5]), ValueError, r"idx must hold ids in \[0, 5\), got 5"),
        (np.array([-1]), ValueError, "got -1"),
        (np.array([0.0]), TypeError, "idx must be an integer array"),
    ],
)
def test_bad_ids_are_named(idx, error, match):
    with pytest.raises(error, match=match):
        Embedding(W).forward(idx)


def test_time_embedding_wants_a_block_of_ids():
    with pytest.raises(ValueError, match=r"xs must be a \(N, T\) array of word ids, got \(3,\)"):
        TimeEmbedding(W).forward(np.array([0, 1, 2]))


@pytest.mark.parametrize("layer_class", [Embedding, EmbeddingDot, TimeEmbedding])
def test_backward_before_forward_names_the_layer(layer_class):
    name = layer_class.__name__
    with pytest.raises(RuntimeError, match=f"{name}.backward called before {name}.forward"):
        layer_class(W).backward(np.ones(2))


@pytest.mark.parametrize(
    ("idx", "error", "match"),
    [
        (np.array([0, 9]), ValueError, r"idx must hold ids in \[0, 5\), got 9"),
        (np.array([0.0, 1.0]), TypeError, "idx must be an integer array"),
        (np.array([0, 1, 2]), ValueError, r"idx must have shape \(2,\) \(one id per row of h\), got \(3,\)"),
    ],
)
def test_embedding_dot_names_bad_ids(idx, error, match):
    with pytest.raises(error, match=match):
        EmbeddingDot(W).forward(np.zeros((2, 3)), idx)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: Embedding(np.array([["a", "b"]])), TypeError, "^W must be a real numeric array"),
        (lambda: EmbeddingDot(np.ones(5)), ValueError, r"^W must be an embedding table of shape \(V, D\), got \(5,\)$"),
        (lambda: EmbeddingDot(W).forward(np.array([["a", "b", "c"]]), np.array([0])), TypeError, "^h must be a real"),
        (
            lambda: EmbeddingDot(W).forward(np.zeros((2, 4)), np.array([0, 1])),
            ValueError,
            r"^h must have shape \(N, 3\) \(W has shape \(5, 3\)\), got \(2, 4\)$",
        ),
        (
            lambda: EmbeddingDot(W).forward(np.zeros(3), np.array([0])),
            ValueError,
            r"^h must have shape .*, got \(3,\)$",
        ),
    ],
)
def test_bad_tables_and_contexts_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
