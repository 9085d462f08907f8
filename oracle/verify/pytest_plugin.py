"""Verified layers in your own ``pytest`` run: one Hypothesis test per catalog row and dtype.

The ``pytest11`` entry point of manual-bp registers this module, so with the ``oracle``
extra installed there are two ways in (like scikit-learn's ``parametrize_with_checks``):

- one line in a test module, ``test_my_layers = layer_tests(CATALOG)``;
- no test module at all: ``pytest --manual-bp-catalog my_layers:CATALOG`` (repeatable), or
  ``manual_bp_catalog = ["my_layers:CATALOG"]`` under ``[tool.pytest.ini_options]``.

Each test draws cases from the row's strategy and runs ``verify_case`` on them, under the
Hypothesis profile and example database your run loads (``deadline`` is turned off: the first
example of a shape pays a JAX compile). A failure shows the verifier's report, the shrunk case
and two replay lines. Failures found once are kept in the example database, so a plain
``pytest`` run replays them first. Then it runs the row's distribution checks
(``oracle.verify.distribution``; seed 0, as ``manual-bp verify``'s default).

This module is imported by every ``pytest`` run in an environment that has manual-bp, with or
without the ``oracle`` extra: it imports only ``pytest`` and the standard library at the top.
"""

from __future__ import annotations

import os
import pathlib
import shlex
import types
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pytest

__all__ = ["LayerMismatch", "layer_tests", "load_catalog"]

INI_NAME = "manual_bp_catalog"
OPTION = "--manual-bp-catalog"


class LayerMismatch(AssertionError):
    """A catalog layer disagreed with its oracle on a drawn case: the report and how to replay it."""


def load_catalog(spec: str, root: pathlib.Path | None = None) -> tuple:
    """The catalog named by ``spec``: ``package.module:NAME`` or ``path/to/file.py:NAME``.

    A relative file path is taken from ``root`` (default: the working directory).

    Raises ``ValueError`` naming what was found when ``spec`` is malformed, the module or file
    is missing, or the attribute is not a sequence of ``CatalogEntry``.
    """
    from oracle.verify.rows import import_catalog  # imports JAX: only when a catalog is named

    return import_catalog(spec, root=root)


def _replay_lines(entry_name: str, case: Any) -> str:
    """The command that reruns this test, as printed: its node id, or ``-k`` with the catalog option
    when the test was collected from ``--manual-bp-catalog`` (whose node has no file to name)."""
    current = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    node = current.split("::")[-1] if current else entry_name
    if current.startswith(f"{OPTION}="):
        spec = current[len(OPTION) + 1 :].split("::")[0]
        run = f"python -m pytest {OPTION} {shlex.quote(spec)} -k {shlex.quote(node)}"
    elif current and pathlib.Path(current.split("::")[0]).is_file():
        run = f"python -m pytest {shlex.quote(current)}"
    else:
        run = f"python -m pytest -k {shlex.quote(node)}"
    return (
        f"replay: {run}  (Hypothesis replays the saved case from its example database first)\n"
        f"or in Python: verify_case(<the {entry_name} row>, {case!r})"
    )


def layer_tests(catalog: Iterable, *, dtypes: Sequence | None = None) -> Callable:
    """A pytest test function parametrized over ``catalog``'s rows and ``dtypes``; bind it to a ``test_`` name.

    - ``catalog``: a sequence of ``oracle.CatalogEntry`` (full rows or ``oracle.row(...)``).
    - ``dtypes`` (default float64 and float32): the dtypes every row runs in.

    Test ids are ``<row name>-<dtype>``. The test honours the loaded Hypothesis profile
    (``max_examples``, ``derandomize``, ``database``, ...) except ``deadline``, which is off.
    """
    import numpy as np
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from oracle.verify.entry import DTYPES, verify_case
    from oracle.verify.rows import as_catalog
    from oracle.verify.verifier import VerificationError

    entries = as_catalog(catalog, "layer_tests(catalog)")
    kinds = tuple(np.dtype(d) for d in (DTYPES if dtypes is None else dtypes))
    suppressed = set(settings().suppress_health_check) | {HealthCheck.too_slow}  # settings(): the loaded profile

    @settings(deadline=None, suppress_health_check=sorted(suppressed, key=lambda h: h.value))
    @given(data=st.data())
    def matches_its_oracle(entry, dtype, data):
        case = data.draw(entry.cases(dtype), label="case")
        try:
            verify_case(entry, case)
        except VerificationError as error:
            raise LayerMismatch(f"{error}\n{_replay_lines(entry.name, case)}") from None

    @pytest.mark.parametrize("dtype", kinds, ids=str)
    @pytest.mark.parametrize("entry", entries, ids=lambda e: e.name)
    def test_layer_matches_its_oracle(entry, dtype):
        matches_its_oracle(entry, dtype)
        failures = [d.failure for d in _distributions(entry, dtype) if not d.passed]
        if failures:
            raise LayerMismatch("\n".join(failures))

    # Hypothesis's pytest plugin then treats the wrapper as the Hypothesis test it runs: one
    # example-database key per row and dtype, statistics, its reports.
    test_layer_matches_its_oracle.is_hypothesis_test = True
    test_layer_matches_its_oracle.hypothesis = matches_its_oracle.hypothesis  # type: ignore[attr-defined]
    return test_layer_matches_its_oracle


def _distributions(entry, dtype) -> list:
    """The row's distribution checks in ``dtype``, seeded as ``manual-bp verify``'s default run."""
    from oracle.verify.distribution import run_distribution

    return [
        run_distribution(check, entry.layer, dtype, seed=(0, index), layer=entry.name)
        for index, check in enumerate(entry.distributions)
    ]


# -- the plugin: the option, the ini key, and the items they collect ---------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("manual-bp", "manual-bp: verify hand-written layers against JAX")
    group.addoption(
        OPTION,
        action="append",
        default=[],
        metavar="MODULE:NAME",
        help="verify this catalog of layers (repeatable): one Hypothesis test per row and dtype",
    )
    parser.addini(
        INI_NAME,
        type="linelist",
        default=[],
        help="catalogs (MODULE:NAME or FILE.py:NAME) to verify: one Hypothesis test per row and dtype",
    )


class _CatalogModule(pytest.Module):
    """A test module made from a catalog spec: it holds one ``layer_tests`` function."""

    spec: str

    def _getobj(self) -> types.ModuleType:
        module = types.ModuleType(f"manual_bp_catalog[{self.spec}]")
        module.__file__ = str(self.path)
        module.test_catalog = layer_tests(load_catalog(self.spec, self.config.rootpath))  # type: ignore[attr-defined]
        return module


def _specs(config: pytest.Config) -> list[str]:
    return list(dict.fromkeys([*config.getini(INI_NAME), *config.getoption("manual_bp_catalog")]))


@pytest.hookimpl(tryfirst=True)  # before -k / -m deselect the items
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    for spec in _specs(config):
        target = spec.rpartition(":")[0]
        path = config.rootpath / target if target.endswith(".py") else config.rootpath
        module = _CatalogModule.from_parent(session, path=path.resolve(), nodeid=f"{OPTION}={spec}")
        module.spec = spec
        items.extend(session.genitems(module))


def pytest_report_header(config: pytest.Config) -> str | None:
    specs = _specs(config)
    return f"manual-bp catalogs: {', '.join(specs)}" if specs else None
