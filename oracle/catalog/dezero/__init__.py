"""The third book's Functions as catalog rows (``FunctionEntry``), one module per family with the
stems of ``manual_bp/dezero/functions/`` (plus ``core`` for the arithmetic).

``FUNCTIONS`` lists them all, in the order of the book's steps; ``manual-bp verify`` runs them
after the layers. Each row is verified to the second order (``oracle/verify/second_order.py``);
how a row plugs into the runner is in ``oracle/verify/function_entry.py``.
"""

from __future__ import annotations

from oracle.catalog.dezero import (
    activations,
    affine,
    convolution,
    core,
    dropout,
    elementwise,
    embedding,
    losses,
    normalization,
    pooling,
    reductions,
    shapes,
)
from oracle.verify.function_entry import FunctionEntry, bind_errors

__all__ = ["FAMILIES", "FUNCTIONS"]

FAMILIES = (
    core,
    elementwise,
    shapes,
    reductions,
    affine,
    activations,
    losses,
    # the neural-network Functions
    dropout,
    normalization,
    embedding,
    convolution,
    pooling,
)

FUNCTIONS: tuple[FunctionEntry, ...] = tuple(bind_errors(entry) for family in FAMILIES for entry in family.ROWS)
