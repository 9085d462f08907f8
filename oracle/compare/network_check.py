"""``TwoLayerNet`` checked three ways (backprop, ``jax.grad``, central differences: random
directional derivatives by default, or the book's per-entry gradient), and the
finite-difference error curve behind ``manual-bp compare --plot``."""

from __future__ import annotations

import time
from collections.abc import Callable

import jax
import numpy as np

from manual_bp import TwoLayerNet
from manual_bp.numerical import numerical_gradient
from oracle.compare.directional import directional_derivatives
from oracle.compare.gradient_check import (
    MODES,
    GradientCheck,
    directional_pairwise_errors,
    jax_timings,
    mean_abs_differences,
    pairwise_errors,
    time_call,
    timed,
    within_tolerance,
)
from oracle.networks.two_layer import PARAM_NAMES, two_layer_net, two_layer_net_gradient

__all__ = ["check_network", "directional_errors", "network_case"]


def network_case(sizes: tuple, dtype, rng: np.random.Generator, *, batch: int) -> tuple:
    """``(net, x, t)``: the book's setup, a ``TwoLayerNet(*sizes)`` with ``weight_init_std=0.01``
    initialised from ``rng``, inputs uniform in [0, 1) like MNIST pixels, random labels."""
    n_in, _, n_out = sizes
    net = TwoLayerNet(*sizes, rng=rng, dtype=dtype)
    x = rng.random((batch, n_in)).astype(dtype)
    t = rng.integers(0, n_out, size=batch)
    return net, x, t


def check_network(
    net: TwoLayerNet,
    x,
    t,
    *,
    h: float = 1e-4,
    numerical: str = "directional",
    directions: int = 8,
    rng: np.random.Generator | None = None,
    eager: bool = False,
    on_param: Callable[[str, int], None] | None = None,
) -> GradientCheck:
    """Check ``TwoLayerNet.gradient`` three ways on ``(x, t)``; JAX is ``jax.grad`` of ``two_layer_net``.

    - ``numerical`` (default ``"directional"``): ``directions`` (default 8) random directional
      derivatives per parameter, drawn from ``rng`` (default ``np.random.default_rng(0)``),
      ``2 * directions`` forward passes each; ``"full"``: the book's per-entry gradient and its
      ``gradient_check.py`` figures (``book``), ``2 * size`` forward passes per parameter;
    - ``eager`` (default ``False``): also time ``jax.value_and_grad`` un-jitted;
    - ``on_param(name, size)`` (default ``None``) is called after each parameter's numerical
      gradient (full mode) for progress reports.
    Kinks: full mode, ``net.finite_difference_kinks``; directional mode, the hidden units whose
    pre-activation changes sign between the two points of some direction's step.
    """
    if numerical not in MODES:
        raise ValueError(f"numerical must be one of {', '.join(MODES)}, got {numerical!r}")
    x = np.asarray(x).astype(net.dtype)  # what the network computes on; JAX gets the same values
    manual = net.gradient(x, t)
    (_, jax_grads), first_jit = timed(lambda: two_layer_net_gradient(net.params, x, t))

    start = time.perf_counter()
    if numerical == "full":
        grads = {}
        for name in PARAM_NAMES:
            grads[name] = numerical_gradient(
                lambda value, name=name: net.loss_with({name: value}, x, t), net.params[name], h=h
            )
            if on_param is not None:
                on_param(name, net.params[name].size)
        numerical_seconds = time.perf_counter() - start
        errors, directional = pairwise_errors(manual, jax_grads, grads), {}
        book = mean_abs_differences(grads, manual)
        kinks = net.finite_difference_kinks(x, h=h)
    else:
        fd, moves, steps = directional_derivatives(
            lambda values: net.loss_with(values, x, t),
            net.params,
            PARAM_NAMES,
            h=h,
            directions=directions,
            rng=np.random.default_rng(0) if rng is None else rng,
        )
        numerical_seconds = time.perf_counter() - start
        (errors, directional), book = directional_pairwise_errors(manual, jax_grads, fd, moves), {}
        kinks = _directional_kinks(net, x, steps)

    params64 = {k: np.asarray(v, np.float64) for k, v in net.params.items()}
    x64, t_int = np.asarray(x, np.float64), np.asarray(t)
    eager_grad = jax.value_and_grad(two_layer_net)

    def call_eager():
        with jax.enable_x64(True):
            return jax.block_until_ready(eager_grad(params64, x64, t_int))

    seconds = {"manual": time_call(lambda: net.gradient(x, t))}
    seconds.update(
        jax_timings(first_jit, lambda: two_layer_net_gradient(net.params, x, t), call_eager if eager else None)
    )
    seconds["numerical"] = numerical_seconds
    sizes = ", ".join(map(str, net.sizes))
    return GradientCheck(
        f"TwoLayerNet({sizes})",
        net.dtype.name,
        h,
        errors,
        seconds,
        int(kinks.sum()),
        int(kinks.size),
        book,
        within_tolerance(manual, jax_grads, net.dtype),
        numerical,
        directions if numerical == "directional" else 0,
        directional,
    )


