"""The third book's trainings (steps 48-51, 59, 60) as functions returning their figures.

    result = train_spiral()                  # {"loss": [...per epoch], "accuracy": [...], "test_accuracy": ...}
    result = train_mnist(activation="relu", optimizer="adam")
    result = train_sin_curve(cell="lstm")    # truncated BPTT with unchain_backward

Every random draw (initial weights, shuffling, the sine curve's noise) comes from ``seed``.
Optional hooks (a progress bar, a divergence stop, a checkpoint): ``on_start(model)`` once the
model is built, before the first step; ``on_step(epoch, step, loss)`` after each update;
``on_epoch(epoch, figures)`` after each epoch. Each result holds ``sizes``: ``{"train": n, "test": m}``.
``bench/reproduce_dezero.py`` runs them at the book's settings.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import manual_bp.dezero.functions as F
from manual_bp.dezero.core import Variable, no_grad
from manual_bp.dezero.dataloaders import DataLoader, SeqDataLoader
from manual_bp.dezero.datasets import MNIST, SinCurve, Spiral
from manual_bp.dezero.models import MLP, BetterRNN, SimpleRNN
from manual_bp.dezero.optimizers import SGD, Adam
from manual_bp.dezero.utils import unchain_backward

__all__ = ["evaluate", "train_classifier", "train_mnist", "train_sin_curve", "train_spiral"]

EpochHook = Callable[[int, dict], None] | None
StepHook = Callable[[int, int, float], None] | None
StartHook = Callable[[object], None] | None


def evaluate(model, loader) -> tuple[float, float]:
    """(mean loss, accuracy) of a classifier over one pass of ``loader``, without recording graphs."""
    total_loss = total_acc = 0.0
    count = 0
    with no_grad():
        for x, t in loader:
            y = model(x)
            total_loss += float(np.asarray(F.softmax_cross_entropy(y, t).data)) * len(t)
            total_acc += float(np.asarray(F.accuracy(y, t).data)) * len(t)
            count += len(t)
    return total_loss / count, total_acc / count


def train_classifier(
    model, optimizer, train_loader, test_loader, max_epoch: int, on_epoch: EpochHook = None, on_step: StepHook = None
) -> dict:
    """The book's loop: per batch ``cleargrads``, ``backward``, ``update``; per epoch the mean
    training loss and accuracy, and the test set's after the epoch."""
    history: dict = {"loss": [], "accuracy": [], "test_loss": [], "test_accuracy": []}
    for epoch in range(1, max_epoch + 1):
        total_loss = total_acc = 0.0
        for step, (x, t) in enumerate(train_loader, start=1):
            y = model(x)
            loss = F.softmax_cross_entropy(y, t)
            model.cleargrads()
            loss.backward()
            optimizer.update()
            value = float(np.asarray(loss.data))
            total_loss += value * len(t)
            total_acc += float(np.asarray(F.accuracy(y, t).data)) * len(t)
            if on_step is not None:
                on_step(epoch, step, value)
        size = train_loader.data_size
        test_loss, test_acc = evaluate(model, test_loader)
        figures = {
            "loss": total_loss / size,
            "accuracy": total_acc / size,
            "test_loss": test_loss,
            "test_accuracy": test_acc,
        }
        for key, value in figures.items():
            history[key].append(value)
        if on_epoch is not None:
            on_epoch(epoch, figures)
    return history


def train_spiral(
    *,
    max_epoch: int = 300,
    batch_size: int = 30,
    hidden_size: int = 10,
    lr: float = 1.0,
    seed: int = 0,
    on_epoch: EpochHook = None,
    on_step: StepHook = None,
    on_start: StartHook = None,
) -> dict:
    """Step 48: ``MLP((hidden_size, 3))`` (sigmoid) on the 300-point spiral, ``SGD(lr)``, batches of 30."""
    rng = np.random.default_rng(seed)
    model = MLP((hidden_size, 3), rng=rng)
    loaders = DataLoader(Spiral(), batch_size, rng=rng), DataLoader(Spiral(train=False), batch_size, shuffle=False)
    if on_start is not None:
        on_start(model)
    history = train_classifier(model, SGD(lr).setup(model), *loaders, max_epoch, on_epoch, on_step)
    return {**history, "model": model, "sizes": _sizes(*loaders)}


