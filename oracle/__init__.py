"""The trusted reference for manual_bp: pure JAX functions, the verifier, strategies, catalog.

Needs the ``oracle`` extra (JAX, Hypothesis, rich): ``pip install 'manual-bp[oracle]'``.
Names are loaded lazily so that ``oracle.cli`` can explain a missing extra in one line.
"""

import importlib

__all__ = [
    "CATALOG",
    "Case",
    "CatalogEntry",
    "Tolerance",
    "TOLERANCES",
    "Verification",
    "VerificationError",
    "find_entry",
    "reference_vjp",
    "verify_case",
    "verify_layer",
]

_HOME = {
    "CATALOG": "oracle.catalog",
    "CatalogEntry": "oracle.catalog",
    "find_entry": "oracle.catalog",
    "verify_case": "oracle.catalog",
    "Case": "oracle.strategies",
    "Tolerance": "oracle.tolerance",
    "TOLERANCES": "oracle.tolerance",
    "reference_vjp": "oracle.reference",
    "Verification": "oracle.verifier",
    "VerificationError": "oracle.verifier",
    "verify_layer": "oracle.verifier",
}


def __getattr__(name):
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'oracle' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
