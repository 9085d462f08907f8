"""Seq2seq, PeekySeq2seq, AttentionSeq2seq and their parts: the hand-written gradients equal jax.grad
(jax.vjp for the parts) of the pure JAX functions in float64 and float32; planted bugs are caught;
generate is greedy (each id is the argmax of the teacher-forced scores of its own prefix)."""

import jax
import numpy as np
import pytest
from broken_layers import DroppedLastStepAttentionSeq2seq, SwappedPeekySeq2seq
from hypothesis import given, settings
from hypothesis import strategies as st

from manual_bp.networks.seq2seq import (
    AttentionDecoder,
    AttentionEncoder,
    AttentionSeq2seq,
    Decoder,
    Encoder,
    PeekyDecoder,
    PeekySeq2seq,
    Seq2seq,
)
from oracle.networks import seq2seq as ref
from oracle.verify.tolerance import Tolerance, compare

V, D, H, N, T, TA = 5, 3, 4, 2, 3, 4
TOLERANCES = {
    np.float64: Tolerance(atol=1e-12, rtol=1e-9, ntol=1e-10),
    np.float32: Tolerance(atol=1e-6, rtol=1e-4, ntol=1e-4),  # float32 round-off through two LSTMs
}
_LOSS_GRADS = {f: jax.jit(jax.grad(f)) for f in (ref.seq2seq, ref.peeky_seq2seq, ref.attention_seq2seq)}
MODELS = {Seq2seq: ref.seq2seq, PeekySeq2seq: ref.peeky_seq2seq, AttentionSeq2seq: ref.attention_seq2seq}
DTYPES = st.sampled_from([np.float64, np.float32])


def as64(params):
    return {k: np.asarray(v, np.float64) for k, v in params.items()}


def mismatches(got: dict, reference: dict, dtype) -> list:
    assert set(got) == set(reference)
    results = {name: compare(value, reference[name], TOLERANCES[dtype]) for name, value in got.items()}
    return [f"{name}:\n{r.report}" for name, r in results.items() if not r.passed]


def case(seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, V, size=(N, T)), rng.integers(0, V, size=(N, TA))


def scaled(model, seed):
    """Parameters of order 1 (the book's initialisation gives tiny gradients, a weak test)."""
    rng = np.random.default_rng(seed + 1)
    for value in model.params.values():
        value[...] = rng.normal(size=value.shape)
    return model


def model_and_reference(model_cls, seed, dtype, mask=None):
    model = scaled(model_cls(V, D, H, seed=seed, dtype=dtype), seed)
    xs, ts = case(seed)
    extra = () if mask is None else (mask,)
    loss = model.forward(xs, ts, *extra)
    model.backward()
    function = MODELS[model_cls.__mro__[1] if model_cls not in MODELS else model_cls]
    with jax.enable_x64(True):
        grads = _LOSS_GRADS[function](as64(model.params), xs, ts, *extra)
        expected_loss = float(function(as64(model.params), xs, ts, *extra))
    assert np.asarray(loss).dtype == dtype
    assert compare(np.asarray(loss), np.asarray(expected_loss), TOLERANCES[dtype]).passed
    return model, {k: np.asarray(v) for k, v in grads.items()}


@pytest.mark.parametrize("model_cls", list(MODELS), ids=lambda c: c.__name__)
@settings(max_examples=8)
@given(seed=st.integers(0, 2**32 - 1), dtype=DTYPES)
def test_model_gradient_equals_jax_grad_of_its_loss(model_cls, seed, dtype):
    model, reference = model_and_reference(model_cls, seed, dtype)
    assert all(g.dtype == dtype for g in model.grads.values())
    assert not mismatches(model.grads, reference, dtype)


@settings(max_examples=5)
@given(seed=st.integers(0, 2**32 - 1))
def test_attention_seq2seq_gradient_with_a_padding_mask_equals_jax_grad(seed):
    mask = np.ones((N, T), bool)
    mask[0, -1] = False  # a padded step: no attention weight, no gradient through the attention
    model, reference = model_and_reference(AttentionSeq2seq, seed, np.float64, mask)
    assert not mismatches(model.grads, reference, np.float64)


def test_every_parameter_is_listed_once_with_its_gradient():
    model = AttentionSeq2seq(V, D, H, seed=0)
    assert list(model.params) == list(model.grads)
    assert len({id(v) for v in model.params.values()}) == len(model.params)
    assert model.params["decoder_affine_W"].shape == (2 * H, V)
    assert PeekySeq2seq(V, D, H, seed=0).params["decoder_lstm_Wx"].shape == (H + D, 4 * H)


