"""The verifier's detection limit (issue 18, item 2): the smallest planted corruption it catches.

For each chosen catalog row, dtype, corrupted quantity and kind of corruption, a copy of the
row's layer returns one gradient corrupted by a relative size ``delta``:

- ``scale``: the gradient ``g`` becomes ``g * (1 + delta)`` (normwise relative error delta);
- ``entry``: its first entry (flat index 0) becomes ``g[0] + delta * max|g|``.

Both stay linear in ``dout`` (a zero ``dout`` still gives a zero gradient), so only the value
checks can see them. Layer rows corrupt one returned input gradient or one parameter gradient
(``layer.grads[name]`` or ``layer.d<name>``); third-book Function rows corrupt the gradient of
one input, through an identity Function placed on that input whose backward corrupts ``gy``
(with DeZero Variables, so the second-order check sees the same corrupted first order).
The corruption is computed in float64 and rounded to the gradient's dtype: in float32 a
``scale`` below about 6e-8 rounds away and cannot be caught by any check.

``run_entry`` (the engine of ``manual-bp verify``: 100 examples by default, no shrinking here,
so a run stops at its first failure) runs the corrupted row with seeds 0, 1, ... For each
``delta`` on the grid 1e-1, 1e-2, ..., 1e-12 the seeds run until one misses; the detection
limit is the smallest delta caught by all ``--seeds`` seeds, with every larger delta caught
too. The next delta down is reported as "caught in k of m" (m: the seeds run until the first
miss). Per row and dtype the table shows the worst (largest) limit over the row's quantities.

The float32 floor of a row: the normwise relative difference
``max|oracle_f32 - oracle_f64| / max|oracle_f64|`` of each first-order gradient, the oracle
run in float32 op by op (``rounded_reference_vjp``) against float64, on each of the clean
row's 100 examples (seed 0); the table shows its largest and its median over the examples.

    python bench/detectability.py [--rows Affine,Sigmoid | all] [--dtypes float64 float32]
        [--seeds 20] [--examples 100] [--jobs 2] [--output results.json]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import json
import multiprocessing
import sys
import time
from collections.abc import Mapping

import numpy as np

DEFAULT_ROWS = (
    "Affine",
    "Sigmoid",
    "Softmax",
    "SoftmaxWithLoss",
    "Convolution",
    "BatchNormalization",
    "TimeRNN",
    "TimeLSTM",
    "Attention",
    "F.tanh",
    "F.linear",
)
GRID = tuple(10.0**-k for k in range(1, 13))
KINDS = ("scale", "entry")
FD_RTOL = 1e-3  # a finite-difference check's rule (manual-bp compare): blind below about this


def corrupt_array(g, kind: str, delta: float):
    """``g`` corrupted by relative size ``delta`` (see the module docstring), in ``g``'s dtype."""
    g = np.asarray(g)
    wide = g.astype(np.float64)
    if kind == "scale":
        wide = wide * (1.0 + delta)
    else:
        wide = wide.copy()
        if wide.size:
            wide.flat[0] += delta * float(np.max(np.abs(wide)))
    return wide.astype(g.dtype)


def quantities(entry) -> list[str]:
    """The gradients a corruption can be planted into: ``dx``-style inputs, then ``dW``-style params."""
    state = set(getattr(entry, "state", ()))
    names = ["d" + k for k in entry.inputs if k not in entry.nondiff and k not in state]
    return names + ["d" + k for k in entry.params if k not in entry.nondiff]


def corrupted_layer(entry, quantity: str, kind: str, delta: float):
    """A subclass of the row's layer class whose backward corrupts ``quantity`` (``dx``, ``dW``)."""
    base = entry.layer
    state = set(getattr(entry, "state", ()))
    inputs = [k for k in entry.inputs if k not in entry.nondiff and k not in state]
    name = quantity[1:]

    def backward(self, *args, **kwargs):
        returned = base.backward(self, *args, **kwargs)
        if name in inputs:
            if isinstance(returned, tuple):
                index = inputs.index(name)
                returned = (*returned[:index], corrupt_array(returned[index], kind, delta), *returned[index + 1 :])
            else:
                returned = corrupt_array(returned, kind, delta)
            return returned
        grads = getattr(self, "grads", None)
        held = grads[name] if isinstance(grads, Mapping) and name in grads else getattr(self, "d" + name)
        if isinstance(held, np.ndarray) and held.flags.writeable:
            held[...] = corrupt_array(held, kind, delta)  # in place: layers reuse (and expose) one buffer
        else:
            setattr(self, "d" + name, corrupt_array(held, kind, delta))
        return returned

    return type(f"Corrupted{base.__name__}", (base,), {"backward": backward})


