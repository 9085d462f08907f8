"""``manual-bp compare``: manual backward vs ``jax.vjp`` vs finite differences, as tables or JSON.

``add_compare_parser`` (the arguments, standard library only) lives in ``oracle.cli.compare_args``
and is re-exported here; ``run_compare`` does the work with ``oracle.compare.gradient_check`` (catalog
layers) and ``oracle.compare.network_check`` (``TwoLayerNet`` and the ``--plot`` curves).
"""

from __future__ import annotations

import json

import numpy as np
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from oracle.catalog import CATALOG, find_entry
from oracle.cli.compare_args import add_compare_parser
from oracle.cli.consoles import stdout_console
from oracle.cli.outputs import UsageError, check_output, prepare_output, require_matplotlib
from oracle.compare.fd_plot import plot_fd_error
from oracle.compare.gradient_check import PAIRS, GradientCheck, check_layer, layer_case
from oracle.compare.network_check import check_network, directional_errors, network_case
from oracle.verify.reference import enable_compilation_cache

__all__ = ["FD_STEPS", "add_compare_parser", "run_compare"]

DTYPES = {"all": ("float64", "float32"), "float64": ("float64",), "float32": ("float32",)}
FD_STEPS = np.logspace(-13, 0, 27)  # the steps of the --plot curves: half a decade apart
NETWORK_STREAM = 1_000  # rng stream of the network, apart from the catalog layers' 0, 1, ...
DIRECTIONS_STREAM = 10_000  # added to a case's stream: the rng of its random directions


def _rng(seed: int, stream: int) -> np.random.Generator:
    """The same (seed, stream) gives the same values in every dtype and whatever else is selected."""
    return np.random.default_rng([seed, stream])


def _duration(seconds: float) -> str:
    """At most 6 characters: ``21 µs``, ``1.3 ms``, ``107 ms``, ``0.74 s``, ``14.2 s``."""
    for unit, scale in (("µs", 1e-6), ("ms", 1e-3), ("s", 1.0)):
        value = seconds / scale
        if value < 999.5 or unit == "s":
            if unit == "s" and value < 10:
                return f"{value:.2f} s"
            return f"{value:.1f} {unit}" if value < 9.95 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


def _short(name: str) -> str:
    """``TwoLayerNet(784, 50, 10)`` -> ``TwoLayerNet``: the sizes are in the table's title."""
    return name.split("(")[0]


def _mode(args) -> str:
    """How the numerical gradient was taken, for titles: ``8 random directions`` or ``every entry``."""
    return f"{args.directions} random directions" if args.numerical == "directional" else "every entry"


def _error_table(checks: list, args) -> Table:
    has_network = any(check.name.startswith("TwoLayerNet") for check in checks)
    net = f"; TwoLayerNet({', '.join(map(str, args.sizes))})" if has_network else ""
    table = Table(
        title=f"Gradient errors, max|a - b| / max|b|, h = {args.h:g}, numerical: {_mode(args)}{net}", show_edge=False
    )
    for i, heading in enumerate(
        ("case", "dtype", "manual\nvs JAX", "numerical\nvs JAX", "numerical\nvs manual", "kinks")
    ):
        table.add_column(heading, justify="left" if i < 2 else "right", no_wrap=True)
    for check in checks:
        manual = f"{check.max_rel('manual_vs_jax'):.1e}"
        manual = manual if check.within_tolerance else f"[bold red]{manual} FAIL[/bold red]"
        kinks = f"{check.kinks}/{check.units}" if check.units else "-"
        table.add_row(
            _short(check.name),
            check.dtype,
            manual,
            f"{check.max_rel('numerical_vs_jax'):.1e}",
            f"{check.max_rel('numerical_vs_manual'):.1e}",
            f"[yellow]{kinks}[/yellow]" if check.kinks else kinks,
        )
    return table


