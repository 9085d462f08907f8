"""Rows of ``conv2d conv2d_simple deconv2d im2col col2im``: strides below, at and above the
kernel, padding 0-2, square and non-square kernels, both layouts of ``im2col``.

Functions in ``manual_bp/dezero/functions/convolution.py``, oracles in
``oracle/dezero/convolution.py``, tests in ``tests/dezero/test_convolution.py``.
"""

from __future__ import annotations

import numpy as np

import manual_bp.dezero.functions as F
from oracle.dezero import convolution as oracle
from oracle.verify.entry import ErrorInput
from oracle.verify.function_entry import Arg, Bucket, function_row

REAL = Arg()

# (config, (x, W, b) shapes): stride 1 unpadded, the book's 3x3/1/1, a non-square kernel at
# stride 2, stride 3 above a 2x2 kernel (cells no window covers), pad 2 on a 3x3 image.
CONV: tuple[Bucket, ...] = (
    ({"stride": 1, "pad": 0}, ((1, 2, 4, 4), (3, 2, 3, 3), (3,))),
    ({"stride": 1, "pad": 1}, ((2, 2, 4, 4), (2, 2, 3, 3), (2,))),
    ({"stride": 2, "pad": 1}, ((2, 2, 5, 6), (3, 2, 3, 2), (3,))),
    ({"stride": 3, "pad": 1}, ((1, 1, 7, 7), (2, 1, 2, 2), (2,))),
    ({"stride": 1, "pad": 2}, ((1, 3, 3, 3), (2, 3, 3, 3), (2,))),
)

# (config, (x, W, b) shapes), W (C, OC, KH, KW): the smallest output, and outsizes 1-2 larger.
DECONV: tuple[Bucket, ...] = (
    ({"stride": 1, "pad": 0}, ((1, 2, 3, 3), (2, 3, 2, 2), (3,))),
    ({"stride": 2, "pad": 1}, ((2, 2, 3, 4), (2, 3, 3, 3), (3,))),
    ({"stride": 2, "pad": 1, "outsize": (6, 5)}, ((1, 2, 3, 3), (2, 2, 3, 3), (2,))),
    ({"stride": 3, "pad": 0, "outsize": (9, 8)}, ((1, 1, 3, 2), (1, 2, 2, 3), (2,))),
)

# (config, x shape) for im2col, and the col shape that goes with it for col2im.
WINDOWS = (
    ({"kernel_size": 3, "stride": 1, "pad": 1}, (1, 2, 4, 4)),
    ({"kernel_size": (2, 3), "stride": 2, "pad": 0}, (2, 2, 5, 6)),
    ({"kernel_size": 2, "stride": 3, "pad": 1}, (1, 1, 7, 7)),
)


def _col_shape(x_shape: tuple, kernel_size, stride: int, pad: int, to_matrix: bool) -> tuple:
    n, c, h, w = x_shape
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    out_h, out_w = (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1
    return (n * out_h * out_w, c * kh * kw) if to_matrix else (n, c, kh, kw, out_h, out_w)


# Every window in the matrix layout, the first one also in the 6-D layout (each bucket is a compile).
LAYOUTS = tuple((config, shape, True) for config, shape in WINDOWS) + ((*WINDOWS[0], False),)
IM2COL: tuple[Bucket, ...] = tuple(({**config, "to_matrix": matrix}, (shape,)) for config, shape, matrix in LAYOUTS)
COL2IM: tuple[Bucket, ...] = tuple(
    ({**config, "input_shape": shape, "to_matrix": matrix}, (_col_shape(shape, to_matrix=matrix, **config),))
    for config, shape, matrix in LAYOUTS
)


def _row(name, function, oracle_function, args, buckets, conventions, errors=()):
    return function_row(name, function, oracle_function, buckets, args=args, conventions=conventions, errors=errors)


CONV_ERRORS = (
    ErrorInput(
        "filters of other channels than x",
        lambda f: f(np.ones((1, 2, 5, 5)), np.ones((3, 4, 3, 3)), np.ones(3)),
        ValueError,
        r"W must have shape \(OC, C, KH, KW\) with C = 2",
    ),
    ErrorInput(
        "a kernel larger than the padded image",
        lambda f: f(np.ones((1, 1, 2, 2)), np.ones((1, 1, 5, 5)), np.ones(1)),
        ValueError,
        r"does not fit images of shape \(1, 1, 2, 2\)",
    ),
)

ROWS = (
    _row(
        "F.conv2d",
        F.conv2d,
        oracle.conv2d,
        {"x": REAL, "W": REAL, "b": REAL},
        CONV,
        "x (N, C, H, W), W (OC, C, KH, KW), b (OC,); stride 1-3, pad 0-2, square and non-square "
        "kernels; zero padding; the weight gradient is a Function (Conv2DGradW) fed its incoming gradient",
        CONV_ERRORS,
    ),
    _row(
        "F.conv2d_simple",
        F.conv2d_simple,
        oracle.conv2d_simple,
        {"x": REAL, "W": REAL, "b": REAL},
        CONV,
        "conv2d composed from im2col, linear, reshape and transpose; the windows of F.conv2d",
    ),
    _row(
        "F.deconv2d",
        F.deconv2d,
        oracle.deconv2d,
        {"x": REAL, "W": REAL, "b": REAL},
        DECONV,
        "x (N, C, H, W), W (C, OC, KH, KW), b (OC,); stride 1-3, pad 0-1, the smallest output "
        "and outsizes up to stride - 1 larger; oracle: lax convolution of the stride-dilated input",
        (
            ErrorInput(
                "an outsize no convolution maps back to x",
                lambda f: f(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)), np.ones(1), stride=2, outsize=(9, 7)),
                ValueError,
                r"outsize must be \(OH, OW\) with 7 <= OH < 9",
            ),
        ),
    ),
    _row(
        "F.im2col",
        F.im2col,
        oracle.im2col,
        {"x": REAL},
        IM2COL,
        "kernels 3x3, 2x3, 2x2; stride 1-3, pad 0-1; to_matrix (N*OH*OW, C*KH*KW) or (N, C, KH, KW, OH, OW)",
    ),
    _row(
        "F.col2im",
        F.col2im,
        oracle.col2im,
        {"col": REAL},
        COL2IM,
        "the adjoint of F.im2col on its windows; overlapping windows add up, padding is dropped",
        (
            ErrorInput(
                "col of the wrong shape",
                lambda f: f(np.ones((4, 3)), (1, 1, 3, 3), 2),
                ValueError,
                r"col must have shape \(4, 4\)",
            ),
        ),
    ),
)
