"""The ``manual-bp`` command line: one module per command (``verify``, ``compare``, ``train``),
its argument parsing beside it (``*_args``, standard library only), and ``main`` on top.

Importing this package needs only the standard library, so that a missing ``oracle`` extra
is explained in one line instead of a traceback; each command's work is imported when it runs.
"""

from oracle.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
