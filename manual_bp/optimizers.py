"""The book's optimizers (chapter 6): ``update(params, grads)`` in place on the parameter arrays.

Every optimizer takes dicts ``{name: array}`` and writes the new values into ``params[name]``
itself (the layers hold those same arrays), keeping its own state per name. State and scratch
buffers are allocated once per parameter and reused, so a step allocates no large temporaries.
Each one is property-tested against ``optax`` (SGD, Momentum, Nesterov, RMSprop, Adam) or a
pure JAX reference (AdaGrad, where optax puts eps elsewhere).
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["AdaGrad", "Adam", "Momentum", "Nesterov", "OPTIMIZERS", "Optimizer", "RMSprop", "SGD"]


def _hyper(name: str, value, *, low: float = 0.0, high: float = np.inf, open_low: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(float(value)):
        raise TypeError(f"{name} must be a finite real number, got {value!r}")
    if float(value) < low or (open_low and value == low) or float(value) >= high:
        interval = f"{'(' if open_low else '['}{low:g}, {high:g})"
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    return float(value)


def _step_by_root(param, grad, h, scratch, lr: float, eps: float) -> None:
    """``param -= lr * grad / (sqrt(h) + eps)`` through ``scratch``: AdaGrad's and RMSprop's step."""
    np.sqrt(h, out=scratch)
    scratch += eps
    np.divide(grad, scratch, out=scratch, casting="same_kind")
    scratch *= lr
    param -= scratch


class Optimizer:
    """Shared bookkeeping: argument checks and per-parameter buffers."""

    def __init__(self, lr: float):
        self.lr = _hyper("lr", lr)
        self.state: dict = {}  # name -> dict of buffers shaped like the parameter

    def _buffers(self, key: str, param: np.ndarray, *names: str) -> list:
        slots = self.state.setdefault(key, {})
        for name in names:
            if name not in slots or slots[name].shape != param.shape or slots[name].dtype != param.dtype:
                slots[name] = np.zeros_like(param)
        return [slots[name] for name in names]

    def _checked(self, params, grads):
        if not hasattr(params, "items") or not hasattr(grads, "keys"):
            raise TypeError("params and grads must be dicts {name: array}")
        missing = [k for k in params if k not in grads]
        if missing:
            raise ValueError(f"grads has no entry for parameter(s) {', '.join(map(repr, missing))}")
        for key, param in params.items():
            if not isinstance(param, np.ndarray) or param.dtype.kind != "f":
                raise TypeError(
                    f"params[{key!r}] must be a float NumPy array (updated in place), got {type(param).__name__}"
                )
            if not param.flags.writeable:
                raise ValueError(f"params[{key!r}] is read-only; the optimizer updates parameters in place")
            grad = np.asarray(grads[key])
            if grad.shape != param.shape:
                raise ValueError(
                    f"grads[{key!r}] must have the shape of params[{key!r}] {param.shape}, got {grad.shape}"
                )
            yield key, param, grad

    def update(self, params: dict, grads: dict) -> None:
        """Write one step into every ``params[name]`` from ``grads[name]``."""
        for key, param, grad in self._checked(params, grads):
            self._step(key, param, grad)

    def _step(self, key, param, grad):  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class SGD(Optimizer):
    """``p <- p - lr * g``. Default ``lr=0.01``. optax: ``optax.sgd(lr)``."""

    def __init__(self, lr: float = 0.01):
        super().__init__(lr)

    def _step(self, key, param, grad):
        (scratch,) = self._buffers(key, param, "scratch")
        np.multiply(grad, self.lr, out=scratch, casting="same_kind")
        param -= scratch


class Momentum(Optimizer):
    """``v <- momentum * v - lr * g``; ``p <- p + v`` (``v`` starts at 0).

    Defaults ``lr=0.01``, ``momentum=0.9``. optax: ``optax.sgd(lr, momentum)``, whose trace is
    ``-v / lr``.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        super().__init__(lr)
        self.momentum = _hyper("momentum", momentum, high=1.0, open_low=False)

    def _step(self, key, param, grad):
        v, scratch = self._buffers(key, param, "v", "scratch")
        v *= self.momentum
        np.multiply(grad, self.lr, out=scratch, casting="same_kind")
        v -= scratch
        param += v


