"""eval_perplexity: resets the state, passes train_flg only where taken, never hides a TypeError."""

import numpy as np
import pytest

from manual_bp import BetterRnnlm, Rnnlm
from manual_bp.training import eval_perplexity

CORPUS = np.random.default_rng(0).integers(0, 8, size=200)


def test_perplexity_of_an_untrained_model_is_near_the_vocabulary_size_and_repeatable():
    model = Rnnlm(8, 4, 4, seed=0)
    first = eval_perplexity(model, CORPUS, batch_size=4, time_size=5)
    assert 6 < first < 10.5
    model.forward(CORPUS[None, :5], CORPUS[None, 1:6])  # leaves a carried state behind
    assert eval_perplexity(model, CORPUS, batch_size=4, time_size=5) == first


def test_a_dropout_model_is_evaluated_in_inference_mode():
    model = BetterRnnlm(8, 4, 4, dropout_ratio=0.5, seed=0)
    assert eval_perplexity(model, CORPUS, batch_size=4, time_size=5) == eval_perplexity(model, CORPUS, 4, 5)


def test_a_type_error_inside_forward_is_not_hidden():
    class Broken(Rnnlm):
        def forward(self, xs, ts, train_flg=False):
            raise TypeError("a real bug")

    with pytest.raises(TypeError, match="a real bug"):
        eval_perplexity(Broken(8, 4, 4, seed=0), CORPUS, 4, 5)


def test_a_too_short_corpus_is_named():
    with pytest.raises(ValueError, match="too short for batch_size 10 x time_size 35"):
        eval_perplexity(Rnnlm(8, 4, 4, seed=0), CORPUS)
