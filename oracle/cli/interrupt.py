"""Ctrl-C for every ``manual-bp`` command: one line on stderr, exit status 130, at once.

A ``KeyboardInterrupt`` is not enough: raised inside a garbage-collector callback (JAX installs
one) it is printed as "Exception ignored" and the run goes on; raised while JAX's native library
is loading, the interpreter's teardown can crash. So ``ctrl_c_exits`` replaces the SIGINT handler
for the command's duration: the handler kills the command's worker processes, asks the innermost
``on_interrupt`` callback for the line to print (``train`` saves the last finished epoch there),
prints it and leaves with ``os._exit(130)``, skipping the teardown. Worker processes are started
with SIGINT ignored (``verify``), so a Ctrl-C sent to the whole process group by a terminal
reaches only the command, which stops them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.util
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator

__all__ = ["EXIT_INTERRUPTED", "ctrl_c_exits", "on_interrupt", "sigint_ignored"]

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it
_describers: list[Callable[[], str]] = []


@contextlib.contextmanager
def on_interrupt(describe: Callable[[], str]) -> Iterator[None]:
    """Inside the block, a Ctrl-C prints ``manual-bp COMMAND: <describe()>``."""
    _describers.append(describe)
    try:
        yield
    finally:
        _describers.remove(describe)


def _stop(command: str) -> None:
    for child in multiprocessing.active_children():
        child.kill()
    with contextlib.suppress(Exception):  # join the killed workers, free their semaphores (as at a normal exit)
        multiprocessing.util._exit_function()  # type: ignore[attr-defined]
    try:
        line = _describers[-1]() if _describers else "interrupted"
    except BaseException as error:  # noqa: BLE001 - a second Ctrl-C, or saving failed: still one line
        line = f"interrupted ({type(error).__name__}: {error})" if str(error) else "interrupted"
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(Exception):
        if sys.stderr.isatty():
            sys.stderr.write("\x1b[?25h\r\x1b[2K")  # a live progress bar hid the cursor
        sys.stderr.write(f"manual-bp {command}: {line}\n")
        sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)


@contextlib.contextmanager
def ctrl_c_exits(command: str) -> Iterator[None]:
    """Inside the block, SIGINT stops the process at once (see the module docstring); off the main
    thread, where no handler can be installed, it stays a ``KeyboardInterrupt``."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: _stop(command))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def sigint_ignored() -> Iterator[None]:
    """SIGINT ignored inside the block: processes started here inherit it (see the module docstring)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
