"""Stage 4b: genanki packaging, byte-identical for the same input, written atomically.

genanki stamps every note with one package time and zips with the clock; here each note and note
type carries its own `mod` (from the lock), ids come from a counter seeded by the deck's identity,
and zip entries have fixed times and modes. Files are written to a temporary name in the target
folder and renamed into place, so a failed build leaves the previous files as they were.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import json
import os
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from .notes import NoteType

HAS_SERIALIZE = hasattr(sqlite3.Connection, "serialize")  # Python 3.11+


def stable_id(*parts: str, digits: int = 13) -> int:
    """A positive id derived from names; the same names always give the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return 10 ** (digits - 1) + int.from_bytes(digest[:8], "big") % (9 * 10 ** (digits - 1))


class _Model(genanki.Model):  # type: ignore[misc]
    """A genanki model whose `mod` is its own, not the package's write time."""

    def __init__(self, note_type: NoteType, mod: int) -> None:
        super().__init__(
            note_type.id,
            note_type.name,
            fields=[{"name": f} for f in note_type.fields],
            templates=[{"name": note_type.template, "qfmt": note_type.qfmt, "afmt": note_type.afmt}],
            css=note_type.css,
            sort_field_index=0,
        )
        self.mod = mod

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json(self.mod, deck_id)
        return data


class _Note(genanki.Note):  # type: ignore[misc]
    """A genanki note whose `mod` is its own (from the lock)."""

    def __init__(self, mod: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, deck_id: int, id_gen: Any) -> None:
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


@dataclass(slots=True)
class NoteSpec:
    """A note ready to package."""

    note_type: NoteType
    guid: str
    fields: list[str]
    tags: list[str]
    due: int
    mod: int


@dataclass(slots=True)
class DeckSpec:
    """A deck ready to package: its notes in study order."""

    name: str
    description: str
    notes: list[NoteSpec]
    type_mods: dict[int, int]  #: note type id -> mod
    media: dict[str, str] = field(default_factory=dict)  #: the images its notes show: name in the package -> file


def _genanki_deck(spec: DeckSpec, models: dict[int, _Model]) -> genanki.Deck:
    deck = genanki.Deck(stable_id("deck", spec.name), spec.name, description=spec.description)
    for note in spec.notes:
        deck.add_note(
            _Note(
                note.mod,
                model=models[note.note_type.id],
                fields=note.fields,
                guid=note.guid,
                tags=note.tags,
                due=note.due,
            )
        )
    return deck


def genanki_decks(decks: list[DeckSpec]) -> tuple[list[genanki.Deck], int]:
    """The decks as genanki's own objects, and the package's time stamp: what plain genanki would write
    (`genanki.Package(...).write_to_db`), the reference the fast path is held to."""
    models: dict[int, _Model] = {}
    for deck in decks:
        for note in deck.notes:
            models.setdefault(note.note_type.id, _Model(note.note_type, deck.type_mods[note.note_type.id]))
    stamp = max([n.mod for d in decks for n in d.notes] + [m.mod for m in models.values()])
    return [_genanki_deck(d, models) for d in decks], stamp


@functools.cache
def _type_print(note_type: NoteType) -> str:
    return note_type.fingerprint


