"""DeZero's optimizers and hooks: ``optimizer = Adam().setup(model)``; ``optimizer.update()``.

``update()`` collects the target's Parameters that have a gradient, runs the hooks on that
list in the order they were added (``add_hook``), then steps every Parameter that still has
a gradient (``FreezeParam`` removes some). State is kept per Parameter. Each update is
verified against optax (``tests/dezero/test_optimizers.py``), hooks included.

Two departures from the book, both so that an update is what its formula says:
- hooks replace ``param.grad`` with a new Variable instead of writing into ``grad.data``:
  backward may hand the *same* gradient Variable to two inputs (``a + b`` gives both ``gy``),
  so the book's in-place ``param.grad.data += rate * param.data`` decays each of them twice;
- ``Adam`` puts ``eps`` as the paper and ``optax.adam`` do (``m_hat / (sqrt(v_hat) + eps)``),
  where the book folds the bias corrections into the step size and so scales eps by
  ``sqrt(1 - beta2^t)``; ``ClipGrad`` divides by the norm itself (``optax.clip_by_global_norm``),
  where the book adds 1e-6 to it.
"""

from __future__ import annotations

import numpy as np

from manual_bp.dezero.core import Parameter, Variable

__all__ = [
    "SGD",
    "AdaDelta",
    "AdaGrad",
    "Adam",
    "ClipGrad",
    "FreezeParam",
    "MomentumSGD",
    "Optimizer",
    "WeightDecay",
]


class Optimizer:
    """``setup(target)`` (a Layer/Model), ``add_hook(f)``, ``update()``; subclasses define ``update_one``."""

    def __init__(self):
        self.target = None
        self.hooks: list = []

    def setup(self, target):
        self.target = target
        return self

    def add_hook(self, f) -> None:
        self.hooks.append(f)

    def update(self) -> None:
        if self.target is None:
            raise RuntimeError(f"{type(self).__name__}.update before setup(target)")
        params = [p for p in self.target.params() if p.grad is not None]
        for hook in self.hooks:
            params = [p for p in params if p.grad is not None]  # a hook (FreezeParam) may take some away
            hook(params)
        for param in params:
            if param.grad is not None:
                self.update_one(param)

    def update_one(self, param: Parameter) -> None:
        raise NotImplementedError(f"{type(self).__name__}.update_one")


class _Stateful(Optimizer):
    """Per-Parameter buffers, created at zero on first use (keyed by identity)."""

    def __init__(self):
        super().__init__()
        self.state: dict[int, dict] = {}

    def _buffers(self, param: Parameter, *names: str) -> list:
        slots = self.state.setdefault(id(param), {"param": param})  # holding it keeps the id unique
        return [slots.setdefault(name, np.zeros_like(param.data)) for name in names]


class SGD(Optimizer):
    """``p <- p - lr * g``. Default ``lr=0.01``."""

    def __init__(self, lr: float = 0.01):
        super().__init__()
        self.lr = lr

    def update_one(self, param):
        param.data -= self.lr * param.grad.data


