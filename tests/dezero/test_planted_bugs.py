"""`manual-bp verify --catalog` on the planted Function bugs: every row fails, in both dtypes,
within the default examples, naming its quantity; the second-order ones are right to first order."""

import json
import pathlib

from broken_functions import BROKEN

from oracle.cli import main

BROKEN_CATALOG = str(pathlib.Path(__file__).parent.parent / "broken_functions.py") + ":CATALOG"
FIRST_ORDER_RIGHT = ("CachedTanh", "OwnOutputGetItemGrad", "DataSin")


def test_every_planted_function_bug_fails_in_both_dtypes_naming_its_quantity(capsys):
    code = main(["verify", "--catalog", BROKEN_CATALOG, "--json", "--no-shrink", "--jobs", "1"])
    results = json.loads(capsys.readouterr().out)["results"]
    assert code == 1
    expected = {entry.name: quantity for entry, quantity in BROKEN.values()}
    assert {(r["layer"], r["dtype"]) for r in results} == {(n, d) for n in expected for d in ("float64", "float32")}
    for r in results:
        assert not r["passed"], f"{r['layer']} {r['dtype']} passed {r['examples']} examples"
        assert f"{r['layer']}: {expected[r['layer']]}" in r["failure"], r["failure"]
        if r["layer"].endswith(tuple(f"[{label}]" for label in FIRST_ORDER_RIGHT)):
            assert f"{r['layer']}: dx " not in r["failure"] and f"{r['layer']}: forward" not in r["failure"]
