"""Ctrl-C stops `manual-bp verify` at once, its workers included: exit status 130, one line, no traceback.

The command runs in a subprocess; SIGINT is sent once it is at work (JAX loaded; with workers,
once they exist). Waiting uses generous timeouts, nothing is timed.
"""

import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.skipif(not pathlib.Path("/proc/self/maps").exists(), reason="reads /proc (Linux)")


def _children(pid: int) -> list[int]:
    children = []
    for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return children


def _running(pid: int) -> bool:
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _wait_for(condition, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_exits_130_with_one_line_and_no_traceback_workers_included(jobs):
    command = [sys.executable, "-m", "oracle.cli", "verify", "--examples", "100000", "--jobs", jobs]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:
        try:
            _wait_for(lambda: "jaxlib" in pathlib.Path(f"/proc/{process.pid}/maps").read_text(), "JAX to load")
            workers: list[int] = []
            if jobs != "1":  # the workers (and, where they are spawned, the resource tracker)
                _wait_for(lambda: len(_children(process.pid)) >= int(jobs), "the workers to start")
                workers = _children(process.pid)
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=120)
        finally:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert err.strip() == "manual-bp verify: interrupted"
    assert out == ""
    _wait_for(lambda: not any(_running(pid) for pid in workers), "the workers to stop", timeout=30)


def test_a_clean_up_that_hangs_is_left_after_its_time_with_the_one_line():
    script = (
        "import os, signal, time\n"
        "from oracle.cli.interrupt import ctrl_c_exits, on_interrupt\n"
        "with ctrl_c_exits('verify'), on_interrupt(lambda: time.sleep(60) or 'stopped', within=0.3):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 130 and done.stderr == "manual-bp verify: interrupted\n"
    assert time.monotonic() - started < 30  # the 60 s clean-up was not waited for
