"""`manual-bp verify --dtype float32` on gradients off by 3e-5 in float32 only: the computed bound
catches each one, in every row that used to carry a hand-set float32 tolerance."""

import json
import re

from broken_float32 import BROKEN
from planted import catalog_of

from oracle.cli import main


def test_a_float32_gradient_off_by_3e_5_fails_every_row_that_had_a_loosened_tolerance(capsys):
    code = main(["verify", "--catalog", catalog_of("broken_float32"), "--dtype", "float32", "--json", "--no-shrink"])
    results = json.loads(capsys.readouterr().out)["results"]
    assert code == 1
    expected = {entry.name: quantity for entry, quantity in BROKEN.values()}
    assert {r["layer"] for r in results} == set(expected) and {r["dtype"] for r in results} == {"float32"}
    for r in results:
        assert not r["passed"], f"{r['layer']} passed {r['examples']} float32 examples"
        named = rf"{re.escape(r['layer'])}: (call \d+ )?{expected[r['layer']]} does not match"  # any call of a sequence
        assert re.search(named, r["failure"]), r["failure"]