def _timing_table(checks: list) -> Table:
    table = Table(
        title="Time of one gradient; JAX in float64, its compile time is the first jitted call "
        "minus a steady one (0 once compiled; a load from JAX's compilation cache after an earlier run)",
        show_edge=False,
    )
    for i, heading in enumerate(
        ("case", "dtype", "manual\nfwd+bwd", "JAX\neager", "JAX\njitted", "JAX\ncompile", "numerical")
    ):
        table.add_column(heading, justify="left" if i < 2 else "right", no_wrap=True)
    for check in checks:
        s = check.seconds
        table.add_row(
            _short(check.name),
            check.dtype,
            *(
                "-" if s[k] is None else _duration(s[k])
                for k in ("manual", "jax_eager", "jax_jit", "jax_compile", "numerical")
            ),
        )
    return table


def _book_lines(check: GradientCheck, batch: int) -> list:
    lines = [
        f"{check.name}, {check.dtype}, batch {batch}: mean |numerical - backprop| per parameter "
        "(the book's gradient_check.py)"
    ]
    lines += [f"{name}:{value:.1e}" for name, value in check.book.items()]
    if check.kinks:
        lines.append(f"note: {_kink_note(check)}")
    return lines


def _kink_note(check: GradientCheck) -> str:
    if check.numerical_mode == "full":
        return (
            f"{check.kinks} of {check.units} hidden pre-activations lie within a step h of ReLU's kink; "
            "the numerical W1/b1 gradients of those units average both slopes, backprop and JAX do not"
        )
    return (
        f"{check.kinks} of {check.units} hidden pre-activations change sign within a step h along some "
        "random direction of W1 or b1; those directional differences average both slopes of ReLU, "
        "backprop and JAX do not"
    )


def _fail(console: Console, message: str) -> int:
    console.print(f"manual-bp compare: {message}", markup=False, highlight=False, soft_wrap=True)
    return 2


def _selection(args) -> tuple:
    """``(entries, with_network)``: everything when neither --layer nor --network is given."""
    entries = [find_entry(name) for name in args.layer or ()]
    if not args.layer and not args.network:
        return list(CATALOG), True
    return entries, bool(args.network)


def _run_checks(args, entries: list, with_network: bool, progress: Progress) -> tuple:
    """``(checks, crashed, curves)``; a layer that raises is reported in ``crashed``, not fatal."""
    dtypes = DTYPES[args.dtype]
    n_params = sum(a * b for a, b in zip(args.sizes, args.sizes[1:])) + sum(args.sizes[1:])
    network_work = n_params if args.numerical == "full" else 1
    total = len(dtypes) * (len(entries) + (network_work if with_network else 0)) + (2 if args.plot else 0)
    options = {"h": args.h, "numerical": args.numerical, "directions": args.directions, "eager": args.eager}
    task = progress.add_task("comparing", total=total)
    checks, crashed, curves = [], [], {}
    streams = {entry.name: index for index, entry in enumerate(CATALOG)}
    for dtype in dtypes:
        for entry in entries:
            progress.update(task, description=f"{entry.name} {dtype}")
            try:
                case = layer_case(entry, dtype, _rng(args.seed, streams[entry.name]), batch=args.batch, seed=args.seed)
                checks.append(
                    check_layer(entry, case, rng=_rng(args.seed, DIRECTIONS_STREAM + streams[entry.name]), **options)
                )
            except Exception as error:  # noqa: BLE001 - one broken layer must not hide the others
                crashed.append({"name": entry.name, "dtype": dtype, "error": f"{type(error).__name__}: {error}"})
            progress.advance(task)
        if with_network:
            net, x, t = network_case(args.sizes, dtype, _rng(args.seed, NETWORK_STREAM), batch=args.batch)
            progress.update(task, description=f"TwoLayerNet {dtype}: numerical gradient")
            on_param = (lambda _, size: progress.advance(task, size)) if args.numerical == "full" else None
            checks.append(
                check_network(
                    net, x, t, rng=_rng(args.seed, DIRECTIONS_STREAM + NETWORK_STREAM), on_param=on_param, **options
                )
            )
            if on_param is None:
                progress.advance(task)
    if args.plot:
        for dtype in ("float64", "float32"):
            progress.update(task, description=f"error vs step h, {dtype}")
            net, x, t = network_case(args.sizes, dtype, _rng(args.seed, NETWORK_STREAM), batch=args.batch)
            curves[dtype] = directional_errors(net, x, t, FD_STEPS, rng=_rng(args.seed, NETWORK_STREAM + 1))
            progress.advance(task)
    return checks, crashed, curves


