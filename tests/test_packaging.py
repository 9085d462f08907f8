"""manual_bp stands alone (NumPy only, importable without JAX) and imports point one way, down the layout."""

import ast
import pathlib
import subprocess
import sys

import manual_bp

PACKAGE = pathlib.Path(manual_bp.__file__).parent


def test_manual_bp_imports_without_jax_and_does_not_load_it():
    code = (
        "import sys; sys.modules['jax'] = None; import manual_bp; "
        "assert not any(m.startswith(('jax', 'oracle', 'hypothesis')) for m in sys.modules if sys.modules[m]); "
        "print(sorted(manual_bp.__all__))"
    )
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
    paths = sorted(PACKAGE.rglob("*.py"))
    assert PACKAGE / "layers" / "affine.py" in paths
    for path in paths:
        tree = ast.parse(path.read_text())
        for node in tree.body:
            roots = _imported_roots(node)
            assert roots <= allowed, f"{path} imports {roots - allowed} at module level"
        for node in ast.walk(tree):
            roots = _imported_roots(node)
            assert roots <= allowed | optional_inside_functions, f"{path} imports {roots - allowed}"


def test_public_names_are_exported():
    for name in ("AddLayer", "MulLayer", "ReLU", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "functions"):
        assert hasattr(manual_bp, name)
    for name in ("sigmoid", "softmax", "log_softmax", "cross_entropy_error"):
        assert callable(getattr(manual_bp.functions, name))


# The layout, bottom to top (README, "Layout"): a module may import its own group and the
# groups below it, never one above (and so never in a circle between groups).
LAYERS = (
    ("manual_bp._checks",),
    ("manual_bp.functions", "manual_bp.numerical", "manual_bp.optimizers"),
    ("manual_bp.layers", "manual_bp.data"),
    ("manual_bp.networks", "manual_bp.dezero"),  # dezero's NumPy forwards reuse the layers' kernels
    ("manual_bp.training",),
    ("manual_bp",),
    ("oracle.layers", "oracle.optimizers"),
    ("oracle.networks", "oracle.dezero"),
    ("oracle.verify",),
    ("oracle.catalog",),
    ("oracle.compare",),
    ("oracle.cli",),
    ("oracle",),
)


def _group(module: str) -> tuple[int, str]:
    """(height in LAYERS, group name) of the longest group that ``module`` is in."""
    best = None
    for height, groups in enumerate(LAYERS):
        for group in groups:
            if (module == group or module.startswith(group + ".")) and (best is None or len(group) > len(best[1])):
                best = (height, group)
    assert best is not None, f"{module} is in no group of the layout"
    return best


def _internal_imports(tree) -> set:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}  # `from pkg import module`
    return {name for name in found if name.split(".")[0] in ("manual_bp", "oracle")}


def _module_name(path: pathlib.Path, root: pathlib.Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] in ("__init__", "__main__") else parts)


def test_imports_point_down_the_layout():
    oracle_root = PACKAGE.parent / "oracle"
    upward = []
    for root in (PACKAGE, oracle_root):
        for path in sorted(root.rglob("*.py")):
            importer = _module_name(path, root)
            height, group = _group(importer)
            for imported in _internal_imports(ast.parse(path.read_text())):
                other_height, other_group = _group(imported)
                if other_group != group and other_height >= height:
                    upward.append(f"{importer} imports {imported}")
    assert not upward, "imports pointing up the layout: " + "; ".join(upward)


def test_the_layout_check_catches_an_upward_import():
    assert _group("oracle.verify.entry") == (8, "oracle.verify")
    assert _group("oracle.catalog.pooling") == (9, "oracle.catalog")
    assert _group("oracle.cli.verify") == (11, "oracle.cli")
    assert _internal_imports(ast.parse("from oracle.cli import main")) == {"oracle.cli", "oracle.cli.main"}
    assert _group("oracle.cli")[0] > _group("oracle.catalog")[0] > _group("oracle.verify.entry")[0]
