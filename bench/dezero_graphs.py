"""Draw the two graphs in ``docs/`` with Graphviz (``apt-get install graphviz``):

- ``docs/dezero_mlp_graph.png``: the forward graph of a small network's loss, ``MLP((3, 2))``
  on a batch of 4 two-feature points with softmax cross-entropy (verbose: shapes, dtypes);
- ``docs/dezero_tanh_second_derivative.png``: the graph that computes ``tanh''(x)``, recorded
  by two rounds of ``backward(create_graph=True)`` (the book's ``examples/tanh.py`` with
  ``iters = 1``).

Run by hand: ``PYTHONPATH=. python bench/dezero_graphs.py``.
"""

from __future__ import annotations

import pathlib

import numpy as np

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable
from manual_bp.dezero.models import MLP
from manual_bp.dezero.utils import plot_dot_graph

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"


def mlp_graph() -> None:
    model = MLP((3, 2), rng=0)
    x = Variable(np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32), name="x")
    loss = F.softmax_cross_entropy(model(x), np.array([0, 1, 1, 0]))
    loss.name = "loss"
    for key, param in model.named_params().items():
        param.name = key
    plot_dot_graph(loss, verbose=True, to_file=DOCS / "dezero_mlp_graph.png")


def tanh_second_derivative_graph() -> None:
    x = Variable(np.array(1.0), name="x")
    y = F.tanh(x)
    y.backward(create_graph=True)
    gx = x.grad
    x.cleargrad()
    gx.backward(create_graph=True)
    gx2 = x.grad
    gx2.name = "gx2"
    plot_dot_graph(gx2, verbose=False, to_file=DOCS / "dezero_tanh_second_derivative.png")


if __name__ == "__main__":
    mlp_graph()
    tanh_second_derivative_graph()
    print("wrote", DOCS / "dezero_mlp_graph.png", "and", DOCS / "dezero_tanh_second_derivative.png")
