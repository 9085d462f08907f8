"""`manual-bp train --network dezero-*`: the third book's trainings from the command line, with
JSON, the plot, saved weights, and a clear error for options they do not read. Tiny settings."""

import json

import numpy as np
import pytest

from oracle.cli import main


def test_spiral_training_reports_every_epoch_as_json(capsys):
    status = main(["train", "--network", "dezero-spiral", "--epochs", "3", "--seed", "1", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 0
    assert report["settings"]["hidden"] == 10 and report["settings"]["lr"] == 1.0
    assert [e["epoch"] for e in report["history"]] == [1, 2, 3]
    assert set(report["history"][0]) == {"epoch", "loss", "accuracy", "test_loss", "test_accuracy"}


@pytest.mark.parametrize("network", ["dezero-rnn", "dezero-lstm"])
def test_sine_curve_training_reports_its_cosine_error(network, capsys):
    assert main(["train", "--network", network, "--epochs", "1", "--hidden", "4", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["history"]) == 1 and report["cosine_mse"] > 0


def test_save_and_plot_are_written(tmp_path, capsys):
    save, plot = tmp_path / "w.npz", tmp_path / "curves.png"
    args = ["--epochs", "2", "--hidden", "5", "--save", str(save), "--plot", str(plot)]
    assert main(["train", "--network", "dezero-spiral", *args]) == 0
    out = capsys.readouterr().out
    assert "after 2 epochs" in out and "parameters written to" in out
    assert sorted(np.load(save).files) == ["l0/W", "l0/b", "l1/W", "l1/b"]
    assert plot.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--network", "dezero-rnn", "--lr", "0.1"], "--lr is not read by --network dezero-rnn"),
        (["--network", "dezero-spiral", "--batchnorm"], "--batchnorm is not read by --network dezero-spiral"),
        (["--network", "dezero-mnist", "--optimizer", "rmsprop"], "trains with --optimizer sgd or adam"),
        (["--network", "dezero-lstm", "--data-dir", "x"], "--data-dir is not read by --network dezero-lstm"),
    ],
)
def test_options_a_training_does_not_read_are_refused(args, message, capsys):
    assert main(["train", *args]) == 2
    assert message in capsys.readouterr().err
