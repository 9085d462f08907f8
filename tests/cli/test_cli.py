"""`manual-bp verify`: table, JSON, failure reports with replay, errors, the missing-extra message."""

import json
import pathlib
import subprocess
import sys

import pytest

from oracle.cli import main

BROKEN = str(pathlib.Path(__file__).parent.parent / "broken_layers.py") + ":CATALOG"


def test_verify_prints_a_table_and_exits_zero(capsys):
    assert main(["verify", "--layer", "relu", "--layer", "Affine", "--examples", "5"]) == 0
    out = capsys.readouterr().out
    for text in ("ReLU", "Affine", "float64", "float32", "pass", "4 of 4 passed"):
        assert text in out


def test_verify_json_is_machine_readable(capsys):
    assert main(["verify", "--layer", "Sigmoid", "--dtype", "float32", "--examples", "7", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["passed"] is True
    (row,) = report["results"]
    assert (row["layer"], row["dtype"], row["examples"], row["passed"]) == ("Sigmoid", "float32", 7, True)
    assert row["max_abs_error"] >= 0 and row["worst_ratio"] <= 1


def test_a_broken_layer_fails_with_the_shrunk_case_and_a_replay_command(capsys):
    code = main(
        ["verify", "--catalog", BROKEN, "--layer", "ReLU[KinkAtZeroReLU]", "--dtype", "float64", "--examples", "50"]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL" in out and "ReLU[KinkAtZeroReLU]: dx does not match the JAX oracle (float64)" in out
    assert "shrunk counterexample:\nCase(inputs={'x': array(" in out
    assert (
        "replay: manual-bp verify --layer ReLU[KinkAtZeroReLU] --dtype float64 --seed 0 --examples 50 "
        f"--catalog {BROKEN}" in out
    )


def test_a_broken_layer_fails_in_json_too(capsys):
    code = main(["verify", "--catalog", BROKEN, "--layer", "Sigmoid[IgnoresDoutSigmoid]", "--examples", "20", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["passed"] is False
    assert all("dx" in row["failure"] for row in report["results"])


def test_unknown_layer_is_a_usage_error(capsys):
    assert main(["verify", "--layer", "Conv"]) == 2
    assert "no layer 'Conv' in the catalog; known: AddLayer" in capsys.readouterr().err


def test_bad_catalog_spec_is_a_usage_error(capsys):
    assert main(["verify", "--catalog", "nowhere.py:CATALOG"]) == 2
    assert "--catalog file nowhere.py does not exist" in capsys.readouterr().err


def test_list_shows_layers_and_conventions(capsys):
    assert main(["verify", "--list"]) == 0
    out = capsys.readouterr().out
    assert "ReLU(x): ReLU'(0) = 0" in out and "Affine(x, W, b)" in out


def test_list_shows_the_sequence_checks_of_the_rows_that_carry_state(capsys):
    assert main(["verify", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for row in ("TimeRNN(", "TimeLSTM(", "TimeGRU(", "BatchNormalization("):
        at = next(i for i, line in enumerate(lines) if line.startswith(row))
        assert lines[at + 1].startswith("  sequences: "), lines[at : at + 2]
    assert "reset_state() or set_state(h[, c])" in "\n".join(lines)
    assert not any(line.startswith("  sequences: ") for line in lines[:3])  # ReLU, ... carry nothing


def test_examples_must_be_positive(capsys):
    with pytest.raises(SystemExit):
        main(["verify", "--examples", "0"])
    assert "must be at least 1" in capsys.readouterr().err


def test_missing_extra_is_explained_in_one_line():
    code = "import sys; sys.modules['jax'] = None; from oracle.cli import main; sys.exit(main(['verify']))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "manual-bp: the oracle extra is not installed (no module 'jax'); run: pip install 'manual-bp[oracle]'"
    )


def test_help_works_and_lists_the_options():
    done = subprocess.run(
        [sys.executable, "-m", "oracle.cli", "verify", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    for option in ("--layer", "--examples", "--dtype", "--seed", "--json", "--catalog"):
        assert option in done.stdout