@pytest.mark.parametrize(
    ("broken", "wrong"),
    [
        (DroppedLastStepAttentionSeq2seq, {"encoder_embed_W", "encoder_lstm_Wx", "encoder_lstm_Wh", "encoder_lstm_b"}),
        (SwappedPeekySeq2seq, {n for n in PeekySeq2seq(V, D, H).params if not n.startswith("decoder_affine")}),
    ],
    ids=["encoder last-step gradient dropped", "peeky concatenation swapped in backward"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_planted_bug_fails_the_gradient_check(broken, wrong, dtype):
    model, reference = model_and_reference(broken, 3, dtype)
    names = {m.split(":")[0] for m in mismatches(model.grads, reference, dtype)}
    assert names == wrong


# -- the parts: jax.vjp with a drawn cotangent ---------------------------------------------------


def _encoder_vjp(function):
    def run(params, xs, cotangent):
        out, pullback = jax.vjp(lambda p: function(p, xs), params)
        return out, pullback(cotangent)[0]

    return jax.jit(run)


def _decoder_vjp(function):
    def run(params, xs, state, cotangent):
        out, pullback = jax.vjp(lambda p, s: function(p, xs, s), params, state)
        return (out, *pullback(cotangent))

    return jax.jit(run)


ENCODERS = {Encoder: _encoder_vjp(ref.encoder), AttentionEncoder: _encoder_vjp(ref.attention_encoder)}
DECODERS = {
    Decoder: _decoder_vjp(ref.decoder),
    PeekyDecoder: _decoder_vjp(ref.peeky_decoder),
    AttentionDecoder: _decoder_vjp(ref.attention_decoder),
}


def numpy_tree(tree):
    return jax.tree_util.tree_map(np.asarray, tree)


@settings(max_examples=6)
@given(seed=st.integers(0, 2**32 - 1), dtype=DTYPES)
def test_encoder_and_decoder_backward_equal_jax_vjp(seed, dtype):
    rng = np.random.default_rng(seed)
    xs, ts = case(seed)
    for part, reference in ENCODERS.items():
        layer = scaled(part(V, D, H, seed=seed, dtype=dtype), seed)
        out = layer.forward(xs)
        dout = rng.normal(size=out.shape).astype(dtype)
        assert layer.backward(dout) is None
        with jax.enable_x64(True):
            expected, grads = numpy_tree(reference(as64(layer.params), xs, np.asarray(dout, np.float64)))
        assert compare(out, expected, TOLERANCES[dtype]).passed
        assert not mismatches(layer.grads, grads, dtype)
    h = rng.normal(size=(N, H)).astype(dtype)
    hs = rng.normal(size=(N, T, H)).astype(dtype)
    for (part, reference), state in zip(DECODERS.items(), (h, h, hs)):
        layer = scaled(part(V, D, H, seed=seed, dtype=dtype), seed)
        out = layer.forward(ts, state)
        dout = rng.normal(size=out.shape).astype(dtype)
        dstate = layer.backward(dout)
        with jax.enable_x64(True):
            expected, grads, expected_dstate = numpy_tree(
                reference(as64(layer.params), ts, np.asarray(state, np.float64), np.asarray(dout, np.float64))
            )
        assert compare(out, expected, TOLERANCES[dtype]).passed
        assert dstate.shape == state.shape and dstate.dtype == dtype
        assert compare(dstate, expected_dstate, TOLERANCES[dtype]).passed, part.__name__
        assert not mismatches(layer.grads, grads, dtype)


# -- generate -------------------------------------------------------------------------------------


@pytest.mark.parametrize("model_cls", list(MODELS), ids=lambda c: c.__name__)
@settings(max_examples=5)
@given(seed=st.integers(0, 2**32 - 1))
def test_generate_picks_the_argmax_of_the_teacher_forced_scores_at_every_step(model_cls, seed):
    model = scaled(model_cls(V, D, H, seed=seed), seed)
    xs, _ = case(seed)
    ids = model.generate(xs, 1, 6)
    assert ids.shape == (N, 6) and ids.dtype == np.int64
    assert ((0 <= ids) & (ids < V)).all()
    prefix = np.concatenate([np.full((N, 1), 1), ids[:, :-1]], axis=1)  # what each step read
    encoded = model.encoder.forward(xs)
    scores = model.decoder.forward(prefix, encoded)  # teacher forcing on generate's own output
    np.testing.assert_array_equal(scores.argmax(axis=2), ids)


@pytest.mark.parametrize("model_cls", list(MODELS), ids=lambda c: c.__name__)
def test_generate_is_deterministic_and_leaves_the_parameters_alone(model_cls):
    model = scaled(model_cls(V, D, H, seed=0), 0)
    xs, ts = case(0)
    before = {k: v.copy() for k, v in model.params.items()}
    first = model.generate(xs, 0, 5)
    model.forward(xs, ts)  # a training forward in between changes no decoding
    np.testing.assert_array_equal(model.generate(xs, 0, 5), first)
    assert all(np.array_equal(before[k], v) for k, v in model.params.items())


def test_generate_one_question_matches_its_row_of_a_batch():
    model = scaled(PeekySeq2seq(V, D, H, seed=1), 1)
    xs, _ = case(1)
    np.testing.assert_array_equal(model.generate(xs[1:], 2, 4)[0], model.generate(xs, 2, 4)[1])


def test_attention_weights_after_generate_are_one_distribution_per_output_step():
    model = scaled(AttentionSeq2seq(V, D, H, seed=2), 2)
    xs, _ = case(2)
    mask = np.ones((N, T), bool)
    mask[:, 0] = False
    model.generate(xs, 0, 5, mask)
    weights = model.attention_weights
    assert weights.shape == (N, 5, T)
    np.testing.assert_allclose(weights.sum(axis=2), 1.0)
    assert (weights[:, :, 0] == 0).all()


def test_bad_arguments_are_named():
    model = Seq2seq(V, D, H, seed=0)
    xs, ts = case(0)
    with pytest.raises(ValueError, match="ts must hold the start symbol and at least one answer id"):
        model.forward(xs, ts[:, :1])
    with pytest.raises(ValueError, match="xs and ts must have the same batch size, got 2 and 1"):
        model.forward(xs, ts[:1])
    with pytest.raises(ValueError, match="sample_size must be at least 1"):
        model.generate(xs, 0, 0)
    with pytest.raises(ValueError, match="start_id"):
        model.generate(xs, V, 3)
    with pytest.raises(ValueError, match="hidden_size must be at least 1"):
        Seq2seq(V, D, 0)


def test_encoder_backward_before_forward_is_an_error():
    with pytest.raises(RuntimeError, match="Encoder.backward called before Encoder.forward"):
        Encoder(V, D, H, seed=0).backward(np.zeros((N, H)))