def train_mnist(
    *,
    max_epoch: int = 5,
    batch_size: int = 100,
    hidden_size: int = 1000,
    activation: str = "sigmoid",
    optimizer: str = "sgd",
    seed: int = 0,
    path=None,
    on_epoch: EpochHook = None,
    on_step: StepHook = None,
    on_start: StartHook = None,
) -> dict:
    """Step 51 on MNIST (by default the 5,000 offline digits: 4,000 train, 1,000 test).

    ``activation="sigmoid"``, ``optimizer="sgd"``: the book's first model, ``MLP((1000, 10))``
    with ``SGD()``; ``activation="relu"``, ``optimizer="adam"``: its improved one,
    ``MLP((1000, 1000, 10), F.relu)`` with ``Adam()``.
    """
    rng = np.random.default_rng(seed)
    if activation == "relu":
        model = MLP((hidden_size, hidden_size, 10), activation=F.relu, rng=rng)
    elif activation == "sigmoid":
        model = MLP((hidden_size, 10), rng=rng)
    else:
        raise ValueError(f"activation must be 'sigmoid' or 'relu', got {activation!r}")
    optimizers = {"sgd": SGD, "adam": Adam}
    if optimizer not in optimizers:
        raise ValueError(f"optimizer must be 'sgd' or 'adam', got {optimizer!r}")
    train, test = MNIST(train=True, path=path), MNIST(train=False, path=path)
    loaders = DataLoader(train, batch_size, rng=rng), DataLoader(test, batch_size, shuffle=False)
    if on_start is not None:
        on_start(model)
    history = train_classifier(model, optimizers[optimizer]().setup(model), *loaders, max_epoch, on_epoch, on_step)
    return {**history, "model": model, "sizes": _sizes(*loaders)}


def _sizes(train_loader, test_loader) -> dict:
    return {"train": train_loader.data_size, "test": test_loader.data_size}


def _predict_cosine(model, steps: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """The model fed ``cos`` over two periods one value at a time: (inputs, predictions of the next value)."""
    xs = np.cos(np.linspace(0, 4 * np.pi, steps))
    model.reset_state()
    predictions = np.empty(steps)
    with no_grad():
        for i, x in enumerate(xs):
            predictions[i] = float(model(np.array([[x]])).data[0, 0])
    return xs, predictions


def train_sin_curve(
    *,
    cell: str = "rnn",
    max_epoch: int = 100,
    hidden_size: int = 100,
    bptt_length: int = 30,
    batch_size: int | None = None,
    seed: int = 0,
    on_epoch: EpochHook = None,
    on_step: StepHook = None,
    on_start: StartHook = None,
) -> dict:
    """Steps 59 (``cell="rnn"``: ``SimpleRNN``, one sequence) and 60 (``cell="lstm"``: ``BetterRNN``,
    ``SeqDataLoader`` batches of 30) on the noisy sine curve, ``Adam()``, truncated BPTT: every
    ``bptt_length`` steps ``backward``, ``unchain_backward`` (the next block's graph starts
    here), ``update``.

    Returns the mean loss per step of each epoch, and ``cosine_mse``: the mean squared error of
    predicting the next value of ``cos`` over two periods (the book plots these predictions).
    """
    if cell not in ("rnn", "lstm"):
        raise ValueError(f"cell must be 'rnn' or 'lstm', got {cell!r}")
    rng = np.random.default_rng(seed)
    dataset = SinCurve(train=True, rng=rng)
    model = (SimpleRNN if cell == "rnn" else BetterRNN)(hidden_size, 1, rng=rng)
    if batch_size is None:
        batch_size = 1 if cell == "rnn" else 30
    loader = SeqDataLoader(dataset, batch_size=batch_size)
    optimizer = Adam().setup(model)
    if on_start is not None:
        on_start(model)
    losses = []
    for epoch in range(1, max_epoch + 1):
        model.reset_state()
        block: Variable | None = None  # the summed loss of the current BPTT block
        total, count, updates, block_start = 0.0, 0, 0, 0
        for x, t in loader:
            step_loss = F.mean_squared_error(model(x.astype(np.float32)), t.astype(np.float32))
            block = step_loss if block is None else block + step_loss
            count += 1
            if count % bptt_length == 0 or count == loader.max_iter:
                model.cleargrads()
                block.backward()
                unchain_backward(block)
                optimizer.update()
                value = float(np.asarray(block.data))
                total += value
                updates += 1
                if on_step is not None:  # the block's mean loss per step
                    on_step(epoch, updates, value / (count - block_start))
                # the book keeps adding onto the cut graph; a fresh sum per block gives the same figure
                block, block_start = None, count
        losses.append(total / count)
        if on_epoch is not None:
            on_epoch(epoch, {"loss": losses[-1]})
    xs, predictions = _predict_cosine(model)
    cosine_mse = float(np.mean((predictions[:-1] - xs[1:]) ** 2))
    sizes = {"train": len(dataset), "test": len(xs)}  # test: the points of cos predicted
    figures = {"loss": losses, "cosine_mse": cosine_mse, "cosine": xs, "predictions": predictions}
    return {**figures, "model": model, "sizes": sizes}
