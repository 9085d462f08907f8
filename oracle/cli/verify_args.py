"""The command line of ``manual-bp verify`` (standard library only: ``oracle.cli`` imports it eagerly).

The work itself is in ``oracle.cli.verify``, imported only when the command runs.
"""

from __future__ import annotations

import argparse

from oracle.cli.argtypes import positive_int

__all__ = ["DTYPE_CHOICES", "add_verify_parser"]

DTYPE_CHOICES = {"float64": ("float64",), "float32": ("float32",), "all": ("float64", "float32")}


def add_verify_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``verify`` subcommand and its options to ``commands``."""
    verify = commands.add_parser(
        "verify",
        help="check every layer's forward and backward against its JAX oracle on Hypothesis-drawn cases",
        description="Draw cases with Hypothesis for every catalog layer and dtype, compare forward, input "
        "and parameter gradients with jax.vjp of the layer's oracle function, and check that nothing "
        "passed in is mutated, backward is re-entrant and linear in dout. Exit 0 only if all pass.",
    )
    verify.add_argument(
        "--layer",
        action="append",
        metavar="NAME",
        help="verify only this layer (repeatable; case-insensitive); default: all",
    )
    verify.add_argument(
        "--examples",
        type=positive_int,
        default=100,
        metavar="N",
        help="Hypothesis examples per layer and dtype (default: 100)",
    )
    verify.add_argument(
        "--dtype",
        choices=sorted(DTYPE_CHOICES),
        default="all",
        help="dtype(s) the layers run in; the oracle always runs in float64 (default: all)",
    )
    verify.add_argument(
        "--seed", type=int, default=0, help="Hypothesis seed: the same seed draws the same cases (default: 0)"
    )
    verify.add_argument("--json", action="store_true", help="print the results as JSON on stdout instead of a table")
    verify.add_argument("--no-shrink", action="store_true", help="report the first failing case without shrinking it")
    verify.add_argument(
        "--catalog",
        metavar="MODULE:NAME",
        help="verify your own catalog (a sequence of oracle.CatalogEntry), e.g. my_layers:CATALOG "
        "or path/to/my_layers.py:CATALOG; default: the built-in one",
    )
    verify.add_argument("--list", action="store_true", help="list the catalog's layers and what each draws, then exit")
    verify.add_argument(
        "--jobs",
        type=positive_int,
        metavar="N",
        help="worker processes, each verifying whole rows (same results and order as one); "
        "default: one per core when more than 4 rows are verified, else 1",
    )
    return verify
