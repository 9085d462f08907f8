"""MkDocs hook: ``\\|`` in a table cell shows as ``|`` on the site, as it does on GitHub.

A Markdown table cell writes a literal pipe as ``\\|`` (``--dtype float64\\|float32``). GitHub
drops the backslash everywhere; Python-Markdown keeps it inside a code span. This hook drops
it from the rendered page (after the table has been split into cells, so it cannot split one).
"""

from __future__ import annotations


def on_page_content(html: str, page, config, files) -> str:
    """MkDocs event: the page's HTML with every ``\\|`` shown as ``|``."""
    return html.replace("\\|", "|")
