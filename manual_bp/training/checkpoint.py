"""Saving and loading parameters as ``.npz``, written atomically.

``save_params`` writes to a temporary file in the target's directory, flushes it to disk and
renames it over the target in one step (``os.replace``): a crash mid-write leaves either the
old file or the new one, never a half-written file, and no temporary file behind.
"""

from __future__ import annotations

import os
import pathlib
import tempfile
from typing import Any

import numpy as np

__all__ = ["assign_params", "load_params", "save_params"]


def save_params(path, params: dict) -> pathlib.Path:
    """Write ``{name: array}`` to ``path`` (an ``.npz`` file) atomically; return the path."""
    path = pathlib.Path(path)
    if not params:
        raise ValueError("params is empty: nothing to save")
    arrays: dict[str, Any] = {str(k): np.asarray(v) for k, v in params.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
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
