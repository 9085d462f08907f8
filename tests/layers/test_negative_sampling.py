"""UnigramSampler and NegativeSamplingLoss: injected Generator, target excluded, no repeats, W once."""

import numpy as np
import pytest

from manual_bp import NegativeSamplingLoss, UnigramSampler
from oracle.layers.negative_sampling import seeded_negative_sampling_layer, seeded_negative_sampling_loss
from oracle.verify.verifier import verify_layer

CORPUS = np.array([0, 1, 2, 3, 4, 1, 5, 6, 1, 2])
STRINGS = np.array([["a", "b"]])


def _loss():
    return NegativeSamplingLoss(np.ones((7, 3)), CORPUS, sample_size=2, seed=0)


def test_target_is_never_drawn_and_no_row_repeats_an_id():
    sampler = UnigramSampler(CORPUS, 0.75, 5, seed=0)
    target = np.array([1, 1, 2, 6] * 50)
    negatives = sampler.get_negative_sample(target)
    assert negatives.shape == (200, 5) and negatives.dtype == np.int64
    assert not (negatives == target[:, None]).any()
    assert all(len(set(row)) == 5 for row in negatives.tolist())


def test_the_same_seed_draws_the_same_negatives_and_the_global_state_is_untouched():
    state = np.random.get_state()[1].copy()
    one = UnigramSampler(CORPUS, rng=np.random.default_rng(3)).get_negative_sample(np.array([0, 1]))
    two = UnigramSampler(CORPUS, seed=3).get_negative_sample(np.array([0, 1]))
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_single_draws_follow_count_to_the_power_renormalised_without_the_target():
    sampler = UnigramSampler(CORPUS, 0.75, 1, seed=1)
    draws = sampler.get_negative_sample(np.full(40_000, 1)).ravel()
    p = np.bincount(CORPUS).astype(float) ** 0.75
    p[1] = 0
    p /= p.sum()
    np.testing.assert_allclose(np.bincount(draws, minlength=7) / draws.size, p, atol=0.01)


def test_ids_that_never_occur_are_never_drawn():
    sampler = UnigramSampler(np.array([0, 2, 3, 4, 2]), 0.75, 2, seed=0)
    assert sampler.vocab_size == 5
    assert not (sampler.get_negative_sample(np.zeros(500, np.int64)) == 1).any()


def test_too_few_words_for_the_sample_size_is_an_error():
    with pytest.raises(ValueError, match="sample_size 3 needs more than 3 distinct words"):
        UnigramSampler(np.array([0, 1, 2, 0]), sample_size=3)


def test_loss_lists_W_once_and_matches_the_oracle_on_the_negatives_it_drew():
    rng = np.random.default_rng(0)
    W, h, target = rng.normal(size=(7, 3)), rng.normal(size=(4, 3)), np.array([1, 1, 2, 5])
    layer = NegativeSamplingLoss(W, CORPUS, sample_size=3, seed=2)
    assert list(layer.params) == ["W"]
    negatives = UnigramSampler(CORPUS, sample_size=3, seed=2).get_negative_sample(target)

    def made(W_, negatives_, corpus_, seed_):  # the layer draws its own negatives
        return seeded_negative_sampling_layer(W_, negatives_, corpus_, seed_, sample_size=3)

    # The catalog row's oracle, one function object (it takes the negatives as data): a fresh
    # closure per call would compile at every call, and a compile hangs in a forked mutmut worker.
    verify_layer(
        made,
        seeded_negative_sampling_loss,
        {"h": h, "target": target},
        {"W": W, "negatives": negatives, "corpus": CORPUS, "seed": np.int64(2)},
        np.float64(0.7),
        nondiff={"target", "negatives", "corpus", "seed"},
    )
    layer.forward(h, target)
    np.testing.assert_array_equal(layer.ids[:, 1:], negatives)


def test_a_confidently_wrong_score_costs_its_logit_not_a_delta_capped_16():
    W = np.array([[100.0], [-100.0], [-100.0], [-100.0]])
    layer = NegativeSamplingLoss(W, np.array([0, 1, 2, 3]), sample_size=2, seed=0)
    assert layer.forward(np.array([[-10.0]]), np.array([0])) == pytest.approx(3 * 1000.0)  # the book: 3 * 16.1


def _loss_after_forward():
    layer = NegativeSamplingLoss(np.ones((7, 3)), CORPUS, sample_size=2, seed=0)
    layer.forward(np.full((2, 3), 0.5), np.array([1, 2]))
    return layer


def test_backward_defaults_to_an_upstream_gradient_of_one():
    np.testing.assert_array_equal(_loss_after_forward().backward(), _loss_after_forward().backward(1.0))


