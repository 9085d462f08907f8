"""The trusted reference for manual_bp: pure JAX functions, the verifier, strategies, the catalog.

Needs the ``oracle`` extra (JAX, Hypothesis, rich): ``pip install 'manual-bp[oracle]'``.
Names are loaded lazily so that ``oracle.cli`` can explain a missing extra in one line.
"""

import importlib

__all__ = [
    "CATALOG",
    "Case",
    "CatalogEntry",
    "ErrorInput",
    "Tolerance",
    "TOLERANCES",
    "Verification",
    "VerificationError",
    "find_entry",
    "layer_tests",
    "reference_vjp",
    "row",
    "traced_hyperparameters",
    "verify_case",
    "verify_layer",
]

_HOME = {
    "CATALOG": "oracle.catalog",
    "find_entry": "oracle.catalog",
    "CatalogEntry": "oracle.verify.entry",
    "ErrorInput": "oracle.verify.entry",
    "verify_case": "oracle.verify.entry",
    "Case": "oracle.verify.strategies",
    "Tolerance": "oracle.verify.tolerance",
    "TOLERANCES": "oracle.verify.tolerance",
    "reference_vjp": "oracle.verify.reference",
    "Verification": "oracle.verify.verifier",
    "VerificationError": "oracle.verify.verifier",
    "verify_layer": "oracle.verify.verifier",
    "row": "oracle.verify.rows",
    "layer_tests": "oracle.verify.pytest_plugin",
    "traced_hyperparameters": "oracle.layers.traced",
}


def __getattr__(name):
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'oracle' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
