"""The recorded graph as Graphviz DOT source, its rendering, and truncating a graph.

    y = F.tanh(x); y.backward(create_graph=True)
    print(get_dot_graph(y))              # the forward graph
    print(get_dot_graph(x.grad))         # the backward graph that create_graph=True recorded
    plot_dot_graph(x.grad, to_file="tanh_grad.png")   # needs Graphviz's `dot`

Variables are orange ellipses (name, and ``shape dtype`` when verbose), Functions light-blue
boxes (class name); edges point from inputs to Functions to outputs. Nodes are numbered in
the order the walk meets them (``v0``, ``f0``, ...), so the same graph always gives the
same text.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import tempfile

from manual_bp.dezero.core import Function, Variable

__all__ = ["GRAPHVIZ_HINT", "get_dot_graph", "plot_dot_graph", "unchain_backward"]

GRAPHVIZ_HINT = "apt-get install graphviz (or brew install graphviz, conda install graphviz)"


class _Names:
    """Stable DOT node names: ``v<k>`` / ``f<k>`` in first-met order, keyed by identity."""

    def __init__(self):
        self.names: dict[int, str] = {}
        self.counts = {"v": 0, "f": 0}
        self.alive: list = []  # keeps each named object alive while the walk runs, so ids stay unique

    def __call__(self, obj) -> str:
        key = id(obj)
        if key not in self.names:
            kind = "f" if isinstance(obj, Function) else "v"
            self.names[key] = f"{kind}{self.counts[kind]}"
            self.counts[kind] += 1
            self.alive.append(obj)
        return self.names[key]


def _variable_label(v: Variable, verbose: bool) -> str:
    label = "" if v.name is None else v.name
    if verbose and v.data is not None:
        label += (": " if label else "") + f"{v.shape} {v.dtype}"
    return label.replace('"', '\\"')


def _creators(output: Variable):
    """Every Function ``output`` depends on, in decreasing generation order (as backward visits them)."""
    funcs: list[Function] = []
    seen: set[int] = set()
    if output.creator is not None:
        funcs.append(output.creator)
        seen.add(id(output.creator))
    while funcs:
        funcs.sort(key=lambda f: f.generation)
        f = funcs.pop()
        yield f
        for x in f.inputs:
            if x.creator is not None and id(x.creator) not in seen:
                seen.add(id(x.creator))
                funcs.append(x.creator)


def get_dot_graph(output: Variable, verbose: bool = True) -> str:
    """DOT source of the graph that produced ``output`` (``verbose``: shapes and dtypes on Variables)."""
    name = _Names()
    variable_line = '{} [label="{}", color=orange, style=filled]'
    lines = [variable_line.format(name(output), _variable_label(output, verbose))]
    drawn = {id(output)}
    for f in _creators(output):
        lines.append(f'{name(f)} [label="{type(f).__name__}", color=lightblue, style=filled, shape=box]')
        for x in f.inputs:
            if id(x) not in drawn:
                drawn.add(id(x))
                lines.append(variable_line.format(name(x), _variable_label(x, verbose)))
            lines.append(f"{name(x)} -> {name(f)}")
        for ref in f.outputs:
            y = ref()
            if y is not None:  # an output nothing holds any more has left the graph
                lines.append(f"{name(f)} -> {name(y)}")
    return "digraph g {\n" + "\n".join(lines) + "\n}\n"


def plot_dot_graph(output: Variable, verbose: bool = True, to_file: str | pathlib.Path = "graph.png") -> str:
    """Render ``get_dot_graph(output, verbose)`` with Graphviz's ``dot`` into ``to_file`` (the
    suffix picks the format: ``.png``, ``.svg``, ``.pdf``, ...) and return the DOT source.

    Raises ``RuntimeError`` naming what to install when ``dot`` is not on the PATH.
    """
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(f"plot_dot_graph needs Graphviz's `dot` program: {GRAPHVIZ_HINT}")
    source = get_dot_graph(output, verbose)
    to_file = pathlib.Path(to_file)
    fmt = to_file.suffix.lstrip(".") or "png"
    with tempfile.TemporaryDirectory() as folder:
        dot_file = pathlib.Path(folder) / "graph.dot"
        dot_file.write_text(source)
        subprocess.run([dot, f"-T{fmt}", str(dot_file), "-o", str(to_file)], check=True, capture_output=True)
    return source


def unchain_backward(output: Variable) -> None:
    """Cut every Variable ``output`` depends on from its creator (truncated BPTT: the next
    ``backward`` stops here, and the arrays of the old graph can be freed)."""
    stack = [output.creator] if output.creator is not None else []
    seen: set[int] = set()
    while stack:
        f = stack.pop()
        for x in f.inputs:
            if x.creator is not None and id(x.creator) not in seen:
                seen.add(id(x.creator))
                stack.append(x.creator)
            x.unchain()