def corrupted_function(entry, quantity: str, kind: str, delta: float):
    """The row's DeZero function with an identity Function on input ``quantity[1:]`` whose
    backward corrupts the gradient flowing into that input."""
    from manual_bp.dezero import Function, Variable

    index = list(entry.inputs).index(quantity[1:])

    class Corrupt(Function):
        def forward(self, x):
            return x.copy()

        def backward(self, gy):
            dtype = gy.data.dtype
            if kind == "scale":
                # gy + gy * delta: delta kept in gy's dtype (a float64 factor would promote float32)
                return gy + gy * np.asarray(delta, dtype=dtype)
            bump = np.zeros(gy.shape, dtype=np.float64)
            if bump.size:
                bump.flat[0] = delta * float(np.max(np.abs(gy.data)))
            return gy + Variable(bump.astype(dtype))

    function = entry.layer

    def call(*args, **kwargs):
        args = list(args)
        if args[index] is not None:
            args[index] = Corrupt()(args[index])
        return function(*args, **kwargs)

    return call


def corrupted_entry(entry, quantity: str, kind: str, delta: float):
    """A copy of ``entry`` whose layer corrupts ``quantity``; its error inputs and distribution
    checks are dropped (they do not read gradients, and cost time in every run)."""
    from oracle.verify.function_entry import FunctionEntry

    make = corrupted_function if isinstance(entry, FunctionEntry) else corrupted_layer
    return dataclasses.replace(entry, layer=make(entry, quantity, kind, delta), errors=(), distributions=())


def caught(entry, dtype: str, examples: int, seed_value: int) -> tuple[bool, str]:
    from oracle.verify.runner import run_entry

    result = run_entry(entry, dtype, examples=examples, seed_value=seed_value, shrink=False)
    return (not result.passed), result.failed_quantity


def detection_limit(entry, dtype: str, quantity: str, kind: str, seeds: int, examples: int) -> dict:
    """Walk the grid down until a delta is missed by one seed; return the limit and the evidence."""
    limit, below, wrong = None, None, []
    for delta in GRID:
        hits = 0
        for s in range(seeds):
            hit, failed = caught(corrupted_entry(entry, quantity, kind, delta), dtype, examples, s)
            if not hit:
                break
            hits += 1
            if failed and failed != quantity:
                wrong.append(f"{delta:g}/seed {s}: {failed}")
        if hits < seeds:
            below = {"delta": delta, "caught": hits, "of": hits + 1}
            break
        limit = delta
    return {"quantity": quantity, "kind": kind, "limit": limit, "below": below, "other_quantity": wrong[:3]}


def _normwise(rounded, expected) -> float | None:
    ref = np.asarray(expected, dtype=np.float64)
    if rounded is None or np.shape(rounded) != ref.shape or not ref.size or not np.max(np.abs(ref)) > 0:
        return None
    return float(np.max(np.abs(np.asarray(rounded) - ref)) / np.max(np.abs(ref)))


def float32_floor(entry, examples: int) -> dict:
    """The oracle's own float32 error against float64, normwise per gradient, over the clean
    row's ``examples`` (seed 0): its largest and its median over the examples; also whether the
    clean row passed. Read by wrapping the verifiers' compare steps (layers, Functions) here."""
    from oracle.verify import function_entry, second_order, verifier
    from oracle.verify.reference import rounded_reference_vjp
    from oracle.verify.runner import run_entry

    errors: list[float] = []  # per example: the largest over its gradients
    current: list[float] = []
    layer_check, function_check = verifier._Checker.check_quantity, second_order._Report.check
    verify_function = function_entry.verify_function
    oracle_call: list = []  # the Function row's current (oracle, args, differentiable, gy)

    def record(error) -> None:
        if error is not None:
            current.append(error)

    def layer_recording(self, quantity, got, expected, dtype, of):
        layer_check(self, quantity, got, expected, dtype, of)
        if quantity.startswith("d") and dtype is not None and np.dtype(dtype) == np.float32 and self.oracle_call:
            args, differentiable, dout, names, _ = self.oracle_call
            try:
                _, grads = rounded_reference_vjp(self.function, args, differentiable, dout, np.float32)
                record(_normwise(dict(zip(("d" + n for n in names), grads)).get(quantity), expected))
            except Exception:  # noqa: BLE001 - an oracle that cannot run in float32 has no floor
                pass

    def function_stashing(function, oracle, inputs, gy, w=None, *, nondiff=(), **options):
        differentiable = [k not in nondiff for k in inputs]
        oracle_call[:] = [(oracle, tuple(inputs.values()), differentiable, gy, [k for k in inputs if k not in nondiff])]
        return verify_function(function, oracle, inputs, gy, w, nondiff=nondiff, **options)

    def function_recording(self, quantity, got, expected, *, dtype=None):
        function_check(self, quantity, got, expected, dtype=dtype)
        if quantity.startswith("d") and "<" not in quantity and self.dtype == np.float32 and oracle_call:
            oracle, args, differentiable, gy, names = oracle_call[0]
            _, grads = rounded_reference_vjp(oracle, args, differentiable, gy, np.float32)
            record(_normwise(dict(zip(("d" + n for n in names), grads)).get(quantity), expected))

    def after_example() -> None:
        errors.append(max(current, default=0.0))
        current.clear()

    verifier._Checker.check_quantity, second_order._Report.check = layer_recording, function_recording
    function_entry.verify_function = function_stashing  # type: ignore[assignment]  # the name rows call
    try:
        clean = dataclasses.replace(entry, errors=(), distributions=())
        result = run_entry(clean, "float32", examples=examples, seed_value=0, shrink=False, on_example=after_example)
    finally:
        verifier._Checker.check_quantity, second_order._Report.check = layer_check, function_check
        function_entry.verify_function = verify_function
    return {
        "floor": max(errors, default=0.0),
        "median": float(np.median(errors)) if errors else 0.0,
        "clean_passed": result.passed,
    }


