"""embed_id: repeated ids add their gradient rows, every order is exact, bad ids are errors."""

import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable
from oracle.dezero import embedding as oracle

from .exact import verify_exactly

DTYPES = (np.float64, np.float32)


@pytest.mark.parametrize("dtype", DTYPES)
def test_embed_id_matches_jax_to_the_second_order_with_repeated_ids(dtype):
    ids = np.array([[0, 2, 2], [3, 0, 2]])
    W = np.random.default_rng(0).normal(size=(4, 3)).astype(dtype)
    verify_exactly(lambda ids, W: F.embed_id(ids, W), oracle.embed_id, {"x": ids, "W": W}, nondiff=("x",))


def test_a_repeated_id_receives_the_sum_of_its_rows_gradients():
    W = Variable(np.zeros((3, 2)))
    y = F.embed_id(np.array([1, 1, 0]), W)
    y.grad = Variable(np.array([[1.0, 2.0], [10.0, 20.0], [5.0, 5.0]]))
    y.backward()
    np.testing.assert_array_equal(W.grad.data, [[5.0, 5.0], [11.0, 22.0], [0.0, 0.0]])


def test_ids_must_be_integers_inside_the_table():
    W = np.ones((3, 2))
    with pytest.raises(TypeError, match=r"x must be an integer array of ids in \[0, 3\)"):
        F.embed_id(np.array([0.0, 1.0]), W)
    with pytest.raises(ValueError, match=r"x must hold ids in \[0, 3\), got 3"):
        F.embed_id(np.array([0, 3]), W)
    with pytest.raises(ValueError, match=r"W must have shape \(V, D\)"):
        F.embed_id(np.array([0]), np.ones(3))
