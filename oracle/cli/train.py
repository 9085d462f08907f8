"""``manual-bp train``: train a network of manual_bp layers, with progress, summary, JSON, plot."""

from __future__ import annotations

import json
import time

import numpy as np
from rich.console import Console

from manual_bp.data.classification import load_digits, load_mnist, load_mnist_5k, load_spiral
from manual_bp.networks.two_layer import TwoLayerNet
from manual_bp.optimizers import OPTIMIZERS
from manual_bp.training.checkpoint import check_save_path, save_params
from manual_bp.training.trainer import Trainer, TrainingDiverged
from oracle.cli.progress import TrainingProgress
from oracle.cli.train_args import DATASET_DEFAULTS, NETWORK_DEFAULTS

__all__ = ["build_network", "load_dataset", "resolve_settings", "run_train"]


class UsageError(Exception):
    """A bad combination of options: reported in one line, exit status 2."""


def resolve_settings(args) -> dict:
    """The data set's defaults, overridden by every option the user gave."""
    settings = dict(DATASET_DEFAULTS[args.dataset])
    if args.network != "two-layer":
        settings["weight_init_std"] = "he"  # deeper ReLU networks need He's scale, not the book's 0.01
    if args.network == "multi-layer":
        settings["hidden_layers"] = 2
    settings.update(NETWORK_DEFAULTS.get((args.dataset, args.network), {}))
    for key in settings:
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    settings.update(dataset=args.dataset, network=args.network, dtype=args.dtype, seed=args.seed)
    if args.network == "multi-layer":
        settings.update(weight_decay=args.weight_decay, batchnorm=args.batchnorm, dropout=args.dropout)
    if args.network == "simple-conv" and args.dataset == "spiral":
        raise UsageError("--network simple-conv needs images: use --dataset digits, mnist-5k or mnist")
    if args.dropout is not None and not 0 <= args.dropout < 1:
        raise UsageError(f"--dropout must lie in [0, 1), got {args.dropout}")
    return settings


def load_dataset(name: str, data_dir: str | None, *, flatten: bool = True):
    """``(x_train, t_train), (x_test, t_test)`` of the named data set."""
    if name == "digits":
        return load_digits(flatten=flatten)
    if name == "spiral":
        return load_spiral()
    if name == "mnist-5k":
        return load_mnist_5k(flatten=flatten)
    if data_dir is None:
        raise UsageError("--dataset mnist needs --data-dir DIR, a directory with the four MNIST IDX files")
    return load_mnist(data_dir, flatten=flatten)


def build_network(settings: dict, x_shape: tuple, num_classes: int):
    """The network ``settings["network"]`` for inputs of ``x_shape`` (without the batch axis)."""
    common = dict(seed=settings["seed"], dtype=settings["dtype"])
    features = int(np.prod(x_shape))
    if settings["network"] == "two-layer":
        return TwoLayerNet(features, settings["hidden"], num_classes, settings["weight_init_std"], **common)
    from manual_bp.networks.deep import MultiLayerNet, SimpleConvNet

    if settings["network"] == "multi-layer":
        dropout = settings["dropout"]
        return MultiLayerNet(
            features,
            [settings["hidden"]] * settings["hidden_layers"],
            num_classes,
            weight_init_std=settings["weight_init_std"],
            weight_decay_lambda=settings["weight_decay"],
            use_dropout=dropout is not None,
            dropout_ratio=dropout or 0.5,
            use_batchnorm=settings["batchnorm"],
            **common,
        )
    side = x_shape[-1]
    conv = {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1} if side <= 8 else None
    return SimpleConvNet(tuple(x_shape), conv, settings["hidden"], num_classes, settings["weight_init_std"], **common)


