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
    common = ["verify", "--layer", "Sigmoid", "--layer", "Pooling", "--examples", "5", "--json"]
    assert main([*common, "--jobs", "2"]) == 0
    parallel = json.loads(capsys.readouterr().out)["results"]
    assert main([*common, "--jobs", "1"]) == 0
    serial = json.loads(capsys.readouterr().out)["results"]
    assert [(r["layer"], r["dtype"]) for r in parallel] == [(r["layer"], r["dtype"]) for r in serial]
    assert parallel == serial
