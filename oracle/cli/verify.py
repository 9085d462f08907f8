"""``manual-bp verify``: run the catalog through Hypothesis, show progress, then a table or JSON."""

from __future__ import annotations

import importlib
import importlib.util
import json
import pathlib
import sys
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

from oracle.cli.verify_args import DTYPE_CHOICES
from oracle.verify.catalog import CATALOG, find_entry
from oracle.verify.rows import as_catalog
from oracle.verify.runner import run_entry

__all__ = ["load_catalog", "run_verify"]


def load_catalog(spec: str | None):
    """The built-in catalog, or ``module:NAME`` / ``path/to/file.py:NAME`` from the user."""
    if spec is None:
        return CATALOG
    target, _, attribute = spec.rpartition(":")
    if not target or not attribute:
        raise ValueError(f"--catalog must look like MODULE:NAME or FILE.py:NAME, got {spec!r}")
    if target.endswith(".py"):
        path = pathlib.Path(target)
        if not path.is_file():
            raise ValueError(f"--catalog file {target} does not exist")
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[path.stem] = module
        module_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    if not hasattr(module, attribute):
        raise ValueError(f"--catalog: {target} has no attribute {attribute!r}")
    return as_catalog(getattr(module, attribute), f"--catalog {spec}")


def _replay_hint(result, args) -> str:
    command = f"manual-bp verify --layer {result.layer} --dtype {result.dtype} --seed {result.seed} --examples {args.examples}"
    if args.catalog:
        command += f" --catalog {args.catalog}"
    return (f"replay: {command}\n"
            f"or in Python: from numpy import array, float32, float64, int64; from oracle import Case, find_entry, verify_case; "
            f"verify_case(find_entry({result.layer!r}{', CATALOG' if args.catalog else ''}), <the case above>)")


def _table(results) -> Table:
    table = Table(title="manual-bp verify: hand-written backward vs jax.vjp")
    for column, justify in (("layer", "left"), ("dtype", "left"), ("examples", "right"), ("max abs err", "right"),
                            ("max rel err", "right"), ("err / tol", "right"), ("result", "left")):
        table.add_column(column, justify=justify, no_wrap=True)
    for r in results:
        verdict = "[green]pass[/green]" if r.passed else "[bold red]FAIL[/bold red]"
        table.add_row(r.layer, r.dtype, str(r.examples), f"{r.max_abs_error:.2e}", f"{r.max_rel_error:.2e}",
                      f"{r.worst_ratio:.2g}", verdict)
    return table


def run_verify(args) -> int:
    err = Console(stderr=True, soft_wrap=True)
    try:
        catalog = load_catalog(args.catalog)
        entries = [find_entry(name, catalog) for name in args.layer] if args.layer else list(catalog)
    except (KeyError, ValueError, ImportError) as error:
        err.print(f"manual-bp verify: {error.args[0] if error.args else error}", markup=False, highlight=False)
        return 2
    # A pipe or file gets 80 columns by default, too narrow for the table: widen it there.
    out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 110)
    if args.list:
        for entry in entries:
            names = ", ".join([*entry.inputs, *entry.params])
            out.print(f"{entry.name}({names}): {entry.conventions}", markup=False, highlight=False)
        return 0
    dtypes = DTYPE_CHOICES[args.dtype]
    jobs = [(entry, dtype) for entry in entries for dtype in dtypes]
    results = []
    started = time.perf_counter()
    columns = (TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        overall = progress.add_task("all layers", total=len(jobs) * args.examples)
        for entry, dtype in jobs:
            task = progress.add_task(f"{entry.name} {dtype}", total=args.examples)

            def advance(task=task):
                progress.advance(task)
                progress.advance(overall)

            result = run_entry(entry, dtype, examples=args.examples, seed_value=args.seed,
                               shrink=not args.no_shrink, on_example=advance)
            progress.update(task, visible=False)
            progress.advance(overall, args.examples - result.examples)
            results.append(result)
    elapsed = time.perf_counter() - started
    failed = [r for r in results if not r.passed]
    if args.json:
        print(json.dumps({"passed": not failed, "seconds": round(elapsed, 3), "seed": args.seed,
                          "examples": args.examples, "results": [r.as_dict() for r in results]}, indent=2))
    else:
        out.print(_table(results))
        for r in failed:
            out.rule(f"[bold red]{r.layer} {r.dtype} failed")
            out.print(r.failure, markup=False, highlight=False)
            if r.case is not None:
                out.print(f"shrunk counterexample:\n{r.case!r}", markup=False, highlight=False)
            out.print(_replay_hint(r, args), markup=False, highlight=False)
        summary = f"{len(results) - len(failed)} of {len(results)} passed in {elapsed:.1f} s"
        out.print(("[bold red]" if failed else "[green]") + summary)
    return 1 if failed else 0
