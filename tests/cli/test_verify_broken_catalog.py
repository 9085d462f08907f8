"""`manual-bp verify --catalog` on the planted bugs: every row fails, in both dtypes, naming its quantity."""

import json

from broken_layers import BROKEN
from planted import assert_every_row_fails_naming_its_quantity, catalog_of

from oracle.cli import main

BROKEN_CATALOG = catalog_of("broken_layers")


def test_every_planted_bug_fails_in_both_dtypes_within_100_examples_naming_its_quantity(capsys):
    assert_every_row_fails_naming_its_quantity("broken_layers", BROKEN, capsys)


def test_worker_processes_give_the_results_of_one_process_in_catalog_order(capsys):
    """The same examples pass or fail alike. The error figures are compared only to rounding:
    this test process limits BLAS and XLA threads (conftest), the workers do not, and XLA's
    vectorised exp rounds a last ulp differently with another split of the work."""
    catalog = BROKEN_CATALOG.replace(":CATALOG", ":WORKER_CHECK")
    common = ["verify", "--catalog", catalog, "--examples", "5", "--json"]
    assert main([*common, "--jobs", "2"]) == 1
    parallel = json.loads(capsys.readouterr().out)["results"]
    assert main([*common, "--jobs", "1"]) == 1
    serial = json.loads(capsys.readouterr().out)["results"]
    exact = ("layer", "dtype", "examples", "seed", "passed", "failure", "case", "failed_quantity")
    assert [{k: r[k] for k in exact} for r in parallel] == [{k: r[k] for k in exact} for r in serial]
    assert [r["layer"] for r in serial] == ["Sigmoid"] * 2 + ["Pooling[WindowStepPooling]"] * 2
    for p, s in zip(parallel, serial):
        assert abs(p["worst_ratio"] - s["worst_ratio"]) <= 1e-3 * max(s["worst_ratio"], 1.0)
