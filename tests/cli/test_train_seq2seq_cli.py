"""`manual-bp train --network seq2seq|peeky|attention --task addition|dates`: per-epoch exact-match
accuracy, JSON, the accuracy plot, the attention heat maps, errors. Tiny settings: a few hundred problems."""

import json

import pytest

from oracle.cli import main

TINY = ["--size", "300", "--epochs", "1", "--hidden", "8", "--wordvec", "4", "--batch-size", "64"]


@pytest.mark.parametrize("network", ["seq2seq", "peeky", "attention"])
@pytest.mark.parametrize("task", ["addition", "dates"])
def test_each_model_trains_on_each_task_and_reports_the_exact_match_accuracy(network, task, capsys):
    status = main(["train", "--network", network, "--task", task, "--reverse", *TINY, "--json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 0
    assert report["settings"]["max_grad"] == 5.0 and report["settings"]["reverse"] is True
    [epoch] = report["history"]
    assert epoch["epoch"] == 1 and epoch["loss"] > 0 and 0.0 <= epoch["test_accuracy"] <= 1.0


def test_the_books_settings_are_the_defaults(capsys):
    status = main(["train", "--network", "attention", "--task", "dates", "--size", "200", "--epochs", "1", "--json"])
    settings = json.loads(capsys.readouterr().out)["settings"]
    assert status == 0
    assert {k: settings[k] for k in ("hidden", "wordvec", "optimizer", "lr", "batch_size", "max_grad")} == {
        "hidden": 256,
        "wordvec": 16,
        "optimizer": "adam",
        "lr": 0.001,
        "batch_size": 128,
        "max_grad": 5.0,
    }


def test_text_report_shows_each_epoch_and_a_few_answers(capsys):
    assert main(["train", "--network", "peeky", *TINY]) == 0
    out = capsys.readouterr().out
    assert "peeky on addition (270 train / 30 test, vocabulary 13)" in out
    assert "final  loss" in out and "test accuracy" in out
    assert out.count("(answer ") == 3


def test_plots_are_written(tmp_path, capsys):
    curve, maps = tmp_path / "accuracy.png", tmp_path / "attention.png"
    args = ["--plot", str(curve), "--plot-attention", str(maps)]
    assert main(["train", "--network", "attention", "--task", "dates", "--reverse", *TINY, *args]) == 0
    assert curve.read_bytes()[:4] == maps.read_bytes()[:4] == b"\x89PNG"


def test_plot_attention_needs_the_attention_model(tmp_path, capsys):
    status = main(["train", "--network", "peeky", *TINY, "--plot-attention", str(tmp_path / "a.png")])
    assert status == 2
    assert "--plot-attention does not apply to --network peeky; it is read by attention" in capsys.readouterr().err


def test_seq2seq_options_need_a_seq2seq_network(capsys):
    assert main(["train", "--network", "two-layer", "--task", "dates"]) == 2
    assert (
        "--task does not apply to --network two-layer; it is read by seq2seq, peeky or attention"
        in capsys.readouterr().err
    )


def test_more_addition_problems_than_distinct_pairs_allow_is_refused(capsys):
    status = main(["train", "--network", "seq2seq", "--task", "addition", "--size", "300000", "--epochs", "1"])
    assert status != 0
    assert "--size must be at most 200000 for --task addition" in capsys.readouterr().err
