"""The pytest plugin in a user's own project: one Hypothesis test per row and dtype, their profile and database.

Each test builds a throwaway project (pytester) holding a correct layer (Swish) and a broken one
(LayerNorm without the variance term), from ``tests/user_layers.py``, and runs pytest on it in
a subprocess with the plugin loaded by ``-p`` (the ``pytest11`` entry point loads it when the
package is installed; the same name makes the two one plugin).
"""

import pathlib
import re

import pytest

pytest_plugins = ["pytester"]

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
PLUGIN = ("-p", "oracle.verify.pytest_plugin")

CATALOG = """
from my_layers import BROKEN, CATALOG as GOOD

CATALOG = [GOOD[0], BROKEN[1]]  # Swish (correct) and LayerNorm (broken)
"""

# The three lines of the README.
TEST_MODULE = """
from catalog import CATALOG
from oracle import layer_tests
test_layers = layer_tests(CATALOG)
"""

CONFTEST = """
from hypothesis import Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase

database = DirectoryBasedExampleDatabase(".my-hypothesis-db")
settings.register_profile("mine", max_examples=15, database=database)
settings.register_profile("replay", phases=[Phase.reuse], database=database)  # only what the database holds
settings.load_profile("mine")
"""


@pytest.fixture
def project(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # this checkout's oracle and manual_bp
    pytester.makepyfile(my_layers=(ROOT / "tests" / "user_layers.py").read_text(), catalog=CATALOG)
    pytester.makeconftest(CONFTEST)
    return pytester


def _run(project, *args):
    return project.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider", *args, timeout=300)


def test_one_line_in_a_test_module_gives_a_test_per_row_and_dtype_and_the_report_of_the_broken_one(project):
    project.makepyfile(test_layers=TEST_MODULE)
    result = _run(project, "--hypothesis-show-statistics")
    result.assert_outcomes(passed=2, failed=2)
    out = result.stdout.str()
    for dtype in ("float64", "float32"):
        assert f"PASSED test_layers.py::test_layers[Swish-{dtype}]" in out or f"test_layers[Swish-{dtype}]" in out
        assert f"FAILED test_layers.py::test_layers[LayerNorm-{dtype}]" in out
        assert f"LayerNorm: dx does not match the JAX oracle ({dtype})" in out
        assert f"replay: python -m pytest 'test_layers.py::test_layers[LayerNorm-{dtype}]'" in out
    assert "or in Python: verify_case(<the LayerNorm row>, Case(inputs={'x': array(" in out
    assert "LayerMismatch" in out
    # the user's profile is honoured: 15 examples for each passing row
    assert len(re.findall(r"\b15 passing, 0 failing", out)) == 2, out


def test_failures_are_kept_in_the_users_database_and_a_plain_run_replays_them(project):
    project.makepyfile(test_layers=TEST_MODULE)
    _run(project).assert_outcomes(passed=2, failed=2)
    assert any((project.path / ".my-hypothesis-db").rglob("*"))
    # No generation at all, only the saved examples run: the broken layer still fails (the
    # correct one saved nothing, so Hypothesis skips it).
    replay = _run(project, "--hypothesis-profile", "replay")
    replay.assert_outcomes(failed=2, skipped=2)
    assert "LayerNorm: dx does not match the JAX oracle" in replay.stdout.str()


def test_the_command_line_option_collects_a_catalog_without_any_test_module(project):
    result = _run(project, "--manual-bp-catalog", "catalog:CATALOG", "-k", "float64")
    result.assert_outcomes(passed=1, failed=1, deselected=2)
    out = result.stdout.str()
    assert "manual-bp catalogs: catalog:CATALOG" in out
    assert "LayerNorm: dx does not match the JAX oracle (float64)" in out
    replay = "python -m pytest --manual-bp-catalog catalog:CATALOG -k 'test_catalog[LayerNorm-float64]'"
    assert f"replay: {replay}" in out
    # run as printed, it selects the failing test and only it
    rerun = _run(project, *replay.split()[3:5], "-k", "test_catalog[LayerNorm-float64]")
    rerun.assert_outcomes(failed=1, deselected=3)


def test_the_ini_option_names_catalogs_by_file_path(project):
    project.makepyprojecttoml('[tool.pytest.ini_options]\nmanual_bp_catalog = ["catalog.py:CATALOG"]\n')
    result = _run(project, "-k", "Swish")
    result.assert_outcomes(passed=2)
    assert "manual-bp catalogs: catalog.py:CATALOG" in result.stdout.str()


def test_a_value_that_is_not_a_catalog_fails_collection_with_one_line(project):
    result = _run(project, "--manual-bp-catalog", "my_layers:swish")
    assert result.ret != 0
    assert "my_layers:swish is a function; a catalog must be a non-empty list or tuple" in result.stdout.str()


# A dropout that draws its mask once and reuses it: every single forward is right (the gradient
# checks pass), only the distribution check's two forwards show it.
DROPOUT_CATALOG = """
import dataclasses, functools

import numpy as np

import manual_bp
from oracle.catalog import find_entry
from oracle.layers.dropout import seeded_dropout_layer


class FirstMaskDropout(manual_bp.Dropout):
    def forward(self, x, train_flg=True):
        first = getattr(self, "first", None)
        out = super().forward(x, train_flg)
        if self.mask is None:
            return out
        if first is None or first.shape != self.mask.shape:
            self.first = self.mask
            return out
        self.mask = first
        return np.where(first, np.asarray(x) / (1 - self.dropout_ratio), 0).astype(out.dtype)


CATALOG = [
    find_entry("Dropout"),
    dataclasses.replace(
        find_entry("Dropout"),
        name="Dropout[FirstMaskDropout]",
        layer=functools.partial(seeded_dropout_layer, layer=FirstMaskDropout),
    ),
]
"""


def test_a_rows_distribution_checks_run_in_its_test_and_fail_it_by_name(project):
    project.makepyfile(dropouts=DROPOUT_CATALOG)
    result = _run(project, "--manual-bp-catalog", "dropouts:CATALOG")
    result.assert_outcomes(passed=2, failed=2)
    out = result.stdout.str()
    for dtype in ("float64", "float32"):
        assert f"::test_catalog[Dropout[FirstMaskDropout]-{dtype}] FAILED" in out or (
            f"FAILED --manual-bp-catalog=dropouts:CATALOG::test_catalog[Dropout[FirstMaskDropout]-{dtype}]" in out
        )
    assert "Dropout[FirstMaskDropout]: keep rate: unit kept alike by two forwards at dropout_ratio=0.2: " in out
    assert "unit kept at dropout_ratio" not in out  # one mask, with the right keep rate
