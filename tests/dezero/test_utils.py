"""The DOT source names every node of the recorded graph, forward and backward, and rendering fails clearly."""

import re
import shutil

import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable
from manual_bp.dezero.utils import get_dot_graph, plot_dot_graph, unchain_backward


def test_forward_graph_lists_variables_functions_and_edges():
    x = Variable(np.ones((2, 3)), name="x")
    y = F.tanh(x)
    y.name = "y"
    assert get_dot_graph(y, verbose=False) == (
        "digraph g {\n"
        'v0 [label="y", color=orange, style=filled]\n'
        'f0 [label="Tanh", color=lightblue, style=filled, shape=box]\n'
        'v1 [label="x", color=orange, style=filled]\n'
        "v1 -> f0\n"
        "f0 -> v0\n"
        "}\n"
    )


def test_verbose_labels_carry_shape_and_dtype():
    x = Variable(np.ones((2, 3), np.float32), name="x")
    assert 'label="x: (2, 3) float32"' in get_dot_graph(F.sin(x))


def test_the_backward_graph_of_create_graph_is_drawn():
    x = Variable(np.array(1.0))
    y = F.tanh(x)
    y.backward(create_graph=True)
    backward_source = get_dot_graph(x.grad)
    functions = re.findall(r'label="(\w+)", color=lightblue', backward_source)
    assert functions == ["Mul", "Sub", "Mul", "Tanh"]  # gy * (1 - y * y), y = tanh(x)
    assert get_dot_graph(x.grad) == backward_source  # the same graph gives the same text


def test_a_shared_input_is_drawn_once():
    x = Variable(np.array(2.0), name="x")
    source = get_dot_graph(x * x, verbose=False)
    assert source.count('label="x"') == 1 and source.count("v1 -> f0") == 2


@pytest.mark.skipif(shutil.which("dot") is not None, reason="Graphviz is installed here")
def test_rendering_without_graphviz_names_what_to_install(tmp_path):
    with pytest.raises(RuntimeError, match="needs Graphviz's `dot` program: apt-get install graphviz"):
        plot_dot_graph(F.sin(Variable(np.array(1.0))), to_file=tmp_path / "g.png")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_rendering_writes_the_file(tmp_path):
    plot_dot_graph(F.sin(Variable(np.array(1.0))), to_file=tmp_path / "g.svg")
    assert (tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")


def test_unchain_backward_stops_the_next_backward_at_the_cut():
    x = Variable(np.array(2.0))
    h = x * 3
    y = h * h
    unchain_backward(y)
    y.backward()
    assert x.grad is None and h.creator is None and h.grad.data == 12.0  # h is a leaf now


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_a_model_plots_the_graph_of_one_forward(tmp_path):
    from manual_bp.dezero.models import MLP  # noqa: PLC0415

    source = MLP((3, 2), rng=0).plot(np.ones((1, 2), np.float32), to_file=tmp_path / "model.svg")
    assert source.count("Linear") == 2 and (tmp_path / "model.svg").exists()