def _directional_kinks(net: TwoLayerNet, x, steps: dict) -> np.ndarray:
    """``(N, hidden)`` bool: pre-activations ``a1 = x2 @ W1 + b1`` whose sign differs between the
    ``theta + h v`` and ``theta - h v`` of some direction (only steps of ``W1`` and ``b1`` move them)."""
    x2 = np.asarray(x, np.float64).reshape(np.shape(x)[0], -1)
    W1, b1 = (np.asarray(net.params[k], np.float64) for k in ("W1", "b1"))
    crossed = np.zeros((x2.shape[0], W1.shape[1]), bool)
    for plus, minus in steps["W1"]:
        crossed |= (x2 @ plus.astype(np.float64) + b1 > 0) != (x2 @ minus.astype(np.float64) + b1 > 0)
    a1 = x2 @ W1
    for plus, minus in steps["b1"]:
        crossed |= (a1 + plus > 0) != (a1 + minus > 0)
    return crossed


def directional_errors(net: TwoLayerNet, x, t, steps, *, rng: np.random.Generator, directions: int = 8) -> dict:
    """Relative error of finite differences along random directions, for each step ``h``.

    For ``directions`` random unit directions ``v`` over all parameters, the exact directional
    derivatives are ``d_v = <grad_JAX, v>`` (float64) and the finite differences are
    ``(L(theta + h v) - L(theta - h v)) / 2h`` with ``theta +- h v`` rounded to the network's
    dtype and ``L`` the network's own forward pass. The error is the norm over directions,
    ``||fd - d|| / ||d||``. It falls as ``h^2`` (truncation) until rounding, ``~ eps |L| / h``,
    takes over: a V on log-log axes, bottoming out near ``eps^(2/3)`` relative to the scale.
    Cost: ``2 * directions`` forward passes per step. Returns ``{"steps", "numerical",
    "manual"}``: the error per step, and the error of the hand-written gradient along the
    same directions (its floor).
    """
    x = np.asarray(x).astype(net.dtype)
    _, jax_grads = two_layer_net_gradient(net.params, x, t)
    manual = net.gradient(x, t)
    exact, along_manual, moves = [], [], []
    for _ in range(directions):
        v = {k: rng.standard_normal(net.params[k].shape) for k in PARAM_NAMES}
        norm = np.sqrt(sum(float(np.sum(part * part)) for part in v.values()))
        v = {k: part / norm for k, part in v.items()}
        exact.append(sum(float(np.vdot(jax_grads[k], v[k])) for k in PARAM_NAMES))
        along_manual.append(sum(float(np.vdot(np.asarray(manual[k], np.float64), v[k])) for k in PARAM_NAMES))
        moves.append(v)
    exact_array = np.array(exact)

    def loss_at(v: dict, step: float) -> float:
        moved = {k: (net.params[k].astype(np.float64) + step * v[k]).astype(net.dtype) for k in PARAM_NAMES}
        return float(net.loss_with(moved, x, t))

    def relative(estimate) -> float:
        return float(np.linalg.norm(np.asarray(estimate) - exact_array) / np.linalg.norm(exact_array))

    errors = [relative([(loss_at(v, h) - loss_at(v, -h)) / (2 * h) for v in moves]) for h in steps]
    return {"steps": [float(h) for h in steps], "numerical": errors, "manual": relative(along_manual)}
