"""The trusted reference for manual_bp: pure JAX functions, the verifier, strategies, the catalog.

Needs the ``oracle`` extra (JAX, Hypothesis, rich): ``pip install 'manual-bp[oracle]'``.
Names are loaded lazily so that ``oracle.cli`` can explain a missing extra in one line.
"""

import importlib

__all__ = [
    "CATALOG",
    "Call",
    "Case",
    "CatalogEntry",
    "Distribution",
    "ErrorInput",
    "EVERY_ROW",
    "FUNCTIONS",
    "FunctionCase",
    "FunctionEntry",
    "Tolerance",
    "TOLERANCES",
    "Verification",
    "VerificationError",
    "buckets",
    "find_entry",
    "layer_tests",
    "max_first",
    "reference_vjp",
    "row",
    "Tally",
    "traced_hyperparameters",
    "verify_case",
    "verify_function",
    "verify_layer",
    "verify_sequence",
]

_HOME = {
    "CATALOG": "oracle.catalog",
    "find_entry": "oracle.catalog",
    "EVERY_ROW": "oracle.catalog",
    "FUNCTIONS": "oracle.catalog",
    "FunctionCase": "oracle.verify.function_entry",
    "FunctionEntry": "oracle.verify.function_entry",
    "verify_function": "oracle.verify.second_order",
    "CatalogEntry": "oracle.verify.entry",
    "ErrorInput": "oracle.verify.entry",
    "Distribution": "oracle.verify.distribution",
    "Tally": "oracle.verify.distribution",
    "verify_case": "oracle.verify.entry",
    "Call": "oracle.verify.strategies",
    "Case": "oracle.verify.strategies",
    "Tolerance": "oracle.verify.tolerance",
    "TOLERANCES": "oracle.verify.tolerance",
    "reference_vjp": "oracle.verify.reference",
    "Verification": "oracle.verify.verifier",
    "VerificationError": "oracle.verify.verifier",
    "verify_layer": "oracle.verify.verifier",
    "verify_sequence": "oracle.verify.sequences",
    "row": "oracle.verify.rows",
    "buckets": "oracle.verify.rows",
    "max_first": "oracle.layers.ties",
    "layer_tests": "oracle.verify.pytest_plugin",
    "traced_hyperparameters": "oracle.layers.traced",
}


def __getattr__(name):
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'oracle' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
