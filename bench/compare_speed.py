"""Gradient-checking TwoLayerNet(784, 50, 10) on a batch of 100 in float64: finite differences vs JAX.

Run by hand: `python bench/compare_speed.py [--output FILE]`, or `python bench/compare_speed.py --cli`
for the wall and CPU time of whole `manual-bp compare` runs (fresh processes: its default, the
random-directional check, against `--numerical full --eager`, the work the default did before).
Without `--cli`, in one run it times

- the manual backward (``TwoLayerNet.gradient``: one forward, one backward);
- the JAX-oracle check: jitted ``jax.grad`` of ``oracle.networks.two_layer_net`` (compilation
  timed apart) plus the manual backward plus the comparison of all four gradients;
- the finite-difference check: ``TwoLayerNet.numerical_gradient`` (2 forward passes per
  parameter, 79 520 in all) plus the manual backward plus the comparison;

and reports the ratio of the two checks' costs and of their errors against the exact
gradient. If the full numerical gradient is estimated (from a pilot on ``W2``) to exceed
``--max-seconds``, ``W1`` is differentiated on a random subset of entries and its time
extrapolated; the output then says so.

BLAS runs single-threaded (``OPENBLAS_NUM_THREADS=1`` etc., unless already set): on a shared
2-core machine a multi-threaded OpenBLAS call stalls for a scheduler tick (~16 ms instead of
0.7 ms for this network's backward, measured) whenever another process holds a core.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # before NumPy is imported

import argparse  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import jax  # noqa: E402
import numpy as np  # noqa: E402

from manual_bp.networks.two_layer import PARAM_NAMES, TwoLayerNet  # noqa: E402
from manual_bp.numerical import numerical_gradient  # noqa: E402
from oracle.networks.two_layer import two_layer_net_gradient  # noqa: E402
from oracle.verify.tolerance import TOLERANCES, compare  # noqa: E402

SIZES, BATCH, H = (784, 50, 10), 100, 1e-4


def median_time(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def errors(got: dict, ref: dict) -> dict:
    """Max abs error, normwise relative error (max|a - b| / max|b|) and the book's mean abs error."""
    diff = {k: np.abs(np.asarray(got[k], np.float64) - ref[k]) for k in ref}
    max_abs = max(float(d.max()) for d in diff.values())
    scale = max(float(np.abs(r).max()) for r in ref.values())
    return {"max_abs": max_abs, "max_rel": max_abs / scale, "mean_abs": {k: float(d.mean()) for k, d in diff.items()}}


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1e}x" if b else "inf (manual is exact)"


def _unit_mask(name: str, shape: tuple, units: np.ndarray) -> np.ndarray:
    """True for the entries of parameter ``name`` that belong to the hidden ``units`` kept."""
    if name == "W1":
        return np.broadcast_to(units[None, :], shape)
    if name == "b1":
        return units
    return np.ones(shape, bool)


def numerical(net, x, t, max_seconds: float, rng) -> tuple:
    """``(grads, seconds, note)``: the full numerical gradient, or W1 on a subset if too slow."""
    start = time.perf_counter()  # the pilot is part of the measured run
    grads = {"W2": numerical_gradient(lambda v: net.loss_with({"W2": v}, x, t), net.params["W2"], h=H)}
    estimate = (time.perf_counter() - start) / net.params["W2"].size * sum(p.size for p in net.params.values())
    for name in ("b1", "b2"):
        grads[name] = numerical_gradient(lambda v, name=name: net.loss_with({name: v}, x, t), net.params[name], h=H)
    if estimate <= max_seconds:
        grads["W1"] = numerical_gradient(lambda v: net.loss_with({"W1": v}, x, t), net.params["W1"], h=H)
        return grads, time.perf_counter() - start, "full numerical gradient, measured"
    before_w1 = time.perf_counter() - start
    size = net.params["W1"].size
    entries = rng.choice(size, size=max(1, int(size * max_seconds / estimate)), replace=False)

    def loss_at(values):
        W1 = net.params["W1"].copy()
        W1.flat[entries] = values
        return net.loss_with({"W1": W1}, x, t)

    w1_start = time.perf_counter()
    subset = numerical_gradient(loss_at, net.params["W1"].flat[entries], h=H)
    w1_seconds = (time.perf_counter() - w1_start) * size / entries.size
    grads["W1"] = np.full(net.params["W1"].shape, np.nan)
    grads["W1"].flat[entries] = subset
    note = f"W1 on {entries.size} of {size} entries, its time extrapolated (estimated full run {estimate:.0f} s)"
    return grads, before_w1 + w1_seconds, note


CLI_RUNS = {
    "`manual-bp compare` (default: 8 random directions per quantity, no eager timing)": [],
    "`manual-bp compare --numerical full --eager` (every entry, eager JAX timed: the former default's work)": [
        "--numerical",
        "full",
        "--eager",
    ],
}


