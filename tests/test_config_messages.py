"""A config file's mistakes said in words its author recognises: what is wrong with the value written (an
empty list of sources, a list holding a number), the `[tool.papers2anki]` table copied into a
`papers2anki.toml` (whose keys go at the top level), and a `sources` path that does not exist named as
the config's, not as a SOURCES argument nobody typed. Through the CLI, from the course's folder and one
below it; each a usage error (exit 2) that writes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from papers2anki.cli import main

PAPER = "Attention Is All You Need\n\n1. Зачем нужно позиционное кодирование?\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def course(folder: Path, name: str, config: str) -> None:
    (folder / "lists").mkdir(parents=True)
    (folder / "lists" / "week-01.txt").write_text(PAPER, encoding="utf-8")
    (folder / name).write_text(config, encoding="utf-8")


CASES = [
    ("pyproject.toml", "[tool.papers2anki]\nsources = []\n", "pyproject.toml:2: 'sources' must be", "empty list"),
    (
        "pyproject.toml",
        "[tool.papers2anki]\n\nsources = ['lists', 1]\n",
        "pyproject.toml:3: 'sources' must be",
        "a list holding a number",
    ),
    ("papers2anki.toml", "sources = [true]\n", "papers2anki.toml:1: 'sources' must be", "a list holding a boolean"),
    (
        "papers2anki.toml",
        "[tool.papers2anki]\nsources = 'lists'\n",
        "papers2anki.toml:1: unknown key 'tool'",
        "a papers2anki.toml has its keys at the top level, without [tool.papers2anki]",
    ),
    (
        "pyproject.toml",
        "[tool.papers2anki]\nsources = ['lists', 'week-02']\n",
        "pyproject.toml:2: 'sources' names 'week-02'",
        "does not exist",
    ),
    ("papers2anki.toml", "\nsources = 'lits'\n", "papers2anki.toml:2: 'sources' names 'lits'", "does not exist"),
]


@pytest.mark.parametrize(("name", "config", "message", "words"), CASES)
def test_a_config_mistake_is_said_in_its_own_words(
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
    name: str,
    config: str,
    message: str,
    words: str,
) -> None:
    course(tmp_path, name, config)
    monkeypatch.chdir(tmp_path)
    for command in (["build"], ["check"], ["preview"], ["push", "--collection", "none.anki2"]):
        result = run(*command)
        assert result.exit_code == 2, result.output
        assert f"Error: {message}" in result.output and words in result.output, result.output
        assert "Invalid value for '[SOURCES]" not in result.output
        assert not result.output.rstrip().endswith("not a list")  # (what it is, not only its type)
        assert "Traceback" not in result.output
    assert sorted(os.listdir(tmp_path)) == ["lists", name]  # nothing written
    assert os.listdir(tmp_path / "lists") == ["week-01.txt"]


def test_a_missing_sources_path_is_named_from_a_folder_below_too(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    course(tmp_path, "papers2anki.toml", "sources = 'lits'\n")
    (tmp_path / "lists" / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "lists" / "sub")
    result = run("build")
    assert result.exit_code == 2, result.output
    assert "Error: ../../papers2anki.toml:1: 'sources' names 'lits'" in result.output, result.output
    assert not (tmp_path / "lists" / "papers2anki.lock").exists()


def test_a_missing_path_typed_on_the_command_line_is_said_as_before(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    course(tmp_path, "papers2anki.toml", "sources = 'lists'\n")
    monkeypatch.chdir(tmp_path)
    result = run("build", "week-02")
    assert result.exit_code == 2, result.output
    assert "Invalid value for '[SOURCES]...': Path 'week-02' does not exist." in result.output
