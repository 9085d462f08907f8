"""Convolution: any stride and padding, overlapping windows, parameters, buffers, dtype, errors."""

import dataclasses
import gc
import weakref

import numpy as np
import pytest
from broken_layers import AssigningCol2imConvolution
from hypothesis import example, given

from manual_bp import Convolution, col2im
from oracle.catalog import find_entry
from oracle.catalog.convolution import convolution_cases
from oracle.layers.convolution import convolution
from oracle.verify.binding import bind
from oracle.verify.entry import verify_case
from oracle.verify.runner import run_entry
from oracle.verify.strategies import Case
from oracle.verify.verifier import VerificationError, verify_layer

RNG = np.random.default_rng(0)
# Strides and paddings beyond the catalog's two rows, each bound once (the jitted VJP is cached
# per function object): stride 3 > filter 2, padding wider than the filter, stride 2 with pad 2.
GEOMETRIES = {
    (3, 0): ((1, 2, 7, 8), (2, 2, 2, 2)),
    (1, 3): ((1, 1, 3, 3), (2, 1, 2, 2)),
    (2, 2): ((2, 2, 5, 4), (3, 2, 3, 3)),
}
ORACLES = {geometry: bind(convolution, stride=geometry[0], pad=geometry[1]) for geometry in GEOMETRIES}
STRIDE2, PAD1 = bind(convolution, stride=2), bind(convolution, pad=1)
OVERLAPPING = Case(
    {"x": RNG.normal(size=(2, 2, 5, 5))},
    {"W": RNG.normal(size=(3, 2, 3, 3)), "b": RNG.normal(size=3)},
    RNG.normal(size=(2, 3, 3, 3)),
)
ZEROS_F32 = Case(
    {"x": np.zeros((1, 3, 4, 5), np.float32)},
    {"W": np.ones((2, 3, 2, 3), np.float32), "b": np.zeros(2, np.float32)},
    np.arange(18, dtype=np.float32).reshape(1, 2, 3, 3),
)


@given(case=convolution_cases(np.float64))
@example(case=OVERLAPPING)
@example(case=ZEROS_F32)
def test_convolution_matches_oracle_with_overlapping_windows(case):
    verify_case(find_entry("Convolution"), case)


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=lambda g: f"stride{g[0]}-pad{g[1]}")
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=lambda d: np.dtype(d).name)
def test_any_stride_and_padding_matches_oracle(geometry, dtype):
    stride, pad = geometry
    x_shape, w_shape = GEOMETRIES[geometry]
    strategy = convolution_cases(dtype, stride=stride, pad=pad, geometries=((x_shape, w_shape),))
    entry = dataclasses.replace(
        find_entry("Convolution"),
        name=f"Convolution-s{stride}p{pad}",
        layer=lambda W, b: Convolution(W, b, stride, pad),
        function=ORACLES[geometry],
        cases=lambda dtype: strategy,
    )
    result = run_entry(entry, dtype, examples=20)
    assert result.passed, result.failure


def test_forward_is_the_cross_correlation_written_as_loops():
    x, W, b = RNG.normal(size=(2, 2, 5, 4)), RNG.normal(size=(3, 2, 3, 2)), RNG.normal(size=3)
    out = Convolution(W, b, stride=2, pad=1).forward(x)
    xp = np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1)])
    expected = np.empty((2, 3, 3, 3))
    for n, f, i, j in np.ndindex(*expected.shape):
        expected[n, f, i, j] = np.sum(W[f] * xp[n, :, 2 * i : 2 * i + 3, 2 * j : 2 * j + 2]) + b[f]
    np.testing.assert_allclose(out, expected, rtol=1e-13, atol=1e-13)
    assert out.flags.c_contiguous


