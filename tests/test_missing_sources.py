"""A folder with no lists, or no `sources/` where the commands look by default, is a usage error (exit
status 2) that says what was looked for and where, and how to give the folder; nothing is written."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import papers2anki
from papers2anki.cli import main

LIST = "Attention Is All You Need\n\n1. Зачем нужно позиционное кодирование?\n"


@pytest.fixture
def here(tmp_path: Path) -> Iterator[Path]:
    """A working folder of its own (the commands' default paths are relative to it)."""
    saved = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(saved)


@pytest.fixture
def anki_collection(tmp_path: Path) -> Path:
    from anki.collection import Collection

    path = tmp_path / "Anki2" / "User 1" / "collection.anki2"
    path.parent.mkdir(parents=True)
    Collection(str(path)).close()
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"ANKI_BASE": None}, prog_name="papers2anki")


def every_file(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*")}


# Each command that takes SOURCES, with what it needs besides them.
COMMANDS = {
    "build": ["build"],
    "check": ["check"],
    "preview": ["preview"],
    "push": ["push", "--collection", "Anki2/User 1/collection.anki2"],
}


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_sources_folder_where_the_command_looks_by_default(command: str, here: Path, anki_collection: Path) -> None:
    before = snapshot(here)
    result = run(*COMMANDS[command])
    assert result.exit_code == 2, result.output
    message = result.output.split("Error: ", 1)[1]
    assert f"there is no 'sources' (the folder read when no SOURCES are given) in {here}" in message
    assert f"give the folder or files of the lists: papers2anki {command} PATH..." in message
    assert "Traceback" not in result.output
    assert snapshot(here) == before  # no lock, no decks, no page, no backup, the collection as it was


@pytest.mark.parametrize("command", [*sorted(COMMANDS), "parse", "parse --outline"])
def test_a_folder_without_lists_is_a_usage_error(command: str, here: Path, anki_collection: Path) -> None:
    empty = here / "course" / "empty"
    (empty / ".git").mkdir(parents=True)
    (empty / ".git" / "HEAD").write_text("ref: refs/heads/main\n", "utf-8")
    (empty / ".notes.md").write_text(LIST, "utf-8")  # hidden: an editor's
    (empty / "papers2anki.lock").write_text("{}\n", "utf-8")
    (empty / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    args = COMMANDS.get(command, command.split())
    before = snapshot(here)
    result = run(*args, "course/empty")
    assert result.exit_code == 2, result.output
    assert f"no question lists in 'course/empty' ({empty}): no file in it or its subfolders" in result.output
    assert f"papers2anki {args[0]} PATH..." in result.output
    assert snapshot(here) == before


@pytest.mark.parametrize("command", [*sorted(COMMANDS), "parse"])
def test_a_folder_of_pdfs_is_a_usage_error(command: str, here: Path, anki_collection: Path) -> None:
    """Files, but none of them text: no list to build, a usage error, and nothing written (no lock)."""
    (here / "sources").mkdir()
    (here / "sources" / "slides.pdf").write_bytes(b"%PDF-1.7\n" + bytes(100))
    (here / "sources" / "lists.docx").write_bytes(b"PK\x03\x04" + bytes(100))
    before = snapshot(here)
    result = run(*COMMANDS.get(command, [command, "sources"]))
    assert result.exit_code == 2, result.output
    assert "no question lists in 'sources': 2 files, none of them text" in result.output
    assert "Traceback" not in result.output
    assert snapshot(here) == before


def test_one_empty_folder_among_others_is_named(here: Path) -> None:
    (here / "sources").mkdir()
    (here / "sources" / "seminar-01.txt").write_text(LIST, "utf-8")
    (here / "typo").mkdir()
    result = run("build", "sources", "typo")
    assert result.exit_code == 2 and "no question lists in 'typo'" in result.output
    assert not (here / "sources" / "papers2anki.lock").exists() and not (here / "decks").exists()


def test_lists_in_subfolders_and_binary_files_beside_them_are_still_built(here: Path) -> None:
    (here / "sources" / "week-1").mkdir(parents=True)
    (here / "sources" / "slides.pdf").write_bytes(b"%PDF-1.7\n" + bytes(100))
    (here / "sources" / "week-1" / "seminar.md").write_text(LIST, "utf-8")
    result = run("build")
    assert result.exit_code == 0, result.output
    assert "binary-file" in result.output and "1 deck file written" in result.output


def test_the_library_raises_a_value_error_naming_the_folder(here: Path) -> None:
    (here / "empty").mkdir()
    with pytest.raises(ValueError, match="no question lists in 'empty'"):
        papers2anki.load(["empty"])
    with pytest.raises(ValueError, match="there is no 'sources'"):
        papers2anki.build(papers2anki.load(), here / "decks")
    with pytest.raises(ValueError, match="'missing.md' in"):
        papers2anki.check(["missing.md"])
    assert every_file(here) == {Path("empty")}
