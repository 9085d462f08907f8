"""Every boundary error names the argument that was wrong; the mixed-dtype paths compute the same gradients.

Written to kill the mutants that survived the first mutation run (bench/README.md, "Mutation
score"): an error message naming the wrong argument, a hint shown where it does not apply, a
type check weakened, and a backward branch (mixed dtypes) that no catalog case reaches.
"""

import numpy as np
import pytest

from manual_bp import (
    AddLayer,
    Affine,
    AvgPooling,
    BatchNormalization,
    Convolution,
    Dropout,
    LeakyReLU,
    MeanSquaredError,
    MulLayer,
    Pooling,
    Softmax,
    SoftmaxWithLoss,
    Tanh,
)
from manual_bp.functions import cross_entropy_error, log_softmax, softmax
from manual_bp.layers.im2col import col2im, conv_output_size, im2col

STRINGS = np.array([["a", "b"]])
NUMERIC = r"must be a real numeric array"
IMAGES = np.zeros((1, 2, 5, 5))
COL = np.zeros((9, 18))  # im2col of IMAGES with a 3x3 window, stride 1, pad 0


def _mse_backward_with_strings():
    loss = MeanSquaredError()
    loss.forward(np.zeros(3), np.ones(3))
    loss.backward(np.array("a"))


def _softmax_with_loss_backward_with_strings():
    loss = SoftmaxWithLoss()
    loss.forward(np.zeros((1, 2)), np.array([1]))
    loss.backward(np.array("a"))