def test_a_col2im_that_assigns_is_only_wrong_when_windows_overlap():
    x, W, b = RNG.normal(size=(1, 1, 4, 4)), RNG.normal(size=(1, 1, 2, 2)), np.zeros(1)
    dout = RNG.normal(size=(1, 1, 2, 2))
    verify_layer(lambda W, b: AssigningCol2imConvolution(W, b, stride=2), STRIDE2, {"x": x}, {"W": W, "b": b}, dout)
    with pytest.raises(VerificationError, match="dx does not match"):
        verify_layer(AssigningCol2imConvolution, convolution, OVERLAPPING.inputs, OVERLAPPING.params, OVERLAPPING.dout)


def test_gradient_buffers_are_reused_and_parameters_never_written():
    W, b = RNG.normal(size=(2, 1, 3, 3)), np.zeros(2)
    W.flags.writeable = b.flags.writeable = False
    layer = Convolution(W, b, pad=1)
    layer.forward(RNG.normal(size=(2, 1, 4, 4)))
    layer.backward(np.ones((2, 2, 4, 4)))
    held = layer.grads["W"]
    layer.backward(2 * np.ones((2, 2, 4, 4)))
    assert layer.grads["W"] is held and layer.params["W"] is W


def test_each_forward_returns_a_fresh_array_even_when_buffers_are_reused():
    layer = Convolution(np.ones((1, 1, 2, 2)), np.zeros(1), pad=1)
    first = layer.forward(np.ones((1, 1, 3, 3)))
    second = layer.forward(2 * np.ones((1, 1, 3, 3)))
    assert not np.shares_memory(first, second)
    np.testing.assert_array_equal(2 * first, second)


def test_buffers_follow_a_change_of_batch_size():
    layer = Convolution(RNG.normal(size=(2, 1, 2, 2)), np.zeros(2), pad=1)
    for n in (3, 1, 3):
        verify_layer(
            lambda W, b: layer,
            PAD1,
            {"x": RNG.normal(size=(n, 1, 4, 4))},
            {"W": layer.W, "b": layer.b},
            RNG.normal(size=(n, 2, 5, 5)),
        )


def test_buffers_follow_a_change_of_dtype():
    W, b = RNG.normal(size=(2, 2, 3, 3)).astype(np.float32), np.zeros(2, np.float32)
    x, dout = RNG.normal(size=(1, 2, 4, 4)), RNG.normal(size=(1, 2, 4, 4))
    layer = Convolution(W, b, pad=1)
    layer.forward(x.astype(np.float32))
    layer.backward(dout.astype(np.float32))
    fresh = Convolution(W, b, pad=1)  # float64 x: the windows and their gradients in float64
    np.testing.assert_array_equal(layer.forward(x), fresh.forward(x))
    np.testing.assert_array_equal(layer.backward(dout), fresh.backward(dout))


def test_a_float64_dout_on_a_float32_layer_is_rounded_to_float32_first():
    W, b = RNG.normal(size=(3, 2, 3, 3)).astype(np.float32), np.zeros(3, np.float32)
    x, dout = RNG.normal(size=(2, 2, 5, 5)).astype(np.float32), RNG.normal(size=(2, 3, 3, 3))
    wide, narrow = Convolution(W, b), Convolution(W, b)
    wide.forward(x)
    narrow.forward(x)
    np.testing.assert_array_equal(wide.backward(dout), narrow.backward(dout.astype(np.float32)))
    np.testing.assert_array_equal(wide.dW, narrow.dW)
    np.testing.assert_array_equal(wide.db, narrow.db)


def test_float32_overlapping_windows_add_up_in_float32_like_col2im():
    # One filter of one channel: each window's gradient is dout * W, one product per entry (no
    # sum for BLAS to order), so dx is col2im of those products, added up in float32.
    rng = np.random.default_rng(5)
    W = (rng.normal(size=(1, 1, 3, 3)) * 10.0 ** rng.uniform(-4, 4, size=(1, 1, 3, 3))).astype(np.float32)
    dout = (rng.normal(size=(2, 1, 4, 4)) * 10.0 ** rng.uniform(-4, 4, size=(2, 1, 4, 4))).astype(np.float32)
    layer = Convolution(W, np.zeros(1, np.float32))
    layer.forward(np.ones((2, 1, 6, 6), np.float32))
    dcol = dout.reshape(-1, 1) * W.reshape(1, -1)  # (N*OH*OW, FH*FW), rows in (n, oh, ow) order
    np.testing.assert_array_equal(layer.backward(dout), col2im(dcol, (2, 1, 6, 6), 3, 3))


