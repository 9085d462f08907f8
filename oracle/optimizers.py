"""References for ``manual_bp.optimizers``: optax transformations, or pure JAX where optax differs.

``reference_trajectory`` replays a sequence of gradients through the reference in float64 and
returns the parameters after every step, to compare with the NumPy optimizer's.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax

__all__ = ["adagrad", "reference_trajectory", "reference_transformation"]


def adagrad(learning_rate: float, eps: float = 1e-7) -> optax.GradientTransformation:
    """The book's AdaGrad in pure JAX: ``h += g^2``; update ``-lr * g / (sqrt(h) + eps)``.

    ``optax.adagrad`` differs (eps inside the square root, ``h`` starting at 0.1), so it is
    not the reference for this one.
    """

    def init(params):
        return jax.tree.map(jnp.zeros_like, params)

    def update(grads, state, params=None):
        state = jax.tree.map(lambda h, g: h + g * g, state, grads)
        updates = jax.tree.map(lambda g, h: -learning_rate * g / (jnp.sqrt(h) + eps), grads, state)
        return updates, state

    return optax.GradientTransformation(init, update)


def reference_transformation(name: str, **hyper) -> optax.GradientTransformation:
    """The reference of ``manual_bp.optimizers.OPTIMIZERS[name](**hyper)``."""
    lr = hyper["lr"]
    if name == "sgd":
        return optax.sgd(lr)
    if name == "momentum":
        return optax.sgd(lr, momentum=hyper["momentum"])
    if name == "nesterov":
        return optax.sgd(lr, momentum=hyper["momentum"], nesterov=True)
    if name == "adagrad":
        return adagrad(lr, hyper["eps"])
    if name == "rmsprop":
        return optax.rmsprop(lr, decay=hyper["decay_rate"], eps=hyper["eps"], eps_in_sqrt=False)
    if name == "adam":
        return optax.adam(lr, b1=hyper["beta1"], b2=hyper["beta2"], eps=hyper["eps"])
    raise KeyError(f"no reference for optimizer {name!r}")


def reference_trajectory(transformation: optax.GradientTransformation, params: dict, grads: list) -> list:
    """Parameters (``{name: float64 array}``) after each step of ``grads`` (a list of dicts)."""
    trajectory = []
    with jax.enable_x64(True):
        current = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in params.items()}
        state = transformation.init(current)
        for step in grads:
            step = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in step.items()}
            updates, state = transformation.update(step, state, current)
            current = optax.apply_updates(current, updates)
            trajectory.append({k: np.asarray(v) for k, v in current.items()})
    return trajectory
