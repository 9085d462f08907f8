"""`manual-bp train --network cbow|rnnlm|better-rnnlm --corpus FILE`: per-epoch figures, JSON, plot, errors."""

import json

import numpy as np
import pytest

from oracle.cli import main


@pytest.fixture
def corpus(tmp_path):
    rng = np.random.default_rng(0)
    words = np.array("the cat dog sat on a mat and ran".split())
    lines = [" ".join(rng.choice(words, size=rng.integers(4, 8))) for _ in range(120)]
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("network", ["cbow", "rnnlm", "better-rnnlm"])
def test_text_networks_train_and_report_every_epoch(network, corpus, capsys):
    status = main(
        [
            "train",
            "--network",
            network,
            "--corpus",
            str(corpus),
            "--epochs",
            "2",
            "--hidden",
            "8",
            *([] if network == "cbow" else ["--time-size", "5"]),
            "--batch-size",
            "10",
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert status == 0 and [e["epoch"] for e in report["history"]] == [1, 2]
    key = "loss" if network == "cbow" else "train_perplexity"
    assert all(np.isfinite(e[key]) for e in report["history"])
    if network != "cbow":  # an untrained language model is about as perplexed as the vocabulary is large
        assert report["history"][0]["train_perplexity"] < 3 * report["data"]["vocabulary"]


def test_plot_is_written(corpus, tmp_path, capsys):
    status = main(
        [
            "train",
            "--network",
            "rnnlm",
            "--corpus",
            str(corpus),
            "--epochs",
            "1",
            "--hidden",
            "8",
            "--time-size",
            "5",
            "--batch-size",
            "10",
            "--plot",
            str(tmp_path / "ppl.png"),
        ]
    )
    assert status == 0 and (tmp_path / "ppl.png").stat().st_size > 0
    assert "plot written to" in capsys.readouterr().out


def test_a_text_network_without_a_corpus_is_a_usage_error(capsys):
    assert main(["train", "--network", "rnnlm"]) == 2
    assert "--network rnnlm needs --corpus FILE" in capsys.readouterr().err


def test_each_epoch_is_reported_on_stderr_off_a_terminal(corpus, capsys):
    args = ["--network", "rnnlm", "--corpus", str(corpus), "--epochs", "2", "--hidden", "8", "--json"]
    assert main(["train", *args, "--batch-size", "4", "--time-size", "5"]) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("epoch ")]
    assert [line.split("  ")[0] for line in err] == ["epoch 1/2", "epoch 2/2"]
    assert all("train perplexity" in line for line in err)
