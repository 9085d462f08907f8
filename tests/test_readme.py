"""The README opens with the two set-up commands CI runs, stays short, and the command-line page documents every option.

Its Python examples, and those of every page under ``docs/``, run in ``tests/test_docs.py``.
"""

import pathlib
import re

import pytest

from oracle.cli import build_parser

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
CLI_PAGE = (ROOT / "docs" / "cli" / "index.md").read_text()  # what each option means, by hand


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_readme_opens_with_the_two_set_up_commands():
    first = _blocks("bash")[0].strip().splitlines()
    assert README.index("```bash") < README.index("## ")
    assert len(first) == 2
    assert first[0].endswith("manual-bp verify") and "pytest" in first[1]


def test_ci_runs_exactly_the_readmes_test_command():
    test_command = _blocks("bash")[0].strip().splitlines()[1]
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_readme_is_short_and_the_rest_is_on_the_site():
    assert len(README.splitlines()) <= 200
    assert "mkdocs serve" in README


@pytest.mark.parametrize("command", ["verify", "compare", "train"])
def test_every_option_of_every_command_is_documented(command):
    parser = build_parser()._subparsers._group_actions[0].choices[command]
    section = CLI_PAGE[CLI_PAGE.index(f"## `manual-bp {command}`") :]
    for action in parser._actions:
        for option in action.option_strings:
            if option.startswith("--") and option != "--help":
                assert f"`{option}" in section, option
