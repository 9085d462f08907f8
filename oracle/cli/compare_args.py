"""The command line of ``manual-bp compare`` (standard library only: ``oracle.cli`` imports it eagerly).

The work itself is in ``oracle.cli.compare``, imported only when the command runs.
"""

from __future__ import annotations

import argparse

from oracle.cli.argtypes import non_negative_int, positive_float, positive_int

__all__ = ["DEFAULT_SIZES", "NETWORKS", "add_compare_parser"]

DEFAULT_SIZES = (784, 50, 10)  # the book's gradient_check.py
NETWORKS = ("two-layer",)

DESCRIPTION = """\
Compute every gradient three ways and compare them: the hand-written backward (manual), the
exact gradient of the layer's JAX oracle (jax.vjp, float64) and central finite differences of
the manual forward pass (numerical; for a layer with array output, of <dout, f(x)> with a
random dout). One deterministic case per catalog layer and for the book's TwoLayerNet
(default 784-50-10, 3 samples in [0, 1), weight_init_std 0.01). Prints the normwise relative
error of each pair and the time of one manual forward+backward, one jitted jax.vjp
(compilation reported apart) and the numerical part.

Numerical modes. directional (default): for each differentiated quantity, K random unit
directions v (--directions); the central difference (F(x + h v) - F(x - h v)) / 2h, two
forward passes per direction, is compared with the directional derivative <g, v> of the
manual and of the JAX gradient (as torch.autograd.gradcheck's fast mode). It sees a wrong
gradient anywhere in a quantity, but only as one number per direction, to finite-difference
accuracy, and cannot say which entry is wrong. full: the book's per-entry numerical gradient,
two forward passes per entry (79 520 for TwoLayerNet(784, 50, 10), about 6 s per dtype), and
the book's mean |numerical - backprop| per parameter (its gradient_check.py). Manual vs JAX
is always compared entry by entry.

Kinks: a finite difference whose step crosses ReLU's kink averages its two slopes, so the
numerical gradient is wrong there while backprop and JAX agree. full: a hidden
pre-activation a1[n, j] is flagged when |a1[n, j]| < h * max(1, max_i |x[n, i]|) (some step
of h on W1[i, j] or b1[j] crosses 0); for ReLU and LeakyReLU layers, an input when |x| < h.
directional: a pre-activation (or input) is flagged when its sign differs between the two
points x + h v and x - h v of some direction. Flags explain a large numerical error; they do
not change it. Other non-smooth points (max-pooling ties) are not inspected; the cases use
standard-normal values, so ties do not occur.

Without --layer and --network everything is compared; with either, only what is named.
Exit status: 0; 1 if a manual gradient is outside the verify tolerance of its dtype or a
layer could not be compared (it raised; reported with the error); 2 for bad arguments."""


def _sizes(text: str) -> tuple:
    parts = text.split(",")
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"must be three sizes IN,HIDDEN,OUT like 784,50,10, got {text!r}")
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be three integers IN,HIDDEN,OUT like 784,50,10, got {text!r}") from None
    if min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be at least 1, got {text!r}")
    return sizes


def add_compare_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``compare`` subcommand to ``subparsers`` (from ``parser.add_subparsers``)."""
    compare = subparsers.add_parser(
        "compare",
        help="compare manual backward, JAX's exact gradient and finite differences: errors and timings",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compare.add_argument(
        "--layer", action="append", metavar="NAME", help="compare this catalog layer (repeatable; case-insensitive)"
    )
    compare.add_argument(
        "--network",
        action="append",
        choices=NETWORKS,
        help="compare this network (repeatable): two-layer is the book's TwoLayerNet",
    )
    compare.add_argument(
        "--sizes",
        type=_sizes,
        default=DEFAULT_SIZES,
        metavar="IN,HIDDEN,OUT",
        help="TwoLayerNet sizes (default: 784,50,10, the book's; its full numerical gradient "
        "is 79 520 forward passes, about 6 s per dtype)",
    )
    compare.add_argument(
        "--batch",
        type=positive_int,
        default=3,
        metavar="N",
        help="samples per case of the chapter-5 layers and the network; other layers "
        "take their Hypothesis strategy's shapes (default: 3, as in the book's gradient_check.py)",
    )
    compare.add_argument(
        "--dtype",
        choices=("all", "float32", "float64"),
        default="all",
        help="dtype the manual code and finite differences run in; JAX always runs in float64 (default: all)",
    )
    compare.add_argument(
        "--h",
        type=positive_float,
        default=1e-4,
        metavar="STEP",
        help="finite-difference step (default: 1e-4, the book's)",
    )
    compare.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        help="seed of the random cases and weights: the same seed gives the same cases (default: 0)",
    )
    compare.add_argument(
        "--numerical",
        choices=("directional", "full"),
        default="directional",
        help="directional: K random directional derivatives per quantity, two forward passes "
        "each; full: the book's per-entry numerical gradient and its gradient_check.py lines "
        "(default: directional)",
    )
    compare.add_argument(
        "--directions",
        type=positive_int,
        default=8,
        metavar="K",
        help="random directions per differentiated quantity in directional mode (default: 8)",
    )
    compare.add_argument(
        "--eager",
        action="store_true",
        help="also time jax.vjp without jit; its first call compiles every primitive (about 7 s more for everything)",
    )
    compare.add_argument("--json", action="store_true", help="print the results as JSON on stdout instead of tables")
    compare.add_argument(
        "--plot",
        metavar="PATH",
        help="also write a PNG of the network's finite-difference error vs step h "
        "(float64 and float32, log-log, 27 steps x 8 random directions), with the manual-vs-JAX "
        "error as floor lines; needs matplotlib: pip install 'manual-bp[plot]'",
    )
    return compare
