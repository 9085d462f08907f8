"""Checks of the files a command will write, made before any work (standard library only).

``check_output(option, path)`` raises ``UsageError`` in one line naming the option when ``path``
cannot become a file: it is a directory; an existing ancestor is a file; or the nearest existing
ancestor does not accept a new file (no permission, a read-only or virtual file system such as
``/proc``). That last check creates and at once removes an anonymous temporary file there, the
only test that does not guess (``os.access`` says yes to root on ``/proc``). Missing directories
are not an error: ``prepare_output`` creates them when the file is written.

``require_matplotlib(option)`` raises ``UsageError`` when matplotlib is not installed.
"""

from __future__ import annotations

import importlib.util
import pathlib
import tempfile

__all__ = ["PLOT_HINT", "UsageError", "check_output", "prepare_output", "require_matplotlib"]

PLOT_HINT = "pip install 'manual-bp[plot]'"


class UsageError(Exception):
    """A bad command line: reported in one line, exit status 2, before any work."""


def _nearest_existing(path: pathlib.Path) -> pathlib.Path:
    for parent in path.parents:
        if parent.exists() or parent.is_symlink():
            return parent
    return pathlib.Path(".")


def check_output(option: str, path: str | pathlib.Path) -> pathlib.Path:
    """``path`` if a file can be written there (missing directories will be created); else ``UsageError``."""
    path = pathlib.Path(path)
    if path.is_dir():
        raise UsageError(f"{option} {path}: it is a directory; give a file name")
    parent = _nearest_existing(path.absolute())
    if not parent.is_dir():
        raise UsageError(f"{option} {path}: {parent} is a file, not a directory")
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(f"{option} {path}: cannot create a file in {parent} ({reason.lower()})") from None
    return path


def prepare_output(path: str | pathlib.Path) -> pathlib.Path:
    """Create the missing directories of ``path``; return it as a ``Path``."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def require_matplotlib(option: str) -> None:
    """``UsageError`` naming ``option`` when matplotlib (and its Agg backend) cannot be imported."""
    try:
        found = importlib.util.find_spec("matplotlib") is not None
        found = found and importlib.util.find_spec("matplotlib.backends.backend_agg") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise UsageError(f"{option} needs matplotlib, which is not installed; run: {PLOT_HINT}")
