"""`manual-bp verify`'s workers: forked by a fresh command (no second import of JAX), spawned where a
fork is not safe, given the heaviest rows first, by the CPU seconds each row took last time."""

import json
import os
import pathlib
import subprocess
import sys
import threading
import types

import jax.numpy as jnp
import pytest

from oracle.cli import verify

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is the Linux start method")


@linux_only
def test_a_fresh_command_forks_its_workers():
    code = "import oracle.cli.verify as v; print(v._start_method())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "fork"


def test_a_process_that_ran_jax_spawns_its_workers():
    float(jnp.ones(1)[0])  # JAX's runtime started: its threads would not survive a fork
    assert verify._start_method() == "spawn"


def test_a_process_with_another_thread_spawns_its_workers(monkeypatch):
    import jax._src.xla_bridge as xla_bridge

    monkeypatch.setattr(xla_bridge, "backends_are_initialized", lambda: False)
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert verify._start_method() == "spawn"


def test_rows_are_handed_out_heaviest_first_and_rows_never_timed_before_those():
    rows = [types.SimpleNamespace(name=name) for name in ("A", "B", "C", "D")]
    order = verify._heaviest_first(rows, {"A": 0.5, "B": 3.0, "D": 1.0})
    assert [row.name for row in order] == ["C", "B", "D", "A"]
    assert [row.name for row in verify._heaviest_first(rows, {})] == ["A", "B", "C", "D"]  # catalog order


@linux_only
def test_a_run_with_workers_records_each_rows_cpu_seconds_beside_the_cache(tmp_path):
    argv = ["verify", "--layer", "ReLU", "--layer", "Affine", "--examples", "3", "--jobs", "2", "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MANUAL_BP_JAX_CACHE": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "oracle.cli", *argv], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert [r["layer"] for r in json.loads(done.stdout)["results"]] == ["ReLU", "ReLU", "Affine", "Affine"]
    (record,) = tmp_path.glob("manual-bp-row-seconds-*.json")
    seconds = json.loads(record.read_text())
    assert set(seconds) == {"ReLU", "Affine"} and all(s > 0 for s in seconds.values())
