"""Ctrl-C for every ``manual-bp`` command: one line on stderr, exit status 130, at once.

A ``KeyboardInterrupt`` is not enough: raised inside a garbage-collector callback (JAX installs
one) it is printed as "Exception ignored" and the run goes on; raised while JAX's native library
is loading, the interpreter's teardown can crash. So ``ctrl_c_exits`` replaces the SIGINT handler
for the command's duration: the handler asks the innermost ``on_interrupt`` callback for the
line to print (``train`` saves the last finished epoch there, ``verify`` terminates its pool),
kills any worker process left, prints the line and leaves with ``os._exit(130)``, skipping the
teardown. A clean-up that blocks is left by a timer thread: after ``within`` seconds for the
command's own (``verify``: ``CLEAN_UP_SECONDS``; ``train``'s save has no limit), after
``CLEAN_UP_SECONDS`` for joining the killed workers.

Worker processes (and the pool's helper threads) are started with SIGINT blocked
(``sigint_blocked``, in ``verify``): a Ctrl-C sent to the whole process group by a terminal
reaches only the command's main thread, which stops them; one that comes while they start is
held, not lost. The main thread must not wait without a timeout (``verify`` polls its jobs), or
the handler would run only when it wakes.
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

__all__ = ["CLEAN_UP_SECONDS", "EXIT_INTERRUPTED", "ctrl_c_exits", "on_interrupt", "sigint_blocked"]

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it
_describers: list[tuple[Callable[[], str], float | None]] = []  # (describe, within), innermost last
_held: dict = {"depth": 0, "command": None}  # inside sigint_blocked: a Ctrl-C waits for the block's end


@contextlib.contextmanager
def on_interrupt(describe: Callable[[], str], *, within: float | None = None) -> Iterator[None]:
    """Inside the block, a Ctrl-C prints ``manual-bp COMMAND: <describe()>``. ``within``: seconds
    ``describe`` may take before the command leaves anyway, printing "interrupted" (None: no limit,
    for a clean-up that must finish, such as saving a checkpoint)."""
    _describers.append((describe, within))
    try:
        yield
    finally:
        _describers.remove((describe, within))


# If the clean-up blocks (a pool's terminate joining its helper threads: seen once in about twenty
# runs with forked workers, the command then hung), a timer thread leaves after this many seconds.
CLEAN_UP_SECONDS = 2.0
_leaving = threading.Lock()


def _leave(command: str, line: str) -> None:
    """Print the one line and exit 130, once (the clean-up or its timer, whichever comes first)."""
    if not _leaving.acquire(blocking=False):
        return
    with contextlib.suppress(Exception):
        for child in multiprocessing.active_children():
            child.kill()
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    with contextlib.suppress(Exception):
        if sys.stderr.isatty():
            sys.stderr.write("\x1b[?25h\r\x1b[2K")  # a live progress bar hid the cursor
        sys.stderr.write(f"manual-bp {command}: {line}\n")
        sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)


def _leave_after(seconds: float, command: str) -> None:
    timer = threading.Timer(seconds, _leave, args=(command, "interrupted"))
    timer.daemon = True
    timer.start()


def _stop(command: str) -> None:
    describe, within = _describers[-1] if _describers else (lambda: "interrupted", None)
    if within is not None:
        _leave_after(within, command)
    try:  # first the command's own clean-up (it may stop a pool, which then starts no new worker)
        line = describe()
    except BaseException as error:  # noqa: BLE001 - a second Ctrl-C, or saving failed: still one line
        line = f"interrupted ({type(error).__name__}: {error})" if str(error) else "interrupted"
    _leave_after(CLEAN_UP_SECONDS, command)  # killing and joining the workers is all that is left
    for child in multiprocessing.active_children():
        child.kill()
    with contextlib.suppress(Exception):  # join the killed workers, free their semaphores (as at a normal exit)
        multiprocessing.util._exit_function()  # type: ignore[attr-defined]
    _leave(command, line)


def _on_sigint(command: str) -> None:
    if _held["depth"]:
        _held["command"] = command
    else:
        _stop(command)


@contextlib.contextmanager
def ctrl_c_exits(command: str) -> Iterator[None]:
    """Inside the block, SIGINT stops the process at once (see the module docstring); off the main
    thread, where no handler can be installed, it stays a ``KeyboardInterrupt``."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: _on_sigint(command))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """A Ctrl-C inside the block is held, not lost, and acted on at its end; processes and threads
    started inside inherit SIGINT blocked, so a Ctrl-C sent to the whole process group reaches the
    command only. (The mask alone does not hold it: the kernel hands a process's signal to any
    thread that does not block it, JAX's or rich's, and Python then runs the handler at once.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _held["depth"] += 1
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        _held["depth"] -= 1
        if not _held["depth"] and _held["command"] is not None:
            _stop(_held["command"])
