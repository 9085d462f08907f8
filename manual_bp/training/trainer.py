"""Minibatch training of any network with the book's interface.

A network has ``params`` (``{name: array}``, shared with its layers), ``gradient(x, t) ->
{name: array}``, ``loss(x, t)`` and ``accuracy(x, t)``; an optimizer has ``update(params,
grads)``. ``Trainer.fit`` runs epochs of shuffled minibatches (seeded), evaluates after each
epoch, stops with ``TrainingDiverged`` when the loss stops being finite, and returns a
``History``. Training and evaluation both go ``batch_size`` samples at a time, so memory is
bounded by the batch size, not by the data set.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np

from manual_bp._checks import NonFiniteInputError

__all__ = ["History", "Trainer", "TrainingDiverged"]


class TrainingDiverged(RuntimeError):
    """The training loss became NaN or infinite."""


@dataclasses.dataclass
class History:
    """Per epoch: mean minibatch loss, train and test accuracy, test loss; per step: the loss."""

    train_loss: list = dataclasses.field(default_factory=list)
    train_acc: list = dataclasses.field(default_factory=list)
    test_loss: list = dataclasses.field(default_factory=list)
    test_acc: list = dataclasses.field(default_factory=list)
    step_loss: list = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _check_data(name_x, x, name_t, t):
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"{name_x} must have shape (N, ...) with N >= 1, got {x.shape}")
    if len(t) != len(x):
        raise ValueError(f"{name_t} must have one label per sample of {name_x} ({len(x)}), got {len(t)}")
    return x, t


class Trainer:
    """Train ``network`` with ``optimizer`` on ``(x_train, t_train)``.

    - ``epochs`` (default 20), ``batch_size`` (default 100): every epoch visits each training
      sample once, in an order drawn from ``np.random.default_rng(seed)`` (default seed 0);
      the last batch of an epoch may be smaller.
    - ``x_test``, ``t_test`` (default ``None``): evaluated after every epoch if given.
    - ``on_step(epoch, step, loss)``, ``on_epoch(epoch, history)``: progress callbacks.
    """

    def __init__(
        self,
        network,
        optimizer,
        x_train,
        t_train,
        x_test=None,
        t_test=None,
        *,
        epochs: int = 20,
        batch_size: int = 100,
        seed: int = 0,
        on_step: Callable | None = None,
        on_epoch: Callable | None = None,
    ):
        self.x_train, self.t_train = _check_data("x_train", x_train, "t_train", t_train)
        self.has_test = x_test is not None
        if self.has_test:
            self.x_test, self.t_test = _check_data("x_test", x_test, "t_test", t_test)
        if epochs < 1 or batch_size < 1:
            raise ValueError(f"epochs and batch_size must be at least 1, got {epochs} and {batch_size}")
        self.network, self.optimizer = network, optimizer
        self.epochs, self.batch_size = int(epochs), int(batch_size)
        self.rng = np.random.default_rng(seed)
        self.on_step, self.on_epoch = on_step, on_epoch
        self.history = History()
        self._position = (1, 0)  # (epoch, step) being run: named when a layer refuses a non-finite input

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.x_train) / self.batch_size)

    def _step_loss(self, x, t) -> float:
        """The loss of the minibatch ``gradient`` just ran: its last layer's value plus any
        ``network.regularization()`` (weight decay), without a second forward pass."""
        loss = getattr(getattr(self.network, "last_layer", None), "loss", None)
        if loss is None:
            return float(self.network.loss(x, t))
        regularization = getattr(self.network, "regularization", None)
        return float(loss) + (float(regularization()) if regularization is not None else 0.0)

    def fit(self) -> History:
        """Run all epochs; return the history. Raises ``TrainingDiverged`` on a non-finite loss.

        Overflow and invalid-value warnings are silenced while training: a diverging run is
        reported once, by ``TrainingDiverged``, instead of by a stream of NumPy warnings. A layer
        refusing a non-finite input (``NonFiniteInputError``: scores overflowed to ``inf``) is a
        divergence too.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            try:
                return self._fit()
            except NonFiniteInputError as error:
                epoch, step = self._position
                raise TrainingDiverged(
                    f"the input of a layer became non-finite ({error}) at epoch {epoch}, step {step}: "
                    f"lower the learning rate (now {getattr(self.optimizer, 'lr', '?')})"
                ) from None

    def _fit(self) -> History:
        n = len(self.x_train)
        for epoch in range(1, self.epochs + 1):
            order = self.rng.permutation(n)
            losses = []
            for step, start in enumerate(range(0, n, self.batch_size), 1):
                self._position = (epoch, step)
                batch = order[start : start + self.batch_size]
                x, t = self.x_train[batch], self.t_train[batch]
                grads = self.network.gradient(x, t)
                loss = self._step_loss(x, t)
                if not np.isfinite(loss):
                    raise TrainingDiverged(
                        f"the training loss became {loss} at epoch {epoch}, step {step}: "
                        f"lower the learning rate (now {getattr(self.optimizer, 'lr', '?')})"
                    )
                self.optimizer.update(self.network.params, grads)
                losses.append(loss)
                self.history.step_loss.append(loss)
                if self.on_step is not None:
                    self.on_step(epoch, step, loss)
            self._evaluate(losses)
            if self.on_epoch is not None:
                self.on_epoch(epoch, self.history)
        return self.history

    def _evaluate(self, losses) -> None:
        self.history.train_loss.append(float(np.mean(losses)))
        self.history.train_acc.append(self.evaluate(self.x_train, self.t_train, loss=False)[1])
        if self.has_test:
            test_loss, test_acc = self.evaluate(self.x_test, self.t_test)
            self.history.test_loss.append(test_loss)
            self.history.test_acc.append(test_acc)

    def evaluate(self, x, t, *, loss: bool = True) -> tuple:
        """``(mean loss, accuracy)`` of the network on ``(x, t)``, ``batch_size`` samples per forward pass.

        Memory is bounded by the batch, not by ``len(x)``: the loss is the size-weighted mean of
        the batches' losses (each includes any weight decay once, so the mean does too) and the
        accuracy counts the hits of every batch. ``loss=False`` skips the loss (``nan`` is returned).
        """
        total_loss, hits, n = 0.0, 0, len(x)
        for start in range(0, n, self.batch_size):
            xb, tb = x[start : start + self.batch_size], t[start : start + self.batch_size]
            if loss:
                total_loss += float(self.network.loss(xb, tb)) * len(xb)
            hits += round(float(self.network.accuracy(xb, tb)) * len(xb))
        return (total_loss / n if loss else float("nan")), hits / n