def _print_report(args, checks: list, crashed: list) -> None:
    errors, timings = _error_table(checks, args), _timing_table(checks)
    out = stdout_console(errors, timings)
    out.print(errors)
    numerical = (
        "directional derivatives along random unit directions by central differences of the manual "
        "forward in the case's dtype, against the same directional derivatives of manual and JAX "
        "(--numerical full: every entry, and the book's gradient_check.py lines)"
        if args.numerical == "directional"
        else "central differences of the manual forward in the case's dtype, entry by entry"
    )
    out.print(
        "manual: the hand-written backward; JAX: jax.vjp of the oracle in float64 (exact up to rounding), "
        f"compared entry by entry; numerical: {numerical}. Kinks: ReLU inputs a step h crosses (see --help).",
        markup=False,
        highlight=False,
    )
    out.print(timings)
    for check in checks:
        if check.name.startswith("TwoLayerNet") and check.book:
            out.print("\n" + "\n".join(_book_lines(check, args.batch)), markup=False, highlight=False)
        elif check.name.startswith("TwoLayerNet") and check.kinks:
            out.print(f"\n{check.name}, {check.dtype}: {_kink_note(check)}", markup=False, highlight=False)
    if args.plot:
        out.print(f"\nwrote {args.plot}", markup=False, highlight=False)
    for check in checks:
        if not check.within_tolerance:
            out.print(
                f"[bold red]{check.name} {check.dtype}: manual backward outside the verify tolerance; "
                f"run manual-bp verify --layer {_short(check.name)} for the worst entries"
            )
    for crash in crashed:
        out.print(
            f"{crash['name']} {crash['dtype']}: could not be compared: {crash['error']}",
            style="bold red",
            markup=False,
            highlight=False,
        )


def run_compare(args) -> int:
    """Run ``manual-bp compare`` with parsed ``args``; return the exit status.

    0 when every manual gradient is within the verify tolerance of its dtype; 1 when one is
    not, or a layer could not be compared (it raised); 2 for bad arguments.
    """
    err = Console(stderr=True)
    if args.plot is not None:  # before any work, as train's outputs
        try:
            check_output("--plot", args.plot)
            require_matplotlib("--plot")
        except UsageError as error:
            return _fail(err, str(error))
    enable_compilation_cache()  # the one manual-bp verify uses
    try:
        entries, with_network = _selection(args)
    except KeyError as error:
        return _fail(err, error.args[0])
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description:<40}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        checks, crashed, curves = _run_checks(args, entries, with_network, progress)
    if args.plot:
        sizes = ", ".join(map(str, args.sizes))
        plot_fd_error(
            curves,
            prepare_output(args.plot),
            h=args.h,
            title=f"Finite differences vs exact gradients\nTwoLayerNet({sizes}), batch {args.batch}, "
            f"{len(FD_STEPS)} steps h x 8 random directions",
        )
    passed = not crashed and all(check.within_tolerance for check in checks)
    if args.json:
        print(
            json.dumps(
                {
                    "seed": args.seed,
                    "h": args.h,
                    "batch": args.batch,
                    "sizes": list(args.sizes),
                    "numerical": args.numerical,
                    "directions": args.directions,
                    "dtypes": list(DTYPES[args.dtype]),
                    "pairs": list(PAIRS),
                    "passed": passed,
                    "results": [c.as_dict() for c in checks],
                    "errors": crashed,
                    "plot": None if not args.plot else {"path": str(args.plot), "curves": curves},
                },
                indent=2,
            )
        )
    else:
        _print_report(args, checks, crashed)
    return 0 if passed else 1
