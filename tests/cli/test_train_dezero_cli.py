"""`manual-bp train --network dezero-*`: the third book's trainings on the one train path: the one
JSON schema, the plot, parameters that `Layer.load_weights` reads back. Tiny settings. (Options
they do not read, outputs, divergence and Ctrl-C: the tables of `test_train_command_line.py`.)"""

import json

import numpy as np
import pytest

from manual_bp.dezero.models import MLP
from oracle.cli import main
from oracle.cli.train_dezero import LiveParams


def test_spiral_training_reports_every_epoch_in_the_one_schema(capsys):
    status = main(["train", "--network", "dezero-spiral", "--epochs", "3", "--seed", "1", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 0
    assert set(report) == {"settings", "data", "history", "final"}
    assert report["settings"]["hidden"] == 10 and report["settings"]["lr"] == 1.0
    assert report["settings"]["dtype"] == "float32" and report["settings"]["threads"] >= 1
    assert report["data"] == {"train": 300, "test": 300, "classes": 3}
    assert [e["epoch"] for e in report["history"]] == [1, 2, 3]
    figures = {"train_loss", "train_acc", "test_loss", "test_acc"}
    assert set(report["history"][0]) == {"epoch", *figures, "seconds"}
    assert set(report["final"]) == {*figures, "seconds"}
    assert report["final"]["test_acc"] == report["history"][-1]["test_acc"]


@pytest.mark.parametrize("network", ["dezero-rnn", "dezero-lstm"])
def test_sine_curve_training_reports_its_cosine_error_in_final(network, capsys):
    assert main(["train", "--network", network, "--epochs", "1", "--hidden", "4", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["history"][0]) == {"epoch", "train_loss", "seconds"}
    assert report["final"]["cosine_mse"] > 0 and report["data"]["test"] == 1000


def test_saved_parameters_load_into_the_model_and_the_plot_is_written(tmp_path, capsys):
    save, plot = tmp_path / "w.npz", tmp_path / "curves.png"
    args = ["--epochs", "2", "--hidden", "5", "--save", str(save), "--plot", str(plot)]
    assert main(["train", "--network", "dezero-spiral", *args]) == 0
    out = capsys.readouterr().out
    assert f"parameters written to {save}" in out and f"plot written to {plot}" in out
    model = MLP((5, 3))
    model.load_weights(save)
    assert [p.data.shape for p in model.params()] == [(2, 5), (5,), (5, 3), (3,)]
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_live_params_follow_the_model_from_its_first_call():
    params = LiveParams()
    assert dict(params) == {}
    model = params.model = MLP((4, 3), rng=0)
    assert sorted(params) == ["l0/b", "l1/b"]  # a Linear's weights exist only after its first call
    model(np.zeros((1, 2), dtype=np.float32))
    assert sorted(params) == ["l0/W", "l0/b", "l1/W", "l1/b"]
    model.l0.W.data = model.l0.W.data + 1  # an optimizer's update rebinds .data
    assert params["l0/W"] is model.l0.W.data
