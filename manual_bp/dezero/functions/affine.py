"""Matrix product and the affine map of a fully connected layer.

Shapes: ``x`` ``(N, D)``, ``W`` ``(D, H)``, ``b`` ``(H,)`` (broadcast over rows), ``y`` ``(N, H)``.
"""

from __future__ import annotations

from manual_bp._checks import shape_str
from manual_bp.dezero.core import Function
from manual_bp.dezero.functions.shapes import sum_to

__all__ = ["Linear", "MatMul", "linear", "matmul"]


def _check_product(x, W) -> None:
    if x.ndim != 2 or W.ndim != 2 or x.shape[1] != W.shape[0]:
        raise ValueError(
            f"matmul needs x of shape (N, D) and W of shape (D, H), got {shape_str(x.shape)} and {shape_str(W.shape)}"
        )


class MatMul(Function):
    """``y = x @ W``. Backward: ``gx = gy @ W.T``, ``gW = x.T @ gy``."""

    def forward(self, x, W):
        _check_product(x, W)
        return x @ W

    def backward(self, gy):
        x, W = self.inputs
        needs_x, needs_W = self.needs_input_grad
        return matmul(gy, W.T) if needs_x else None, matmul(x.T, gy) if needs_W else None


def matmul(x, W):
    return MatMul()(x, W)


class Linear(Function):
    """``y = x @ W + b`` (``b`` optional).

    Backward: ``gx = gy @ W.T``, ``gW = x.T @ gy``, ``gb = sum_to(gy, b.shape)``.
    """

    def forward(self, x, W, b=None):
        _check_product(x, W)
        y = x @ W
        return y if b is None else y + b

    def backward(self, gy):
        x, W = self.inputs[:2]
        needs = self.needs_input_grad
        gx = matmul(gy, W.T) if needs[0] else None
        gW = matmul(x.T, gy) if needs[1] else None
        if len(self.inputs) == 2:
            return gx, gW
        return gx, gW, sum_to(gy, self.inputs[2].shape) if needs[2] else None


def linear(x, W, b=None):
    return Linear()(x, W) if b is None else Linear()(x, W, b)
