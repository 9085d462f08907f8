"""The claim every planted-bug catalog shares: `manual-bp verify --catalog` fails on each of its
rows, in both dtypes, within the default examples, and names the quantity that was planted."""

import json
import pathlib

from oracle.cli import main

TESTS = pathlib.Path(__file__).parent


def catalog_of(module: str) -> str:
    """``--catalog`` value of a planted-bug module beside this file (``broken_layers`` ...)."""
    return str(TESTS / f"{module}.py") + ":CATALOG"


def assert_every_row_fails_naming_its_quantity(module: str, broken: dict, capsys) -> list[dict]:
    """Run the default ``verify`` on ``module``'s catalog (no shrinking, one process) and assert
    that each row of ``broken`` (``{key: (entry, quantity)}``) failed in float64 and float32 with
    ``"<row>: <quantity>"`` in its report; return the JSON results for further claims."""
    code = main(["verify", "--catalog", catalog_of(module), "--json", "--no-shrink", "--jobs", "1"])
    results = json.loads(capsys.readouterr().out)["results"]
    assert code == 1
    expected = {entry.name: quantity for entry, quantity in broken.values()}
    assert {(r["layer"], r["dtype"]) for r in results} == {(n, d) for n in expected for d in ("float64", "float32")}
    for r in results:
        assert not r["passed"], f"{r['layer']} {r['dtype']} passed {r['examples']} examples"
        assert f"{r['layer']}: {expected[r['layer']]}" in r["failure"], r["failure"]
    return results
