"""The ``manual-bp`` command line: ``verify`` (every catalog layer against JAX), ``compare``
(manual vs JAX vs finite differences) and ``train`` (a network of the verified layers).

Importing this module needs only the standard library, so that a missing ``oracle`` extra is
explained in one line instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys

from oracle.argtypes import positive_int
from oracle.compare_args import add_compare_parser
from oracle.train_args import add_train_parser

__all__ = ["main"]

EXTRA_HINT = "pip install 'manual-bp[oracle]'"
DTYPE_CHOICES = {"float64": ("float64",), "float32": ("float32",), "all": ("float64", "float32")}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="manual-bp",
        description="Hand-written backpropagation, verified against JAX's automatic differentiation.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    verify = commands.add_parser(
        "verify",
        help="check every layer's forward and backward against its JAX oracle on Hypothesis-drawn cases",
        description="Draw cases with Hypothesis for every catalog layer and dtype, compare forward, input "
        "and parameter gradients with jax.vjp of the layer's oracle function, and check that nothing "
        "passed in is mutated, backward is re-entrant and linear in dout. Exit 0 only if all pass.",
    )
    verify.add_argument("--layer", action="append", metavar="NAME",
                        help="verify only this layer (repeatable; case-insensitive); default: all")
    verify.add_argument("--examples", type=positive_int, default=100, metavar="N",
                        help="Hypothesis examples per layer and dtype (default: 100)")
    verify.add_argument("--dtype", choices=sorted(DTYPE_CHOICES), default="all",
                        help="dtype(s) the layers run in; the oracle always runs in float64 (default: all)")
    verify.add_argument("--seed", type=int, default=0, help="Hypothesis seed: the same seed draws the same cases (default: 0)")
    verify.add_argument("--json", action="store_true", help="print the results as JSON on stdout instead of a table")
    verify.add_argument("--no-shrink", action="store_true", help="report the first failing case without shrinking it")
    verify.add_argument("--catalog", metavar="MODULE:NAME",
                        help="verify your own catalog (a sequence of oracle.CatalogEntry), e.g. my_layers:CATALOG "
                        "or path/to/my_layers.py:CATALOG; default: the built-in one")
    verify.add_argument("--list", action="store_true", help="list the catalog's layers and conventions, then exit")
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
        print(f"manual-bp: the oracle extra is not installed (no module {missing!r}); run: {EXTRA_HINT}", file=sys.stderr)
        return 2
    if args.command == "compare":
        from oracle.compare_command import run_compare

        return run_compare(args)
    if args.command == "train":
        from oracle.train_command import run_train

        return run_train(args)
    from oracle.verify_command import run_verify

    return run_verify(args)


if __name__ == "__main__":
    sys.exit(main())
