"""The stdout console of the commands that print tables (``verify``, ``compare``).

On a terminal, rich fits the terminal. Elsewhere (a pipe, a file) it would assume 80 columns and
cut the tables' no-wrap columns with an ellipsis; there the console is made as wide as the
widest table it will print, so nothing is truncated.
"""

from __future__ import annotations

import sys

from rich.console import Console, RenderableType

__all__ = ["stdout_console"]

MIN_WIDTH = 100


def stdout_console(*tables: RenderableType) -> Console:
    """A stdout ``Console`` that prints ``tables`` whole, on a terminal or not."""
    if sys.stdout.isatty():
        return Console(soft_wrap=True)
    probe = Console(width=10_000, file=sys.stdout)
    width = max([MIN_WIDTH, *(probe.measure(table).maximum for table in tables)])
    return Console(soft_wrap=True, width=width)
