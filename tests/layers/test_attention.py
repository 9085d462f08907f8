"""Attention (the sequel, chapter 8): the mask, one-step and tied sequences, the two paths into hs,
TimeAttention as one Attention per decoder step, large scores, errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from manual_bp import Attention, AttentionWeight, TimeAttention, WeightSum
from oracle.catalog import find_entry
from oracle.catalog.attention import attention_cases, attention_weight_cases, encoder_masks, time_attention_cases
from oracle.layers.attention import attention, attention_weight, time_attention
from oracle.verify.entry import verify_case
from oracle.verify.strategies import Case, float_arrays
from oracle.verify.verifier import verify_layer

MASKED = (AttentionWeight, Attention, TimeAttention)
ORACLES = {AttentionWeight: attention_weight, Attention: attention, TimeAttention: time_attention}
CASES = {AttentionWeight: attention_weight_cases, Attention: attention_cases, TimeAttention: time_attention_cases}
rng = np.random.default_rng(0)
# Row 0: the mask leaves one step, and the masked scores are far larger (the softmax must not let
# them in); row 1: unmasked. A catalog shape (N, T, H) = (2, 4, 3): its oracle is compiled already.
ONE_REAL_STEP = Case(
    {
        "hs": np.array(
            [
                [[9.0, 9.0, 9.0], [0.5, -1.0, 2.0], [9.0, 9.0, 9.0], [8.0, 9.0, 9.0]],
                [[1.0, 0.0, -1.0], [0.5, -1.0, 2.0], [0.0, 0.0, 0.0], [3.0, 1.0, 1.0]],
            ]
        ),
        "h": np.array([[3.0, 3.0, 3.0], [1.0, -2.0, 0.5]]),
        "mask": np.array([[False, True, False, False], [True, True, True, True]]),
    },
    {},
    np.array([[2.0, -0.5, 1.0], [0.25, 3.0, -1.0]]),
)
# One shape per layer for the tests beyond the catalog: every new shape is a JAX compile.
ONE_SHAPE = {AttentionWeight: ((2, 4, 3),), Attention: ((2, 4, 3),), TimeAttention: ((2, 4, 3, 3),)}


CASE_MASK = object()


def _run(layer_class, case, mask=CASE_MASK):
    """forward and backward of ``layer_class`` on ``case``, with the case's mask unless ``mask`` is given."""
    layer = layer_class()
    first, second = list(case.inputs.values())[:2]
    out = layer.forward(first, second, case.inputs["mask"] if mask is CASE_MASK else mask)
    return layer, out, layer.backward(case.dout)


@pytest.mark.parametrize("layer_class", MASKED, ids=lambda c: c.__name__)
@given(data=st.data())
def test_no_mask_is_bitwise_an_all_true_mask(layer_class, data):
    case = data.draw(CASES[layer_class](np.float64))
    all_true = np.ones_like(case.inputs["mask"])
    _, out, grads = _run(layer_class, case, mask=None)
    _, out_masked, grads_masked = _run(layer_class, case, mask=all_true)
    np.testing.assert_array_equal(out, out_masked)
    for grad, grad_masked in zip(grads, grads_masked):
        np.testing.assert_array_equal(grad, grad_masked)


@pytest.mark.parametrize("layer_class", MASKED, ids=lambda c: c.__name__)
@given(data=st.data())
def test_without_a_mask_the_layers_match_the_books_unmasked_oracle(layer_class, data):
    case = data.draw(CASES[layer_class](np.float64, shapes=ONE_SHAPE[layer_class]))
    inputs = {k: v for k, v in case.inputs.items() if k != "mask"}
    verify_layer(layer_class, ORACLES[layer_class], inputs, dout=case.dout)


def test_attention_matches_oracle_when_the_mask_leaves_one_step():
    verification = verify_case(find_entry("Attention"), ONE_REAL_STEP)
    assert verification.max_abs_error < 1e-12
    layer = Attention()
    c = layer.forward(ONE_REAL_STEP.inputs["hs"], ONE_REAL_STEP.inputs["h"], ONE_REAL_STEP.inputs["mask"])
    np.testing.assert_array_equal(layer.attention_weight[0], [0.0, 1.0, 0.0, 0.0])
    np.testing.assert_array_equal(c[0], ONE_REAL_STEP.inputs["hs"][0, 1])


