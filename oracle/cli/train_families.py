"""Which ``manual-bp train`` options each network reads, and the checks made before any work.

``check_command_line(args)`` is the one gate every family passes through after parsing: an
option given to a network that does not read it, a combination that cannot work, an output
that cannot be written or a plot without matplotlib raises ``UsageError`` naming the option,
before any data is loaded. Standard library only.
"""

from __future__ import annotations

import argparse

from oracle.cli.outputs import UsageError, check_output, require_matplotlib
from oracle.cli.train_args import (
    DEZERO_NETWORK_CHOICES,
    NETWORK_CHOICES,
    SEQ2SEQ_NETWORK_CHOICES,
    TEXT_NETWORK_CHOICES,
)
from oracle.cli.train_seq2seq_args import MAX_SIZE

__all__ = ["COMMON_UNREAD", "FAMILY", "READS", "check_command_line", "family_of", "reads"]

FAMILY = {
    **{network: "book" for network in NETWORK_CHOICES},
    **{network: "text" for network in TEXT_NETWORK_CHOICES},
    **{network: "seq2seq" for network in SEQ2SEQ_NETWORK_CHOICES},
    **{network: "dezero" for network in DEZERO_NETWORK_CHOICES},
}
# Every network reads these.
COMMON = (
    *("network", "hidden", "optimizer", "lr", "epochs", "batch_size", "dtype", "seed", "threads"),
    *("save", "plot", "json"),
)
_BOOK = ("dataset", "data_dir", "weight_init_std")
_MULTI = ("hidden_layers", "weight_decay", "batchnorm", "dropout")
_LANGUAGE_MODEL = ("corpus", "time_size", "max_grad")
_SEQ2SEQ = ("task", "reverse", "wordvec", "size", "max_grad")
# The options of COMMON that a network does not read: the third book's trainings fix their
# own (float32, the book's optimizer and learning rate where the book gives none).
COMMON_UNREAD = {
    "dezero-spiral": ("optimizer", "dtype"),
    "dezero-mnist": ("lr", "dtype"),
    "dezero-rnn": ("optimizer", "lr", "batch_size", "dtype"),
    "dezero-lstm": ("optimizer", "lr", "batch_size", "dtype"),
}
# The options beyond COMMON that each network reads.
READS = {
    "two-layer": _BOOK,
    "multi-layer": _BOOK + _MULTI,
    "simple-conv": _BOOK,
    "cbow": ("corpus", "window"),
    "rnnlm": _LANGUAGE_MODEL,
    "better-rnnlm": _LANGUAGE_MODEL,
    "seq2seq": _SEQ2SEQ,
    "peeky": _SEQ2SEQ,
    "attention": _SEQ2SEQ + ("plot_attention",),
    "dezero-spiral": (),
    "dezero-mnist": ("data_dir",),
    "dezero-rnn": (),
    "dezero-lstm": (),
}


def family_of(network: str) -> str:
    """``"book"``, ``"text"``, ``"seq2seq"`` or ``"dezero"`` (the third book's, ``oracle.cli.train_dezero``)."""
    return FAMILY[network]


def _option(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def reads(network: str) -> set[str]:
    """The destinations of every option ``network`` reads."""
    return (set(COMMON) - set(COMMON_UNREAD.get(network, ()))) | set(READS[network])


def _readers(dest: str) -> str:
    names = [network for network in READS if dest in reads(network)]
    if len(names) > len(READS) // 2:
        others = [network for network in READS if network not in names]
        return "every network except " + ", ".join(others[:-1]) + (" and " if len(others) > 1 else "") + others[-1]
    return ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]


def _check_applies(args: argparse.Namespace) -> None:
    read = reads(args.network)
    for dest in sorted(set(COMMON).union(*READS.values())):
        if dest not in read and getattr(args, dest, None) is not None:
            raise UsageError(
                f"{_option(dest)} does not apply to --network {args.network}; it is read by {_readers(dest)}"
            )


def _check_combinations(args: argparse.Namespace) -> None:
    family = family_of(args.network)
    if family == "book":
        if args.network == "simple-conv" and args.dataset == "spiral":
            raise UsageError("--network simple-conv needs images: use --dataset digits, mnist-5k or mnist")
        if args.dataset == "mnist" and args.data_dir is None:
            raise UsageError("--dataset mnist needs --data-dir DIR, a directory with the four MNIST IDX files")
        if args.data_dir is not None and args.dataset != "mnist":
            raise UsageError("--data-dir applies to --dataset mnist only")
    elif family == "text":
        if args.corpus is None:
            raise UsageError(f"--network {args.network} needs --corpus FILE (a text file, one sentence per line)")
    elif family == "dezero":
        if args.optimizer not in (None, "sgd", "adam"):
            raise UsageError(f"--network {args.network} trains with --optimizer sgd or adam, got {args.optimizer}")
    else:
        task = args.task or "addition"
        if args.size is not None and args.size > MAX_SIZE.get(task, args.size):
            raise UsageError(f"--size must be at most {MAX_SIZE[task]} for --task {task}, got {args.size}")


def check_command_line(args: argparse.Namespace) -> None:
    """Raise ``UsageError`` (one line, naming the option) for anything wrong that can be seen before work."""
    _check_applies(args)
    _check_combinations(args)
    outputs = {"--save": args.save, "--plot": args.plot, "--plot-attention": getattr(args, "plot_attention", None)}
    given = {option: path for option, path in outputs.items() if path is not None}
    for option, path in given.items():
        check_output(option, path)
    if len({str(path) for path in given.values()}) < len(given):
        raise UsageError(f"{' and '.join(given)} name the same file; give each its own")
    for option in ("--plot", "--plot-attention"):
        if option in given:
            require_matplotlib(option)
