"""Measure `manual-bp verify` with its default settings: cold, warm, compiles, CPU, per-example cost.

Run by hand: `python bench/verify_speed.py [--repeat N] [--before CHECKOUT]` (3 to 5 minutes
per checkout on 2 cores). Never a timed test: the machine is shared, so CPU seconds and compile
counts are the primary figures, wall times come with the load average they ran under, and a
before/after comparison is made in one run, the two checkouts alternating.

1. The whole default command (every catalog row x 2 dtypes x 100 examples) in fresh processes:
   cold (an empty cache folder: JAX's persistent compilation cache, the stored executables of
   `oracle/verify/executables.py` and the rows' recorded CPU seconds), warm (the folder it left),
   warm with `--jobs 1`. For each: wall, CPU (every worker included), the XLA compiles and their
   seconds, trace + lowering seconds and persistent-cache hits, from `jax.monitoring` events
   logged by `bench/instrumented_verify.py` in every process.
2. One process, serially, no persistent cache, every row the default command runs (the layers
   and the third book's Functions; a checkout without them: its catalog): the first pass split into import, JAX
   (trace, lowering, XLA compile), checking (`verify_case` less JAX) and drawing (the rest:
   Hypothesis's engine and the strategies); then a second, identical pass, everything
   compiled: the steady-state wall and CPU time per example.

`--before CHECKOUT` (e.g. `/work/main`, or a `git worktree` of the commit before a change)
measures that tree the same way: its own code imported through `PYTHONPATH`.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTRUMENTED = os.path.join(ROOT, "bench", "instrumented_verify.py")
XLA_COMPILE = "/jax/core/compile/backend_compile_duration"
TRACE = "/jax/core/compile/jaxpr_trace_duration"
LOWER = "/jax/core/compile/jaxpr_to_mlir_module_duration"
CACHE_HIT = "/jax/compilation_cache/cache_hits"


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def _events(path: str) -> dict:
    """``{event: (count, seconds)}`` summed over the processes that logged to ``path``, and ``processes``."""
    counts: dict = collections.defaultdict(lambda: [0, 0.0])
    pids = set()
    if os.path.exists(path):
        with open(path) as log:
            for line in log:
                pid, event, seconds = line.split()
                pids.add(pid)
                counts[event][0] += 1
                counts[event][1] += float(seconds)
    return {"events": dict(counts), "processes": len(pids)}


def run_command(checkout: str, cache: str, *options: str) -> dict:
    """One fresh ``manual-bp verify --json *options`` of ``checkout``: wall, CPU, JAX events."""
    with tempfile.NamedTemporaryFile(suffix=".log", delete=False) as log:
        path = log.name
    env = {**os.environ, "MANUAL_BP_JAX_CACHE": cache, "PYTHONPATH": checkout, "VERIFY_SPEED_LOG": path}
    load = _load()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, INSTRUMENTED, "verify", "--json", *options],
        capture_output=True,
        text=True,
        cwd=checkout,
        env=env,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"manual-bp verify failed in {checkout}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    results = json.loads(done.stdout)["results"]
    events = _events(path)
    os.unlink(path)
    return {
        "wall": wall,
        "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        "load": load,
        "examples": sum(r["examples"] for r in results),
        **events,
    }


def _line(label: str, r: dict) -> str:
    ev = r["events"]
    compiles, compile_s = ev.get(XLA_COMPILE, (0, 0.0))
    traced = ev.get(TRACE, (0, 0.0))[1] + ev.get(LOWER, (0, 0.0))[1]
    hits = ev.get(CACHE_HIT, (0, 0.0))[0]
    return (
        f"  {label:<44}{r['wall']:>6.1f} s wall {r['cpu']:>6.1f} s CPU   {compiles:>4} XLA compiles "
        f"{compile_s:>5.1f} s   trace+lower {traced:>4.1f} s   {hits:>4} cache hits   "
        f"{r['processes']} processes   ({r['load']} before)"
    )


def breakdown() -> dict:
    """Part 2, in this process (run with the checkout on ``PYTHONPATH``)."""
    from jax import monitoring

    jax_seconds = collections.Counter()

    def listen(event, seconds, **_):
        if event in (XLA_COMPILE, TRACE, LOWER):
            jax_seconds[event] += seconds
            jax_seconds["count " + event] += 1

    monitoring.register_event_duration_secs_listener(listen)
    started = time.perf_counter()
    import oracle.catalog

    every_row = getattr(oracle.catalog, "EVERY_ROW", oracle.catalog.CATALOG)  # what the default command runs
    from oracle.verify import reference, runner
    from oracle.verify.entry import DTYPES

    imported = time.perf_counter() - started
    spent = {"check": 0.0}
    original_case = runner.verify_case

    def timed_case(entry, case, **overrides):
        began = time.perf_counter()
        try:
            return original_case(entry, case, **overrides)
        finally:
            spent["check"] += time.perf_counter() - began

    runner.verify_case = timed_case
    rows = [(entry, dtype) for entry in every_row for dtype in DTYPES]
    began, cpu = time.perf_counter(), time.process_time()
    for entry, dtype in rows:
        runner.run_entry(entry, dtype, examples=100)
    first, first_cpu = time.perf_counter() - began, time.process_time() - cpu
    jax_first = jax_seconds[XLA_COMPILE] + jax_seconds[TRACE] + jax_seconds[LOWER]
    check_first = spent["check"] - jax_first  # the oracle is first called (so compiled) inside verify_case
    spent["check"] = 0.0
    began, cpu = time.perf_counter(), time.process_time()
    for entry, dtype in rows:
        runner.run_entry(entry, dtype, examples=100)
    second, second_cpu = time.perf_counter() - began, time.process_time() - cpu
    return {
        "import": imported,
        "first": first,
        "first_cpu": first_cpu,
        "xla": jax_seconds[XLA_COMPILE],
        "xla_count": jax_seconds["count " + XLA_COMPILE],
        "trace_lower": jax_seconds[TRACE] + jax_seconds[LOWER],
        "check": check_first,
        "draw": first - jax_first - check_first,
        "signatures": reference.compile_count(),
        "second": second,
        "second_cpu": second_cpu,
        "check_second": spent["check"],
        "examples": 100 * len(rows),
        "rows": len(every_row),
    }


def breakdown_of(checkout: str) -> dict:
    env = {**os.environ, "MANUAL_BP_JAX_CACHE": "", "PYTHONPATH": checkout}
    done = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--breakdown-json"],
        capture_output=True,
        text=True,
        cwd=checkout,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(f"breakdown failed in {checkout}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def show_breakdown(label: str, b: dict) -> None:
    total = b["import"] + b["first"]
    print(
        f"\n{label}: one process, serial, no persistent cache: {b['rows']} rows x 2 dtypes x 100 examples "
        f"= {b['examples']} examples; {b['signatures']} compiled signatures, {b['xla_count']} XLA compiles"
    )
    parts = {
        "import": b["import"],
        "XLA compile": b["xla"],
        "trace+lower": b["trace_lower"],
        "draw": b["draw"],
        "check": b["check"],
    }
    for part, seconds in parts.items():
        print(f"  {part:<12}{seconds:>7.2f} s  {seconds / total:>5.0%}")
    print(f"  {'total':<12}{total:>7.2f} s wall, first pass {b['first_cpu']:.2f} s CPU")
    print(
        f"  second pass (all compiled): {b['second']:.2f} s wall, {b['second_cpu']:.2f} s CPU = "
        f"{b['second'] / b['examples'] * 1e3:.2f} ms wall, {b['second_cpu'] / b['examples'] * 1e3:.2f} ms CPU "
        f"per example (checking {b['check_second'] / b['examples'] * 1e3:.2f} ms wall, drawing the rest)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="rounds of fresh-process runs (default: 1)")
    parser.add_argument("--before", metavar="CHECKOUT", help="also measure another checkout, alternating with this one")
    parser.add_argument("--no-breakdown", action="store_true", help="skip part 2")
    parser.add_argument("--breakdown-json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.breakdown_json:
        print(json.dumps(breakdown()))
        return
    checkouts = {"this tree": ROOT}
    if args.before:
        checkouts = {"before": os.path.abspath(args.before), "this tree": ROOT}
    print(f"manual-bp verify defaults (every row x 2 dtypes x 100 examples), fresh processes, {os.cpu_count()} cores")
    for _ in range(args.repeat):
        caches = {label: tempfile.mkdtemp(prefix="verify-speed-") for label in checkouts}
        for kind, options in (("cold cache, default --jobs", ()), ("warm cache, default --jobs", ())):
            for label, checkout in checkouts.items():
                print(_line(f"{label}: {kind}", run_command(checkout, caches[label], *options)), flush=True)
        for label, checkout in checkouts.items():
            print(_line(f"{label}: warm cache, --jobs 1", run_command(checkout, caches[label], "--jobs", "1")))
        for cache in caches.values():
            shutil.rmtree(cache, ignore_errors=True)
    if not args.no_breakdown:
        for label, checkout in checkouts.items():
            show_breakdown(label, breakdown_of(checkout))


if __name__ == "__main__":
    main()
