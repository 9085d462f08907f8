"""The ``manual-bp`` command line: ``verify`` (every catalog layer against JAX), ``compare``
(manual vs JAX vs finite differences) and ``train`` (a network of the verified layers).

Importing this module needs only the standard library, so that a missing ``oracle`` extra is
explained in one line instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys

from oracle.cli.compare_args import add_compare_parser
from oracle.cli.train_args import add_train_parser
from oracle.cli.verify_args import add_verify_parser

__all__ = ["main"]

EXTRA_HINT = "pip install 'manual-bp[oracle]'"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="manual-bp",
        description="Hand-written backpropagation, verified against JAX's automatic differentiation.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_verify_parser(commands)
    add_compare_parser(commands)
    add_train_parser(commands)
    return parser


# What each command imports beyond NumPy: all of it comes with the `oracle` extra.
NEEDS = {"verify": ("jax", "hypothesis", "rich"), "compare": ("jax", "hypothesis", "rich"), "train": ("rich",)}


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
    args = build_parser().parse_args(argv)
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