CASES = {
    "AddLayer x": (lambda: AddLayer().forward(STRINGS, np.zeros(2)), TypeError, f"x {NUMERIC}"),
    "AddLayer y": (lambda: AddLayer().forward(np.zeros(2), STRINGS), TypeError, f"y {NUMERIC}"),
    "MulLayer y": (lambda: MulLayer().forward(np.zeros(2), STRINGS), TypeError, f"y {NUMERIC}"),
    "AddLayer before forward": (
        lambda: AddLayer().backward(np.zeros(2)),
        RuntimeError,
        "AddLayer.backward called before AddLayer.forward",
    ),
    "MulLayer before forward": (
        lambda: MulLayer().backward(np.zeros(2)),
        RuntimeError,
        "MulLayer.backward called before MulLayer.forward",
    ),
    "softmax x": (lambda: softmax(STRINGS), TypeError, f"x {NUMERIC}"),
    "log_softmax x": (lambda: log_softmax(STRINGS), TypeError, f"x {NUMERIC}"),
    "Dropout x": (lambda: Dropout(0.5).forward(STRINGS), TypeError, f"x {NUMERIC}"),
    "SoftmaxWithLoss dout": (_softmax_with_loss_backward_with_strings, TypeError, f"dout {NUMERIC}"),
    "Tanh x": (lambda: Tanh().forward(STRINGS), TypeError, f"x {NUMERIC}"),
    "LeakyReLU x": (lambda: LeakyReLU().forward(STRINGS), TypeError, f"x {NUMERIC}"),
    "Softmax x": (lambda: Softmax().forward(STRINGS), TypeError, f"x {NUMERIC}"),
    "Softmax float axis": (lambda: Softmax(axis=1.5), TypeError, "axis must be an int, got float"),
    "Softmax bool axis": (lambda: Softmax(axis=True), TypeError, "axis must be an int, got bool"),
    "Affine b": (lambda: Affine(np.zeros((2, 2)), STRINGS[0]), TypeError, f"b {NUMERIC}"),
    "im2col x": (lambda: im2col(STRINGS[None, None], 1, 1), TypeError, f"x {NUMERIC}"),
    "Affine x": (lambda: Affine(np.zeros((2, 3)), np.zeros(3)).forward(STRINGS), TypeError, f"x {NUMERIC}"),
    "MeanSquaredError y": (lambda: MeanSquaredError().forward(STRINGS, np.zeros((1, 2))), TypeError, f"y {NUMERIC}"),
    "MeanSquaredError t": (lambda: MeanSquaredError().forward(np.zeros((1, 2)), STRINGS), TypeError, f"t {NUMERIC}"),
    "MeanSquaredError empty y": (
        lambda: MeanSquaredError().forward(np.zeros(0), np.zeros(0)),
        ValueError,
        r"y must not be empty, got shape \(0,\)",
    ),
    "MeanSquaredError dout": (_mse_backward_with_strings, TypeError, f"dout {NUMERIC}"),
    "cross_entropy_error y": (lambda: cross_entropy_error(STRINGS, np.array([0])), TypeError, f"y {NUMERIC}"),
    "im2col filter_h": (lambda: im2col(IMAGES, "3", 3), TypeError, "filter_h must be an int, got str"),
    "im2col filter_w": (lambda: im2col(IMAGES, 3, 2.0), TypeError, "filter_w must be an int, got float"),
    "col2im col": (lambda: col2im(STRINGS, (1, 2, 5, 5), 3, 3), TypeError, f"col {NUMERIC}"),
    "col2im input_shape entries": (
        lambda: col2im(COL, (1, 2, "5", 5), 3, 3),
        TypeError,
        "input_shape entries must be an int, got str",
    ),
    "col2im input_shape length": (
        lambda: col2im(COL, (1, 2, 5), 3, 3),
        ValueError,
        r"input_shape must be \(N, C, H, W\), got \(1, 2, 5\)",
    ),
    "col2im filter_h": (lambda: col2im(COL, (1, 2, 5, 5), None, 3), TypeError, "filter_h must be an int, got NoneType"),
    "col2im filter_w": (lambda: col2im(COL, (1, 2, 5, 5), 3, "3"), TypeError, "filter_w must be an int, got str"),
    "col2im stride": (
        lambda: col2im(COL, (1, 2, 5, 5), 3, 3, stride=1.0),
        TypeError,
        "stride must be an int, got float",
    ),
    "col2im pad": (lambda: col2im(COL, (1, 2, 5, 5), 3, 3, pad="0"), TypeError, "pad must be an int, got str"),
    "conv_output_size input size": (
        lambda: conv_output_size(4.0, 2),
        TypeError,
        "input size must be an int, got float",
    ),
    "conv_output_size filter size": (
        lambda: conv_output_size(4, "2"),
        TypeError,
        "filter size must be an int, got str",
    ),
    "conv_output_size stride": (lambda: conv_output_size(4, 2, 1.0), TypeError, "stride must be an int, got float"),
    "conv_output_size pad": (lambda: conv_output_size(4, 2, 1, None), TypeError, "pad must be an int, got NoneType"),
    "Pooling pool_h": (lambda: Pooling(2.0, 2), TypeError, "pool_h must be an int, got float"),
    "AvgPooling pool_w": (lambda: AvgPooling(2, "2"), TypeError, "pool_w must be an int, got str"),
    "Pooling stride": (lambda: Pooling(2, 2, stride=None), TypeError, "stride must be an int, got NoneType"),
    "AvgPooling pad": (lambda: AvgPooling(2, 2, pad=0.0), TypeError, "pad must be an int, got float"),
    "Convolution W": (lambda: Convolution(STRINGS[None, None], np.zeros(1)), TypeError, f"W {NUMERIC}"),
    "Convolution b": (lambda: Convolution(np.zeros((1, 1, 2, 2)), STRINGS[0]), TypeError, f"b {NUMERIC}"),
    "Convolution stride": (
        lambda: Convolution(np.zeros((1, 1, 2, 2)), np.zeros(1), stride=1.5),
        TypeError,
        "stride must be an int, got float",
    ),
    "Convolution pad": (
        lambda: Convolution(np.zeros((1, 1, 2, 2)), np.zeros(1), pad="1"),
        TypeError,
        "pad must be an int, got str",
    ),
    "Convolution x": (
        lambda: Convolution(np.zeros((1, 1, 2, 2)), np.zeros(1)).forward(STRINGS[None, None]),
        TypeError,
        f"x {NUMERIC}",
    ),
    "BatchNormalization gamma": (lambda: BatchNormalization(STRINGS[0], np.zeros(2)), TypeError, f"gamma {NUMERIC}"),
    "BatchNormalization beta": (lambda: BatchNormalization(np.ones(2), STRINGS[0]), TypeError, f"beta {NUMERIC}"),
    "BatchNormalization 2-D gamma": (
        lambda: BatchNormalization(np.ones((2, 2)), np.zeros(2)),
        ValueError,
        r"gamma must have shape \(D,\) \(one scale per feature or channel\), got \(2, 2\)$",
    ),
    "BatchNormalization momentum": (
        lambda: BatchNormalization(np.ones(2), np.zeros(2), momentum="0.9"),
        TypeError,
        "momentum must be a real number, got str",
    ),
    "BatchNormalization bool momentum": (
        lambda: BatchNormalization(np.ones(2), np.zeros(2), momentum=True),
        TypeError,
        "momentum must be a real number, got bool",
    ),
    "BatchNormalization eps": (
        lambda: BatchNormalization(np.ones(2), np.zeros(2), eps=None),
        TypeError,
        "eps must be a real number, got NoneType",
    ),
    "BatchNormalization running_mean": (
        lambda: BatchNormalization(np.ones(2), np.zeros(2), running_mean=np.zeros(3)),
        ValueError,
        r"running_mean must have shape \(2,\) \(the shape of gamma\), got \(3,\)$",
    ),
    "BatchNormalization running_var": (
        lambda: BatchNormalization(np.ones(2), np.zeros(2), running_var=[1.0]),
        ValueError,
        r"running_var must have shape \(2,\) \(the shape of gamma\), got \(1,\)$",
    ),
    "BatchNormalization x": (
        lambda: BatchNormalization(np.ones(2), np.zeros(2)).forward(STRINGS),
        TypeError,
        f"x {NUMERIC}",
    ),
    "BatchNormalization empty batch": (
        lambda: BatchNormalization(np.ones(2), np.zeros(2)).forward(np.zeros((0, 2))),
        ValueError,
        r"x must hold at least one sample, got shape \(0, 2\)$",
    ),
    "BatchNormalization 3-D x": (
        lambda: BatchNormalization(np.ones(2), np.zeros(2)).forward(np.ones((3, 2, 4))),
        ValueError,
        r"x must have shape \(N, 2\) or \(N, 2, H, W\) \(gamma has shape \(2,\)\), got \(3, 2, 4\)$",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_error_starts_with_the_name_of_the_bad_argument(name):
    call, error, message = CASES[name]
    with pytest.raises(error, match=f"^{message}"):
        call()


def test_affine_suggests_x_none_only_for_one_sample_of_the_right_size():
    affine = Affine(np.zeros((4, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"got \(4,\); for one sample use x\[None\]$"):
        affine.forward(np.zeros(4))
    for wrong, shape in ((np.zeros(5), r"\(5,\)"), (np.zeros((2, 2)), r"\(2, 2\)")):  # one sample too long; 4 in all
        with pytest.raises(ValueError, match=f"got {shape}$"):
            affine.forward(wrong)


def test_affine_adds_a_bias_of_a_wider_dtype_as_it_is():
    rng = np.random.default_rng(1)
    W, b, x = rng.normal(size=(3, 2)).astype(np.float32), rng.normal(size=2), rng.normal(size=(4, 3)).astype(np.float32)
    out = Affine(W, b).forward(x)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, (x @ W).astype(np.float64) + b, rtol=1e-6)


def test_col2im_returns_a_new_c_ordered_array():
    images = np.arange(2 * 2 * 5 * 5, dtype=np.float32).reshape(2, 2, 5, 5)
    back = col2im(im2col(images, 3, 3, stride=2, pad=1), images.shape, 3, 3, stride=2, pad=1)
    assert back.flags.c_contiguous and back.dtype == np.float32 and back.shape == images.shape


def test_affine_backward_with_mixed_dtypes_stores_the_exact_gradients_in_the_parameters_dtype():
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=3).astype(np.float32)
    x, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))  # float64 data through a float32 layer
    affine = Affine(W, b)
    affine.forward(x)
    affine.backward(dout)
    assert affine.dW.dtype == affine.db.dtype == np.float32
    np.testing.assert_allclose(affine.dW, (x.T @ dout).astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(affine.db, dout.sum(axis=0).astype(np.float32), rtol=1e-6)


def test_dropout_in_inference_mode_returns_a_new_gradient_in_the_inputs_dtype():
    layer = Dropout(0.5, rng=np.random.default_rng(0))
    layer.forward(np.ones((2, 3), dtype=np.float32), train_flg=False)
    dout = np.full((2, 3), 0.5, dtype=np.float32)
    dx = layer.backward(dout)
    assert dx.dtype == np.float32 and not np.shares_memory(dx, dout)
    np.testing.assert_array_equal(dx, dout)


@pytest.mark.parametrize("x_dtype, y_dtype", [(np.float32, np.float64), (np.float64, np.float32)])
@pytest.mark.parametrize("layer", [AddLayer, MulLayer])
def test_each_gradient_of_a_mixed_dtype_product_has_its_inputs_dtype_and_shape(layer, x_dtype, y_dtype):
    x, y = np.array([[1.5], [2.0]], dtype=x_dtype), np.array([[0.25, -1.0]], dtype=y_dtype)  # (2, 1) and (1, 2)
    op = layer()
    out = op.forward(x, y)
    dout = np.array([[1.0, 2.0], [-3.0, 0.5]])
    dx, dy = op.backward(dout)
    assert (out.dtype, dx.dtype, dy.dtype) == (np.float64, x_dtype, y_dtype)
    expected_dx = (dout * (y if layer is MulLayer else 1)).sum(axis=1, keepdims=True)
    expected_dy = (dout * (x if layer is MulLayer else 1)).sum(axis=0, keepdims=True)
    np.testing.assert_allclose(dx, expected_dx.astype(x_dtype), rtol=1e-6)
    np.testing.assert_allclose(dy, expected_dy.astype(y_dtype), rtol=1e-6)
