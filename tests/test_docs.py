"""The documentation stays true: every Python example runs, every page is in the site, every link resolves.

The pages are ``README.md`` and every Markdown file under ``docs/`` (the MkDocs site,
``mkdocs.yml``). CI builds the site with ``mkdocs build --strict`` after the tests, which fails
on a broken link or anchor between pages; the tests here check what that build does not see
(README.md is not a page of the site) and that the build is set up to fail.
"""

import pathlib
import re
import subprocess
import sys

import pytest

from oracle.cli import build_parser

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
FENCE = re.compile(r"^```(\S*)\n(.*?)^```$", flags=re.S | re.M)
# A page may name a module the reader writes; the example runs with these stand-ins importable.
READER_MODULES = {"my_layers": ROOT / "tests" / "user_layers.py"}


def _name(page: pathlib.Path) -> str:
    return page.relative_to(ROOT).as_posix()


def _fenced_blocks(page: pathlib.Path) -> list[tuple[str, str]]:
    """``(language, code)`` of every fenced block of ``page``, in order."""
    return FENCE.findall(page.read_text())


PYTHON_EXAMPLES = [
    pytest.param(code, id=f"{_name(page)}:{index}")
    for page in PAGES
    for index, code in enumerate(code for language, code in _fenced_blocks(page) if language == "python")
]


def test_the_docs_have_python_examples_on_several_pages():
    pages = {param.id.split(":")[0] for param in PYTHON_EXAMPLES}
    assert {"README.md", "docs/guide/own-layers.md", "docs/book2/attention.md"} <= pages


@pytest.mark.parametrize("code", PYTHON_EXAMPLES)
def test_python_example_runs(code, tmp_path, monkeypatch):
    """Each block on its own, in a fresh namespace, from an empty working directory."""
    for module, source in READER_MODULES.items():
        (tmp_path / f"{module}.py").write_text(source.read_text())
        monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs example", "exec"), {"__name__": "docs_example"})


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_fenced_block_names_a_language_and_python_is_spelled_python(page):
    """An example fenced as ```py or without a language would silently escape the test above."""
    for language, code in _fenced_blocks(page):
        assert language in ("python", "bash", "text"), f"{_name(page)}: a block fenced ```{language}: {code[:60]!r}"


def test_every_page_under_docs_is_in_the_sites_navigation():
    nav = (ROOT / "mkdocs.yml").read_text().split("\nnav:", 1)[1]
    pages = [page.relative_to(DOCS).as_posix() for page in DOCS.rglob("*.md")]
    missing = [page for page in pages if page not in nav]
    assert not missing, f"pages not in mkdocs.yml's nav: {missing}"


def test_every_relative_link_of_the_readme_names_a_file_that_exists():
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", (ROOT / "README.md").read_text())
    relative = [link for link in links if "://" not in link]
    assert relative, "the README links to the site's pages"
    broken = [link for link in relative if not (ROOT / link).exists()]
    assert not broken, broken


def _parsers(parser):
    yield parser
    for action in parser._actions:
        if hasattr(action, "choices") and isinstance(action.choices, dict):
            for subparser in action.choices.values():
                yield from _parsers(subparser)


def test_the_generated_cli_reference_shows_every_command_and_option():
    cli_reference = _hook("cli_reference")
    parser = build_parser()
    page = cli_reference.on_page_markdown(f"# Reference\n\n{cli_reference.MARKER}\n", None, None, None)
    assert cli_reference.MARKER not in page
    for each in _parsers(parser):
        assert f"`{each.prog}`" in page, each.prog
        for action in each._actions:
            for option in action.option_strings:
                assert option in page, (each.prog, option)
    assert "manual-bp verify" in page and "manual-bp train" in page
    assert cli_reference.on_page_markdown("no marker here", None, None, None) == "no marker here"


def _hook(name: str):
    """A hook module of ``docs/hooks/``, imported as MkDocs does (by path)."""
    sys.path.insert(0, str(DOCS / "hooks"))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(DOCS / "hooks"))


# Documented elsewhere: the command line's modules by the generated command-line reference.
NOT_IN_THE_API_REFERENCE = ("oracle.cli",)


def test_every_module_of_both_packages_is_on_an_api_page():
    api_modules = _hook("api_modules")
    on_pages = set()
    for page in (DOCS / "api").glob("*.md"):
        text = page.read_text()
        on_pages |= set(re.findall(r"^::: ([\w.]+)$", text, flags=re.M))
        for package in re.findall(r"^<!-- api-modules: ([\w.]+) -->$", text, flags=re.M):
            on_pages |= set(api_modules.public_modules(package))
    everything = {
        module
        for package in ("manual_bp", "oracle")
        for module in api_modules.public_modules(package)
        if not module.startswith(NOT_IN_THE_API_REFERENCE)
    }
    packages = {module for module in everything if (ROOT / module.replace(".", "/") / "__init__.py").exists()}
    assert "manual_bp.layers.affine" in everything and "oracle.verify.verifier" in everything
    missing = sorted(everything - packages - on_pages)
    assert not missing, f"modules on no page of docs/api/: {missing}"


def test_an_api_marker_expands_to_its_packages_modules():
    api_modules = _hook("api_modules")
    page = api_modules.on_page_markdown("# API\n\n<!-- api-modules: manual_bp.networks -->\n", None, None, None)
    assert "::: manual_bp.networks.two_layer" in page and "::: manual_bp.networks.seq2seq" in page
    assert "<!--" not in page and "::: manual_bp.networks\n" not in page


def test_ci_builds_the_site_with_warnings_as_errors_after_the_tests():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    test_line = next(i for i, line in enumerate(lines) if "python -m pytest" in line)
    build_line = next(i for i, line in enumerate(lines) if "mkdocs build" in line)
    assert build_line > test_line and "--strict" in lines[build_line]


def test_the_strict_build_fails_on_a_broken_link_or_anchor(tmp_path):
    """A two-page site with this project's link validation: a link to a missing page or anchor fails it."""
    import yaml  # comes with mkdocs (extras `docs`, `dev`)

    settings = yaml.safe_load((ROOT / "mkdocs.yml").read_text().split("\nhooks:", 1)[0])
    assert settings["strict"] is True
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\n[fine](other.md#a-heading)\n")
    (tmp_path / "docs" / "other.md").write_text("# Other\n\n## A heading\n")
    site = {"site_name": "t", "strict": True, "validation": settings["validation"], "nav": ["index.md", "other.md"]}

    def build():
        (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(site))
        return subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(tmp_path / "site")],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert build().returncode == 0
    broken_links = {"[gone](missing.md)": "missing.md", "[gone](other.md#no-such-heading)": "#no-such-heading"}
    for broken, named in broken_links.items():
        (tmp_path / "docs" / "index.md").write_text(f"# Home\n\n{broken}\n")
        done = build()
        assert done.returncode != 0 and named in done.stdout + done.stderr, (broken, done.stderr)
