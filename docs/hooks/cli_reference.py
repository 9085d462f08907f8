"""MkDocs hook: the command-line reference, rendered at build time from the argparse parsers.

A page holding the line ``<!-- cli-reference -->`` gets, in its place, one section per
command and subcommand of ``oracle.cli.build_parser()``: its ``--help`` text exactly as
``manual-bp <command> --help`` prints it (at a fixed width of 100 columns, whatever the
terminal). So the reference can never drift from the parsers: a new option appears in the
next build. The parsers are imported from this checkout (the folder above ``docs/``), not
from whatever copy of ``oracle`` is installed.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
from collections.abc import Iterator

MARKER = "<!-- cli-reference -->"
WIDTH = 100
ROOT = pathlib.Path(__file__).resolve().parents[2]


def _build_parser() -> argparse.ArgumentParser:
    if str(ROOT) not in sys.path[:1]:
        sys.path.insert(0, str(ROOT))
    from oracle.cli import build_parser

    return build_parser()


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """``(name, parser)`` of every subcommand of ``parser``, in the order ``--help`` lists them."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def _help_text(parser: argparse.ArgumentParser) -> str:
    """``parser.format_help()`` at ``WIDTH`` columns, uncoloured (argparse reads ``COLUMNS``, ``NO_COLOR``)."""
    fixed = {"COLUMNS": str(WIDTH), "NO_COLOR": "1"}
    previous = {name: os.environ.get(name) for name in fixed}
    os.environ.update(fixed)
    try:
        return parser.format_help().rstrip()
    finally:
        for name, value in previous.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


def render(parser: argparse.ArgumentParser, level: int = 2) -> str:
    """Markdown: a heading and a ``text`` block of ``--help`` for ``parser`` and each subcommand, depth first."""
    sections = [f"{'#' * level} `{parser.prog}`\n\n```text\n{_help_text(parser)}\n```\n"]
    for _, subparser in _subcommands(parser):
        sections.append(render(subparser, min(level + 1, 6)))
    return "\n".join(sections)


def on_page_markdown(markdown: str, page, config, files) -> str:
    """MkDocs event: replace the marker line, if the page has one, by the rendered reference."""
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, render(_build_parser()))
