"""``manual-bp train``: one path for every family of networks.

``run_train`` parses nothing itself: it checks the whole command line before any work
(``oracle.cli.train_families``), hands the family (the first book's classifiers, here; the
sequel's text models, ``oracle.cli.train_text``; its encoder-decoders, ``oracle.cli.train_seq2seq``)
a ``TrainingSession`` for the shared loop bookkeeping and report (and so the third book's
trainings, ``oracle.cli.train_dezero``), and turns every way a run can
end into one line and an exit status: 0 trained, 1 diverged, 2 a bad command line or input,
130 interrupted (Ctrl-C; with ``--save`` the last finished epoch's parameters are saved).
"""

from __future__ import annotations

import numpy as np
from rich.console import Console

from manual_bp.data.classification import load_digits, load_mnist, load_mnist_5k, load_spiral
from manual_bp.networks.two_layer import TwoLayerNet
from manual_bp.optimizers import OPTIMIZERS
from manual_bp.training.trainer import Trainer, TrainingDiverged
from oracle.cli.interrupt import on_interrupt
from oracle.cli.outputs import UsageError, require_matplotlib
from oracle.cli.threads import choose_threads
from oracle.cli.train_args import DATASET_DEFAULTS, NETWORK_DEFAULTS
from oracle.cli.train_families import check_command_line, family_of
from oracle.cli.train_session import TrainingSession

__all__ = ["build_network", "load_dataset", "resolve_settings", "run_train"]


def resolve_settings(args) -> dict:
    """The data set's defaults, overridden by every option the user gave."""
    dataset = args.dataset or "digits"
    settings = dict(DATASET_DEFAULTS[dataset])
    if args.network != "two-layer":
        settings["weight_init_std"] = "he"  # deeper ReLU networks need He's scale, not the book's 0.01
    if args.network == "multi-layer":
        settings["hidden_layers"] = 2
    settings.update(NETWORK_DEFAULTS.get((dataset, args.network), {}))
    for key in settings:
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    settings.update(dataset=dataset, network=args.network, dtype=args.dtype or "float64", seed=args.seed)
    if args.network == "multi-layer":
        settings.update(weight_decay=args.weight_decay or 0.0, batchnorm=bool(args.batchnorm), dropout=args.dropout)
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
            dropout_ratio=0.5 if dropout is None else dropout,
            use_batchnorm=settings["batchnorm"],
            **common,
        )
    side = x_shape[-1]
    conv = {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1} if side <= 8 else None
    return SimpleConvNet(tuple(x_shape), conv, settings["hidden"], num_classes, settings["weight_init_std"], **common)


def _plot(path: str, history, settings: dict) -> None:
    require_matplotlib("--plot")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    """Run ``manual-bp train`` with parsed ``args``; return the exit status (see the module docstring)."""
    err = Console(stderr=True, soft_wrap=True)
    session = TrainingSession(args, err)
    try:
        check_command_line(args)
        with on_interrupt(session.interrupted):  # Ctrl-C: oracle.cli.interrupt prints its line, exits 130
            return _runner(family_of(args.network))(args, session)
    except (UsageError, ImportError, FileNotFoundError, ValueError) as error:
        err.print(f"manual-bp train: {error}", markup=False, highlight=False)
        return 2
    except TrainingDiverged as error:
        err.print(f"manual-bp train: stopped: {error}", markup=False, highlight=False)
        return 1
    except KeyboardInterrupt:  # where no SIGINT handler could be installed (oracle.cli.interrupt)
        try:
            line = session.interrupted()
        except KeyboardInterrupt:  # a second Ctrl-C while saving: the atomic write left no partial file
            line = "interrupted"
        err.print(f"manual-bp train: {line}", markup=False, highlight=False)
        return 130


def _runner(family: str):
    if family == "text":  # the sequel's networks on a text corpus
        from oracle.cli.train_text import run_train_text

        return run_train_text
    if family == "seq2seq":  # the sequel's encoder-decoders on a toy task
        from oracle.cli.train_seq2seq import run_train_seq2seq

        return run_train_seq2seq
    if family == "dezero":  # the third book's trainings on its own framework
        from oracle.cli.train_dezero import run_train_dezero

        return run_train_dezero
    return _train


def _largest_product(settings: dict, x_shape: tuple) -> int:
    """Multiply-adds of the largest matrix product of one training step."""
    batch, hidden, features = settings["batch_size"], settings["hidden"], int(np.prod(x_shape))
    if settings["network"] != "simple-conv":
        return batch * features * hidden
    side = x_shape[-1]
    filters, size = (16, 3) if side <= 8 else (30, 5)  # build_network's convolution
    out_side = side if side <= 8 else side - size + 1
    return batch * out_side * out_side * x_shape[0] * size * size * filters


def _train(args, session: TrainingSession) -> int:
    settings = resolve_settings(args)
    (x_train, t_train), (x_test, t_test) = load_dataset(
        settings["dataset"], args.data_dir, flatten=settings["network"] != "simple-conv"
    )
    num_classes = int(max(t_train.max(), t_test.max())) + 1
    network = build_network(settings, x_train.shape[1:], num_classes)
    optimizer = OPTIMIZERS[settings["optimizer"]](lr=settings["lr"])
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
    threads = args.threads or choose_threads(_largest_product(settings, x_train.shape[1:]))
    total_steps = settings["epochs"] * trainer.steps_per_epoch
    with session.training(settings, total_steps, network.params, threads=threads):

        def on_step(epoch, step, loss):
            shown = trainer.history.test_acc
            session.step(epoch, step, loss, f" test acc {shown[-1]:.3f}" if shown else "")

        def on_epoch(epoch, history):
            figures = {"train_loss": history.train_loss[-1], "train_acc": history.train_acc[-1]}
            figures |= {"test_loss": history.test_loss[-1], "test_acc": history.test_acc[-1]}
            session.epoch(epoch, figures)

        trainer.on_step, trainer.on_epoch = on_step, on_epoch
        history = trainer.fit()
    header = (
        f"{settings['network']} on {settings['dataset']} ({len(x_train)} train / {len(x_test)} test): "
        f"{settings['optimizer']} lr={settings['lr']}, hidden={settings['hidden']}, "
        f"batch={settings['batch_size']}, {settings['epochs']} epochs, {settings['dtype']}, "
        f"{threads} BLAS thread{'s' if threads > 1 else ''}, seed={settings['seed']}"
    )
    data = {"train": len(x_train), "test": len(x_test), "classes": num_classes}
    writers = {"plot": (args.plot, lambda path: _plot(path, history, settings))}
    return session.report(settings, data, header, writers=writers)
