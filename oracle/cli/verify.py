"""``manual-bp verify``: run the catalog through Hypothesis, show progress, then a table or JSON."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import sys
import threading
import time
import warnings

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from oracle.catalog import EVERY_ROW, find_entry
from oracle.cli.consoles import stdout_console
from oracle.cli.interrupt import CLEAN_UP_SECONDS, on_interrupt, sigint_blocked
from oracle.cli.verify_args import DTYPE_CHOICES
from oracle.verify.reference import enable_compilation_cache, jax_cache_directory
from oracle.verify.rows import import_catalog
from oracle.verify.runner import run_entry

__all__ = ["load_catalog", "run_verify"]

PARALLEL_FROM = 5  # rows: below this, a worker's start (about a second: it imports JAX) is not worth it


def load_catalog(spec: str | None):
    """The built-in rows (the layers, then the third book's Functions), or ``module:NAME`` /
    ``path/to/file.py:NAME`` from the user."""
    if spec is None:
        return EVERY_ROW
    return import_catalog(spec, label="--catalog")


def _replay_hint(result, args) -> str:
    command = (
        f"manual-bp verify --layer {result.layer} --dtype {result.dtype} --seed {result.seed} "
        f"--examples {args.examples}"
    )
    if args.catalog:
        command += f" --catalog {args.catalog}"
    return (
        f"replay: {command}\n"
        "or in Python: from numpy import array, float32, float64, int64; "
        "from oracle import Call, Case, FunctionCase, find_entry, verify_case; "
        f"verify_case(find_entry({result.layer!r}{', CATALOG' if args.catalog else ''}), <the case above>)"
    )


def _table(results) -> Table:
    """One row per layer and dtype; the columns are described in the README ("Reading the table")."""
    table = Table(title="manual-bp verify: hand-written backward vs jax.vjp")
    for column, justify in (
        ("layer", "left"),
        ("dtype", "left"),
        ("examples", "right"),
        ("err/tol", "right"),
        ("of", "left"),
        ("max abs err", "right"),
        ("max rel err", "right"),
        ("result", "left"),
    ):
        table.add_column(column, justify="right" if justify == "right" else "left", no_wrap=True)
    for r in results:
        if r.passed:
            examples, ratio, of = str(r.examples), f"{r.worst_ratio:.2g}", r.worst_quantity or "-"
            verdict = "[green]pass"
        else:  # the failing example counts: its check, and its error if that check compares values
            compared = r.failed_quantity == r.worst_quantity and r.worst_ratio > 1
            examples, ratio, of = f"{r.examples} + 1", f"{r.worst_ratio:.2g}" if compared else "-", r.failed_quantity
            if any(d.check == r.failed_quantity for d in r.distributions):
                examples = str(r.examples)  # every example passed; a distribution check failed
            verdict = "[bold red]FAIL"
        table.add_row(
            r.layer, r.dtype, examples, ratio, of, f"{r.max_abs_error:.2e}", f"{r.max_rel_error:.2e}", verdict
        )
    return table


def _distribution_table(results) -> Table | None:
    """One line per distribution check, row and dtype: its draws, the smallest binomial tail of its
    counts, the tail at or below which it fails, its cost (README, "Random components")."""
    lines = [(r, d) for r in results for d in r.distributions]
    if not lines:
        return None
    table = Table(title="random components: draws vs the documented law (exact binomial tails)")
    for column in ("layer", "dtype", "check", "draws", "min tail", "bound", "ms", "result"):
        left = column in ("layer", "dtype", "check", "result")
        table.add_column(column, justify="left" if left else "right", no_wrap=column != "check")
    for r, d in lines:
        verdict = "[green]pass" if d.passed else "[bold red]FAIL"
        table.add_row(
            r.layer, r.dtype, d.check, str(d.draws), f"{d.smallest_tail:.2g}", f"{d.bound:.2g}",
            f"{1e3 * d.seconds:.1f}", verdict,
        )  # fmt: skip
    return table


def _verify_row(catalog_spec, name, dtypes, examples, seed, shrink) -> tuple[list, float]:
    """A worker's job: every dtype of one catalog row (its dtypes share the row's JAX compiles), and
    the CPU seconds it took."""
    started = time.process_time()
    enable_compilation_cache()
    entry = find_entry(name, load_catalog(catalog_spec))
    results = [run_entry(entry, dtype, examples=examples, seed_value=seed, shrink=shrink) for dtype in dtypes]
    return results, time.process_time() - started


def _default_jobs(rows: int) -> int:
    return (os.cpu_count() or 1) if rows >= PARALLEL_FROM else 1


def _run_serial(progress, overall, entries, dtypes, args) -> list:
    results = []
    for entry in entries:
        for dtype in dtypes:
            task = progress.add_task(f"{entry.name} {dtype}", total=args.examples)

            def advance(task=task):
                progress.advance(task)
                progress.advance(overall)

            result = run_entry(
                entry,
                dtype,
                examples=args.examples,
                seed_value=args.seed,
                shrink=not args.no_shrink,
                on_example=advance,
            )
            progress.update(task, visible=False)
            progress.advance(overall, args.examples - result.examples)
            results.append(result)
    return results


def _start_method() -> str:
    """``fork`` where it is safe, else ``spawn``.

    A forked worker starts at once with the catalog the command has imported already (a spawned one
    imports JAX and the catalog again: about a second of CPU each). Forking is safe while this
    process runs no other Python thread and has not started JAX's runtime (the command starts its
    pool before its progress bar and before any JAX computation); BLAS's own threads stop and
    restart around a fork. Elsewhere (not Linux; or in a process already running JAX, a test), spawn.
    """
    import jax._src.xla_bridge as xla_bridge

    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return "spawn"
    if threading.active_count() > 1 or xla_bridge.backends_are_initialized():
        return "spawn"
    return "fork"


def start_pool(jobs: int):
    """``jobs`` worker processes (see ``_start_method``), started with SIGINT blocked (``oracle.cli.interrupt``)."""
    method = _start_method()
    with sigint_blocked(), warnings.catch_warnings():
        # Python 3.12+ warns at any fork of a process with other OS threads (BLAS's count): see _start_method.
        warnings.filterwarnings("ignore", message=".*fork\\(\\) may lead to deadlocks", category=DeprecationWarning)
        return multiprocessing.get_context(method).Pool(jobs)


def _heaviest_first(entries, seconds: dict) -> list:
    """``entries`` ordered by the CPU seconds they took last time, most first (unknown ones first, in
    catalog order): the workers then end together instead of one finishing a heavy row alone."""
    unknown = max(seconds.values(), default=0.0) + 1.0
    return sorted(entries, key=lambda entry: -seconds.get(entry.name, unknown))


def _run_parallel(progress, overall, entries, dtypes, args, pool) -> list:
    """Rows in ``pool``'s workers, heaviest first (``ROW_SECONDS``); results in catalog order.

    On Ctrl-C (``oracle.cli.interrupt``) the pool is terminated at once, its workers not awaited."""

    def stop_the_workers() -> str:  # on Ctrl-C (oracle.cli.interrupt): no worker is started again
        pool.terminate()
        return "interrupted"

    record = row_seconds_file(args)
    seconds = _read_seconds(record)
    try:
        with on_interrupt(stop_the_workers, within=CLEAN_UP_SECONDS):
            pending = {
                entry.name: pool.apply_async(
                    _verify_row,
                    (args.catalog, entry.name, dtypes, args.examples, args.seed, not args.no_shrink),
                    callback=lambda _: progress.advance(overall, args.examples * len(dtypes)),
                )
                for entry in _heaviest_first(entries, seconds)
            }
            for job in pending.values():
                while not job.ready():  # a short wait: the SIGINT handler runs between two
                    job.wait(0.1)
        done = {name: job.get() for name, job in pending.items()}
        pool.close()
    finally:
        pool.terminate()
        pool.join()
    _write_seconds(record, {**seconds, **{name: spent for name, (_, spent) in done.items()}})
    return [result for entry in entries for result in done[entry.name][0]]


def row_seconds_file(args) -> str | None:
    """Where the CPU seconds of each row are kept between runs (beside the compilation cache), for
    ``_heaviest_first``; None where there is no cache, or for a user's catalog."""
    directory = jax_cache_directory()
    if directory is None or args.catalog:
        return None
    return os.path.join(directory, f"manual-bp-row-seconds-{args.examples}-{args.dtype}.json")