class MomentumSGD(_Stateful):
    """``v <- momentum * v - lr * g``; ``p <- p + v`` (``v`` starts at 0). Defaults ``lr=0.01``, ``momentum=0.9``.

    optax: ``optax.sgd(lr, momentum)`` (its trace ``t`` is ``-v / lr``).
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        super().__init__()
        self.lr, self.momentum = lr, momentum

    def update_one(self, param):
        (v,) = self._buffers(param, "v")
        v *= self.momentum
        v -= self.lr * param.grad.data
        param.data += v


class AdaGrad(_Stateful):
    """``h <- h + g^2``; ``p <- p - lr * g / (sqrt(h) + eps)``. Defaults ``lr=0.001``, ``eps=1e-8`` (DeZero's).

    Reference: the pure JAX ``oracle.optimizers.adagrad`` (optax puts eps inside the root).
    """

    def __init__(self, lr: float = 0.001, eps: float = 1e-8):
        super().__init__()
        self.lr, self.eps = lr, eps

    def update_one(self, param):
        (h,) = self._buffers(param, "h")
        grad = param.grad.data
        h += grad * grad
        param.data -= self.lr * grad / (np.sqrt(h) + self.eps)


class AdaDelta(_Stateful):
    """``msg <- rho msg + (1 - rho) g^2``; ``dx = sqrt((msdx + eps) / (msg + eps)) g``;
    ``msdx <- rho msdx + (1 - rho) dx^2``; ``p <- p - dx``. Defaults ``rho=0.95``, ``eps=1e-6``.

    optax: ``optax.adadelta(1.0, rho, eps)``.
    """

    def __init__(self, rho: float = 0.95, eps: float = 1e-6):
        super().__init__()
        self.rho, self.eps = rho, eps

    def update_one(self, param):
        msg, msdx = self._buffers(param, "msg", "msdx")
        grad = param.grad.data
        msg *= self.rho
        msg += (1 - self.rho) * grad * grad
        dx = np.sqrt((msdx + self.eps) / (msg + self.eps)) * grad
        msdx *= self.rho
        msdx += (1 - self.rho) * dx * dx
        param.data -= dx


class Adam(_Stateful):
    """``m <- beta1 m + (1 - beta1) g``; ``v <- beta2 v + (1 - beta2) g^2``;
    ``p <- p - alpha * m_hat / (sqrt(v_hat) + eps)``, ``m_hat = m / (1 - beta1^t)``,
    ``v_hat = v / (1 - beta2^t)``, ``t`` the number of ``update()`` calls.

    Defaults ``alpha=0.001``, ``beta1=0.9``, ``beta2=0.999``, ``eps=1e-8`` (DeZero's).
    optax: ``optax.adam(alpha, beta1, beta2, eps)``.
    """

    def __init__(self, alpha: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__()
        self.alpha, self.beta1, self.beta2, self.eps = alpha, beta1, beta2, eps
        self.t = 0

    def update(self) -> None:
        self.t += 1
        super().update()

    def update_one(self, param):
        m, v = self._buffers(param, "m", "v")
        grad = param.grad.data
        m += (1 - self.beta1) * (grad - m)
        v += (1 - self.beta2) * (grad * grad - v)
        m_hat = m / (1 - self.beta1**self.t)
        v_hat = v / (1 - self.beta2**self.t)
        param.data -= self.alpha * m_hat / (np.sqrt(v_hat) + self.eps)


# Hooks: called with the list of Parameters that have a gradient, before any update.


class WeightDecay:
    """``g <- g + rate * p`` for every Parameter (L2 regularisation ``rate / 2 * |p|^2``).

    optax: ``optax.add_decayed_weights(rate)`` before the optimizer.
    """

    def __init__(self, rate: float):
        self.rate = rate

    def __call__(self, params) -> None:
        for param in params:
            param.grad = Variable(param.grad.data + self.rate * param.data)


class ClipGrad:
    """Scale every gradient by ``max_norm / norm`` when the global norm ``sqrt(sum |g|^2)`` exceeds ``max_norm``.

    optax: ``optax.clip_by_global_norm(max_norm)``.
    """

    def __init__(self, max_norm: float):
        self.max_norm = max_norm

    def __call__(self, params) -> None:
        total_norm = np.sqrt(sum(float((p.grad.data**2).sum()) for p in params))
        if total_norm > self.max_norm:
            rate = self.max_norm / total_norm
            for param in params:
                param.grad = Variable(param.grad.data * param.grad.data.dtype.type(rate))


class FreezeParam:
    """Leave the given layers' (or Parameters') values and optimizer state untouched: their gradients are dropped.

    optax: ``optax.multi_transform`` with ``optax.set_to_zero()`` on the frozen ones.
    """

    def __init__(self, *layers):
        self.frozen: set[int] = set()
        for layer in layers:
            params = [layer] if isinstance(layer, Parameter) else list(layer.params())
            self.frozen.update(id(p) for p in params)

    def __call__(self, params) -> None:
        for param in params:
            if id(param) in self.frozen:
                param.grad = None
