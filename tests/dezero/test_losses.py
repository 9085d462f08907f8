"""Losses: the book's clipping removed (each fix pinned), label checks, and accuracy."""

import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable


def test_sigmoid_cross_entropy_is_exact_far_below_the_books_clip():
    # The book clips sigmoid(x) to 1e-15: loss 34.5 and gradient 0 at x = -50, t = 1.
    x = Variable(np.array([[-50.0]]))
    loss = F.sigmoid_cross_entropy(x, np.array([[1]]))
    loss.backward()
    np.testing.assert_allclose(loss.data, 50.0, rtol=1e-15)
    np.testing.assert_allclose(x.grad.data, [[-1.0]], rtol=1e-15)


def test_binary_cross_entropy_keeps_the_gradient_above_the_books_0_999_clip():
    p = Variable(np.array([0.9999, 0.5]))
    loss = F.binary_cross_entropy(p, np.array([0, 1]))
    loss.backward()
    # d/dp -log(1 - p) / N = 1 / (1 - p) / 2 at p = 0.9999: 5000 (the book's clip gives 0).
    np.testing.assert_allclose(p.grad.data, [1 / (1 - 0.9999) / 2, -1 / 0.5 / 2], rtol=1e-10)
    np.testing.assert_allclose(loss.data, -(np.log1p(-0.9999) + np.log(0.5)) / 2, rtol=1e-15)


def test_softmax_cross_entropy_of_huge_logits_is_finite():
    x = Variable(np.array([[1000.0, -1000.0], [0.0, 0.0]]))
    loss = F.softmax_cross_entropy(x, np.array([1, 0]))
    loss.backward()
    np.testing.assert_allclose(loss.data, (2000.0 + np.log(2)) / 2)
    np.testing.assert_allclose(x.grad.data, [[0.5, -0.5], [-0.25, 0.25]])


def test_softmax_cross_entropy_rejects_labels_out_of_range():
    with pytest.raises(ValueError, match=r"must lie in \[0, 3\) for 3 classes, got 3"):
        F.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))


def test_labels_get_no_gradient():
    t = Variable(np.array([0, 1]))
    F.softmax_cross_entropy(Variable(np.zeros((2, 2))), t).backward()
    assert t.grad is None


def test_mean_squared_error_divides_by_the_batch_and_differentiates_both():
    x0, x1 = Variable(np.array([[1.0, 2.0], [3.0, 4.0]])), Variable(np.zeros((2, 2)))
    loss = F.mean_squared_error(x0, x1)
    loss.backward()
    assert loss.data == 15.0  # (1 + 4 + 9 + 16) / 2
    np.testing.assert_array_equal(x1.grad.data, -x0.data)


def test_accuracy_counts_argmax_hits_and_records_no_graph():
    y = Variable(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]], dtype=np.float32))
    acc = F.accuracy(y, np.array([1, 1, 1]))
    assert acc.data == pytest.approx(2 / 3) and acc.dtype == np.float32 and acc.creator is None
