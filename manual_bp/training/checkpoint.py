"""Saving and loading parameters as ``.npz``, written atomically.

``save_params`` writes to a temporary file in the target's directory, flushes it to disk and
renames it over the target in one step (``os.replace``): a crash mid-write leaves either the
old file or the new one, never a half-written file, and no temporary file behind. The file
gets the permissions ``np.savez`` would give it: an existing file's own, else ``0o666`` less
the process's umask (not the temporary file's ``0o600``).
"""

from __future__ import annotations

import os
import pathlib
import tempfile
from typing import Any

import numpy as np

__all__ = ["assign_params", "check_save_path", "load_params", "save_params"]


def check_save_path(path) -> pathlib.Path:
    """Raise ``ValueError`` (one line) if a file cannot be created at ``path``; else return it.

    Checked without writing anything: ``path`` must not be a directory; its nearest existing
    ancestor must be a directory (missing ones are created by ``save_params``), writable and
    searchable. Call it before a long computation whose result goes to ``path``.
    """
    path = pathlib.Path(path)
    if path.is_dir():
        raise ValueError(f"cannot write {path}: it is a directory")
    for parent in path.parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise ValueError(f"cannot write {path}: {parent} is a file, not a directory")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise ValueError(f"cannot write {path}: no permission to write in {parent}")
            break
    return path


def _mode_for(path: pathlib.Path) -> int:
    """The permissions ``np.savez(path)`` gives: the existing file's, else ``0o666 & ~umask``."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)  # the only portable way to read the umask is to set it and set it back
        os.umask(umask)
        return 0o666 & ~umask


def save_params(path, params: dict) -> pathlib.Path:
    """Write ``{name: array}`` to ``path`` (an ``.npz`` file) atomically; return the path.

    Missing directories are created; ``ValueError`` if the path cannot be a file (see
    ``check_save_path``). The file's permissions are those ``np.savez`` would give.
    """
    path = check_save_path(path)
    if not params:
        raise ValueError("params is empty: nothing to save")
    arrays: dict[str, Any] = {str(k): np.asarray(v) for k, v in params.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        pathlib.Path(temporary).unlink(missing_ok=True)
        raise
    return path


def load_params(path) -> dict:
    """Read a file written by ``save_params``: ``{name: array}``. Names a missing or corrupt file."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"parameter file {path} does not exist")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"{path} is not a readable .npz parameter file ({error})") from None


def assign_params(params: dict, loaded: dict) -> None:
    """Copy ``loaded`` into the arrays of ``params`` in place (layers sharing them see it).

    Every name of ``params`` must be in ``loaded`` with the same shape; values are cast to
    each parameter's dtype.
    """
    missing = [k for k in params if k not in loaded]
    if missing:
        raise ValueError(f"loaded parameters lack {', '.join(map(repr, missing))}")
    for name, target in params.items():
        value = np.asarray(loaded[name])
        if value.shape != target.shape:
            raise ValueError(f"loaded {name!r} has shape {value.shape}, the network's has {target.shape}")
    for name, target in params.items():
        target[...] = loaded[name]
