"""Random directional derivatives: the fast finite-difference check, ``manual-bp compare``'s default.

For a scalar function ``F`` of named arrays (a layer's ``<dout, f(args)>``, a network's loss)
and, per differentiable quantity ``q``, ``K`` random unit directions ``v`` (standard normal,
normalised over ``q``'s entries), the central difference

    fd_k = (F(theta + h v_k) - F(theta - h v_k)) / 2h        (only ``q`` moves)

with ``theta +- h v_k`` rounded to the case's dtype estimates the directional derivative
``<grad_q F, d_k>`` along the step actually taken, ``d_k = (rounded(theta + h v_k) -
rounded(theta - h v_k)) / 2h`` (``v_k`` up to that rounding; using ``d_k`` keeps float32
estimates unbiased, as ``manual_bp.numerical_gradient`` divides by the step actually taken).
The hand-written and the JAX gradient are projected on the same ``d_k``: ``<g, d_k>``.

Cost: ``2 K`` evaluations of ``F`` per quantity, whatever its size (``torch.autograd.gradcheck``'s
``fast_mode`` does the same with one random vector), where the book's per-entry numerical
gradient needs ``2 * size``: 16 forward passes instead of 79 520 for ``TwoLayerNet(784, 50, 10)``.

What it sees: a wrong gradient ``g`` changes ``<g, d>`` for almost every random ``d``, so a
bug anywhere in ``q`` shows, but only as a relative error of size ``|<g - grad, d>| / |<grad, d>|``
that must exceed finite-difference accuracy (about 1e-8 in float64, 1e-3 in float32) to be
seen; a bug confined to a few of ``q``'s many entries is diluted by ``1 / sqrt(size)``. It
cannot say which entry is wrong. The per-entry numerical gradient can, at ``size / K`` times the cost.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["directional_derivatives", "project", "unit_directions"]


def unit_directions(shape: tuple, count: int, rng: np.random.Generator) -> np.ndarray:
    """``(count, *shape)`` float64: standard-normal directions, each scaled to Euclidean norm 1."""
    v = rng.standard_normal((count, *shape))
    norms = np.sqrt(np.sum(v.reshape(count, -1) ** 2, axis=1))
    return v / np.where(norms > 0, norms, 1.0).reshape((count,) + (1,) * len(shape))


def directional_derivatives(
    loss: Callable[[dict], float], point: dict, names, *, h: float, directions: int, rng: np.random.Generator
) -> tuple:
    """``(numerical, moves, steps)`` for the quantities ``names`` of ``point``.

    - ``loss(values)``: ``F`` at ``{name: array}``, the names of ``point`` (all of them given);
    - ``point``: ``{name: array}``, the case's values in its dtype; never written;
    - ``h``: the step; ``directions``: ``K``, the directions per quantity; ``rng``: draws them.

    Returns ``numerical[q]``: ``(K,)`` float64 central differences; ``moves[q]``: ``(K, *shape)``
    float64, the steps actually taken divided by ``2h`` (the ``d_k``); ``steps[q]``: the ``K``
    ``(plus, minus)`` points of ``q`` in its dtype (for kink detection).
    """
    numerical, moves, steps = {}, {}, {}
    for name in names:
        value = np.asarray(point[name])
        base = value.astype(np.float64)
        fd, taken, pairs = [], [], []
        for v in unit_directions(value.shape, directions, rng):
            plus, minus = (base + h * v).astype(value.dtype), (base - h * v).astype(value.dtype)
            above, below = float(loss({**point, name: plus})), float(loss({**point, name: minus}))
            fd.append((above - below) / (2 * h))
            taken.append((plus.astype(np.float64) - minus.astype(np.float64)) / (2 * h))
            pairs.append((plus, minus))
        numerical[name], moves[name], steps[name] = np.array(fd), np.array(taken), pairs
    return numerical, moves, steps


def project(grads: dict, moves: dict) -> dict:
    """``{q: (K,)}``: ``<grads[q], d_k>`` in float64 for each step ``d_k`` of ``moves[q]``."""
    return {q: np.tensordot(moves[q], np.asarray(grads[q], np.float64), axes=np.ndim(grads[q])) for q in moves}