def measure(name: str, dtype: str, seeds: int, examples: int) -> dict:
    from oracle.catalog import find_entry

    entry = find_entry(name)
    start = time.process_time()
    found = [detection_limit(entry, dtype, q, k, seeds, examples) for q in quantities(entry) for k in KINDS]
    row = {"row": entry.name, "dtype": dtype, "seeds": seeds, "examples": examples, "limits": found}
    if dtype == "float32":
        row["floor"] = float32_floor(entry, examples)
    row["cpu_s"] = time.process_time() - start
    return row


def worst(limits: list[dict], kind: str) -> dict:
    """The quantity with the largest limit of ``kind`` (None, nothing caught, is the largest)."""
    of_kind = [x for x in limits if x["kind"] == kind]
    return max(of_kind, key=lambda x: np.inf if x["limit"] is None else x["limit"])


def table(rows: list[dict]) -> str:
    lines = [
        "| row | dtype | scale: limit (worst quantity) | next delta caught | entry: limit (worst quantity) "
        "| next delta caught | float32 floor (max / median) | finite differences |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        cells = [row["row"], row["dtype"]]
        for kind in KINDS:
            w = worst(row["limits"], kind)
            limit = "none" if w["limit"] is None else f"{w['limit']:.0e}"
            below = w["below"]
            cells += [
                f"{limit} ({w['quantity']})",
                "-" if below is None else f"{below['delta']:.0e}: {below['caught']} of {below['of']}",
            ]
        floor = row.get("floor")
        if floor is None:
            cells.append("")
        else:
            clean = "" if floor["clean_passed"] else " (the clean row failed)"
            cells.append(f"{floor['floor']:.1e} / {floor['median']:.1e}{clean}")
        cells.append(f"~{FD_RTOL:.0e}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=",".join(DEFAULT_ROWS), help="comma-separated row names, or 'all'")
    parser.add_argument("--dtypes", nargs="+", default=["float64", "float32"])
    parser.add_argument("--seeds", type=int, default=20, help="seeds per delta (each must catch)")
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--output", help="write the JSON results here")
    args = parser.parse_args(argv)
    if args.rows == "all":
        from oracle.catalog import EVERY_ROW

        names = [e.name for e in EVERY_ROW if isinstance(e.layer, type) or hasattr(e, "order")]
    else:
        names = args.rows.split(",")
    tasks = [(n, d) for n in names for d in args.dtypes]
    start = time.perf_counter()
    rows: list[dict] = []
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(args.jobs, mp_context=context) as pool:
        futures = {pool.submit(measure, n, d, args.seeds, args.examples): (n, d) for n, d in tasks}
        for future in concurrent.futures.as_completed(futures):
            row = future.result()
            rows.append(row)
            print(f"{row['row']} {row['dtype']}: {row['cpu_s']:.1f} CPU s", file=sys.stderr, flush=True)
    rows.sort(key=lambda r: (names.index(r["row"]) if r["row"] in names else 0, r["dtype"] != "float64"))
    print(table(rows))
    print(f"\n{len(tasks)} rows x dtypes, {args.seeds} seeds per delta, {time.perf_counter() - start:.0f} s wall")
    if args.output:
        with open(args.output, "w") as out:
            json.dump(rows, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