def _read_seconds(path: str | None) -> dict:
    try:
        with open(path or "") as record:
            seconds = json.load(record)
        return {str(k): float(v) for k, v in seconds.items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _write_seconds(path: str | None, seconds: dict) -> None:
    if path is None:
        return
    with contextlib.suppress(OSError):
        with open(path, "w") as record:
            json.dump({name: round(value, 3) for name, value in sorted(seconds.items())}, record, indent=0)


def run_verify(args) -> int:
    """Run ``manual-bp verify``; return the exit status: 0 all passed, 1 a row failed, 2 a bad command
    line or catalog, 130 interrupted (Ctrl-C: workers stopped at once, one line, no report; see
    ``oracle.cli.interrupt``)."""
    err = Console(stderr=True, soft_wrap=True)
    try:
        return _verify(args, err)
    except KeyboardInterrupt:  # where no SIGINT handler could be installed (oracle.cli.interrupt)
        err.print("manual-bp verify: interrupted", markup=False, highlight=False)
        return 130


def _verify(args, err: Console) -> int:
    try:
        catalog = load_catalog(args.catalog)
        entries = [find_entry(name, catalog) for name in args.layer] if args.layer else list(catalog)
    except (KeyError, ValueError, ImportError) as error:
        err.print(f"manual-bp verify: {error.args[0] if error.args else error}", markup=False, highlight=False)
        return 2
    out = stdout_console()
    if args.list:
        for entry in entries:
            names = ", ".join([*entry.inputs, *entry.params])
            orders = getattr(entry, "orders_checked", "first order")
            out.print(f"{entry.name}({names}): {entry.conventions} [{orders}]", markup=False, highlight=False)
            if getattr(entry, "sequences", ""):
                out.print(f"  sequences: {entry.sequences}", markup=False, highlight=False)
            for check in getattr(entry, "distributions", ()):
                out.print(f"  in distribution: {check.name}: {check.law}", markup=False, highlight=False)
        return 0
    dtypes = DTYPE_CHOICES[args.dtype]
    jobs = min(getattr(args, "jobs", None) or _default_jobs(len(entries)), len(entries))
    enable_compilation_cache()
    started = time.perf_counter()
    pool = start_pool(jobs) if jobs > 1 else None  # before the progress bar's thread (see _start_method)
    columns = (TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True) as progress:
            overall = progress.add_task("all layers", total=len(entries) * len(dtypes) * args.examples)
            if pool is not None:
                results = _run_parallel(progress, overall, entries, dtypes, args, pool)
            else:
                results = _run_serial(progress, overall, entries, dtypes, args)
    finally:
        if pool is not None:
            pool.terminate()
    elapsed = time.perf_counter() - started
    failed = [r for r in results if not r.passed]
    if args.json:
        print(
            json.dumps(
                {
                    "passed": not failed,
                    "seconds": round(elapsed, 3),
                    "seed": args.seed,
                    "examples": args.examples,
                    "results": [r.as_dict() for r in results],
                    "distribution_seconds": round(sum(d.seconds for r in results for d in r.distributions), 3),
                },
                indent=2,
            )
        )
    else:
        table = _table(results)
        out = stdout_console(table)
        out.print(table)
        distributions = _distribution_table(results)
        if distributions is not None:
            out.print(distributions)
        for r in failed:
            out.rule(f"[bold red]{r.layer} {r.dtype} failed")
            out.print(r.failure, markup=False, highlight=False)
            if r.case is not None:
                out.print(f"shrunk counterexample:\n{r.case!r}", markup=False, highlight=False)
            out.print(_replay_hint(r, args), markup=False, highlight=False)
        summary = f"{len(results) - len(failed)} of {len(results)} passed in {elapsed:.1f} s"
        out.print(("[bold red]" if failed else "[green]") + summary)
    return 1 if failed else 0
