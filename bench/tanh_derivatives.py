"""tanh and its derivatives up to the sixth, by repeated double backprop, plotted into docs/.

Run: ``python bench/tanh_derivatives.py [OUT.png]`` (default ``docs/tanh_derivatives.png``).
The book's step 35 draws the same curves (and the graph of each derivative with Graphviz).
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable

ORDER = 6
DEFAULT = pathlib.Path(__file__).resolve().parents[1] / "docs" / "tanh_derivatives.png"


def derivatives(x: np.ndarray, order: int = ORDER) -> list:
    """``[tanh(x), tanh'(x), ..., tanh^(order)(x)]``: each by ``backward(create_graph=True)`` on
    the previous derivative (the seed is ones: for an elementwise function each entry gets its
    own derivative)."""
    v = Variable(x)
    y = F.tanh(v)
    curves = [y.data]
    y.backward(create_graph=True)
    for n in range(order):
        gx = v.grad
        curves.append(gx.data)
        if n + 1 < order:
            v.cleargrad()
            gx.backward(create_graph=True)
    return curves


def plot(out: pathlib.Path = DEFAULT) -> pathlib.Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = np.linspace(-7, 7, 401)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for n, curve in enumerate(derivatives(x)):
        ax.plot(x, curve, label="y = tanh(x)" if n == 0 else f"order {n}", lw=1.5 if n == 0 else 1.0)
    ax.set_xlabel("x")
    ax.set_title("tanh and its derivatives by repeated double backprop (manual_bp.dezero)")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


if __name__ == "__main__":
    print(plot(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