@pytest.mark.parametrize(
    ("dout", "error", "match"),
    [
        (np.array("a"), TypeError, "^dout must be a real numeric array"),
        (np.ones(2), ValueError, r"^dout must have shape \(\) \(the loss is a scalar\), got \(2,\)$"),
    ],
)
def test_bad_upstream_gradients_are_named(dout, error, match):
    with pytest.raises(error, match=match):
        _loss_after_forward().backward(dout)


def test_backward_before_forward_names_the_layer():
    layer = NegativeSamplingLoss(np.ones((7, 3)), CORPUS, sample_size=2, seed=0)
    with pytest.raises(RuntimeError, match="NegativeSamplingLoss.backward called before NegativeSamplingLoss.forward"):
        layer.backward()


def test_the_negatives_are_the_top_k_of_log_p_plus_gumbel_noise_in_decreasing_order():
    target = np.array([1, 2, 6, 1])
    negatives = UnigramSampler(CORPUS, 0.75, 3, seed=5).get_negative_sample(target)
    sampler = UnigramSampler(CORPUS, 0.75, 3, seed=5)
    keys = sampler.log_p + np.random.default_rng(5).gumbel(size=(4, sampler.vocab_size))  # the same draws
    keys[np.arange(4), target] = -np.inf
    np.testing.assert_array_equal(negatives, np.argsort(-keys, axis=1, kind="stable")[:, :3])


def test_five_negatives_by_default():
    assert UnigramSampler(np.arange(7), seed=0).sample_size == 5
    assert NegativeSamplingLoss(np.ones((7, 2)), np.arange(7), seed=0).sample_size == 5
    assert NegativeSamplingLoss(np.ones((7, 2)), np.arange(7), sample_size=3, seed=0).sample_size == 3


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: UnigramSampler(np.zeros((2, 2), int)),
            ValueError,
            r"^corpus must be a non-empty 1-D .*, got shape \(2, 2\)$",
        ),
        (
            lambda: UnigramSampler(np.zeros(0, int)),
            ValueError,
            r"^corpus must be a non-empty 1-D .*, got shape \(0,\)$",
        ),
        (
            lambda: UnigramSampler(np.array([3]), sample_size=1),
            ValueError,
            r"^sample_size 1 needs more than 1 distinct words in the corpus \(one is the target\), got 1$",
        ),
        (lambda: UnigramSampler(CORPUS, sample_size=0), ValueError, "^sample_size must be"),
        (lambda: UnigramSampler(np.array([0, -1, 2])), ValueError, r"^corpus must hold ids in \[0, 3\), got -1"),
        (
            lambda: UnigramSampler(CORPUS, sample_size=2, seed=0).get_negative_sample([9]),
            ValueError,
            "^target must hold ids",
        ),
        (
            lambda: UnigramSampler(CORPUS, sample_size=2, seed=0).get_negative_sample(np.zeros((2, 2), int)),
            ValueError,
            r"^target must have shape \(N,\), got \(2, 2\)$",
        ),
        (lambda: NegativeSamplingLoss(STRINGS, CORPUS), TypeError, "^W must be a real numeric array"),
        (
            lambda: NegativeSamplingLoss(np.ones(7), CORPUS),
            ValueError,
            r"^W must be an embedding table of shape \(V, D\), got \(7,\)$",
        ),
        (
            lambda: NegativeSamplingLoss(np.ones((3, 2)), CORPUS),
            ValueError,
            "^W has 3 rows but the corpus holds ids up to 6$",
        ),
        (lambda: _loss().forward(np.ones((2, 3)), np.array([1, 9])), ValueError, r"^target must hold ids in \[0, 7\)"),
        (
            lambda: _loss().forward(np.ones((2, 3)), np.array([1, 2, 3])),
            ValueError,
            r"^target must have shape \(2,\) \(one target id per row of h\), got \(3,\)$",
        ),
    ],
)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_a_float32_loss_computes_in_float32():
    layer = NegativeSamplingLoss(np.ones((7, 3), np.float32), CORPUS, sample_size=2, seed=0)
    loss = layer.forward(np.full((2, 3), 0.5, np.float32), np.array([1, 2]))
    assert loss.dtype == layer.ds.dtype == layer.backward().dtype == np.float32


def test_the_word_probabilities_are_the_counts_to_the_power_normalised():
    sampler = UnigramSampler(CORPUS, 0.75, 2, seed=0)
    p = np.bincount(CORPUS) ** 0.75
    np.testing.assert_allclose(sampler.word_p, p / p.sum(), rtol=1e-14)
    np.testing.assert_allclose(sampler.log_p, np.log(p / p.sum()), rtol=1e-14)
