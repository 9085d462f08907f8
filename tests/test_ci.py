"""CI checks lint, format and types after the tests, and each of the three fails on its own kind of fault."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

CLEAN = (
    '"""A module that passes ruff check, ruff format --check and mypy."""\n\n\n'
    "def double(x: int) -> int:\n    return 2 * x\n"
)
FAULTS = {
    "ruff check": CLEAN + "\n\nimport os\n",  # an unused import, after the code (F401, E402)
    "ruff format": CLEAN.replace("return 2 * x", "return 2*x"),  # lints clean, formats differently
    "mypy": CLEAN + '\n\nHALF: int = "0.5"\n',  # a str where an int is declared
}


def test_ci_runs_the_lint_script_after_the_test_command():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    test_line = next(i for i, line in enumerate(lines) if "python -m pytest" in line)
    assert lines.index(".ci/lint") > test_line
    assert {"ruff check", "ruff format --check", "mypy"} <= {
        step for step in ("ruff check", "ruff format --check", "mypy") if step in (ROOT / ".ci" / "lint").read_text()
    }


def test_both_packages_ship_a_py_typed_marker():
    assert (ROOT / "manual_bp" / "py.typed").is_file() and (ROOT / "oracle" / "py.typed").is_file()


def _run_lint(tmp_path: pathlib.Path, module_text: str) -> subprocess.CompletedProcess:
    """Run the project's own .ci/lint and pyproject.toml on a two-package tree holding ``module_text``."""
    shutil.copytree(ROOT / ".ci", tmp_path / ".ci")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for package in ("manual_bp", "oracle"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(f'"""The {package} stand-in."""\n')
    (tmp_path / "oracle" / "module.py").write_text(module_text)
    env = {**os.environ, "PATH": f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        [str(tmp_path / ".ci" / "lint")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )


def test_lint_passes_a_clean_tree(tmp_path):
    done = _run_lint(tmp_path, CLEAN)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("tool", FAULTS)
def test_lint_fails_on_a_fault_its_tool_finds(tmp_path, tool):
    done = _run_lint(tmp_path, FAULTS[tool])
    assert done.returncode != 0
    output = done.stdout + done.stderr
    found = {"ruff check": "F401", "ruff format": "would be reformatted", "mypy": "Incompatible types in assignment"}[
        tool
    ]
    assert found in output, output
