"""manual-bp compare: three gradients per case, errors that rank them, kinks flagged, the plot."""

import contextlib
import io
import json
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import manual_bp
from oracle.catalog import CATALOG, find_entry
from oracle.cli import main
from oracle.compare.gradient_check import CASE_SHAPES, check_layer, layer_case
from oracle.verify.strategies import Case

SMALL = ["--sizes", "6,4,3", "--batch", "2"]  # a network whose numerical gradient takes ~10 ms


def run_json(capsys, *arguments):
    status = main(["compare", *SMALL, "--json", *arguments])
    return status, json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def everything():
    """One default-selection run (every layer and the network, both dtypes) as parsed JSON."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = main(["compare", *SMALL, "--json"])
    return status, json.loads(buffer.getvalue())


def test_default_run_covers_every_catalog_layer_and_the_network_in_both_dtypes(everything):
    status, report = everything
    compared = {(r["name"], r["dtype"]) for r in report["results"]}
    crashed = {(e["name"], e["dtype"]) for e in report["errors"]}  # a layer that raised, reported
    expected = {(e.name, d) for e in CATALOG for d in ("float64", "float32")}
    expected |= {("TwoLayerNet(6, 4, 3)", d) for d in ("float64", "float32")}
    assert compared | crashed == expected and not compared & crashed
    assert status == (0 if report["passed"] else 1)
    assert report["passed"] == (not crashed and all(r["within_tolerance"] for r in report["results"]))


def test_chapter_5_layers_and_the_network_compare_cleanly(everything):
    _, report = everything
    chapter_5 = set(CASE_SHAPES) | {"TwoLayerNet(6, 4, 3)"}
    assert not [e for e in report["errors"] if e["name"] in chapter_5]
    assert all(r["within_tolerance"] for r in report["results"] if r["name"] in chapter_5)


def test_manual_matches_jax_to_rounding_and_finite_differences_only_loosely(everything):
    _, report = everything
    for result in report["results"]:
        if not result["within_tolerance"]:
            continue  # a broken layer: reported as such, see the test above
        worst = result["max_rel"]
        if result["dtype"] == "float64":
            assert worst["manual_vs_jax"] < 1e-13, result["name"]
            assert worst["numerical_vs_jax"] < 1e-6, result["name"]
        else:
            assert worst["manual_vs_jax"] < 1e-5, result["name"]
        # Triangle inequality: numerical vs manual and numerical vs JAX differ by at most the
        # (tiny) manual error along the same directions, so "numerical vs manual" is the book's
        # check of the same thing.
        errors = result["errors"]
        for quantity, along in result["directional"].items():
            manual_error = np.max(np.abs(np.subtract(along["manual"], along["jax"])))
            gap = abs(
                errors["numerical_vs_manual"][quantity]["max_abs"] - errors["numerical_vs_jax"][quantity]["max_abs"]
            )
            assert gap <= manual_error * (1 + 1e-9) + 1e-300, (result["name"], quantity)


def test_finite_differences_are_the_least_accurate_of_the_three_for_the_network(everything):
    _, report = everything
    for result in report["results"]:
        if result["name"].startswith("TwoLayerNet"):
            assert result["max_rel"]["numerical_vs_jax"] > 1000 * result["max_rel"]["manual_vs_jax"]
            assert result["book"] == {} and result["numerical_mode"] == "directional"
            assert result["units"] == 2 * 4  # batch x hidden pre-activations inspected for kinks


def test_the_default_takes_8_directional_derivatives_per_quantity_of_each_method(everything):
    _, report = everything
    assert (report["numerical"], report["directions"]) == ("directional", 8)
    for result in report["results"]:
        assert set(result["directional"]) == set(result["errors"]["manual_vs_jax"]), result["name"]
        for along in result["directional"].values():
            assert [len(along[k]) for k in ("numerical", "manual", "jax")] == [8, 8, 8]


def test_full_mode_takes_every_entry_and_gives_the_books_figures(capsys):
    _, report = run_json(
        capsys, "--network", "two-layer", "--layer", "Affine", "--dtype", "float64", "--numerical", "full"
    )
    for result in report["results"]:
        assert (result["numerical_mode"], result["directions"], result["directional"]) == ("full", 0, {})
        assert result["max_rel"]["numerical_vs_jax"] < 1e-6
    network = report["results"][-1]
    assert set(network["book"]) == {"W1", "b1", "W2", "b2"} and all(0 < v < 1e-6 for v in network["book"].values())


def test_every_timing_is_reported_and_positive_and_eager_jax_only_when_asked(everything, capsys):
    _, report = everything
    for result in report["results"]:
        seconds = result["seconds"]
        assert set(seconds) == {"manual", "jax_eager", "jax_jit", "jax_compile", "numerical"}
        assert seconds["jax_eager"] is None
        assert (
            all(seconds[k] >= 0 for k in ("jax_jit", "jax_compile")) and seconds["numerical"] > 0 > -seconds["manual"]
        )
    _, report = run_json(capsys, "--layer", "ReLU", "--network", "two-layer", "--dtype", "float64", "--eager")
    assert all(r["seconds"]["jax_eager"] > 0 for r in report["results"])


def test_the_same_seed_draws_the_same_case_and_another_seed_a_different_one(capsys):
    def errors(seed):
        _, report = run_json(capsys, "--layer", "Affine", "--dtype", "float64", "--seed", str(seed))
        (result,) = report["results"]
        return result["errors"]["numerical_vs_jax"]

    assert errors(3) == errors(3)
    assert errors(3) != errors(4)


def test_naming_a_network_or_layers_selects_only_those(capsys):
    _, report = run_json(capsys, "--network", "two-layer", "--dtype", "float64")
    assert [r["name"] for r in report["results"]] == ["TwoLayerNet(6, 4, 3)"]
    _, report = run_json(capsys, "--layer", "relu", "--layer", "Sigmoid", "--dtype", "float32")
    assert [(r["name"], r["dtype"]) for r in report["results"]] == [("ReLU", "float32"), ("Sigmoid", "float32")]


def test_table_output_prints_the_books_per_parameter_lines_in_full_mode(capsys):
    status = main(["compare", *SMALL, "--network", "two-layer", "--dtype", "float64", "--numerical", "full"])
    out = capsys.readouterr().out
    assert status == 0
    assert "Gradient errors" in out and "Time of one gradient" in out
    assert "TwoLayerNet(6, 4, 3), float64, batch 2: mean |numerical - backprop| per parameter" in out
    for name in ("W1", "b1", "W2", "b2"):
        assert any(line.startswith(f"{name}:") and "e-" in line for line in out.splitlines()), name


def test_unknown_layer_is_reported_in_one_line(capsys):
    assert main(["compare", "--layer", "Conv"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("manual-bp compare: no layer 'Conv' in the catalog; known: AddLayer")
    assert "\n" not in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--h", "0"], r"argument --h: must be a positive finite number, got 0"),
        (["--h", "abc"], r"argument --h: must be a number, got 'abc'"),
        (["--sizes", "784,50"], r"argument --sizes: must be three sizes IN,HIDDEN,OUT"),
        (["--batch", "0"], r"argument --batch: must be at least 1, got 0"),
        (["--seed", "-1"], r"argument --seed: must be at least 0, got -1"),
        (["--network", "cnn"], r"argument --network: invalid choice: 'cnn'"),
        (["--directions", "0"], r"argument --directions: must be at least 1, got 0"),
        (["--numerical", "some"], r"argument --numerical: invalid choice: 'some'"),
    ],
)
def test_bad_options_are_rejected_naming_the_option(capsys, arguments, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", *arguments])
    assert exit_info.value.code == 2
    assert re.search(message, capsys.readouterr().err)


def test_a_planted_backward_bug_fails_the_row_and_the_exit_status(capsys, monkeypatch):
    correct = manual_bp.Affine.backward
    monkeypatch.setattr(manual_bp.Affine, "backward", lambda self, dout: 1.001 * correct(self, dout))
    status = main(["compare", *SMALL, "--layer", "Affine", "--dtype", "float64"])
    out = capsys.readouterr().out
    assert status == 1
    assert "FAIL" in out and "Affine float64: manual backward outside the verify tolerance" in out


# -- kinks ---------------------------------------------------------------------------------------
def test_a_relu_input_within_h_of_zero_is_flagged_and_explains_the_numerical_error():
    entry = find_entry("ReLU")
    case = Case({"x": np.array([[0.0, 1.0, -2.0, 3e-5]])}, {}, np.array([[2.0, 1.0, 1.0, 1.0]]))
    result = check_layer(entry, case, h=1e-4, numerical="full")
    assert (result.kinks, result.units) == (2, 4)  # 0 and 3e-5 lie within h of the kink
    assert result.max_rel("manual_vs_jax") == 0.0
    # At x = 0 the central difference sees half the slope, 2 * 0.5 = 1 where JAX says 0; at
    # 3e-5 it sees (1.3e-4 - 0) / 2e-4 = 0.65 where JAX says 1. Elsewhere it is exact.
    assert result.errors["numerical_vs_jax"]["x"][0] == pytest.approx(1.0, rel=1e-9)


def test_a_directional_step_that_crosses_relus_kink_is_flagged_and_one_that_does_not_is_not():
    entry = find_entry("ReLU")
    case = Case({"x": np.array([[0.0, 1.0, -2.0, 0.5]])}, {}, np.array([[2.0, 1.0, 1.0, 1.0]]))
    result = check_layer(entry, case, h=1e-4, directions=4)
    assert (result.kinks, result.units) == (1, 4)  # only x = 0 changes sign under a step of 1e-4
    assert result.max_rel("numerical_vs_jax") > 1e-3  # the crossing directions average both slopes
    smooth = check_layer(entry, Case({"x": np.array([[0.3, 1.0, -2.0, 0.5]])}, {}, case.dout), h=1e-4)
    assert (smooth.kinks, smooth.max_rel("numerical_vs_jax") < 1e-9) == (0, True)


def test_a_network_unit_whose_pre_activation_a_direction_flips_is_flagged():
    from manual_bp import TwoLayerNet
    from oracle.compare.network_check import check_network

    net = TwoLayerNet(3, 2, 2, seed=0)
    x = np.array([[1.0, 0.0, 0.0]])
    net.params["W1"][:] = [[0.0, 1.0], [0.5, 0.5], [0.5, 0.5]]  # unit 0: a1 = 0, on the kink; unit 1: a1 = 1
    result = check_network(net, x, np.array([1]), h=1e-4, directions=4)
    assert (result.kinks, result.units) == (1, 2)
    assert result.max_rel("manual_vs_jax") < 1e-15


def test_a_wrong_backward_shows_in_numerical_vs_manual_but_not_in_numerical_vs_jax(monkeypatch):
    entry = find_entry("Sigmoid")
    case = layer_case(entry, "float64", np.random.default_rng(1), batch=3)
    correct = manual_bp.Sigmoid.backward
    monkeypatch.setattr(manual_bp.Sigmoid, "backward", lambda self, dout: 1.01 * correct(self, dout))
    result = check_layer(entry, case, directions=2)
    assert result.max_rel("numerical_vs_manual") > 1e-3 > 1e-8 > result.max_rel("numerical_vs_jax")
    assert not result.within_tolerance


def test_every_catalog_layer_gets_a_deterministic_case_of_its_dtype():
    for entry in CATALOG:
        first = layer_case(entry, "float32", np.random.default_rng(5), batch=2, seed=5)
        again = layer_case(entry, "float32", np.random.default_rng(5), batch=2, seed=5)
        for name, value in {**first.inputs, **first.params}.items():
            np.testing.assert_array_equal(value, {**again.inputs, **again.params}[name])
            if name not in entry.nondiff:
                assert np.asarray(value).dtype == np.float32, (entry.name, name)
        np.testing.assert_array_equal(first.dout, again.dout)


def test_chapter_5_cases_have_the_requested_batch_and_a_random_cotangent():
    for name in CASE_SHAPES:
        case = layer_case(find_entry(name), "float64", np.random.default_rng(0), batch=5)
        assert case.inputs["x"].shape[0] == 5
        assert np.ndim(case.dout) == 0 or len(np.unique(case.dout)) == case.dout.size


# -- the plot -----------------------------------------------------------------------------------
def test_plot_writes_a_png_of_a_v_shaped_error_curve(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "fd.png"
    status, report = run_json(capsys, "--layer", "ReLU", "--dtype", "float64", "--plot", str(path))
    assert status == 0
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    curves = report["plot"]["curves"]
    for dtype in ("float64", "float32"):
        errors = np.array(curves[dtype]["numerical"])
        best = int(np.argmin(errors))
        assert 0 < best < len(errors) - 1, dtype  # falls, then rises again: a V
        assert errors[0] > 10 * errors[best] and errors[-1] > 10 * errors[best], dtype
    assert min(curves["float64"]["numerical"]) < 1e-3 * min(curves["float32"]["numerical"])
    assert curves["float64"]["manual"] < 1e-12


def test_plot_without_matplotlib_fails_in_one_line_naming_the_extra(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    assert main(["compare", "--layer", "ReLU", "--plot", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "manual-bp compare: --plot needs matplotlib, which is not installed; run: pip install 'manual-bp[plot]'"
    )
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("where", ["under a file", "/proc"])
def test_plot_where_no_file_can_be_written_fails_before_any_work(capsys, tmp_path, where):
    (tmp_path / "taken").write_text("a file")
    path = tmp_path / "taken" / "fd.png" if where == "under a file" else pathlib.Path("/proc/fd.png")
    assert main(["compare", "--plot", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"manual-bp compare: --plot {path}: ") and "\n" not in err


def test_cli_module_still_imports_only_the_standard_library():
    code = (
        "import sys, oracle.cli; "
        "print(sorted(m for m in ('numpy', 'jax', 'rich', 'hypothesis', 'matplotlib') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
