"""An edit undone reaches the collection through `push` too: push keeps the package it last imported
beside the collection and builds against it as the previous deck file (the build's undo rule), while a
student's own edit in Anki still survives a push that changes nothing. The real Anki backend throughout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from test_push import push_cli

EDITED = "seminar-02.txt"
BEFORE = "Опишите алгоритм декодирования"
AFTER = "Подробно опишите алгоритм декодирования"


def note_texts(path: Path) -> dict[str, str]:
    """GUID -> the Question field (the first field), of every note in the collection."""
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        return {guid: flds.split("\x1f")[0] for guid, flds in col.db.all("select guid, flds from notes")}
    finally:
        col.close()


def test_an_edit_undone_with_the_lock_reaches_the_collection(sources_copy: Path, tmp_path: Path, desktop: Path) -> None:
    args = [str(sources_copy), "--collection", str(desktop)]
    first = push_cli(*args)
    assert first.exit_code == 0, first.output
    original = note_texts(desktop)
    kept = tmp_path / "committed"
    shutil.copytree(sources_copy, kept)  # the lists and the lock, as committed

    path = sources_copy / EDITED
    text = path.read_text("utf-8")
    assert text.count(BEFORE) == 1
    path.write_text(text.replace(BEFORE, AFTER), "utf-8")
    edited = push_cli(*args)
    assert edited.exit_code == 0, edited.output
    assert "0 new, 1 updated" in edited.output
    (guid,) = [g for g, t in note_texts(desktop).items() if AFTER in t]

    shutil.rmtree(sources_copy)  # `git revert` of the edit: the lists and the lock as they were
    shutil.copytree(kept, sources_copy)
    undone = push_cli(*args)
    assert undone.exit_code == 0, undone.output
    assert "0 new, 1 updated" in undone.output, undone.output
    assert note_texts(desktop) == original
    assert BEFORE in original[guid]

    again = push_cli(*args)  # and nothing more: the collection has what the lists say
    assert again.exit_code == 0, again.output
    assert "0 new, 0 updated, 63 unchanged" in again.output


def test_a_students_own_edit_survives_a_push_with_no_change(sources_copy: Path, desktop: Path) -> None:
    from anki.collection import Collection

    args = [str(sources_copy), "--collection", str(desktop)]
    assert push_cli(*args).exit_code == 0
    col = Collection(str(desktop))
    try:
        nid = col.db.scalar("select id from notes order by id limit 1")
        note = col.get_note(nid)
        note.fields[0] += " (моя заметка)"
        col.update_note(note)
    finally:
        col.close()

    again = push_cli(*args)
    assert again.exit_code == 0, again.output
    assert "0 new, 0 updated, 63 unchanged" in again.output
    assert sum("(моя заметка)" in t for t in note_texts(desktop).values()) == 1


def test_without_the_kept_package_the_lock_decides(sources_copy: Path, tmp_path: Path, desktop: Path) -> None:
    """The record is the only trace of what the collection got: with it gone, an undone edit stays in Anki
    (as before this rule), and nothing else goes wrong."""
    args = [str(sources_copy), "--collection", str(desktop)]
    assert push_cli(*args).exit_code == 0
    kept = tmp_path / "committed"
    shutil.copytree(sources_copy, kept)
    path = sources_copy / EDITED
    path.write_text(path.read_text("utf-8").replace(BEFORE, AFTER), "utf-8")
    assert push_cli(*args).exit_code == 0
    copies = list(desktop.parent.glob("papers2anki-imported*.json"))
    assert len(copies) == 1
    copies[0].unlink()

    shutil.rmtree(sources_copy)
    shutil.copytree(kept, sources_copy)
    undone = push_cli(*args)
    assert undone.exit_code == 0, undone.output
    assert "0 new, 0 updated, 63 unchanged" in undone.output
    assert any(AFTER in t for t in note_texts(desktop).values())


def test_a_push_of_one_list_keeps_what_the_others_got(sources_copy: Path, tmp_path: Path, desktop: Path) -> None:
    """What a push of part of the sources imported is added to what is kept, not put in its place: an edit
    pushed earlier in another list can still be undone."""
    args = ["--collection", str(desktop)]
    assert push_cli(str(sources_copy), *args).exit_code == 0
    kept = tmp_path / "committed"
    shutil.copytree(sources_copy, kept)
    path = sources_copy / EDITED
    path.write_text(path.read_text("utf-8").replace(BEFORE, AFTER), "utf-8")
    assert "0 new, 1 updated" in push_cli(str(sources_copy), *args).output
    one = push_cli(str(sources_copy / "seminar-01.txt"), *args)  # another list alone
    assert one.exit_code == 0, one.output

    shutil.rmtree(sources_copy)
    shutil.copytree(kept, sources_copy)
    undone = push_cli(str(sources_copy), *args)
    assert undone.exit_code == 0, undone.output
    assert "0 new, 1 updated" in undone.output, undone.output
    assert not any(AFTER in t for t in note_texts(desktop).values())