@given(case=attention_cases(np.float64))
def test_masked_steps_get_exactly_zero_weight_and_zero_gradient(case):
    layer, _, (dhs, _) = _run(Attention, case)
    masked = ~case.inputs["mask"]
    assert np.all(layer.attention_weight[masked] == 0)
    assert np.all(dhs[masked] == 0)
    np.testing.assert_allclose(layer.attention_weight.sum(axis=1), 1.0, rtol=1e-12)


@given(
    hs=float_arrays(np.float64, (3, 5, 2), max_value=3.0),
    h=float_arrays(np.float64, (3, 2), max_value=3.0),
    lengths=st.lists(st.integers(1, 5), min_size=3, max_size=3),
    dc=float_arrays(np.float64, (3, 2)),
)
def test_a_padded_row_attends_as_if_the_padding_were_not_there(hs, h, lengths, dc):
    mask = np.arange(5)[None, :] < np.array(lengths)[:, None]
    layer = Attention()
    c = layer.forward(hs, h, mask)
    dhs, dh = layer.backward(dc)
    for n, length in enumerate(lengths):
        alone = Attention()
        c_n = alone.forward(hs[n : n + 1, :length], h[n : n + 1])
        dhs_n, dh_n = alone.backward(dc[n : n + 1])
        np.testing.assert_allclose(c[n], c_n[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dhs[n, :length], dhs_n[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dh[n], dh_n[0], rtol=1e-12, atol=1e-12)


@given(case=time_attention_cases(np.float64))
def test_time_attention_is_one_attention_per_decoder_step(case):
    hs_enc, hs_dec, mask = case.inputs["hs_enc"], case.inputs["hs_dec"], case.inputs["mask"]
    layer = TimeAttention()
    out = layer.forward(hs_enc, hs_dec, mask)
    dhs_enc, dhs_dec = layer.backward(case.dout)
    dhs_enc_steps = np.zeros_like(hs_enc)
    for j in range(hs_dec.shape[1]):
        step = Attention()
        np.testing.assert_allclose(out[:, j], step.forward(hs_enc, hs_dec[:, j], mask), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(layer.attention_weights[:, j], step.attention_weight, rtol=1e-12, atol=1e-15)
        dhs, dh = step.backward(case.dout[:, j])
        dhs_enc_steps += dhs
        np.testing.assert_allclose(dhs_dec[:, j], dh, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dhs_enc, dhs_enc_steps, rtol=1e-10, atol=1e-10)


def test_time_attention_keeps_its_weights_for_plotting():
    hs_enc, hs_dec = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 4, 3))
    layer = TimeAttention()
    assert layer.attention_weights is None
    out = layer.forward(hs_enc, hs_dec, np.array([[True] * 5, [True] * 3 + [False] * 2]))
    weights = layer.attention_weights
    assert weights.shape == (2, 4, 5)  # one heat map per sample: decoder steps x encoder steps
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-12)
    assert np.all(weights[1, :, 3:] == 0)
    weights[...] = 0  # a copy: editing it leaves backward intact
    dout = rng.normal(size=out.shape)
    expected = TimeAttention()
    expected.forward(hs_enc, hs_dec, np.array([[True] * 5, [True] * 3 + [False] * 2]))
    for got, want in zip(layer.backward(dout), expected.backward(dout)):
        np.testing.assert_array_equal(got, want)


def test_a_single_encoder_step_gets_weight_one_and_h_no_gradient():
    hs, h = rng.normal(size=(3, 1, 4)), rng.normal(size=(3, 4))
    layer = Attention()
    c = layer.forward(hs, h)
    dhs, dh = layer.backward(rng.normal(size=(3, 4)))
    assert np.all(layer.attention_weight == 1.0)
    np.testing.assert_array_equal(c, hs[:, 0])
    assert np.all(dh == 0)  # the weight cannot move: the score's gradient is exactly 0
    assert dhs.shape == hs.shape


