"""The ``manual-bp`` command line: ``verify`` (every catalog layer against JAX), ``compare``
(manual vs JAX vs finite differences) and ``train`` (a network of the verified layers).

Importing this module needs only the standard library, so that a missing ``oracle`` extra is
explained in one line instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from typing import NoReturn

from oracle.cli.compare_args import add_compare_parser
from oracle.cli.train_args import add_train_parser
from oracle.cli.verify_args import add_verify_parser

__all__ = ["main"]

EXTRA_HINT = "pip install 'manual-bp[oracle]'"


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (``manual-bp train: --size: ...``), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="manual-bp",
        description="Hand-written backpropagation, verified against JAX's automatic differentiation.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_verify_parser(commands)
    add_compare_parser(commands)
    add_train_parser(commands)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("manual-bp")
    except PackageNotFoundError:  # run from a checkout that is not installed
        return "(not installed)"


# What each command imports beyond NumPy: all of it comes with the `oracle` extra.
NEEDS = {
    "verify": ("jax", "hypothesis", "rich"),
    "compare": ("jax", "hypothesis", "rich"),
    "train": ("rich", "threadpoolctl"),
}


def _missing_extra(command: str) -> str | None:
    for module in NEEDS[command]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return module
    return None


def main(argv=None) -> int:
    """Run ``manual-bp`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    0 success; 1 a check failed (verify, compare) or training diverged; 2 a bad command line,
    before any work; 130 interrupted (Ctrl-C), reported in one line.
    """
    args = build_parser().parse_args(argv)
    from oracle.cli.interrupt import ctrl_c_exits

    try:
        with ctrl_c_exits(args.command):
            return _run(args)
    except KeyboardInterrupt:  # the commands report their own; this is Ctrl-C while they import
        print(f"manual-bp {args.command}: interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    missing = _missing_extra(args.command)
    if missing:
        print(
            f"manual-bp: the oracle extra is not installed (no module {missing!r}); run: {EXTRA_HINT}", file=sys.stderr
        )
        return 2
    if args.command == "compare":
        from oracle.cli.compare import run_compare

        return run_compare(args)
    if args.command == "train":
        from oracle.cli.train import run_train

        return run_train(args)
    from oracle.cli.verify import run_verify

    return run_verify(args)
