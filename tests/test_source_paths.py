"""Cards name their source files from the course folder (the folder above the lock's), never as the
build was run: the same lists give the same bytes from any working folder, however they are named."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import import_packages

import papers2anki
from papers2anki.api import drafts_of
from papers2anki.cli import main

EPOCH = {"SOURCE_DATE_EPOCH": "1780000000"}
SEMINAR = "Attention Is All You Need\n\n1. Зачем нужно позиционное кодирование?\n2. Что такое $QK^T$?\n"
REVIEW = (
    "## Исследование статьи **Attention Is All You Need**\n\n(Vaswani et al.)\n\n"
    "Автор исследования: Иванов\n\nСтатья о внимании.\n"
)
OTHER = "BERT\n\n1. Как устроено маскирование токенов?\n"


def course(root: Path) -> Path:
    """A course folder: `sources/` with a list, a review in a subfolder, another list."""
    lists = root / "sources"
    (lists / "week 2").mkdir(parents=True)
    (lists / "seminar-04.txt").write_text(SEMINAR, "utf-8")
    (lists / "week 2" / "review.md").write_text(REVIEW, "utf-8")
    (lists / "bert.md").write_text(OTHER, "utf-8")
    return root


def build(cwd: Path, *args: str) -> str:
    """`papers2anki build ARGS` run from `cwd`, as a person in that folder runs it."""
    saved = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["build", *args], env=EPOCH)
    finally:
        os.chdir(saved)
    assert result.exit_code == 0, result.output
    return result.output


def decks(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.apkg"))}


def sources_in_anki(tmp_path: Path, out: Path) -> dict[str, str]:
    """Each note's first field -> its Source field, as Anki holds them after File > Import."""
    from anki.collection import Collection

    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        import_packages(col, sorted(out.glob("*.apkg")))
        notes = [col.get_note(nid) for nid in col.find_notes("")]
        return {re.sub(r"<[^>]+>", "", note.fields[0]): note["Source"] for note in notes}
    finally:
        col.close()


EXPECTED = {
    "Зачем нужно позиционное кодирование?": "sources/seminar-04.txt:3",
    "Что такое \\(QK^T\\)?": "sources/seminar-04.txt:4",
    "Attention Is All You Need": "sources/week 2/review.md:1",
    "Как устроено маскирование токенов?": "sources/bert.md:3",
}


def test_the_same_lists_give_the_same_bytes_from_any_working_folder(tmp_path: Path) -> None:
    home = course(tmp_path / "home" / "me" / "course")
    lists = home / "sources"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "link"
    link.symlink_to(home, target_is_directory=True)
    runs = [
        (home, "sources"),  # the README's way
        (elsewhere, str(lists)),  # an absolute path, as in the issue
        (lists, "."),  # from inside the lists folder
        (elsewhere, os.path.relpath(lists, elsewhere)),  # ../home/me/course/sources
        (elsewhere, str(link / "sources")),  # the same folder through a symbolic link
    ]
    built = []
    for i, (cwd, given) in enumerate(runs):
        out = tmp_path / f"decks-{i}"
        build(cwd, given, "--out", str(out))
        built.append(decks(out))
    assert len(built[0]) == 2
    assert all(found == built[0] for found in built[1:])
    assert sources_in_anki(tmp_path, tmp_path / "decks-1") == EXPECTED


def test_a_lock_given_elsewhere_names_the_files_from_its_folders_parent(tmp_path: Path) -> None:
    """`--lock state/papers2anki.lock`: the course folder is the one that holds `state/`; a clone of the
    course anywhere else, built from anywhere, gives the same bytes."""
    first = course(tmp_path / "a" / "course")
    second = tmp_path / "b" / "deeper" / "clone"
    shutil.copytree(first, second)
    build(first, "sources", "--lock", "state/papers2anki.lock", "--out", str(tmp_path / "d1"))
    lock = second / "state" / "papers2anki.lock"
    build(tmp_path, str(second / "sources"), "--lock", str(lock), "--out", str(tmp_path / "d2"))
    assert decks(tmp_path / "d1") == decks(tmp_path / "d2")
    assert (first / "state" / "papers2anki.lock").read_bytes() == lock.read_bytes()
    assert sources_in_anki(tmp_path, tmp_path / "d2") == EXPECTED