def _plot(path: str, history, settings: dict) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'manual-bp[plot]'") from None
    epochs = np.arange(1, len(history.train_loss) + 1)
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    steps = np.linspace(0, len(epochs), len(history.step_loss) + 1)[1:]
    left.plot(steps, history.step_loss, color="tab:blue", alpha=0.25, linewidth=0.8, label="minibatch loss")
    left.plot(epochs, history.train_loss, color="tab:blue", marker="o", markersize=3, label="train loss (epoch mean)")
    if history.test_loss:
        left.plot(epochs, history.test_loss, color="tab:orange", marker="o", markersize=3, label="test loss")
    left.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log", title="Loss")
    left.legend()
    right.plot(epochs, history.train_acc, color="tab:blue", marker="o", markersize=3, label="train")
    if history.test_acc:
        right.plot(epochs, history.test_acc, color="tab:orange", marker="o", markersize=3, label="test")
    lowest = min(history.train_acc + history.test_acc)
    right.set(xlabel="epoch", ylabel="accuracy", ylim=(max(0.0, lowest - 0.05), 1.005), title="Accuracy")
    right.grid(alpha=0.3)
    right.legend(loc="lower right")
    figure.suptitle(
        f"{settings['network']} on {settings['dataset']}: {settings['optimizer']} lr={settings['lr']}, "
        f"hidden={settings['hidden']}, batch={settings['batch_size']}, seed={settings['seed']}"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def run_train(args) -> int:
    if args.network in ("cbow", "rnnlm", "better-rnnlm"):  # the sequel's networks on a text corpus
        from oracle.cli.train_text import run_train_text

        return run_train_text(args)
    if args.network in ("seq2seq", "peeky", "attention"):  # the sequel's encoder-decoders on a toy task
        from oracle.cli.train_seq2seq import run_train_seq2seq

        return run_train_seq2seq(args)
    if args.network.startswith("dezero-"):  # the third book's trainings on its framework
        from oracle.cli.train_dezero import run_train_dezero

        return run_train_dezero(args)
    err = Console(stderr=True, soft_wrap=True)
    given = [option for option, value in (("--task", args.task), ("--reverse", args.reverse)) if value]
    given += ["--plot-attention"] if args.plot_attention else []
    if given:
        err.print(f"manual-bp train: {given[0]} needs --network seq2seq, peeky or attention", markup=False)
        return 2
    try:
        return _train(args, err)
    except (UsageError, ImportError, FileNotFoundError, ValueError) as error:
        err.print(f"manual-bp train: {error}", markup=False, highlight=False)
        return 2
    except TrainingDiverged as error:
        err.print(f"manual-bp train: stopped: {error}", markup=False, highlight=False)
        return 1


def _check_outputs(args) -> None:
    """Fail before training, in one line, if ``--save`` or ``--plot`` cannot be written."""
    for option, path in (("--save", args.save), ("--plot", args.plot)):
        if path:
            try:
                check_save_path(path)
            except ValueError as error:
                raise UsageError(f"{option}: {error}") from None


def _train(args, err: Console) -> int:
    settings = resolve_settings(args)
    _check_outputs(args)
    (x_train, t_train), (x_test, t_test) = load_dataset(
        args.dataset, args.data_dir, flatten=settings["network"] != "simple-conv"
    )
    num_classes = int(max(t_train.max(), t_test.max())) + 1
    network = build_network(settings, x_train.shape[1:], num_classes)
    optimizer = OPTIMIZERS[settings["optimizer"]](lr=settings["lr"])
    started = time.perf_counter()
    trainer = Trainer(
        network,
        optimizer,
        x_train,
        t_train,
        x_test,
        t_test,
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        seed=settings["seed"],
    )
    with TrainingProgress(err, settings["epochs"], settings["epochs"] * trainer.steps_per_epoch) as progress:

        def on_step(epoch, step, loss):
            shown = trainer.history.test_acc
            progress.step(epoch, loss, f" test acc {shown[-1]:.3f}" if shown else "")

        def on_epoch(epoch, history):
            figures = {"train_loss": history.train_loss[-1], "train_acc": history.train_acc[-1]}
            if history.test_acc:
                figures |= {"test_loss": history.test_loss[-1], "test_acc": history.test_acc[-1]}
            progress.epoch(epoch, figures)

        trainer.on_step, trainer.on_epoch = on_step, on_epoch
        history = trainer.fit()
    seconds = time.perf_counter() - started
    final = {
        "train_acc": history.train_acc[-1],
        "test_acc": history.test_acc[-1],
        "train_loss": history.train_loss[-1],
        "test_loss": history.test_loss[-1],
        "seconds": round(seconds, 3),
    }
    if args.save:
        save_params(args.save, network.params)
    if args.plot:
        _plot(args.plot, history, settings)
    if args.json:
        print(json.dumps({"settings": settings, "final": final, "history": history.as_dict()}, indent=2))
    else:
        out = Console(soft_wrap=True)
        out.print(
            f"{settings['network']} on {settings['dataset']} ({len(x_train)} train / {len(x_test)} test): "
            f"{settings['optimizer']} lr={settings['lr']}, hidden={settings['hidden']}, "
            f"batch={settings['batch_size']}, {settings['epochs']} epochs, {settings['dtype']}, "
            f"seed={settings['seed']}",
            markup=False,
            highlight=False,
        )
        out.print(
            f"final train accuracy {final['train_acc']:.4f}, test accuracy {final['test_acc']:.4f} "
            f"(loss {final['train_loss']:.4f} / {final['test_loss']:.4f}) in {seconds:.1f} s",
            markup=False,
            highlight=False,
        )
        for path, what in ((args.save, "parameters"), (args.plot, "plot")):
            if path:
                out.print(f"{what} written to {path}", markup=False, highlight=False)
    return 0
