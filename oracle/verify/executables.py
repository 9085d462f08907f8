"""Compiled reference functions kept on disk, so that a warm ``manual-bp verify`` neither traces nor lowers them.

JAX's persistent compilation cache skips only XLA: its key is the lowered module, so every
process still traces and lowers each reference function before it can look it up (measured on
the default run: about 400 functions, 8 of the 37 CPU seconds of a warm run). A built-in oracle
is determined, without tracing it, by its *recipe* (its module and name in the installed
``oracle`` package, the hyperparameters bound to it, what is differentiated, to which order) and
by the installed code. So ``jit(function, recipe=...)`` keeps each compiled executable in
``<compilation cache>/manual-bp-executables/<fingerprint>/``, keyed by the recipe and the
argument shapes and dtypes; the fingerprint hashes the source of the ``oracle`` and
``manual_bp`` packages, the JAX and jaxlib versions, the device, the CPU's features, the XLA
flags and the JAX settings that change a trace. Change any of them and the store starts anew.

Off unless ``enable`` is called (``reference.enable_compilation_cache`` does, for the command
line); a function with no recipe (a user's oracle, a closure) is always ``jax.jit`` as before.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable

import jax
import numpy as np
from jax import monitoring

__all__ = ["enable", "jit", "output_shape", "recipe", "store_directory"]

_STORE: dict = {"root": None, "folder": None}
KEPT_FINGERPRINTS = 4  # older stores (other code, another JAX) are removed beyond this many
_PLAIN = (bool, int, float, str, type(None))


def enable(directory: str | None) -> None:
    """Keep compiled executables under ``directory`` (None: off, the default)."""
    _STORE["root"] = None if not directory else os.path.join(directory, "manual-bp-executables")
    _STORE["folder"] = None


def store_directory() -> str | None:
    """The folder executables are read from and written to now, or None (off); made on first use."""
    if _STORE["root"] is None:
        return None
    if _STORE["folder"] is None:
        folder = os.path.join(_STORE["root"], _fingerprint())
        os.makedirs(folder, exist_ok=True)
        _prune(_STORE["root"], keep=folder)
        _STORE["folder"] = folder
    return _STORE["folder"]


def _prune(root: str, keep: str) -> None:
    """Remove all but the ``KEPT_FINGERPRINTS`` most recently used stores under ``root``."""
    try:
        folders = [os.path.join(root, name) for name in os.listdir(root)]
        folders = sorted((f for f in folders if os.path.isdir(f) and f != keep), key=os.path.getmtime, reverse=True)
    except OSError:
        return
    for old in folders[KEPT_FINGERPRINTS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def _sources(package: str) -> list[str]:
    module = sys.modules.get(package)
    root = os.path.dirname(getattr(module, "__file__", None) or "")
    found: list[str] = []
    for folder, _, files in os.walk(root):
        found.extend(os.path.join(folder, name) for name in files if name.endswith(".py"))
    return sorted(found)


def _cpu_features() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            return next((line for line in info if line.startswith(("flags", "Features"))), "")
    except OSError:
        return platform.processor()


def _fingerprint() -> str:
    """A hash of everything besides the recipe and the shapes that a compiled executable depends on."""
    import jaxlib

    digest = hashlib.sha256()
    device = jax.devices()[0]
    for part in (
        jax.__version__,
        jaxlib.__version__,
        device.platform,
        device.device_kind,
        device.client.platform_version,
        platform.machine(),
        _cpu_features(),
        os.environ.get("XLA_FLAGS", ""),
        repr(
            [
                getattr(jax.config, name, None)
                for name in (
                    "jax_default_matmul_precision",
                    "jax_numpy_dtype_promotion",
                    "jax_numpy_rank_promotion",
                    "jax_default_prng_impl",
                )
            ]
        ),
    ):
        digest.update(str(part).encode() + b"\0")
    for package in ("manual_bp", "oracle"):
        for path in _sources(package):
            digest.update(os.path.relpath(path, os.path.dirname(path)).encode() + b"\0")
            with open(path, "rb") as source:
                digest.update(source.read() + b"\0")
    return digest.hexdigest()[:24]


def recipe(function: Callable) -> tuple | None:
    """What determines ``function`` without tracing it, or None where only a trace can tell.

    A function defined at the top level of a module of the ``oracle`` package (found there
    under its name: not a closure, not replaced), one ``oracle.verify.binding.bind`` made
    from such a function with plain hyperparameters (numbers, strings, booleans, tuples of
    them), or one that lists what it is made of in ``recipe_parts`` (such functions and plain
    values). Anything else (a user's oracle, a closure, an array bound as a hyperparameter): None.
    """
    parts = getattr(function, "recipe_parts", None)
    if parts is not None:  # made of other functions and plain values (an oracle with its carry)
        made_of = tuple(recipe(part) if callable(part) else part for part in parts)
        plain = all(_plain(part) for part in parts if not callable(part))
        return ("made of", made_of) if plain and None not in made_of else None
    unbound = getattr(function, "unbound", None)
    if unbound is not None:  # bind's bound function, or its template
        base = recipe(unbound)
        settings = getattr(function, "recipe_settings", None)
        if base is None or settings is None or not _plain(settings):
            return None
        return (*base, settings)
    module, name = getattr(function, "__module__", None), getattr(function, "__qualname__", "")
    if not isinstance(module, str) or not (module == "oracle" or module.startswith("oracle.")):
        return None
    if getattr(sys.modules.get(module), name, None) is not function:
        return None
    return (module, name)


def _plain(value) -> bool:
    if isinstance(value, tuple):
        return all(_plain(v) for v in value)
    return type(value) in _PLAIN or isinstance(value, np.generic)  # each repr is exact and the same in every process


def _signature(args: tuple) -> tuple:
    leaves, tree = jax.tree_util.tree_flatten(args)
    return (str(tree), tuple((np.shape(leaf), np.result_type(leaf).str) for leaf in leaves))


class StoredJit:
    """``jax.jit(function, **options)`` for a function with a recipe: each signature's executable
    is loaded from the store, or compiled ahead of time and written there."""

    def __init__(self, function: Callable, recipe: tuple, options: dict):
        self.function, self.recipe, self.options = function, recipe, options
        self._compiled: dict = {}
        self._loaded: set = set()  # signatures whose executable came from the store, not yet run
        self._plain: Callable | None = None  # jax.jit, while the store is off

    def __call__(self, *args):
        if jax.config.jax_disable_jit:  # op by op, as jax.jit would run
            return self.function(*args)
        if _STORE["root"] is None:
            if self._plain is None:
                self._plain = jax.jit(self.function, **self.options)
            return self._plain(*args)
        signature = _signature(args)
        compiled = self._compiled.get(signature)
        if compiled is None:
            compiled = self._compiled[signature] = self._load_or_compile(args, signature)
        if signature not in self._loaded:
            return compiled(*args)
        self._loaded.discard(signature)
        try:
            return compiled(*args)
        except jax.errors.JaxRuntimeError:  # a stored executable that does not run here: compile it again
            compiled = self._compiled[signature] = self._compile(args, self._path(signature))
            return compiled(*args)

    def _path(self, signature: tuple) -> str | None:
        folder = store_directory()
        if folder is None:
            return None
        key = hashlib.sha256(repr((self.recipe, sorted(self.options.items()), signature)).encode()).hexdigest()
        return os.path.join(folder, key[:32] + ".exe")

    def _load_or_compile(self, args: tuple, signature: tuple):
        from jax.experimental import serialize_executable

        path = self._path(signature)
        if path is not None and os.path.exists(path):
            try:
                with open(path, "rb") as stored:
                    loaded = serialize_executable.deserialize_and_load(*pickle.load(stored))
                self._loaded.add(signature)
                return loaded
            except Exception:  # noqa: BLE001 - unreadable (another JAX, a torn write): compile anew
                pass
        return self._compile(args, path)

    def _compile(self, args: tuple, path: str | None):
        """Compile for ``args`` and write the executable to ``path`` (None: keep it in memory only)."""
        from jax.experimental import serialize_executable

        if path is None:
            return jax.jit(self.function, **self.options).lower(*args).compile()
        # XLA's CPU client serialises an executable it loaded from JAX's persistent cache without
        # its code (the copy fails in the next process: "Function ... not found"; JAX 0.10.2). So
        # the store's compiles have their own key in that cache (OWN_KEY) and are never written
        # to it: they are always compiled here. A hit all the same is kept in memory only.
        options = {**self.options, "compiler_options": {**self.options.get("compiler_options", {}), **OWN_KEY}}
        minimum = jax.config.jax_persistent_cache_min_compile_time_secs  # type: ignore[attr-defined]
        hits = _CACHE_HITS[0]
        jax.config.update("jax_persistent_cache_min_compile_time_secs", float("inf"))
        try:
            compiled = jax.jit(self.function, **options).lower(*args).compile()
        finally:
            jax.config.update("jax_persistent_cache_min_compile_time_secs", minimum)
        if _CACHE_HITS[0] != hits:
            return compiled
        try:
            blob = pickle.dumps(serialize_executable.serialize(compiled))
        except Exception:  # noqa: BLE001 - not serialisable (closed-over constants): kept in memory only
            return compiled
        _write(path, blob)
        return compiled


# A GPU-only setting, ignored on the CPU: it only gives the store's compiles a key of their own in
# JAX's persistent cache (a key leaves out the dump settings, so those would not do).
OWN_KEY = {"xla_gpu_autotune_level": 0}
_CACHE_HITS = [0]
monitoring.register_event_listener(
    lambda event, **_: _CACHE_HITS.__setitem__(0, _CACHE_HITS[0] + 1) if event.endswith("/cache_hits") else None
)


def jit(function: Callable, *, recipe: tuple | None, **options) -> Callable:
    """``jax.jit(function, **options)``, kept in the store when it is on and ``recipe`` is not None
    (``recipe``: everything that determines ``function``, see ``recipe()``; the caller adds what it
    derived the function with, e.g. which arguments are differentiated)."""
    if recipe is None:
        return jax.jit(function, **options)
    return StoredJit(function, recipe, options)


_SHAPES: dict = {}


def output_shape(function: Callable, structs: tuple) -> tuple:
    """``jax.eval_shape(function, *structs).shape`` (one output), kept in the store like an
    executable when ``function`` has a recipe (an evaluation of the shape is a trace too)."""
    key = (recipe(function), tuple((s.shape, np.dtype(s.dtype).str) for s in structs))
    if key[0] is None:
        return tuple(jax.eval_shape(function, *structs).shape)
    if key in _SHAPES:
        return _SHAPES[key]
    folder = store_directory()
    name = hashlib.sha256(repr(key).encode()).hexdigest()[:32] + ".shape"
    path = None if folder is None else os.path.join(folder, name)
    if path is not None and os.path.exists(path):
        try:
            with open(path, "rb") as stored:
                _SHAPES[key] = tuple(pickle.load(stored))
                return _SHAPES[key]
        except Exception:  # noqa: BLE001 - unreadable: evaluate it again
            pass
    shape = _SHAPES[key] = tuple(jax.eval_shape(function, *structs).shape)
    if path is not None:
        _write(path, pickle.dumps(shape))
    return shape


def _write(path: str, blob: bytes) -> None:
    """Write ``blob`` to ``path`` atomically (a reader sees all of it or nothing); errors are ignored."""
    try:
        with tempfile.NamedTemporaryFile(dir=os.path.dirname(path), delete=False) as out:
            out.write(blob)
        os.replace(out.name, path)
    except OSError:
        pass