def decks_digest(decks: list[DeckSpec]) -> str:
    """A digest of everything `package_bytes(decks)` depends on besides this code (see cache.code_fingerprint)."""
    h = hashlib.sha256()
    for deck in decks:
        h.update(repr((deck.name, deck.description, sorted(deck.type_mods.items()))).encode("utf-8", "surrogatepass"))
        if deck.media:  # names are content hashes: the names are the bytes
            h.update(repr(sorted(deck.media)).encode("utf-8", "surrogatepass"))
        for n in deck.notes:
            key = (n.note_type.id, _type_print(n.note_type), n.guid, n.fields, n.tags, n.due, n.mod)
            h.update(repr(key).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


@functools.cache
def _empty_collection() -> bytes:
    """The bytes of a new collection as genanki's `Package.write_to_db` starts it, made once per process.

    genanki creates the schema with `executescript` in every package, about 12 ms (most of it SQLite
    committing to a new file): at one package per paper that was nearly all of a build's time.
    """
    with tempfile.TemporaryDirectory() as tmp:
        db_path = os.path.join(tmp, "collection.anki2")
        conn = sqlite3.connect(db_path)
        try:
            # A scratch file: no journal on disk and no waiting for it to reach the disk (neither
            # changes a byte of the database; tests/test_package_bytes.py holds genanki's bytes).
            conn.execute("PRAGMA journal_mode=MEMORY")
            conn.execute("PRAGMA synchronous=OFF")
            cursor = conn.cursor()
            cursor.executescript(APKG_SCHEMA)  # exactly the two scripts genanki runs first
            cursor.executescript(APKG_COL)
            conn.commit()
        finally:
            conn.close()
        return Path(db_path).read_bytes()


@functools.cache
def _model(note_type: NoteType, mod: int) -> _Model:
    # One model per type and mod for the whole process: genanki computes its required fields
    # (rendering the template once per field) on first use and caches them on the instance.
    return _Model(note_type, mod)


def _write_decks(cursor: sqlite3.Cursor, decks: list[genanki.Deck], stamp: int, ids: Any) -> None:
    """genanki's `Deck.write_to_db` for each deck, with the collection's deck and model lists written once.

    For each deck, `Deck.write_to_db` reads, parses, re-serialises and rewrites the JSON of every deck
    so far: quadratic in the number of decks (a --single package of 2,500 papers took 100 s; 25,000
    would take hours). One deck, as in one package per paper, goes through it as is: the bytes are
    genanki's. For several, the same JSON is built once (genanki's model list included: each deck's
    models are added with int keys to the list its predecessor left, read back with str keys, so the
    last deck's models appear twice in the text) and the notes are written by genanki's `Note.write_to_db`
    in the same order with the same ids. The content is genanki's, row for row; the file's page layout
    differs (tests/test_package_bytes.py).
    """
    if len(decks) == 1:
        decks[0].write_to_db(cursor, stamp, ids)
        return
    decks_text, models_text = cursor.execute("SELECT decks, models FROM col").fetchone()
    deck_list = json.loads(decks_text)
    model_list = json.loads(models_text)  # as earlier decks leave it: str keys, the latest value of each
    last: dict[int, Any] = {}
    for i, deck in enumerate(decks):
        if not isinstance(deck.deck_id, int) or not isinstance(deck.name, str):
            raise TypeError(f"deck {deck.name!r}: id must be an int and name a str")
        deck_list[str(deck.deck_id)] = deck.to_json()
        for note in deck.notes:
            deck.add_model(note.model)
        written = {model.model_id: model.to_json(stamp, deck.deck_id) for model in deck.models.values()}
        if i < len(decks) - 1:
            model_list.update({str(k): v for k, v in written.items()})
        else:
            last = written
    cursor.execute("UPDATE col SET decks = ?", (json.dumps(deck_list),))
    cursor.execute("UPDATE col SET models = ?", (json.dumps({**model_list, **last}),))
    for deck in decks:
        for note in deck.notes:
            note.write_to_db(cursor, stamp, deck.deck_id, ids)


def collection_bytes(decks: list[DeckSpec], *, in_memory: bool = HAS_SERIALIZE) -> bytes:
    """The collection.anki2 of these decks, written by genanki's Deck/Note/Model into a copy of the empty one.

    The copy lives in memory (`sqlite3` deserialize/serialize, Python 3.11+): no temporary file, no
    fsync; older Pythons copy it into a temporary file. For one deck the bytes are those genanki's
    `Package.write_to_db` leaves in a new file; for several, its rows (see `_write_decks`).
    """
    models: dict[int, _Model] = {}
    for deck in decks:
        for note in deck.notes:
            if note.note_type.id not in models:
                models[note.note_type.id] = _model(note.note_type, deck.type_mods[note.note_type.id])
    stamp = max([n.mod for d in decks for n in d.notes] + [m.mod for m in models.values()] + [0])
    ids = itertools.count(stable_id("ids", *(d.name for d in decks)))

    def fill(conn: sqlite3.Connection) -> None:
        _write_decks(conn.cursor(), [_genanki_deck(deck, models) for deck in decks], stamp, ids)
        conn.commit()

    if in_memory:
        conn = sqlite3.connect(":memory:")
        try:
            conn.deserialize(_empty_collection())
            fill(conn)
            return conn.serialize()
        finally:
            conn.close()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp, "collection.anki2")
        db_path.write_bytes(_empty_collection())
        conn = sqlite3.connect(db_path)
        try:
            fill(conn)
        finally:
            conn.close()
        return db_path.read_bytes()


def package_bytes(decks: list[DeckSpec]) -> bytes:
    """The .apkg of these decks, the same bytes for the same decks.

    Images go in as Anki's legacy packages carry media: zip entries "0", "1", ... in the order of their
    names, and the `media` entry mapping each number to its name."""
    from .media import media_bytes

    collection = collection_bytes(decks)
    media = {name: path for deck in decks for name, path in deck.media.items()}
    names = sorted(media)
    index = json.dumps({str(i): name for i, name in enumerate(names)}).encode() if names else b"{}"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("collection.anki2", collection), ("media", index)):
            _put(zf, name, data)
        for i, name in enumerate(names):  # one at a time: an image is read, zipped and let go
            _put(zf, str(i), media_bytes(name, media[name]))
    return out.getvalue()


# zlib's fastest level: a collection is mostly empty pages, and deflates to 10 % at level 1 in half the time
# of the default level 6 (which saves another 1 %); images come compressed already.
COMPRESS_LEVEL = 1


def _put(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    """An entry with a fixed time and mode: the same bytes give the same zip."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data, compresslevel=COMPRESS_LEVEL)
