"""Inputs a new user tried (issue 21): each is refused at the boundary naming the argument, or has
a defined result. Warnings are errors here, so a NumPy warning from inside a layer fails too."""

import numpy as np
import pytest

import manual_bp
from manual_bp import NonFiniteInputError
from manual_bp.layers.negative_sampling import NegativeSamplingLoss, UnigramSampler
from manual_bp.training.trainer import Trainer, TrainingDiverged

CORPUS = np.array([0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6])


@pytest.mark.parametrize("power", [1e3, 1e6, 1e300])
def test_a_huge_power_concentrates_the_draws_on_the_most_frequent_words_and_never_draws_the_target(power):
    sampler = UnigramSampler(CORPUS, power, 2, seed=0)
    assert np.all(np.isfinite(sampler.log_p[np.bincount(CORPUS) > 0]))
    assert sampler.word_p.argmax() == 6 and np.isclose(sampler.word_p.sum(), 1.0)
    target = np.array([6, 6, 0, 0, 1])
    negatives = sampler.get_negative_sample(target)
    assert not np.any(negatives == target[:, None])
    assert np.all(negatives[target != 6, 0] == 6)  # the most frequent word first, whenever allowed
    assert np.all(negatives[target == 6, 0] == 0)  # then the next most frequent


@pytest.mark.parametrize("power", [np.inf, np.nan, 0, -1, "x", None])
def test_a_power_that_is_not_a_positive_finite_number_is_refused_naming_power(power):
    for make in (
        lambda: UnigramSampler(CORPUS, power, 2),
        lambda: NegativeSamplingLoss(np.ones((7, 3)), CORPUS, power),
    ):
        with pytest.raises(ValueError, match=r"^power must be a positive finite number, got "):
            make()


def test_a_float_corpus_is_refused_as_not_being_word_ids():
    with pytest.raises(TypeError, match=r"^corpus must be an integer array of word ids, got dtype float64$"):
        NegativeSamplingLoss(np.ones((7, 3)), CORPUS.astype(float))


INF_INPUTS = {
    "Softmax": (lambda x: manual_bp.Softmax().forward(x), (2, 3), "x"),
    "SoftmaxWithLoss": (lambda x: manual_bp.SoftmaxWithLoss().forward(x, np.array([0, 1])), (2, 3), "x"),
    "TimeSoftmaxWithLoss": (
        lambda x: manual_bp.TimeSoftmaxWithLoss().forward(x, np.zeros((2, 2), int)),
        (2, 2, 3),
        "xs",
    ),
    "TimeAttention": (lambda x: manual_bp.TimeAttention().forward(x, np.ones((2, 1, 3))), (2, 2, 3), "hs_enc"),
    "TimeLSTM": (
        lambda x: manual_bp.TimeLSTM(np.ones((3, 8)), np.ones((2, 8)), np.ones(8)).forward(x),
        (2, 2, 3),
        "xs",
    ),
}


@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("layer", sorted(INF_INPUTS))
def test_a_non_finite_input_is_refused_naming_the_input_and_the_entry(layer, value):
    forward, shape, name = INF_INPUTS[layer]
    x = np.zeros(shape)
    x[(1,) * len(shape)] = value
    with pytest.raises(NonFiniteInputError, match=rf"^{name} must be finite, got {value} at index \(1, 1"):
        forward(x)


def test_finite_inputs_whose_sum_overflows_are_accepted():
    x = np.array([[1e308, 1e308, 0.0]])
    assert np.allclose(manual_bp.Softmax().forward(x), [[0.5, 0.5, 0.0]])


@pytest.mark.parametrize("t", [[[1.5, -0.5, 0.0]], [[0.0, -1e-9, 1.0]]])
def test_a_dense_target_with_a_negative_entry_is_refused(t):
    with pytest.raises(ValueError, match=r"^t \(dense targets\) must be non-negative, got -"):
        manual_bp.SoftmaxWithLoss().forward(np.zeros((1, 3)), np.array(t))


def test_a_dense_target_row_of_any_non_negative_sum_is_still_accepted():
    loss = manual_bp.SoftmaxWithLoss().forward(np.zeros((2, 3)), np.array([[0.0, 0.0, 0.0], [2.0, 0.0, 1.0]]))
    assert np.isclose(loss, 3 * np.log(3) / 2)


def test_training_into_infinite_scores_is_reported_as_a_divergence():
    class Overflowing:
        params: dict = {}

        def gradient(self, x, t):
            manual_bp.SoftmaxWithLoss().forward(np.full((len(x), 2), np.inf), t)

    trainer = Trainer(Overflowing(), None, np.ones((4, 2)), np.zeros(4, int), epochs=1, batch_size=2)
    with pytest.raises(TrainingDiverged, match=r"the input of a layer became non-finite \(x must be finite, got inf"):
        trainer.fit()
