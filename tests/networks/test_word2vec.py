"""SimpleCBOW, CBOW, SkipGram: hand-written gradients equal jax.grad of their pure JAX losses."""

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manual_bp import CBOW, SimpleCBOW, SkipGram
from oracle.networks.word2vec import cbow, simple_cbow, skip_gram
from oracle.verify.tolerance import Tolerance, compare

V, H, N = 7, 3, 5
CORPUS = np.array([0, 1, 2, 3, 4, 1, 5, 6, 1, 2])
TOLERANCE = Tolerance(atol=1e-12, rtol=1e-9, ntol=1e-10)
_GRADS = {f: jax.jit(jax.grad(f)) for f in (simple_cbow, cbow, skip_gram)}


def jax_grads(function, params, *data):
    with jax.enable_x64(True):
        grads = _GRADS[function]({k: np.asarray(v, np.float64) for k, v in params.items()}, *data)
        return {k: np.asarray(v) for k, v in grads.items()}


def assert_grads_equal(model, reference):
    assert set(model.grads) == set(reference) == set(model.params)
    for name, value in model.grads.items():
        result = compare(value, reference[name], TOLERANCE)
        assert result.passed, f"{name}:\n{result.report}"


def _data(seed, width):
    rng = np.random.default_rng(seed)
    return rng.integers(0, V, size=(N, width)), rng.integers(0, V, size=N)


def _scaled(model, seed):
    """Weights of order 1 (the book's 0.01 * N(0, 1) makes every gradient tiny)."""
    rng = np.random.default_rng(seed + 1)
    for value in model.params.values():
        value[...] = rng.normal(size=value.shape)
    return model


@settings(max_examples=20)
@given(seed=st.integers(0, 2**32 - 1))
def test_simple_cbow_gradient_equals_jax_grad(seed):
    model = _scaled(SimpleCBOW(V, H, seed=seed), seed)
    contexts, target = _data(seed, 2)
    model.forward(contexts, target)
    model.backward()
    assert_grads_equal(model, jax_grads(simple_cbow, model.params, contexts, target))


@settings(max_examples=20)
@given(seed=st.integers(0, 2**32 - 1), window=st.sampled_from((1, 2)))
def test_cbow_gradient_equals_jax_grad_on_the_negatives_it_drew(seed, window):
    model = _scaled(CBOW(V, H, window, CORPUS, sample_size=3, seed=seed), seed)
    contexts, target = _data(seed, 2 * window)
    model.forward(contexts, target)
    model.backward(0.5)
    reference = jax_grads(cbow, model.params, contexts, target, model.ns_loss.ids[:, 1:])
    assert_grads_equal(model, {k: 0.5 * v for k, v in reference.items()})


@settings(max_examples=20)
@given(seed=st.integers(0, 2**32 - 1), window=st.sampled_from((1, 2)))
def test_skip_gram_gradient_equals_jax_grad_with_W_out_shared_by_every_context(seed, window):
    model = _scaled(SkipGram(V, H, window, CORPUS, sample_size=2, seed=seed), seed)
    contexts, target = _data(seed, 2 * window)
    model.forward(contexts, target)
    model.backward()
    negatives = np.stack([loss.ids[:, 1:] for loss in model.losses])
    assert_grads_equal(model, jax_grads(skip_gram, model.params, contexts, target, negatives))
    assert list(model.params) == ["W_in", "W_out"]  # each distinct array once


def test_the_same_seed_gives_the_same_model_and_the_same_negatives():
    one, two = CBOW(V, H, 1, CORPUS, seed=3), CBOW(V, H, 1, CORPUS, seed=3)
    contexts, target = _data(0, 2)
    assert one.forward(contexts, target) == two.forward(contexts, target)


def test_contexts_of_the_wrong_width_are_named():
    with pytest.raises(ValueError, match=r"contexts must be word ids of shape \(N, 4\)"):
        CBOW(V, H, 2, CORPUS, seed=0).forward(np.zeros((3, 2), np.int64), np.zeros(3, np.int64))
