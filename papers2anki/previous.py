"""Stage 5b, the outputs as they were: what the deck files of an earlier build hold, and which deck files
builds wrote (the record beside the lock).

Anki updates a note on import only when the package's `mod` is newer than its own. The lock says when
each note's content last changed, but a lock restored from version control (an undone edit) says an
older time than the deck file students imported since: `identity.assign` therefore counts a note as
changed when its content differs from what the previous deck file holds for its GUID (see `DeckNotes`).

The record (`record_path`) lists the deck files builds of this lock wrote, so that a build of all the
sources removes those of papers that are gone, and never a file it did not write.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .notes import content_fingerprint, type_fingerprint

RECORD_HEADER = "# deck files papers2anki wrote for this lock: a build of all the sources removes those of gone papers"


@dataclass(slots=True)
class DeckNotes:
    """What earlier deck files hold: each note's content fingerprint and `mod`, each note type's."""

    notes: dict[str, tuple[str, int]] = field(default_factory=dict)  #: GUID -> (content fingerprint, mod)
    types: dict[int, tuple[str, int]] = field(default_factory=dict)  #: note type id -> (fingerprint, mod)

    def add(self, other: DeckNotes) -> None:
        """`other`'s too; where both hold a note or type, the newer `mod` (what Anki kept)."""
        for guid, value in other.notes.items():
            if value[1] > self.notes.get(guid, ("", -1))[1]:
                self.notes[guid] = value
        for type_id, value in other.types.items():
            if value[1] > self.types.get(type_id, ("", -1))[1]:
                self.types[type_id] = value

    def digest(self) -> str:
        """The same for the same notes and types, whatever order they came in."""
        return hashlib.sha256(self.dumps()).hexdigest()

    def dumps(self) -> bytes:
        """As JSON, sorted: kept by `push` beside a collection (see `loads`)."""
        data = {"notes": sorted([g, f, m] for g, (f, m) in self.notes.items())}
        data["types"] = sorted([i, f, m] for i, (f, m) in self.types.items())
        return json.dumps(data, separators=(",", ":")).encode("utf-8")

    @classmethod
    def loads(cls, data: bytes) -> DeckNotes:
        """What `dumps` wrote; nothing from what it did not write (the lock decides alone then)."""
        try:
            raw = json.loads(data)
            notes = {str(g): (str(f), int(m)) for g, f, m in raw["notes"]}
            types = {int(i): (str(f), int(m)) for i, f, m in raw["types"]}
        except (ValueError, TypeError, KeyError):
            return cls()
        return cls(notes, types)


def deck_notes(path: str | os.PathLike[str]) -> DeckNotes:
    """What the .apkg at `path` holds; nothing when there is no such file or it is no package we can read
    (the lock decides alone then)."""
    try:
        if Path(path).is_symlink() or not Path(path).is_file():
            return DeckNotes()
        with zipfile.ZipFile(path) as zf:
            data = zf.read("collection.anki2")
        return _from_collection(data)
    except (OSError, zipfile.BadZipFile, KeyError, sqlite3.Error, ValueError, TypeError, IndexError):
        return DeckNotes()


def _from_collection(data: bytes) -> DeckNotes:
    if hasattr(sqlite3.Connection, "deserialize"):  # Python 3.11+: read in memory
        conn = sqlite3.connect(":memory:")
        try:
            conn.deserialize(data)
            rows, models_text = _rows(conn)
        finally:
            conn.close()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "collection.anki2")
            Path(db).write_bytes(data)
            conn = sqlite3.connect(db)
            try:
                rows, models_text = _rows(conn)
            finally:
                conn.close()
    found = DeckNotes()
    for guid, flds, mod in rows:
        found.notes[str(guid)] = (content_fingerprint(str(flds).split("\x1f")), int(mod))
    for model in json.loads(models_text).values():
        template = model["tmpls"][0]
        fields = [f["name"] for f in model["flds"]]
        printed = type_fingerprint(
            model["name"], fields, template["name"], template["qfmt"], template["afmt"], model["css"]
        )
        found.types[int(model["id"])] = (printed, int(model["mod"]))
    return found


def _rows(conn: sqlite3.Connection) -> tuple[list[tuple[str, str, int]], str]:
    """The notes' GUIDs, fields and times, and the note types' JSON."""
    rows = conn.execute("SELECT guid, flds, mod FROM notes").fetchall()
    (models_text,) = conn.execute("SELECT models FROM col").fetchone()
    return rows, models_text


def record_path(lock_file: str | os.PathLike[str]) -> Path:
    """The record of the deck files written for a lock: a hidden file beside it (never read as a list)."""
    lock = Path(lock_file)
    return lock.with_name(f".{lock.name}.decks")


def read_record(lock_file: str | os.PathLike[str]) -> set[str]:
    """The deck files builds of this lock wrote, as paths relative to the current folder."""
    path = record_path(lock_file)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    base = path.parent
    return {
        os.path.normpath(os.path.join(base, line))
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    }


def record_bytes(lock_file: str | os.PathLike[str], files: set[str]) -> bytes:
    """The record's text for these deck files: one path a line, relative to the lock's folder, sorted (the
    same from any working folder)."""
    base = record_path(lock_file).parent
    lines = sorted(Path(os.path.relpath(os.path.abspath(f), os.path.abspath(base))).as_posix() for f in files)
    return "\n".join([RECORD_HEADER, *lines, ""]).encode("utf-8")
