"""``manual-bp verify``: run the catalog through Hypothesis, show progress, then a table or JSON."""

from __future__ import annotations

import json
import multiprocessing
import os
import time

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
from oracle.cli.interrupt import on_interrupt, sigint_blocked
from oracle.cli.verify_args import DTYPE_CHOICES
from oracle.verify.reference import enable_compilation_cache
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


def _verify_row(catalog_spec, name, dtypes, examples, seed, shrink) -> list:
    """A worker's job: every dtype of one catalog row (its dtypes share the row's JAX compiles)."""
    enable_compilation_cache()
    entry = find_entry(name, load_catalog(catalog_spec))
    return [run_entry(entry, dtype, examples=examples, seed_value=seed, shrink=shrink) for dtype in dtypes]


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


def _run_parallel(progress, overall, entries, dtypes, args, jobs) -> list:
    """Rows in ``jobs`` spawned workers (never forked: JAX runs threads); results in catalog order.

    On Ctrl-C (``oracle.cli.interrupt``) the pool is terminated at once, its workers not awaited."""
    context = multiprocessing.get_context("spawn")
    with sigint_blocked():
        pool = context.Pool(jobs)

    def stop_the_workers() -> str:  # on Ctrl-C (oracle.cli.interrupt): no worker is started again
        pool.terminate()
        return "interrupted"

    try:
        with on_interrupt(stop_the_workers):
            pending = [
                pool.apply_async(
                    _verify_row,
                    (args.catalog, entry.name, dtypes, args.examples, args.seed, not args.no_shrink),
                    callback=lambda _: progress.advance(overall, args.examples * len(dtypes)),
                )
                for entry in entries
            ]
            for job in pending:
                while not job.ready():  # a short wait: the SIGINT handler runs between two
                    job.wait(0.1)
        results = [result for job in pending for result in job.get()]
        pool.close()
    finally:
        pool.terminate()
        pool.join()
    return results


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
    columns = (TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        overall = progress.add_task("all layers", total=len(entries) * len(dtypes) * args.examples)
        if jobs > 1:
            results = _run_parallel(progress, overall, entries, dtypes, args, jobs)
        else:
            results = _run_serial(progress, overall, entries, dtypes, args)
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
