"""The verification engine: what checks a layer against its oracle function.

- ``reference``: the float64 ``jax.vjp`` of an oracle function, jitted once per function;
- ``tolerance``: the per-dtype tolerance model and ``compare``;
- ``verifier``: ``verify_layer``, the seven checks of one example and the failure report;
- ``sequences``: ``verify_sequence``, the same checks on every call of a sequence of calls on one
  layer object, the state it carries from call to call read from the layer;
- ``strategies``: the Hypothesis strategies every layer family draws its cases with (``Case``);
- ``binding``: hyperparameters bound to an oracle function once;
- ``entry``: ``CatalogEntry`` (a layer, its oracle and strategy), ``ErrorInput``, ``verify_case``;
- ``error_inputs``: the ``ErrorInput``s many rows share;
- ``runner``: one catalog row and dtype through Hypothesis (``run_entry``);
- ``rows``: ``row``, a catalog row declared from shapes, and ``as_catalog``, the check that a value is a catalog;
- ``pytest_plugin``: ``layer_tests`` and the ``pytest11`` plugin (one Hypothesis test per row and dtype).

Imports only ``oracle.layers`` and ``manual_bp`` below it; the rows themselves are declared
above it, one module per layer family, in ``oracle.catalog``. The public names are re-exported,
lazily, from ``oracle``.
"""