class Nesterov(Optimizer):
    """Nesterov momentum (Sutskever et al. 2013, as reformulated by Bengio et al. 2012):

    ``v <- momentum * v - lr * g``; ``p <- p + momentum * v - lr * g`` (with the new ``v``),
    i.e. ``p <- p + momentum^2 * v_old - (1 + momentum) * lr * g``.

    The book's code applies ``momentum^2`` to the *updated* velocity, which is not this
    update (already its first step is ``-(1 + momentum + momentum^2) * lr * g``). Defaults
    ``lr=0.01``, ``momentum=0.9``. optax: ``optax.sgd(lr, momentum, nesterov=True)``.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        super().__init__(lr)
        self.momentum = _hyper("momentum", momentum, high=1.0, open_low=False)

    def _step(self, key, param, grad):
        v, scratch = self._buffers(key, param, "v", "scratch")
        np.multiply(grad, self.lr, out=scratch, casting="same_kind")
        v *= self.momentum
        v -= scratch
        param -= scratch
        np.multiply(v, self.momentum, out=scratch)
        param += scratch


class AdaGrad(Optimizer):
    """``h <- h + g^2``; ``p <- p - lr * g / (sqrt(h) + eps)`` (``h`` starts at 0).

    Defaults ``lr=0.01``, ``eps=1e-7`` (the book's). Reference: pure JAX, since
    ``optax.adagrad`` puts eps inside the square root and starts ``h`` at 0.1.
    """

    def __init__(self, lr: float = 0.01, eps: float = 1e-7):
        super().__init__(lr)
        self.eps = _hyper("eps", eps)

    def _step(self, key, param, grad):
        h, scratch = self._buffers(key, param, "h", "scratch")
        np.multiply(grad, grad, out=scratch, casting="same_kind")
        h += scratch
        _step_by_root(param, grad, h, scratch, self.lr, self.eps)


class RMSprop(Optimizer):
    """``h <- decay_rate * h + (1 - decay_rate) * g^2``; ``p <- p - lr * g / (sqrt(h) + eps)``.

    Defaults ``lr=0.01``, ``decay_rate=0.99``, ``eps=1e-7`` (the book's; ``h`` starts at 0).
    optax: ``optax.rmsprop(lr, decay, eps, eps_in_sqrt=False)``.
    """

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7):
        super().__init__(lr)
        self.decay_rate = _hyper("decay_rate", decay_rate, high=1.0, open_low=False)
        self.eps = _hyper("eps", eps)

    def _step(self, key, param, grad):
        h, scratch = self._buffers(key, param, "h", "scratch")
        h *= self.decay_rate
        np.multiply(grad, grad, out=scratch, casting="same_kind")
        scratch *= 1 - self.decay_rate
        h += scratch
        _step_by_root(param, grad, h, scratch, self.lr, self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba, Algorithm 1), step ``k = 1, 2, ...``:

    ``m <- beta1 * m + (1 - beta1) * g``; ``v <- beta2 * v + (1 - beta2) * g^2``;
    ``p <- p - lr * m_hat / (sqrt(v_hat) + eps)`` with ``m_hat = m / (1 - beta1^k)``,
    ``v_hat = v / (1 - beta2^k)``.

    Defaults ``lr=0.001``, ``beta1=0.9``, ``beta2=0.999``, ``eps=1e-7`` (the book's). The
    book folds the bias corrections into the step size (``lr * sqrt(1 - beta2^k) / (1 -
    beta1^k)``), which moves eps to ``eps * sqrt(1 - beta2^k)``; here eps sits as in the
    paper and in ``optax.adam(lr, b1, b2, eps)``, the reference. The two differ only where
    ``sqrt(v_hat)`` is near eps.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7):
        super().__init__(lr)
        self.beta1 = _hyper("beta1", beta1, high=1.0, open_low=False)
        self.beta2 = _hyper("beta2", beta2, high=1.0, open_low=False)
        self.eps = _hyper("eps", eps)
        self.iter = 0  # steps taken: the bias corrections depend on it

    def update(self, params: dict, grads: dict) -> None:
        self.iter += 1
        super().update(params, grads)

    def _step(self, key, param, grad):
        m, v, scratch = self._buffers(key, param, "m", "v", "scratch")
        m *= self.beta1
        np.multiply(grad, 1 - self.beta1, out=scratch, casting="same_kind")
        m += scratch
        v *= self.beta2
        np.multiply(grad, grad, out=scratch, casting="same_kind")
        scratch *= 1 - self.beta2
        v += scratch
        np.divide(v, 1 - self.beta2**self.iter, out=scratch)
        np.sqrt(scratch, out=scratch)
        scratch += self.eps
        np.divide(m, scratch, out=scratch)
        scratch *= self.lr / (1 - self.beta1**self.iter)
        param -= scratch


OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}
