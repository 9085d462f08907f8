"""`manual-bp verify --catalog` names what it found when the attribute is not a catalog, and exits 2."""

import pathlib
import subprocess
import sys

from oracle.cli import main

USER_LAYERS = pathlib.Path(__file__).resolve().parent.parent / "user_layers.py"


def test_a_module_given_as_catalog_is_a_one_line_usage_error(capsys):
    assert main(["verify", "--catalog", "os:path"]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0
    assert (
        "--catalog os:path is a module (posixpath); a catalog must be a non-empty list or tuple of "
        "oracle.CatalogEntry rows" in err.replace("\n", "")
    )


def test_a_function_given_as_catalog_says_so(capsys):
    assert main(["verify", "--catalog", f"{USER_LAYERS}:swish"]) == 2
    assert "swish is a function; a catalog must be" in capsys.readouterr().err.replace("\n", "")


def test_the_command_ends_without_a_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "oracle.cli", "verify", "--catalog", "os:path"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=USER_LAYERS.parent.parent,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "is a module" in done.stderr


def test_a_short_form_catalog_runs_through_the_command(capsys):
    assert main(["verify", "--catalog", f"{USER_LAYERS}:CATALOG", "--examples", "10"]) == 0
    assert "4 of 4 passed" in capsys.readouterr().out
