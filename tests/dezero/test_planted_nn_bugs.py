"""`manual-bp verify --catalog` on the planted neural-network Function bugs: each fails in both
dtypes within the default examples, naming its quantity (the first order stays right)."""

import json
import pathlib

from broken_nn_functions import BROKEN

from oracle.cli import main

BROKEN_CATALOG = str(pathlib.Path(__file__).parent.parent / "broken_nn_functions.py") + ":CATALOG"


def test_every_planted_function_bug_fails_in_both_dtypes_naming_its_quantity(capsys):
    code = main(["verify", "--catalog", BROKEN_CATALOG, "--json", "--no-shrink", "--jobs", "1"])
    results = json.loads(capsys.readouterr().out)["results"]
    assert code == 1
    expected = {entry.name: quantity for entry, quantity in BROKEN.values()}
    assert {(r["layer"], r["dtype"]) for r in results} == {(n, d) for n in expected for d in ("float64", "float32")}
    for r in results:
        assert not r["passed"], f"{r['layer']} {r['dtype']} passed {r['examples']} examples"
        assert f"{r['layer']}: {expected[r['layer']]}" in r["failure"], r["failure"]
