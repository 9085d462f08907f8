"""The catalog: one row per layer, pairing the NumPy layer with its JAX oracle function.

One module per layer family, with the family's stem (``manual_bp/layers/F.py``,
``oracle/layers/F.py``, ``oracle/catalog/F.py``, ``tests/layers/test_F.py``): each holds the
family's rows (``ROWS``), the Hypothesis strategies that draw their cases, and the inputs its
layers must reject. ``CATALOG`` lists them in the books' order. The engine that runs a row
(``CatalogEntry``, ``verify_case``, the strategies every family uses, the runner) is in
``oracle.verify``. Adding a layer is: write the layer, write its function, add one row to its
family's module, add its kink examples to its test module.
"""

from __future__ import annotations

from oracle.catalog import (
    activations,
    affine,
    arithmetic,
    attention,
    convolution,
    dropout,
    embedding,
    losses,
    negative_sampling,
    normalization,
    pooling,
    recurrent,
    time_layers,
)
from oracle.catalog.dezero import FUNCTIONS
from oracle.verify.entry import DTYPES, CatalogEntry, ErrorInput, bind_errors, check_error_inputs, verify_case

__all__ = [
    "CATALOG",
    "CatalogEntry",
    "DTYPES",
    "EVERY_ROW",
    "ErrorInput",
    "FAMILIES",
    "FUNCTIONS",
    "check_error_inputs",
    "find_entry",
    "verify_case",
]

# The books' order: the first book's chapters 5 to 7, then the sequel's chapters 3 to 8.
FAMILIES = (
    arithmetic,
    activations,
    affine,
    losses,
    convolution,
    pooling,
    normalization,
    dropout,
    embedding,
    negative_sampling,
    recurrent,
    time_layers,
    attention,
)

CATALOG: tuple[CatalogEntry, ...] = tuple(bind_errors(entry) for family in FAMILIES for entry in family.ROWS)

# The layers' rows, then the third book's Functions (``FUNCTIONS``, verified to the second order):
# what ``manual-bp verify`` runs by default. ``CATALOG`` stays the layers only (``manual-bp
# compare`` times layers, and user catalogs extend it).
EVERY_ROW: tuple = CATALOG + FUNCTIONS


def find_entry(name: str, catalog=EVERY_ROW) -> CatalogEntry:
    """The row named ``name`` (case-insensitive; ``Relu`` finds ``ReLU``)."""
    for entry in catalog:
        if entry.name.lower() == name.lower():
            return entry
    raise KeyError(f"no layer {name!r} in the catalog; known: {', '.join(e.name for e in catalog)}")
