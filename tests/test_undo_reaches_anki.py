"""An edit undone with the lock reaches Anki: edit a question, build, import, restore the lists and the
lock (as `git revert` does), build, import: the collection shows the original text again. The previous
deck file is what tells the build that Anki has seen the edit; without one, the lock decides."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import fresh_collection, import_packages

from papers2anki.cli import main

EPOCH = 1780000000
ORIGINAL = "Какие токены маскируются"
EDITED = "Какие слова маскируются"


def build(*args: str, epoch: int) -> str:
    result = CliRunner().invoke(main, ["build", *args], env={"SOURCE_DATE_EPOCH": str(epoch)})
    assert result.exit_code == 0, result.output
    return result.output


def question_text(col, words: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [col.get_note(nid).fields[0] for nid in col.find_notes(f'"Question:*{words}*"')]


@pytest.mark.parametrize("cache", ["on", "off"])
def test_undone_edit_reaches_the_collection(sources_copy: Path, tmp_path: Path, monkeypatch, cache: str) -> None:  # type: ignore[no-untyped-def]
    """(With the cache, what a deck file holds is known from the build that wrote it; without, it is read.)"""
    monkeypatch.chdir(tmp_path)
    if cache == "off":
        monkeypatch.setenv("PAPERS2ANKI_CACHE", "off")
    out = tmp_path / "decks"
    lists = sources_copy / "seminar-02.txt"
    lock = sources_copy / "papers2anki.lock"
    build("sources", "--out", "decks", epoch=EPOCH)
    original_lists, original_lock = lists.read_bytes(), lock.read_bytes()
    col = fresh_collection(tmp_path / "collection")
    try:
        import_packages(col, sorted(out.glob("*.apkg")))
        assert len(question_text(col, ORIGINAL)) == 1

        lists.write_text(lists.read_text("utf-8").replace(ORIGINAL, EDITED), "utf-8")
        said = build("sources", "--out", "decks", epoch=EPOCH + 100)
        assert "0 new, 1 changed" in said
        logs = import_packages(col, sorted(out.glob("*.apkg")))
        assert sum(len(log.updated) for log in logs) == 1
        assert question_text(col, EDITED) and not question_text(col, ORIGINAL)

        lists.write_bytes(original_lists)  # `git revert` of the edit: the lists and the lock
        lock.write_bytes(original_lock)
        said = build("sources", "--out", "decks", epoch=EPOCH + 200)
        assert "0 new, 1 changed" in said  # the deck file holds the edit: the note changed again
        logs = import_packages(col, sorted(out.glob("*.apkg")))
        assert sum(len(log.updated) for log in logs) == 1
        assert question_text(col, ORIGINAL) and not question_text(col, EDITED)

        # The lock now agrees with the deck files: building again changes nothing.
        assert build("sources", "--out", "decks", epoch=EPOCH + 300).endswith("nothing changed, no file rewritten\n")
    finally:
        col.close()


def test_without_the_previous_deck_the_lock_decides(sources_copy: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The same undo, built into a new folder: nothing tells the build that Anki saw the edit, the
    note keeps the lock's old time and Anki keeps the edited text (what the deck folder is kept for)."""
    monkeypatch.chdir(tmp_path)
    lists = sources_copy / "seminar-02.txt"
    lock = sources_copy / "papers2anki.lock"
    build("sources", "--out", "decks", epoch=EPOCH)
    original_lists, original_lock = lists.read_bytes(), lock.read_bytes()
    lists.write_text(lists.read_text("utf-8").replace(ORIGINAL, EDITED), "utf-8")
    build("sources", "--out", "decks", epoch=EPOCH + 100)
    col = fresh_collection(tmp_path / "collection")
    try:
        import_packages(col, sorted((tmp_path / "decks").glob("*.apkg")))
        lists.write_bytes(original_lists)
        lock.write_bytes(original_lock)
        shutil.rmtree(tmp_path / "decks")
        said = build("sources", "--out", "decks", epoch=EPOCH + 200)
        assert " changed" not in said.replace("0 changed", "")
        logs = import_packages(col, sorted((tmp_path / "decks").glob("*.apkg")))
        assert sum(len(log.updated) for log in logs) == 0
        assert question_text(col, EDITED)
    finally:
        col.close()


def test_undone_edit_reaches_the_collection_from_one_file(sources_copy: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With --single, the previous file is the one package."""
    monkeypatch.chdir(tmp_path)
    lists = sources_copy / "seminar-02.txt"
    lock = sources_copy / "papers2anki.lock"
    build("sources", "--single", "all.apkg", epoch=EPOCH)
    original_lists, original_lock = lists.read_bytes(), lock.read_bytes()
    col = fresh_collection(tmp_path / "collection")
    try:
        lists.write_text(lists.read_text("utf-8").replace(ORIGINAL, EDITED), "utf-8")
        build("sources", "--single", "all.apkg", epoch=EPOCH + 100)
        import_packages(col, [tmp_path / "all.apkg"])
        lists.write_bytes(original_lists)
        lock.write_bytes(original_lock)
        assert "0 new, 1 changed" in build("sources", "--single", "all.apkg", epoch=EPOCH + 200)
        logs = import_packages(col, [tmp_path / "all.apkg"])
        assert [len(log.updated) for log in logs] == [1]
        assert question_text(col, ORIGINAL) and not question_text(col, EDITED)
    finally:
        col.close()
