"""The fast packaging path writes the very bytes of genanki's own `Package.write_to_db`, and Anki imports them."""

from __future__ import annotations

import io
import itertools
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import genanki
import pytest
from conftest import SOURCES, import_packages

from papers2anki.api import drafts_of, load
from papers2anki.notes import note_types
from papers2anki.package import (
    HAS_SERIALIZE,
    DeckSpec,
    NoteSpec,
    collection_bytes,
    genanki_decks,
    package_bytes,
    stable_id,
)


def shipped_decks(note_mod: int, type_mod: int) -> list[DeckSpec]:
    """The shipped lists as decks, with the given times (a new note and an old type, say)."""
    corpus = load([SOURCES])
    question, review = note_types()
    kinds = {"question": question, "review": review}
    decks = []
    for paper, drafts in zip(corpus.papers, drafts_of(corpus.papers)):
        notes = [
            NoteSpec(kinds[d.kind], f"g{stable_id(d.content)}", d.fields, ["seminar"], d.position, note_mod + i)
            for i, d in enumerate(drafts)
        ]
        decks.append(DeckSpec(f"Papers::{paper.title}", "", notes, {question.id: type_mod, review.id: type_mod}))
    return decks


def genanki_collection(decks: list[DeckSpec], tmp_path: Path) -> bytes:
    """What plain genanki writes: `Package.write_to_db` into a new SQLite file (the former path)."""
    objects, stamp = genanki_decks(decks)
    db = Path(tempfile.mkdtemp(dir=tmp_path)) / "collection.anki2"
    conn = sqlite3.connect(db)
    package = genanki.Package(objects)
    package.write_to_db(conn.cursor(), stamp, itertools.count(stable_id("ids", *(d.name for d in decks))))
    conn.commit()
    conn.close()
    return db.read_bytes()


def rows(collection: bytes, tmp_path: Path) -> list[str]:
    """Every row of every table, as SQL text."""
    db = Path(tempfile.mkdtemp(dir=tmp_path)) / "collection.anki2"
    db.write_bytes(collection)
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.mark.parametrize("in_memory", [True, False] if HAS_SERIALIZE else [False])
@pytest.mark.parametrize("mods", [(1_700_000_000, 1_690_000_000), (1_710_000_000, 1_710_000_500)])
def test_one_deck_is_byte_identical_to_genanki(tmp_path: Path, in_memory: bool, mods: tuple[int, int]) -> None:
    decks = shipped_decks(*mods)
    assert len(decks) == 18
    for deck in decks:  # one package per paper
        assert collection_bytes([deck], in_memory=in_memory) == genanki_collection([deck], tmp_path)


@pytest.mark.parametrize("order", ["as listed", "reversed", "review deck last"])
def test_many_decks_hold_genanki_rows(tmp_path: Path, order: str) -> None:
    decks = shipped_decks(1_700_000_000, 1_690_000_000)
    if order == "reversed":
        decks.reverse()
    elif order == "review deck last":
        decks = decks[1:] + decks[:1]
    ours, theirs = collection_bytes(decks), genanki_collection(decks, tmp_path)
    assert rows(ours, tmp_path) == rows(theirs, tmp_path)
    # genanki's model list as it leaves it (the last deck's models twice in the text), parsed alike.
    conn = sqlite3.connect(":memory:")
    conn.deserialize(ours)
    models = conn.execute("SELECT models FROM col").fetchone()[0]
    assert json.loads(models).keys() == {"1733906842001", "1733906842002"}


def test_package_holds_that_collection_and_is_deterministic(tmp_path: Path) -> None:
    decks = shipped_decks(1_700_000_000, 1_690_000_000)
    data = package_bytes(decks)
    assert data == package_bytes(decks)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["collection.anki2", "media"]
        assert rows(zf.read("collection.anki2"), tmp_path) == rows(genanki_collection(decks, tmp_path), tmp_path)
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in zf.infolist())


def test_anki_imports_fast_packages(tmp_path: Path, collection) -> None:  # type: ignore[no-untyped-def]
    decks = shipped_decks(1_700_000_000, 1_690_000_000)
    files = []
    for i, deck in enumerate(decks):
        files.append(tmp_path / f"{i}.apkg")
        files[-1].write_bytes(package_bytes([deck]))
    logs = import_packages(collection, files)
    assert sum(len(log.new) for log in logs) == sum(len(d.notes) for d in decks) == 63
    nids = collection.find_notes('"deck:Papers::Deep Equilibrium Models"')
    assert len(nids) == 4
    note = collection.get_note(nids[0])
    assert note.mod == 1_700_000_000 + next(i for d in decks for i, n in enumerate(d.notes) if n.guid == note.guid)
    assert collection.models.by_name("papers2anki Question")["mod"] == 1_690_000_000