@pytest.mark.parametrize("wide", ["W", "b"])
def test_a_float64_filter_or_bias_makes_the_forward_float64(wide):
    x = RNG.normal(size=(1, 2, 4, 4)).astype(np.float32)
    params = {"W": RNG.normal(size=(2, 2, 3, 3)).astype(np.float32), "b": RNG.normal(size=2).astype(np.float32)}
    params[wide] = params[wide].astype(np.float64)
    out = Convolution(**params, pad=1).forward(x)
    in_float64 = {name: p.astype(np.float64) for name, p in params.items()}
    np.testing.assert_array_equal(out, Convolution(**in_float64, pad=1).forward(x.astype(np.float64)))


@pytest.mark.parametrize("pad", [0, 1])
def test_the_layer_keeps_no_reference_to_the_callers_input(pad):
    layer = Convolution(RNG.normal(size=(2, 1, 2, 2)), np.zeros(2), pad=pad)
    x = RNG.normal(size=(1, 1, 4, 4))
    layer.forward(x)
    alive = weakref.ref(x)
    del x
    gc.collect()
    assert alive() is None  # without padding the padded x is x itself: the layer drops it


def test_float32_throughout():
    layer = Convolution(np.ones((2, 1, 3, 3), np.float32), np.zeros(2, np.float32), pad=1)
    out = layer.forward(np.ones((1, 1, 4, 4), np.float32))
    dx = layer.backward(np.ones((1, 2, 4, 4), np.float32))
    assert out.dtype == dx.dtype == layer.dW.dtype == layer.db.dtype == np.float32


def test_channel_mismatch_names_both_shapes():
    layer = Convolution(np.ones((2, 3, 3, 3)), np.zeros(2))
    with pytest.raises(
        ValueError,
        match=r"x must have shape \(N, 3, H, W\) \(3 input channels: W has shape "
        r"\(2, 3, 3, 3\)\), got \(1, 1, 5, 5\)",
    ):
        layer.forward(np.ones((1, 1, 5, 5)))


def test_weights_must_be_4d_and_biases_one_per_filter():
    with pytest.raises(ValueError, match=r"W must have shape \(FN, C, FH, FW\) .*got \(3, 3\)"):
        Convolution(np.ones((3, 3)), np.zeros(3))
    with pytest.raises(
        ValueError,
        match=r"b must have shape \(2,\) \(one bias per filter of W \(2, 1, 3, 3\)\), "
        r"got \(3,\)",
    ):
        Convolution(np.ones((2, 1, 3, 3)), np.zeros(3))


def test_a_filter_larger_than_the_padded_image_is_rejected():
    with pytest.raises(ValueError, match="does not fit images of shape"):
        Convolution(np.ones((1, 1, 5, 5)), np.zeros(1)).forward(np.ones((1, 1, 3, 3)))


def test_dout_of_the_wrong_shape_is_rejected():
    layer = Convolution(np.ones((2, 1, 3, 3)), np.zeros(2))
    layer.forward(np.ones((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"dout must have shape \(1, 2, 2, 2\) \(the shape of the forward output\)"):
        layer.backward(np.ones((1, 2, 4, 4)))


def test_backward_before_forward_says_so():
    with pytest.raises(RuntimeError, match="Convolution.backward called before Convolution.forward"):
        Convolution(np.ones((1, 1, 1, 1)), np.zeros(1)).backward(np.ones((1, 1, 1, 1)))
