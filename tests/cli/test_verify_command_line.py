"""`manual-bp verify` and `compare`: a bad command line or catalog is one line naming the option or
file, exit status 2; a catalog module is found in the working directory; tables are never cut."""

import pathlib
import subprocess
import sys

import pytest

from oracle.cli import main

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
GOOD_ROW = """
from manual_bp import ReLU
from oracle import row
from oracle.layers.activations import relu

CATALOG = [row("MyReLU", ReLU, relu, inputs={"x": ("N", 3)})]
"""


def _run(argv, capsys):
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code
    return status, capsys.readouterr().err.strip()


def _catalog_files(tmp_path):
    files = {
        "syntax_bad.py": "CATALOG = [\n  row(\n",
        "name_bad.py": "x = 1\nCATALOG = [undefined_row]\n",
        "import_bad.py": "import no_such_package_here\nCATALOG = []\n",
        "layers.txt": GOOD_ROW,
        "empty_catalog.py": "CATALOG = []\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)


CASES = [
    (
        ["verify", "--catalog", "syntax_bad.py:CATALOG"],
        "--catalog syntax_bad.py: ",
        "syntax_bad.py:2: SyntaxError: '(' was never closed",
    ),
    (["verify", "--catalog", "name_bad.py:CATALOG"], "name_bad.py:2: NameError: name 'undefined_row' is not defined"),
    (["verify", "--catalog", "name_bad:CATALOG"], "name_bad.py:2: NameError: name 'undefined_row' is not defined"),
    (["verify", "--catalog", "import_bad.py:CATALOG"], "import_bad.py:1: ModuleNotFoundError: No module named"),
    (["verify", "--catalog", "layers.txt:CATALOG"], "--catalog file layers.txt is not a Python file (.txt"),
    (["verify", "--catalog", "sub/layers:CATALOG"], "--catalog file sub/layers is not a Python file"),
    (["verify", "--catalog", "nowhere.py:CATALOG"], "--catalog file nowhere.py does not exist"),
    (["verify", "--catalog", "no_such_module_xyz:CATALOG"], "--catalog: no module named 'no_such_module_xyz' in "),
    (["verify", "--catalog", "empty_catalog.py:CATALOG"], "is an empty list; a catalog must be a non-empty list"),
    (["verify", "--catalog", "CATALOG"], "--catalog must look like MODULE:NAME or FILE.py:NAME"),
    (["verify", "--layer", "Conv"], "no layer 'Conv' in the catalog"),
    (["verify", "--examples", "0"], "argument --examples: must be at least 1, got 0"),
    (["verify", "--dtype", "float16"], "argument --dtype: invalid choice: 'float16'"),
    (["verify", "--jobs", "x"], "argument --jobs: must be an integer, got 'x'"),
    (["compare", "--plot", "/proc/fd.png"], "--plot /proc/fd.png: cannot create a file in /proc"),
    (["compare", "--layer", "Conv"], "Conv"),
    (["compare", "--batch", "0"], "argument --batch: must be at least 1"),
    (["train", "--bogus"], "unrecognized arguments: --bogus"),
]


@pytest.fixture
def forget_user_modules():
    """The catalog modules a test imports are not left in ``sys.modules`` for the next one."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.endswith(("_bad", "_layers", "_catalog", "layers")):
            del sys.modules[name]


@pytest.mark.usefixtures("forget_user_modules")
@pytest.mark.parametrize(("argv", "message"), [(c[0], c[-1]) for c in CASES], ids=[" ".join(c[0]) for c in CASES])
def test_a_bad_command_line_or_catalog_is_one_line_with_exit_status_2(argv, message, tmp_path, monkeypatch, capsys):
    _catalog_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    status, err = _run(argv, capsys)
    assert status == 2
    assert message in err and "\n" not in err and "Traceback" not in err, err


@pytest.mark.usefixtures("forget_user_modules")
def test_a_catalog_module_in_the_working_directory_is_found_as_pytest_finds_it(tmp_path, monkeypatch, capsys):
    (tmp_path / "my_cwd_layers.py").write_text(GOOD_ROW)
    monkeypatch.chdir(tmp_path)
    assert main(["verify", "--catalog", "my_cwd_layers:CATALOG", "--examples", "3", "--dtype", "float64"]) == 0
    assert "1 of 1 passed" in capsys.readouterr().out
    assert str(tmp_path) not in sys.path  # put first while importing, then taken away


def test_the_console_script_finds_a_catalog_module_in_the_working_directory(tmp_path):
    """``manual-bp`` (not ``python -m``) does not put the working directory on ``sys.path`` itself."""
    (tmp_path / "script_layers.py").write_text(GOOD_ROW)
    code = "import sys; from oracle.cli import main; sys.exit(main(sys.argv[1:]))"
    argv = ["verify", "--catalog", "script_layers:CATALOG", "--list"]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONSAFEPATH": "1"}
    done = subprocess.run([sys.executable, "-c", code, *argv], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("MyReLU(x)")


def test_a_piped_table_is_never_cut(tmp_path):
    argv = ["verify", "--layer", "TimeSoftmaxWithLoss", "--examples", "2", "--dtype", "float64"]
    done = subprocess.run(
        [sys.executable, "-m", "oracle.cli", *argv], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert "TimeSoftmaxWithLoss" in done.stdout and "…" not in done.stdout, done.stdout