def test_equal_scores_give_uniform_weights_and_the_mean_state():
    hs, h = rng.normal(size=(2, 4, 3)), np.zeros((2, 3))  # every score 0: a four-way tie
    layer = Attention()
    c = layer.forward(hs, h)
    np.testing.assert_allclose(layer.attention_weight, 0.25, rtol=1e-15)
    np.testing.assert_allclose(c, hs.mean(axis=1), rtol=1e-12)
    dc = rng.normal(size=(2, 3))
    verify_layer(Attention, attention, {"hs": hs, "h": h}, dout=dc)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_huge_scores_saturate_without_overflow_or_warnings(dtype):
    hs = np.array([[[1e3, 0.0], [-1e3, 5.0], [990.0, 1.0]]], dtype)
    h = np.array([[1e3, 1e3]], dtype)  # scores 1e6, -9.95e5, 9.91e5: exp would overflow unshifted
    layer = Attention()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = layer.forward(hs, h)
        dhs, dh = layer.backward(np.array([[1.0, -2.0]], dtype))
    assert c.dtype == dhs.dtype == dh.dtype == dtype
    np.testing.assert_array_equal(layer.attention_weight, [[1.0, 0.0, 0.0]])  # saturated: one-hot
    np.testing.assert_array_equal(c, hs[:, 0])
    assert np.all(dh == 0)  # a saturated softmax does not move
    if dtype == np.float64:
        verify_layer(Attention, attention, {"hs": hs, "h": h}, dout=np.array([[1.0, -2.0]]))


def test_weight_sum_takes_any_weights_and_returns_both_gradients():
    hs, a, dc = rng.normal(size=(2, 3, 4)), np.array([[2.0, -1.0, 0.0], [0.5, 0.5, 7.0]]), rng.normal(size=(2, 4))
    layer = WeightSum()
    np.testing.assert_allclose(layer.forward(hs, a), np.einsum("nt,nth->nh", a, hs), rtol=1e-12)
    dhs, da = layer.backward(dc)
    np.testing.assert_allclose(dhs, a[:, :, None] * dc[:, None, :], rtol=1e-12)
    np.testing.assert_allclose(da, np.einsum("nth,nh->nt", hs, dc), rtol=1e-12)


def test_attention_weight_output_edits_do_not_corrupt_backward():
    hs, h, da = rng.normal(size=(2, 3, 2)), rng.normal(size=(2, 2)), rng.normal(size=(2, 3))
    layer, reference = AttentionWeight(), AttentionWeight()
    layer.forward(hs, h)[...] = 0
    reference.forward(hs, h)
    for got, want in zip(layer.backward(da), reference.backward(da)):
        np.testing.assert_array_equal(got, want)


@given(mask=encoder_masks(4, 3))
def test_drawn_masks_keep_a_step_in_every_row(mask):
    assert mask.dtype == np.bool_ and mask.shape == (4, 3)
    assert np.all(mask.any(axis=1))


# -- errors at the boundary ------------------------------------------------------------------

HS, H = np.zeros((2, 3, 4)), np.zeros((2, 4))


@pytest.mark.parametrize("layer_class", MASKED, ids=lambda c: c.__name__)
def test_a_non_boolean_mask_is_a_type_error(layer_class):
    second = H if layer_class is not TimeAttention else np.zeros((2, 1, 4))
    with pytest.raises(
        TypeError,
        match=r"mask must be a boolean array \(True where the encoder step is real\), "
        r"got dtype int64",
    ):
        layer_class().forward(HS, second, np.ones((2, 3), dtype=np.int64))


@pytest.mark.parametrize("layer_class", MASKED, ids=lambda c: c.__name__)
def test_a_mask_of_the_wrong_shape_names_both_shapes(layer_class):
    second = H if layer_class is not TimeAttention else np.zeros((2, 1, 4))
    with pytest.raises(
        ValueError,
        match=r"mask must have shape \(2, 3\) \(\(N, T\): one flag per encoder step\), "
        r"got \(3, 2\)",
    ):
        layer_class().forward(HS, second, np.ones((3, 2), dtype=bool))