def test_one_file_built_alone_keeps_the_name_a_full_build_gives_it(tmp_path: Path) -> None:
    home = course(tmp_path / "course")
    build(home, "sources", "--out", str(tmp_path / "all"))
    build(tmp_path, str(home / "sources" / "bert.md"), "--out", str(tmp_path / "one"))
    name = "bert.apkg"
    assert decks(tmp_path / "one") == {name: decks(tmp_path / "all")[name]}


def test_a_list_outside_the_course_folder_is_named_by_its_file_name(tmp_path: Path) -> None:
    home = course(tmp_path / "course")
    outside = tmp_path / "Downloads" / "extra.md"
    outside.parent.mkdir()
    outside.write_text("Extra Paper\n\n1. Что нового?\n", "utf-8")
    build(home, "sources", str(outside), "--out", str(tmp_path / "d"))
    found = sources_in_anki(tmp_path, tmp_path / "d")
    assert found["Что нового?"] == "extra.md:3"
    assert found["Как устроено маскирование токенов?"] == "sources/bert.md:3"


def test_messages_keep_the_path_as_the_user_gave_it(tmp_path: Path) -> None:
    home = course(tmp_path / "course")
    (home / "sources" / "bert.md").write_text(OTHER + "2. Сколько стоит $x?\n", "utf-8")
    for given in ("sources", str(home / "sources")):
        saved = os.getcwd()
        os.chdir(home)
        try:
            result = CliRunner().invoke(main, ["check", given])
        finally:
            os.chdir(saved)
        assert result.exit_code == 1
        shown = os.path.join(given, "bert.md")
        assert f"{shown}:4:" in result.output, result.output


def test_the_api_builds_the_bytes_the_command_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`papers2anki.build`, given a corpus or a list of papers, with or without `lock_path`: the course
    folder follows from the lock there too."""
    home = course(tmp_path / "course")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH["SOURCE_DATE_EPOCH"])
    build(tmp_path, str(home / "sources"), "--out", str(tmp_path / "cli"))
    lock = home / "sources" / "papers2anki.lock"
    papers2anki.build(papers2anki.load([home / "sources"]), tmp_path / "corpus", lock_path=lock)
    monkeypatch.chdir(home)
    papers2anki.build(papers2anki.load(["sources"]).papers, tmp_path / "papers")  # the default lock: here
    expected = decks(tmp_path / "cli")
    assert decks(tmp_path / "corpus") == expected
    assert decks(tmp_path / "papers") == expected
    [attention] = [p for p in papers2anki.load(["sources"]).papers if p.title.startswith("Attention")]
    assert drafts_of([attention])[0][0].fields[-1] == "sources/seminar-04.txt:3"  # the course: here, by default


def test_the_preview_names_the_files_as_the_cards_do(tmp_path: Path) -> None:
    home = course(tmp_path / "course")
    pages = []
    for cwd, given in ((home, "sources"), (tmp_path, str(home / "sources"))):
        saved = os.getcwd()
        os.chdir(cwd)
        try:
            result = CliRunner().invoke(main, ["preview", given, "--out", str(home / "preview.html")])
        finally:
            os.chdir(saved)
        assert result.exit_code == 0, result.output
        pages.append((home / "preview.html").read_text("utf-8"))
    assert pages[0] == pages[1]
    assert 'data-source="sources/week 2/review.md:1"' in pages[0]
    assert 'href="sources/week 2/review.md"' in pages[0]
    assert str(tmp_path) not in pages[0]
