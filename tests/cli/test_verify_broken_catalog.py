"""`manual-bp verify --catalog` on the planted bugs: every row fails, in both dtypes, naming its quantity."""

import json
import pathlib

from broken_layers import BROKEN

from oracle.cli import main

BROKEN_CATALOG = str(pathlib.Path(__file__).parent.parent / "broken_layers.py") + ":CATALOG"


def test_every_planted_bug_fails_in_both_dtypes_within_100_examples_naming_its_quantity(capsys):
    code = main(["verify", "--catalog", BROKEN_CATALOG, "--json", "--no-shrink", "--jobs", "1"])
    results = json.loads(capsys.readouterr().out)["results"]
    assert code == 1
    expected = {entry.name: quantity for entry, quantity in BROKEN.values()}
    assert {(r["layer"], r["dtype"]) for r in results} == {(n, d) for n in expected for d in ("float64", "float32")}
    for r in results:
        assert not r["passed"], f"{r['layer']} {r['dtype']} passed {r['examples']} examples"
        assert f"{r['layer']}: {expected[r['layer']]}" in r["failure"], r["failure"]


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
