"""Contracts the catalog's strategies do not reach: unnormalized and integer one-hot targets, one class,
the messages of the label and dropout-ratio checks, and a fresh loss layer's state.

Written to kill mutants that survived the mutation run (bench/README.md, "Mutation score").
"""

import numpy as np
import pytest

from manual_bp import Dropout, MeanSquaredError, SoftmaxWithLoss
from manual_bp.functions import as_labels, cross_entropy_error
from oracle import verify_layer
from oracle.layers.losses import softmax_with_loss


def test_softmax_with_loss_matches_its_oracle_for_targets_that_do_not_sum_to_one():
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(3, 4)), np.array([[2.0, 0.0, 1.0, 0.0], [0.0, 0.5, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    verify_layer(SoftmaxWithLoss, softmax_with_loss, {"x": x, "t": t}, dout=np.float64(0.7), nondiff=("t",))


def test_integer_one_hot_targets_are_dense_targets_not_indices():
    x = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -3.0]])
    indices, one_hot = np.array([2, 0]), np.array([[0, 0, 1], [1, 0, 0]])
    by_index, dense = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert dense.forward(x, one_hot) == pytest.approx(by_index.forward(x, indices), rel=1e-15)
    np.testing.assert_allclose(dense.backward(0.5), by_index.backward(0.5), rtol=1e-15)


def test_one_class_is_allowed_and_costs_nothing():
    assert cross_entropy_error(np.array([[3.0], [-2.0]]), np.array([0, 0]), from_logits=True) == 0.0


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: SoftmaxWithLoss().forward(np.zeros(3), np.zeros((2, 2))),
            ValueError,
            r"t must be class indices of shape \(\) or one-hot targets of shape \(3,\) \(x has shape \(3,\)\)",
        ),
        (
            lambda: as_labels(np.array([[True, False]]), (1, 2)),
            TypeError,
            "t \\(one-hot targets\\) must be numeric, got dtype bool",
        ),
        (lambda: as_labels(np.array([[np.nan, 1.0]]), (1, 2)), ValueError, "t \\(one-hot targets\\) must be finite"),
        (lambda: Dropout("0.5"), TypeError, "dropout_ratio must be a real number, got str"),
        (lambda: Dropout(True), TypeError, "dropout_ratio must be a real number, got bool"),
        (
            lambda: Dropout(1.0),
            ValueError,
            r"dropout_ratio must lie in \[0, 1\) \(the probability of dropping a unit\), got 1.0",
        ),
    ],
)
def test_label_and_ratio_checks_say_what_is_wrong(call, error, message):
    with pytest.raises(error, match=f"^{message}"):
        call()


@pytest.mark.parametrize("loss", [SoftmaxWithLoss, MeanSquaredError])
def test_a_fresh_loss_layer_has_no_loss_yet(loss):
    assert loss().loss is None


def _sequel_layers():
    from manual_bp import (
        GRU,
        LSTM,
        RNN,
        Embedding,
        EmbeddingDot,
        NegativeSamplingLoss,
        TimeAffine,
        TimeBiLSTM,
        TimeEmbedding,
        TimeGRU,
        TimeLSTM,
        TimeRNN,
    )

    def cell(cls, gates):
        return cls(np.zeros((2, gates)), np.zeros((1, gates)), np.zeros(gates))

    lstm = (np.zeros((2, 4)), np.zeros((1, 4)), np.zeros(4))
    table = np.zeros((7, 2))
    return {
        "RNN": cell(RNN, 1),
        "LSTM": cell(LSTM, 4),
        "GRU": cell(GRU, 3),
        "TimeRNN": cell(TimeRNN, 1),
        "TimeLSTM": cell(TimeLSTM, 4),
        "TimeGRU": cell(TimeGRU, 3),
        "TimeBiLSTM": TimeBiLSTM(*lstm, *lstm),
        "TimeAffine": TimeAffine(np.zeros((2, 3)), np.zeros(3)),
        "Embedding": Embedding(table),
        "TimeEmbedding": TimeEmbedding(table),
        "EmbeddingDot": EmbeddingDot(table),
        "NegativeSamplingLoss": NegativeSamplingLoss(table, np.arange(7), sample_size=2, seed=0),
    }


@pytest.mark.parametrize("name", list(_sequel_layers()))
def test_the_sequels_gradients_are_none_until_the_first_backward(name):
    layer = _sequel_layers()[name]
    assert all(grad is None for grad in layer.grads.values())
