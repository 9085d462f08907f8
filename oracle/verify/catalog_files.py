"""Catalogs named on a command line (``--catalog``, ``--manual-bp-catalog``): found, imported, checked.

``import_catalog("my_layers:CATALOG")`` imports the module ``my_layers`` from the working directory
(or ``root``) first, then ``sys.path``, as pytest finds a test's own modules; a
``path/to/file.py:NAME`` spec runs that file. Every way it can fail is one ``ValueError`` line:
a malformed spec, a missing module or file, a file that is not Python, an error while the
module runs (its file, line and message), a missing attribute, a value that is not a catalog.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import pathlib
import sys
import traceback
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from oracle.verify.entry import CatalogEntry
from oracle.verify.function_entry import FunctionEntry

__all__ = ["as_catalog", "import_catalog"]


ROW_KINDS = (CatalogEntry, FunctionEntry)  # a layer's row, or a DeZero Function's (third book)


def _describe(value: Any) -> str:
    if isinstance(value, type(np)):
        return f"a module ({value.__name__})"
    if isinstance(value, (str, bytes)):
        return f"a {type(value).__name__} ({value!r:.40})"
    if isinstance(value, Sequence):
        if not value:
            return f"an empty {type(value).__name__}"
        index, item = next((i, v) for i, v in enumerate(value) if not isinstance(v, ROW_KINDS))
        return f"a {type(value).__name__} holding a {type(item).__name__} at index {index}"
    if isinstance(value, ROW_KINDS):
        return f"one {type(value).__name__} ({value.name}), not a sequence of them (put it in a list)"
    return f"a {type(value).__name__}"


def as_catalog(value: Any, label: str = "catalog") -> tuple[CatalogEntry, ...]:
    """``value`` as a tuple of ``CatalogEntry``; ``ValueError`` saying what was found if it is not one.

    A catalog is a non-empty list or tuple of ``oracle.CatalogEntry`` (full rows or ``row(...)``)
    or ``FunctionEntry`` rows (DeZero Functions).
    """
    ok = (
        isinstance(value, Sequence)
        and not isinstance(value, (str, bytes))
        and value
        and all(isinstance(v, ROW_KINDS) for v in value)
    )
    if not ok:
        raise ValueError(
            f"{label} is {_describe(value)}; a catalog must be a non-empty list or tuple of "
            "oracle.CatalogEntry rows (oracle.row(...) builds one from shapes)"
        )
    return tuple(value)


@contextlib.contextmanager
def _first_on_path(directory: pathlib.Path) -> Iterator[None]:
    """``directory`` first on ``sys.path`` inside the block (a module beside the user is found first)."""
    entry = str(directory)
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(entry)


def _where(error: BaseException, file: str | None) -> str:
    """``file:line`` of the frame that raised: in ``file`` if it is on the stack, else the deepest one."""
    if isinstance(error, SyntaxError) and error.filename:
        return f"{error.filename}:{error.lineno}"
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if file is not None and pathlib.Path(f.filename) == pathlib.Path(file)]
    frame = (inside or [f for f in frames if "importlib" not in f.filename] or frames)[-1]
    return f"{frame.filename}:{frame.lineno}"


def _failed(label: str, target: str, error: BaseException, file: str | None) -> ValueError:
    message = error.msg if isinstance(error, SyntaxError) else str(error)
    return ValueError(f"{label} {target}: {_where(error, file)}: {type(error).__name__}: {message}")


def _run_file(label: str, target: str, path: pathlib.Path) -> ModuleType:
    module_spec = importlib.util.spec_from_file_location(path.stem, path)
    if module_spec is None or module_spec.loader is None:
        raise ValueError(f"{label} file {target} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[path.stem] = module
    try:
        with _first_on_path(path.parent.resolve()):  # its own imports find its neighbours
            module_spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 - the user's code: report where it failed, in one line
        sys.modules.pop(path.stem, None)
        raise _failed(label, target, error, str(path)) from None
    return module


def _import_module(label: str, target: str, root: pathlib.Path) -> ModuleType:
    with _first_on_path(root.resolve()):
        try:
            spec = importlib.util.find_spec(target)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            raise ValueError(f"{label}: no module named {target!r} in {root.resolve()} or on sys.path")
        try:
            return importlib.import_module(target)
        except Exception as error:  # noqa: BLE001 - the user's code: report where it failed, in one line
            raise _failed(label, target, error, spec.origin) from None


def import_catalog(spec: str, *, root: pathlib.Path | None = None, label: str = "catalog") -> tuple[CatalogEntry, ...]:
    """The catalog named by ``spec``: ``package.module:NAME`` or ``path/to/file.py:NAME``.

    - ``root`` (default: the working directory): where a relative file path is taken from, and
      where a module is looked for first;
    - ``label`` (default ``"catalog"``): how messages name the option (``"--catalog"``).

    Raises ``ValueError`` (one line) as the module docstring lists.
    """
    target, _, attribute = spec.rpartition(":")
    if not target or not attribute:
        raise ValueError(f"{label} must look like MODULE:NAME or FILE.py:NAME, got {spec!r}")
    base = pathlib.Path.cwd() if root is None else root
    path = base / target
    if target.endswith(".py"):
        if not path.is_file():
            raise ValueError(f"{label} file {target} does not exist")
        module = _run_file(label, target, path)
    elif path.is_file() or "/" in target or "\\" in target:
        suffix = path.suffix or "no suffix"
        raise ValueError(f"{label} file {target} is not a Python file ({suffix}; give a .py file or a module name)")
    else:
        module = _import_module(label, target, base)
    if not hasattr(module, attribute):
        raise ValueError(f"{label}: {target} has no attribute {attribute!r}")
    return as_catalog(getattr(module, attribute), f"{label} {spec}" if label.startswith("-") else spec)
