"""SimpleRnnlm, Rnnlm, BetterRnnlm: the gradient of a truncated-BPTT block equals jax.grad of the
pure JAX loss from the states the oracle carries out of the block before (and, for BetterRnnlm, the
dropout masks drawn); the model's carried state is its own, never set by the test; tied once."""

import jax
import numpy as np
import pytest
from broken_layers import HiddenOnlyTimeLSTM, TiedOnceBetterRnnlm
from hypothesis import given, settings
from hypothesis import strategies as st

from manual_bp import BetterRnnlm, Rnnlm, SimpleRnnlm
from oracle.networks.rnnlm import (
    better_rnnlm,
    better_rnnlm_states,
    rnnlm,
    rnnlm_state,
    simple_rnnlm,
    simple_rnnlm_state,
)
from oracle.verify.tolerance import Tolerance, compare

V, D, H, N, T = 6, 3, 3, 2, 4
TOLERANCE = Tolerance(atol=1e-12, rtol=1e-9, ntol=1e-10)
_GRADS = {
    simple_rnnlm: jax.jit(jax.grad(simple_rnnlm)),
    rnnlm: jax.jit(jax.grad(rnnlm)),
    better_rnnlm: jax.jit(jax.grad(better_rnnlm, argnums=0), static_argnames="dropout_ratio"),
}
_STATES = {
    simple_rnnlm_state: jax.jit(simple_rnnlm_state),
    rnnlm_state: jax.jit(rnnlm_state),
    better_rnnlm_states: jax.jit(better_rnnlm_states, static_argnames="dropout_ratio"),
}


def jax_grads(function, params, *data, **static):
    with jax.enable_x64(True):
        grads = _GRADS[function]({k: np.asarray(v, np.float64) for k, v in params.items()}, *data, **static)
        return {k: np.asarray(v) for k, v in grads.items()}


def jax_states(function, params, *data, **static):
    """The states the oracle carries out of one block (float64 NumPy, nested as ``function`` returns them)."""
    with jax.enable_x64(True):
        states = _STATES[function]({k: np.asarray(v, np.float64) for k, v in params.items()}, *data, **static)
        return jax.tree_util.tree_map(np.asarray, states)


def mismatches(model, reference) -> list:
    assert set(model.grads) == set(reference) == set(model.params)
    return [
        f"{name}:\n{compare(value, reference[name], TOLERANCE).report}"
        for name, value in model.grads.items()
        if not compare(value, reference[name], TOLERANCE).passed
    ]


def blocks(seed):
    rng = np.random.default_rng(seed)
    xs = rng.integers(0, V, size=(N, 2 * T))
    ts = np.where(rng.random((N, 2 * T)) < 0.2, -1, rng.integers(0, V, size=(N, 2 * T)))
    return xs, ts


def scaled(model, seed):
    rng = np.random.default_rng(seed + 1)
    for value in model.params.values():
        value[...] = rng.normal(size=value.shape)
    return model


def two_blocks(model, seed, train_flg=None):
    """Run block 1 from zeros, then block 2 from the state the model carried (forward, backward each).

    Returns ``(block 1's ids, its dropout masks, block 2's ids, block 2's targets)``."""
    xs, ts = blocks(seed)
    kwargs = {} if train_flg is None else {"train_flg": train_flg}
    model.forward(xs[:, :T], ts[:, :T], **kwargs)
    masks = [layer.mask.astype(np.float64) for layer in getattr(model, "dropouts", ())]
    model.backward()
    model.forward(xs[:, T:], ts[:, T:], **kwargs)
    model.backward()
    return xs[:, :T], masks, xs[:, T:], ts[:, T:]


ZEROS = np.zeros((N, H))


def simple_rnnlm_mismatches(model, seed) -> list:
    first, _, xs, ts = two_blocks(model, seed)
    h = jax_states(simple_rnnlm_state, model.params, first, ZEROS)
    return mismatches(model, jax_grads(simple_rnnlm, model.params, xs, ts, h))


def rnnlm_mismatches(model, seed) -> list:
    first, _, xs, ts = two_blocks(model, seed)
    h, c = jax_states(rnnlm_state, model.params, first, ZEROS, ZEROS)
    return mismatches(model, jax_grads(rnnlm, model.params, xs, ts, h, c))


@settings(max_examples=20)
@given(seed=st.integers(0, 2**32 - 1))
def test_simple_rnnlm_block_gradient_equals_jax_grad_from_the_carried_state(seed):
    assert not simple_rnnlm_mismatches(scaled(SimpleRnnlm(V, D, H, seed=seed), seed), seed)


@settings(max_examples=20)
@given(seed=st.integers(0, 2**32 - 1))
def test_rnnlm_block_gradient_equals_jax_grad_from_the_carried_states(seed):
    assert not rnnlm_mismatches(scaled(Rnnlm(V, D, H, seed=seed), seed), seed)


def test_a_language_model_whose_lstm_does_not_carry_its_cell_state_is_caught():
    model = scaled(Rnnlm(V, D, H, seed=0), 0)
    model.recurrent[0].__class__ = HiddenOnlyTimeLSTM
    assert rnnlm_mismatches(model, 0)


def _better(model_cls, seed):
    model = scaled(model_cls(V, H, H, dropout_ratio=0.3, seed=seed), seed)
    first, first_masks, xs, ts = two_blocks(model, seed, train_flg=True)
    masks = [layer.mask.astype(np.float64) for layer in model.dropouts]
    states = jax_states(better_rnnlm_states, model.params, first, ((ZEROS, ZEROS),) * 2, first_masks, dropout_ratio=0.3)
    return model, jax_grads(better_rnnlm, model.params, xs, ts, states, masks, dropout_ratio=0.3)


@settings(max_examples=20)
@given(seed=st.integers(0, 2**32 - 1))
def test_better_rnnlm_gradient_sums_both_uses_of_the_tied_embedding(seed):
    model, reference = _better(BetterRnnlm, seed)
    assert not mismatches(model, reference)
    assert "affine_W" not in model.params  # the tied weight is listed once


def test_tied_weights_counted_once_is_caught():
    model, reference = _better(TiedOnceBetterRnnlm, 0)
    assert [m.split(":")[0] for m in mismatches(model, reference)] == ["embed_W"]


def test_reset_state_makes_two_forwards_give_the_same_loss():
    model = Rnnlm(V, D, H, seed=0)
    xs, ts = blocks(0)
    first = model.forward(xs, ts)
    assert model.forward(xs, ts) != first  # stateful: the second block starts where the first ended
    model.reset_state()
    again = Rnnlm(V, D, H, seed=0)
    assert model.forward(xs, ts) == again.forward(xs, ts)


def test_weight_tying_needs_equal_sizes():
    with pytest.raises(ValueError, match="weight tying needs wordvec_size == hidden_size, got 4 and 3"):
        BetterRnnlm(V, 4, 3)
