"""``TwoLayerNet`` checked three ways (backprop, ``jax.grad``, central differences), and the
finite-difference error curve behind ``manual-bp compare --plot``."""

from __future__ import annotations

import time
from collections.abc import Callable

import jax
import numpy as np

from manual_bp import TwoLayerNet
from manual_bp.numerical import numerical_gradient
from oracle.compare.gradient_check import (
    GradientCheck,
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


def check_network(net: TwoLayerNet, x, t, *, h: float = 1e-4,
                  on_param: Callable[[str, int], None] | None = None) -> GradientCheck:
    """Check ``TwoLayerNet.gradient`` three ways on ``(x, t)``; JAX is ``jax.grad`` of ``two_layer_net``.

    ``on_param(name, size)`` (default ``None``) is called after each parameter's numerical
    gradient (``2 * size`` forward passes) for progress reports.
    """
    x = np.asarray(x).astype(net.dtype)  # what the network computes on; JAX gets the same values
    manual = net.gradient(x, t)
    (_, jax_grads), first_jit = timed(lambda: two_layer_net_gradient(net.params, x, t))

    numerical, start = {}, time.perf_counter()
    for name in PARAM_NAMES:
        numerical[name] = numerical_gradient(lambda value, name=name: net.loss_with({name: value}, x, t),
                                             net.params[name], h=h)
        if on_param is not None:
            on_param(name, net.params[name].size)
    numerical_seconds = time.perf_counter() - start

    params64 = {k: np.asarray(v, np.float64) for k, v in net.params.items()}
    x64, t_int = np.asarray(x, np.float64), np.asarray(t)
    eager_grad = jax.value_and_grad(two_layer_net)

    def eager():
        with jax.enable_x64(True):
            return jax.block_until_ready(eager_grad(params64, x64, t_int))

    seconds = {"manual": time_call(lambda: net.gradient(x, t))}
    seconds.update(jax_timings(first_jit, lambda: two_layer_net_gradient(net.params, x, t), eager))
    seconds["numerical"] = numerical_seconds
    kinks = net.finite_difference_kinks(x, h=h)
    sizes = ", ".join(map(str, net.sizes))
    return GradientCheck(f"TwoLayerNet({sizes})", net.dtype.name, h, pairwise_errors(manual, jax_grads, numerical), seconds,
                         int(kinks.sum()), int(kinks.size), mean_abs_differences(numerical, manual),
                         within_tolerance(manual, jax_grads, net.dtype))


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
    exact = np.array(exact)

    def loss_at(v: dict, step: float) -> float:
        moved = {k: (net.params[k].astype(np.float64) + step * v[k]).astype(net.dtype) for k in PARAM_NAMES}
        return float(net.loss_with(moved, x, t))

    def relative(estimate) -> float:
        return float(np.linalg.norm(np.asarray(estimate) - exact) / np.linalg.norm(exact))

    errors = [relative([(loss_at(v, h) - loss_at(v, -h)) / (2 * h) for v in moves]) for h in steps]
    return {"steps": [float(h) for h in steps], "numerical": errors, "manual": relative(along_manual)}
