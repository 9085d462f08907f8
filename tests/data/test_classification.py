"""Data sets: the book's format and options, deterministic splits, IDX reading and its errors."""

import numpy as np
import pytest
from idx_files import write_idx

from manual_bp.data.classification import (
    MNIST_FILES,
    load_digits,
    load_mnist,
    load_spiral,
    read_idx,
)


@pytest.fixture
def mnist_dir(tmp_path):
    rng = np.random.default_rng(0)
    sets = {"x_train": rng.integers(0, 256, (6, 4, 3)), "t_train": rng.integers(0, 10, 6),
            "x_test": rng.integers(0, 256, (2, 4, 3)), "t_test": rng.integers(0, 10, 2)}
    for key, array in sets.items():
        compress = key.startswith("x")  # mix gzipped and plain files
        write_idx(tmp_path / (MNIST_FILES[key] + (".gz" if compress else "")), array, compress=compress)
    return tmp_path, sets


def test_digits_are_split_deterministically_in_the_books_format():
    (x, t), (xt, tt) = load_digits()
    (x2, _), _ = load_digits()
    assert x.shape == (1437, 64) and t.shape == (1437,) and xt.shape == (360, 64) and tt.shape == (360,)
    assert 0.0 <= x.min() and x.max() == 1.0 and t.dtype.kind == "i"
    np.testing.assert_array_equal(x, x2)
    assert set(np.unique(tt)) == set(range(10))


def test_digits_options_follow_the_book():
    (x, t), _ = load_digits(normalize=False, flatten=False, one_hot_label=True)
    assert x.shape == (1437, 1, 8, 8) and x.dtype == np.uint8 and x.max() == 16
    assert t.shape == (1437, 10) and np.all(t.sum(axis=1) == 1)


def test_spiral_has_three_arms_and_a_test_set_drawn_apart():
    (x, t), (xt, tt) = load_spiral()
    assert x.shape == xt.shape == (300, 2) and np.bincount(t).tolist() == [100, 100, 100]
    assert np.all(np.abs(x) <= 1) and not np.array_equal(x, xt)
    (_, t1), _ = load_spiral(one_hot_label=True)
    assert t1.shape == (300, 3)


def test_mnist_reads_gzipped_and_plain_idx_files(mnist_dir):
    directory, sets = mnist_dir
    (x, t), (xt, tt) = load_mnist(directory)
    np.testing.assert_allclose(x, sets["x_train"].reshape(6, 12) / 255.0)
    np.testing.assert_array_equal(t, sets["t_train"])
    (x, t), _ = load_mnist(directory, normalize=False, flatten=False, one_hot_label=True)
    assert x.shape == (6, 1, 4, 3) and x.dtype == np.uint8 and t.shape == (6, 10)


def test_a_missing_mnist_file_is_named(mnist_dir):
    directory, _ = mnist_dir
    (directory / (MNIST_FILES["t_test"])).unlink()
    with pytest.raises(FileNotFoundError, match="MNIST file t10k-labels-idx1-ubyte \\(or t10k-labels-idx1-ubyte.gz\\) not found"):
        load_mnist(directory)


def test_a_missing_directory_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="MNIST directory .*nowhere does not exist"):
        load_mnist(tmp_path / "nowhere")


def test_a_truncated_idx_file_is_named(tmp_path):
    path = tmp_path / "images"
    write_idx(path, np.zeros((2, 3, 3)))
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError, match="images: IDX data has 17 bytes, its header promises 18"):
        read_idx(path)


def test_a_bad_magic_number_is_named(tmp_path):
    path = tmp_path / "labels"
    write_idx(path, np.zeros(3), magic=bytes([1, 2, 8, 1]))
    with pytest.raises(ValueError, match="labels: not an IDX file \\(bad magic number\\)"):
        read_idx(path)


def test_a_corrupt_gzip_is_named(tmp_path):
    path = tmp_path / "images.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="images.gz: not a readable IDX file"):
        read_idx(path)


def test_mismatched_label_count_is_named(mnist_dir):
    directory, _ = mnist_dir
    write_idx(directory / MNIST_FILES["t_train"], np.zeros(5))
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte: \(5,\) labels for 6 images"):
        load_mnist(directory)
