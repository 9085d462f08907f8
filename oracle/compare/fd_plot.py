"""The picture behind "why not finite differences": error vs step ``h``, log-log, per dtype.

Needs matplotlib (the ``plot`` extra). Draws with the Agg canvas on a private ``Figure``,
never through ``pyplot``, so no global backend or figure state is touched.
"""

from __future__ import annotations

import importlib.util

__all__ = ["PLOT_HINT", "matplotlib_missing", "plot_fd_error"]

PLOT_HINT = "pip install 'manual-bp[plot]'"
COLORS = {"float64": "tab:blue", "float32": "tab:orange"}
EPS = {"float64": 2.220446049250313e-16, "float32": 1.1920929e-07}


def matplotlib_missing() -> bool:
    """True when matplotlib cannot be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return True
    return importlib.util.find_spec("matplotlib.backends.backend_agg") is None


def plot_fd_error(curves: dict, path, *, title: str, h: float) -> None:
    """Write a PNG to ``path``: one line of finite-difference error vs step per dtype.

    - ``curves``: ``{dtype name: oracle.gradient_check.directional_errors(...)}``;
    - ``title``: the figure title; ``h``: the step in use, marked by a vertical line.
    Each dtype also gets a dashed horizontal line at the error of the hand-written gradient
    along the same direction (drawn at ``eps / 10`` when it is exactly 0, and labelled so).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 5.6), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for dtype, curve in curves.items():
        color = COLORS.get(dtype)
        axes.loglog(
            curve["steps"], curve["numerical"], "o-", color=color, markersize=3.5, label=f"finite differences, {dtype}"
        )
        floor = curve["manual"]
        shown = floor if floor > 0 else EPS.get(dtype, 1e-16) / 10
        exact = "" if floor > 0 else " (exactly 0, drawn at eps/10)"
        axes.axhline(
            shown, color=color, linestyle="--", linewidth=1.2, label=f"hand-written backward vs JAX, {dtype}{exact}"
        )
    axes.axvline(h, color="gray", linestyle=":", linewidth=1.2, label=f"h = {h:g} (this run)")
    axes.set_xlabel("finite-difference step h")
    axes.set_ylabel("relative error of directional derivatives")
    axes.set_title(title, fontsize=10.5)
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=2, frameon=False)
    figure.savefig(path, format="png")
