"""Oracles of the core's arithmetic Functions: ``add sub mul div neg pow`` (NumPy broadcasting)."""

import jax.numpy as jnp

__all__ = ["add", "div", "mul", "neg", "pow", "sub"]


def add(x0, x1):
    return x0 + x1


def sub(x0, x1):
    return x0 - x1


def mul(x0, x1):
    return x0 * x1


def div(x0, x1):
    return x0 / x1


def neg(x):
    return -x


def pow(x, *, c):
    """``x ** c``: an integer ``c`` is an integer power (defined for negative ``x``)."""
    return jnp.power(x, c)
