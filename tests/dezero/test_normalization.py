"""batch_norm: the backward recomputes 1/std from x, so its double backward is exact (the book's,
reusing the cached array, is not); running statistics as the book updates them; both modes."""

import numpy as np
import pytest
from broken_nn_functions import cached_inv_std_batch_norm

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable, test_mode, using_config
from oracle.dezero import normalization as oracle
from oracle.verify.binding import bind
from oracle.verify.verifier import VerificationError

from .exact import verify_exactly

DTYPES = (np.float64, np.float32)


def _case(dtype, shape=(6, 3), seed=0):
    rng = np.random.default_rng(seed)
    features = shape[1]
    return {
        "x": rng.normal(size=shape).astype(dtype),
        "gamma": rng.normal(size=features).astype(dtype),
        "beta": rng.normal(size=features).astype(dtype),
        "mean": rng.normal(size=features).astype(dtype),
        "var": rng.uniform(0.5, 2.0, size=features).astype(dtype),
    }


def _on_copies(batch_norm):
    """``batch_norm`` on copies of the running statistics (it updates them in place)."""
    return lambda x, gamma, beta, mean, var: batch_norm(x, gamma, beta, mean.data.copy(), var.data.copy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 3), (2, 3, 2, 2)], ids=["NxD", "NCHW"])
@pytest.mark.parametrize("train", [True, False], ids=["train", "test"])
def test_batch_norm_matches_jax_to_the_second_order(dtype, shape, train):
    with using_config("train", train):
        verification = verify_exactly(
            _on_copies(F.batch_norm), bind(oracle.batch_norm, train=train), _case(dtype, shape), nondiff=("mean", "var")
        )
    assert "d/dx <g, w>" in verification.comparisons


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_books_cached_inv_std_is_right_to_first_order_and_wrong_at_the_second(dtype):
    case, books = _case(dtype), _on_copies(cached_inv_std_batch_norm)
    bound = bind(oracle.batch_norm, train=True)
    verify_exactly(books, bound, case, nondiff=("mean", "var"), order=1)
    with pytest.raises(VerificationError, match=r"d/dx <g, w> \(float\d\d\) differs") as failure:
        verify_exactly(books, bound, case, nondiff=("mean", "var"))
    assert failure.value.comparisons["d/dx <g, w>"].max_rel_error > 0.05


def test_training_updates_the_running_statistics_in_place_as_the_book():
    x = np.random.default_rng(0).normal(size=(2, 3, 2, 2))
    mean, var = np.zeros(3), np.ones(3)
    F.batch_norm(x, np.ones(3), np.zeros(3), mean, var, decay=0.8)
    m = 2 * 2 * 2  # values per channel
    np.testing.assert_allclose(mean, 0.2 * x.mean(axis=(0, 2, 3)), rtol=1e-14)
    np.testing.assert_allclose(var, 0.8 + 0.2 * x.var(axis=(0, 2, 3)) * m / (m - 1), rtol=1e-14)


def test_inference_normalises_with_the_running_statistics_and_leaves_them_alone():
    x = np.random.default_rng(0).normal(size=(4, 2))
    mean, var = np.array([1.0, -1.0]), np.array([4.0, 0.25])
    with test_mode():
        y = F.batch_norm(x, np.array([2.0, 1.0]), np.array([0.0, 3.0]), mean, var, eps=1e-12)
    np.testing.assert_allclose(y.data, [2.0, 1.0] * (x - mean) / np.sqrt(var) + [0.0, 3.0], rtol=1e-10)
    np.testing.assert_array_equal(mean, [1.0, -1.0])
    np.testing.assert_array_equal(var, [4.0, 0.25])


def test_images_are_normalised_per_channel_like_rows_of_pixels():
    x = np.random.default_rng(0).normal(size=(2, 3, 2, 2))
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, -1.0])
    images = F.batch_norm(x, gamma, beta, np.zeros(3), np.ones(3)).data
    rows = F.batch_norm(x.transpose(0, 2, 3, 1).reshape(-1, 3), gamma, beta, np.zeros(3), np.ones(3)).data
    np.testing.assert_allclose(images, rows.reshape(2, 2, 2, 3).transpose(0, 3, 1, 2), rtol=1e-13)


def test_a_constant_feature_gives_beta_and_finite_gradients():
    x = Variable(np.full((4, 2), 3.0))
    y = F.batch_norm(x, np.ones(2), np.array([0.5, -0.5]), np.zeros(2), np.ones(2))
    np.testing.assert_array_equal(y.data, np.broadcast_to([0.5, -0.5], (4, 2)))
    y.backward(create_graph=True)
    assert np.all(np.isfinite(x.grad.data))


def test_mismatched_shapes_are_errors_naming_them():
    with pytest.raises(ValueError, match=r"x must have shape \(N, 3\) or \(N, 3, H, W\).*got \(4, 2\)"):
        F.batch_norm(np.ones((4, 2)), np.ones(3), np.zeros(3), np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match=r"var must have gamma's shape \(3,\), got \(2,\)"):
        F.batch_norm(np.ones((4, 3)), np.ones(3), np.zeros(3), np.zeros(3), np.ones(2))


def test_running_statistics_must_be_float_arrays_it_can_update():
    with pytest.raises(TypeError, match=r"mean must be a float ndarray \(the running statistic, updated in place"):
        F.batch_norm(np.ones((4, 3)), np.ones(3), np.zeros(3), [0.0, 0.0, 0.0], np.ones(3))
