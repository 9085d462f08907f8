"""The catalog: one row per layer, pairing the NumPy layer with its JAX oracle function.

The tests and ``manual-bp verify`` both read ``CATALOG``. Adding a layer is: write the layer,
write its function, add one row here, add its kink examples to its test module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

import manual_bp
from oracle import strategies
from oracle.activations import relu, sigmoid
from oracle.affine import affine
from oracle.arithmetic import add, mul
from oracle.softmax_with_loss import softmax_with_loss
from oracle.strategies import Case
from oracle.verifier import Verification, verify_layer

__all__ = ["CATALOG", "CatalogEntry", "DTYPES", "find_entry", "verify_case"]

DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


@dataclasses.dataclass(frozen=True)
class CatalogEntry:
    """A layer, its oracle function and how to draw and check its cases.

    - ``layer``: the class (called with the parameters, in ``params`` order).
    - ``function``: the oracle, ``function(*inputs, *params)``.
    - ``inputs``, ``params``: argument names, in order.
    - ``nondiff``: arguments that are data, not differentiated (labels).
    - ``cases``: ``cases(dtype)`` -> a Hypothesis strategy of ``Case``.
    - ``tolerance``: ``{dtype: Tolerance}`` overrides, each with ``tolerance_reason``.
    - ``conventions``: the kink / tie / edge conventions layer and oracle share.
    """

    name: str
    layer: Callable
    function: Callable
    inputs: tuple
    params: tuple
    cases: Callable
    nondiff: frozenset = frozenset()
    tolerance: dict = dataclasses.field(default_factory=dict)
    tolerance_reason: str = ""
    conventions: str = ""


CATALOG = (
    CatalogEntry("AddLayer", manual_bp.AddLayer, add, ("x", "y"), (), strategies.binary_cases,
                 conventions="broadcasting undone by summing the cotangent over broadcast axes"),
    CatalogEntry("MulLayer", manual_bp.MulLayer, mul, ("x", "y"), (), strategies.binary_cases,
                 conventions="broadcasting undone by summing over broadcast axes"),
    CatalogEntry("ReLU", manual_bp.ReLU, relu, ("x",), (), strategies.elementwise_cases,
                 conventions="ReLU'(0) = 0 (jnp.where(x > 0, x, 0))"),
    CatalogEntry("Sigmoid", manual_bp.Sigmoid, sigmoid, ("x",), (), strategies.elementwise_cases,
                 conventions="no overflow for any finite x; gradient out * (1 - out)"),
    CatalogEntry("Affine", manual_bp.Affine, affine, ("x",), ("W", "b"), strategies.affine_cases,
                 conventions="x of shape (N, ...) flattened to (N, D)"),
    CatalogEntry("SoftmaxWithLoss", manual_bp.SoftmaxWithLoss, softmax_with_loss, ("x", "t"), (),
                 strategies.softmax_with_loss_cases, nondiff=frozenset({"t"}),
                 conventions="mean over the batch; t: indices or dense targets, not differentiated; "
                             "a 1-D x is one sample"),
)


def find_entry(name: str, catalog=CATALOG) -> CatalogEntry:
    """The row named ``name`` (case-insensitive; ``Relu`` finds ``ReLU``)."""
    for entry in catalog:
        if entry.name.lower() == name.lower():
            return entry
    raise KeyError(f"no layer {name!r} in the catalog; known: {', '.join(e.name for e in catalog)}")


def verify_case(entry: CatalogEntry, case: Case, **overrides) -> Verification:
    """Run ``verify_layer`` for one drawn ``case`` of ``entry``."""
    return verify_layer(
        entry.layer, entry.function,
        {k: case.inputs[k] for k in entry.inputs}, {k: case.params[k] for k in entry.params}, case.dout,
        nondiff=entry.nondiff, name=entry.name, tolerance=overrides.pop("tolerance", entry.tolerance or None),
        **overrides,
    )
