"""Oracle function for ``Convolution``."""

from jax import lax

__all__ = ["convolution"]


def convolution(x, W, b, *, stride=1, pad=0):
    """Cross-correlation of NCHW ``x`` with OIHW filters ``W``, plus ``b`` per filter.

    ``lax.conv_general_dilated`` with window strides ``(stride, stride)`` and ``pad`` zeros on
    both sides of H and W: ``(N, C, H, W), (FN, C, FH, FW), (FN,) -> (N, FN, OH, OW)``.
    """
    out = lax.conv_general_dilated(x, W, (stride, stride), [(pad, pad)] * 2, dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return out + b[None, :, None, None]
