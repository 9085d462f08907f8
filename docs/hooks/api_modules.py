"""MkDocs hook: an API page lists a package's modules by itself, so a new module is never left out.

A line ``<!-- api-modules: manual_bp.layers -->`` on a page becomes one mkdocstrings block,
``::: manual_bp.layers.affine`` and so on, for every public module of that package and of its
subpackages (names not starting with ``_``), in alphabetical order; the package's own
``__init__`` is left out (it re-exports what the modules define). The modules are found in this
checkout (the folder above ``docs/``), by file name, without importing them.
"""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^<!-- api-modules: ([\w.]+) -->$", flags=re.M)


def public_modules(package: str) -> list[str]:
    """Dotted names of the public modules under ``package`` (a folder of this checkout), sorted."""
    folder = ROOT.joinpath(*package.split("."))
    if not (folder / "__init__.py").is_file():
        raise ValueError(f"{package} is not a package of this checkout ({folder})")
    found = []
    for path in folder.rglob("*.py"):
        parts = path.relative_to(folder).with_suffix("").parts
        if any(part.startswith("_") for part in parts[:-1]):
            continue  # inside a private subpackage
        if parts[-1] == "__init__":
            parts = parts[:-1]
            if not parts:
                continue  # the package itself
        elif parts[-1].startswith("_"):
            continue
        found.append(".".join((package, *parts)))
    return sorted(found)


def render(package: str) -> str:
    return "\n\n".join(f"::: {module}" for module in public_modules(package))


def on_page_markdown(markdown: str, page, config, files) -> str:
    """MkDocs event: replace each marker line by the mkdocstrings blocks of its package's modules."""
    return MARKER.sub(lambda match: render(match.group(1)), markdown)
