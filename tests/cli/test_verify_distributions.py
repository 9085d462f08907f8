"""`manual-bp verify` runs the distribution checks: a line each in the table and the JSON, with their cost."""

import json
import pathlib

from oracle.cli import main

BROKEN = str(pathlib.Path(__file__).parent.parent / "broken_layers.py") + ":CATALOG"


def test_list_shows_each_rows_distribution_checks_under_it(capsys):
    assert main(["verify", "--list", "--layer", "Dropout", "--layer", "NegativeSamplingLoss"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Dropout(x, mask, seed): ")
    assert lines[1].startswith("  in distribution: keep rate: each unit kept with probability 1 - dropout_ratio")
    assert lines[2].startswith("NegativeSamplingLoss(h, target, W, negatives, corpus, seed): ")
    assert lines[3].startswith("  in distribution: negatives (power=0.75, K=1): ")
    assert lines[4].startswith("  in distribution: negatives (power=0.5, K=3): ")
    assert len(lines) == 5


def test_the_json_has_every_check_per_row_and_dtype_with_its_figures_and_cost(capsys):
    assert main(["verify", "--layer", "NegativeSamplingLoss", "--examples", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert 0 < report["distribution_seconds"] < report["seconds"]
    for row in report["results"]:
        checks = row["distributions"]
        assert [c["check"] for c in checks] == [
            "negatives (power=0.75, K=1)",
            "negatives (power=0.5, K=3)",
        ]
        for c in checks:
            assert c["passed"] and c["failure"] is None
            assert c["draws"] == 42 * 1_500 and c["categories"] == 42
            assert c["bound"] == 1e-6 / 84 and c["smallest_tail"] > c["bound"]
            assert c["seconds"] > 0


def test_the_table_gets_a_line_per_check_and_a_failed_check_fails_its_row(capsys):
    code = main(["verify", "--catalog", BROKEN, "--layer", "Dropout[KeepRatioDropout]", "--examples", "5"])
    out = capsys.readouterr().out
    assert code == 1
    assert "random components: draws vs the documented law" in out
    table = [line for line in out.splitlines() if "keep rate" in line and "│" in line]
    assert len(table) == 4  # the main table's "of" column and the check's line, in each dtype
    assert all("FAIL" in line for line in table)
    assert "Dropout[KeepRatioDropout]: keep rate: unit kept at dropout_ratio=0.2: " in out
    assert "0 of 2 passed" in out
