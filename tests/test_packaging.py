"""manual_bp stands alone: NumPy only, importable without JAX."""

import ast
import pathlib
import subprocess
import sys

import manual_bp

PACKAGE = pathlib.Path(manual_bp.__file__).parent


def test_manual_bp_imports_without_jax_and_does_not_load_it():
    code = ("import sys; sys.modules['jax'] = None; import manual_bp; "
            "assert not any(m.startswith(('jax', 'oracle', 'hypothesis')) for m in sys.modules if sys.modules[m]); "
            "print(sorted(manual_bp.__all__))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "SoftmaxWithLoss" in done.stdout


def _imported_roots(node) -> set:
    if isinstance(node, ast.Import):
        return {alias.name.split(".")[0] for alias in node.names}
    if isinstance(node, ast.ImportFrom) and node.level == 0:
        return {node.module.split(".")[0]}
    return set()


def test_manual_bp_sources_import_only_numpy_and_the_standard_library():
    allowed = {"numpy", "manual_bp", "__future__"} | set(sys.stdlib_module_names)
    optional_inside_functions = {"sklearn"}  # the `data` extra, imported only by load_digits
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            roots = _imported_roots(node)
            assert roots <= allowed, f"{path.name} imports {roots - allowed} at module level"
        for node in ast.walk(tree):
            roots = _imported_roots(node)
            assert roots <= allowed | optional_inside_functions, f"{path.name} imports {roots - allowed}"


def test_public_names_are_exported():
    for name in ("AddLayer", "MulLayer", "ReLU", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "functions"):
        assert hasattr(manual_bp, name)
    for name in ("sigmoid", "softmax", "log_softmax", "cross_entropy_error"):
        assert callable(getattr(manual_bp.functions, name))