@pytest.mark.parametrize("layer_class", MASKED, ids=lambda c: c.__name__)
def test_a_row_with_every_step_masked_is_rejected(layer_class):
    second = H if layer_class is not TimeAttention else np.zeros((2, 1, 4))
    with pytest.raises(ValueError, match="mask row 1 masks every encoder step"):
        layer_class().forward(HS, second, np.array([[True, False, False], [False, False, False]]))


def test_shapes_are_checked_at_the_boundary():
    with pytest.raises(ValueError, match=r"hs must have shape \(N, T, H\) \(batch, steps, hidden\), got \(3, 4\)"):
        Attention().forward(np.zeros((3, 4)), H)
    with pytest.raises(
        ValueError, match=r"h must have shape \(2, 4\) \(\(N, H\): one state per row of hs\), got \(2, 3\)"
    ):
        AttentionWeight().forward(HS, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"a must have shape \(2, 3\)"):
        WeightSum().forward(HS, np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"hs_dec must have shape \(2, T_d, 4\) .* got \(2, 5, 3\)"):
        TimeAttention().forward(HS, np.zeros((2, 5, 3)))
    with pytest.raises(
        ValueError, match=r"hs must have at least 1 step \(T >= 1\) to attend to, got shape \(2, 0, 4\)"
    ):
        Attention().forward(np.zeros((2, 0, 4)), H)
    with pytest.raises(ValueError, match=r"hs_enc must have at least 1 step"):
        TimeAttention().forward(np.zeros((2, 0, 4)), np.zeros((2, 1, 4)))
    with pytest.raises(ValueError, match=r"^hs_dec must have shape \(N, T, H\) \(batch, steps, hidden\), got \(2, 4\)"):
        TimeAttention().forward(HS, np.zeros((2, 4)))
    np.testing.assert_array_equal(WeightSum().forward(np.zeros((2, 0, 4)), np.zeros((2, 0))), np.zeros((2, 4)))


@pytest.mark.parametrize("layer_class", [WeightSum, *MASKED], ids=lambda c: c.__name__)
def test_backward_before_forward_says_so(layer_class):
    with pytest.raises(RuntimeError, match=rf"{layer_class.__name__}.backward called before"):
        layer_class().backward(np.zeros((2, 4)))


def test_dout_of_the_wrong_shape_is_rejected():
    layer = TimeAttention()
    layer.forward(HS, np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match=r"dout must have shape \(2, 5, 4\) \(the shape of the forward output\)"):
        layer.backward(np.zeros((2, 4)))


def test_float32_states_keep_float32_weights():
    hs_enc, hs_dec = rng.normal(size=(2, 5, 3)).astype(np.float32), rng.normal(size=(2, 4, 3)).astype(np.float32)
    layer = TimeAttention()
    assert layer.forward(hs_enc, hs_dec).dtype == np.float32
    assert layer.attention_weights.dtype == np.float32


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: WeightSum().forward(np.zeros((2, 3)), np.zeros((2, 3))),
            ValueError,
            r"^hs must have shape \(N, T, H\)",
        ),
        (lambda: WeightSum().forward(HS, np.array([["a"] * 3] * 2)), TypeError, "^a must be a real numeric array"),
        (
            lambda: WeightSum().forward(HS, np.zeros((2, 4))),
            ValueError,
            r"^a must have shape \(2, 3\) \(\(N, T\): one weight per step of hs\), got \(2, 4\)$",
        ),
    ],
)
def test_weight_sum_names_its_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: Attention().forward(np.full((2, 3, 4), "a"), H), TypeError, "^hs must be a real numeric array"),
        (lambda: AttentionWeight().forward(HS, np.full((2, 4), "a")), TypeError, "^h must be a real numeric array"),
        (
            lambda: Attention().forward(HS, H, np.array([[True, False, False], [False] * 3])),
            ValueError,
            r"^mask row 1 masks every encoder step: at least one step per row must be True "
            r"\(a softmax over no steps is undefined\)$",
        ),
    ],
)
def test_attention_names_its_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