def cli_report(repeat: int) -> str:
    """Wall and CPU (user + system) seconds of fresh ``python -m oracle.cli compare`` processes."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    }
    load_before = os.getloadavg()[0]
    rows = []
    for label, extra in CLI_RUNS.items():
        walls, cpus = [], []
        for _ in range(repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "oracle.cli", "compare", *extra],
                cwd=root,
                env=env,
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        rows.append(
            f"| {label} | {min(walls):.1f} s (median {statistics.median(walls):.1f}) | "
            f"{min(cpus):.1f} s (median {statistics.median(cpus):.1f}) |"
        )
    lines = [
        "## `manual-bp compare` wall time (`bench/compare_speed.py --cli`)",
        "",
        f"Fresh processes (Python start, imports, JAX compilation included), {repeat} runs each, BLAS threads "
        f"as the user's; {platform.machine()}, {os.cpu_count()} cores, load average {load_before:.1f} before / "
        f"{os.getloadavg()[0]:.1f} after; Python {platform.python_version()}, numpy {np.__version__}, "
        f"jax {jax.__version__}.",
        "",
        "| run | wall time: best (median) | CPU time, user + system: best (median) |",
        "|---|---:|---:|",
        *rows,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", metavar="PATH", help="also write the report (markdown) to PATH")
    parser.add_argument(
        "--cli",
        action="store_true",
        help="time whole `manual-bp compare` runs (default vs --numerical full --eager) instead",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=120.0,
        help="numerical gradient time above which W1 is sampled and extrapolated (default 120)",
    )
    parser.add_argument("--repeat", type=int, default=50, help="timed calls for the fast measurements (default 50)")
    args = parser.parse_args()
    if args.cli:
        report = cli_report(max(1, min(args.repeat, 3)))
        print(report)
        if args.output:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(report + "\n")
        return

    load_before = os.getloadavg()[0]  # other work on the machine slows BLAS threads a lot
    rng = np.random.default_rng(0)
    net = TwoLayerNet(*SIZES, seed=0)
    x, t = rng.random((BATCH, SIZES[0])), rng.integers(0, SIZES[2], size=BATCH)
    kinks = net.finite_difference_kinks(x, h=H)

    start = time.perf_counter()
    _, exact = two_layer_net_gradient(net.params, x, t)
    jax_first = time.perf_counter() - start
    jax_steady = median_time(lambda: two_layer_net_gradient(net.params, x, t), args.repeat)
    manual_grads = net.gradient(x, t)
    manual_time = median_time(lambda: net.gradient(x, t), args.repeat)
    tol = TOLERANCES[np.dtype(np.float64)]
    compare_time = median_time(lambda: [compare(manual_grads[k], exact[k], tol) for k in PARAM_NAMES], args.repeat)
    numerical_grads, numerical_time, note = numerical(net, x, t, args.max_seconds, rng)
    sampled = {k: ~np.isnan(v) for k, v in numerical_grads.items()}
    numerical_err = errors(
        {k: v[sampled[k]] for k, v in numerical_grads.items()}, {k: v[sampled[k]] for k, v in exact.items()}
    )
    manual_err = errors(manual_grads, exact)
    # Away from kinks: drop the W1 columns and b1 entries of hidden units a step h crosses.
    smooth = ~kinks.any(axis=0)
    away = errors(
        {k: v[sampled[k] & _unit_mask(k, v.shape, smooth)] for k, v in numerical_grads.items()},
        {k: v[sampled[k] & _unit_mask(k, v.shape, smooth)] for k, v in exact.items()},
    )

    jax_check = jax_steady + manual_time + compare_time
    fd_check = numerical_time + manual_time + compare_time
    lines = [
        "## Gradient checking: finite differences vs the JAX oracle (`bench/compare_speed.py`)",
        "",
        "Run: `python bench/compare_speed.py` (about a minute; `--output FILE` writes this section).",
        "",
        f"TwoLayerNet{SIZES}, batch {BATCH}, float64, h = {H:g}, seed 0: {sum(p.size for p in net.params.values())} "
        f"parameters; {int(kinks.sum())} of {kinks.size} hidden pre-activations within a step h of ReLU's kink.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, load average {load_before:.1f} before / "
        f"{os.getloadavg()[0]:.1f} after; BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}; "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"jax {jax.__version__}. Numerical gradient: {note}.",
        "",
        "| step | time |",
        "|---|---:|",
        f"| manual backward (`TwoLayerNet.gradient`, forward + backward) | {manual_time * 1e3:.2f} ms |",
        f"| JAX `jax.grad` of the oracle, jitted, steady state | {jax_steady * 1e3:.2f} ms |",
        "| JAX compilation (first call minus steady state), once per shape | "
        f"{(jax_first - jax_steady) * 1e3:.0f} ms |",
        f"| comparison of the four gradients (`oracle.tolerance.compare`) | {compare_time * 1e3:.2f} ms |",
        f"| numerical gradient (`TwoLayerNet.numerical_gradient`) | {numerical_time:.1f} s |",
        f"| **JAX check** (JAX + manual + comparison) | **{jax_check * 1e3:.2f} ms** |",
        f"| **finite-difference check** (numerical + manual + comparison) | **{fd_check:.1f} s** |",
        f"| finite-difference check / JAX check | **{fd_check / jax_check:,.0f}x** |",
        f"| ... counting JAX compilation too | {fd_check / (jax_check + jax_first - jax_steady):,.0f}x |",
        "",
        "| error against the exact gradient (JAX, float64) | max abs | max abs / max abs gradient |",
        "|---|---:|---:|",
        f"| manual backward | {manual_err['max_abs']:.1e} | {manual_err['max_rel']:.1e} |",
        f"| numerical gradient | {numerical_err['max_abs']:.1e} | {numerical_err['max_rel']:.1e} |",
        f"| numerical gradient, without the {int((~smooth).sum())} hidden unit(s) whose pre-activation a step h "
        f"crosses | {away['max_abs']:.1e} | {away['max_rel']:.1e} |",
        f"| numerical / manual (max abs) | {ratio(numerical_err['max_abs'], manual_err['max_abs'])} | |",
        f"| numerical away from kinks / manual (max abs) | {ratio(away['max_abs'], manual_err['max_abs'])} | |",
        "",
        "Mean |error| per parameter (the book's gradient_check.py figure), numerical vs exact / manual vs exact:",
        "",
        *(f"- {k}: {numerical_err['mean_abs'][k]:.1e} / {manual_err['mean_abs'][k]:.1e}" for k in PARAM_NAMES),
    ]
    report = "\n".join(lines)
    print(report)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(report + "\n")


if __name__ == "__main__":
    main()
