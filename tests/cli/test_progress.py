"""Training progress: a bar on a terminal; off a terminal (a log, a pipe, a background job) one
plain line per finished epoch on stderr, so a long run can be followed."""

import io

import pytest
from rich.console import Console

from oracle.cli import main
from oracle.cli.progress import TrainingProgress, epoch_line


def test_an_epoch_line_names_every_figure_and_ends_with_the_seconds():
    line = epoch_line(3, 10, {"epoch": 3, "loss": 0.41234, "test_accuracy": 0.912, "seconds": 41.23})
    assert line == "epoch 3/10  loss 0.4123  test accuracy 0.9120  (41.2 s)"


@pytest.mark.parametrize("terminal", [False, True])
def test_every_epoch_line_is_printed_on_a_terminal_above_the_bar_and_alone_elsewhere(terminal):
    stream = io.StringIO()
    err = Console(file=stream, force_terminal=terminal, width=100)
    with TrainingProgress(err, 2, 4) as progress:
        for epoch in (1, 2):
            progress.step(epoch, 1.0)
            progress.step(epoch, 0.5)
            progress.epoch(epoch, {"loss": 0.75})
    text = stream.getvalue()
    assert "epoch 1/2  loss 0.7500" in text and "epoch 2/2  loss 0.7500" in text
    if not terminal:  # nothing else: no bar, no blank line
        assert text.splitlines() == ["epoch 1/2  loss 0.7500", "epoch 2/2  loss 0.7500"]


@pytest.mark.parametrize(
    "args",
    [
        ["--network", "seq2seq", "--task", "addition", "--size", "300", "--hidden", "8", "--wordvec", "4"],
        ["--dataset", "spiral", "--hidden", "5", "--batch-size", "100"],
    ],
    ids=["seq2seq", "first book"],
)
def test_every_train_run_reports_each_epoch_on_stderr_off_a_terminal(args, capsys):
    assert main(["train", *args, "--epochs", "2", "--json"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [line.split("  ")[0] for line in err if line.startswith("epoch ")] == ["epoch 1/2", "epoch 2/2"]
    assert all(("test accuracy" in line or "test acc" in line) for line in err if line.startswith("epoch "))
