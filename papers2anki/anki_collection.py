"""The Anki collection a push imports into: where it is, opening it, Anki's backup, Anki's import;
and what a push did to it.

The `anki` package (the optional extra) is imported inside the functions that need it.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .defaults import DEFAULT_PROFILE
from .previous import DeckNotes, deck_notes

if TYPE_CHECKING:
    from .reports import BuildReport

COLLECTION_FILE = "collection.anki2"

# Invisible marks Anki's translations put around names (Fluent's bidi isolates U+2068..U+2069 above
# all), and their kin: direction marks and embeddings, zero-width characters, the byte order mark.
_INVISIBLE = dict.fromkeys([0x061C, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x206A), 0xFEFF])
_LINE_BREAKS = re.compile(r"\s*\n\s*")


def anki_message(exc: BaseException) -> str:
    """An error of Anki's backend as one line of plain text: no invisible marks, no line breaks, no
    final full stop (the caller's sentence goes on)."""
    text = str(exc).translate(_INVISIBLE)
    return _LINE_BREAKS.sub(" ", text).strip().rstrip(".")


class PushError(Exception):
    """A push refused or failed; the message says what, and whether the collection changed."""

    def __init__(self, message: str, report: PushReport | None = None) -> None:
        super().__init__(message)
        self.report = report  #: what was done before the failure (None when nothing was)


class NoCollection(PushError):
    """No collection where the push was told to look (a profile or a path): a usage error (exit 2)."""


@dataclass(slots=True)
class PushReport:
    """What a push did."""

    collection: str  #: the collection.anki2 written
    build: BuildReport | None = None  #: the build that made the package
    backup: str | None = None  #: Anki's backup of the collection, taken before any change
    new: int = 0  #: notes added by the import
    updated: int = 0  #: notes the import replaced (the package's copy was newer)
    unchanged: int = 0  #: notes already up to date (Anki's "duplicate")
    conflicting: int = 0  #: notes whose note type changed shape: not updated
    removed: int = 0  #: notes the lock marks removed (gone from the lists) found in the collection
    suspended: int = 0  #: of those, notes whose cards were suspended (`retire="suspend"`)
    deleted: int = 0  #: of those, notes deleted (`retire="delete"`)
    synced: list[str] = field(default_factory=list)  #: one line per sync step done


def anki_base() -> Path:
    """Anki's data folder: ANKI_BASE when set (as Anki honours it), else the platform's default."""
    override = os.environ.get("ANKI_BASE")
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "Anki2"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Anki2"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "Anki2"


def profile_collection(profile: str = DEFAULT_PROFILE) -> Path:
    """The collection of an Anki profile, with the known profiles named when it is missing."""
    base = anki_base()
    path = base / profile / COLLECTION_FILE
    if not path.is_file():
        known = sorted(p.parent.name for p in base.glob(f"*/{COLLECTION_FILE}"))
        hint = f"profiles there: {', '.join(known)}" if known else "no profile found there (is Anki installed?)"
        raise NoCollection(f"no Anki profile '{profile}' in {base} ({hint}); or give --collection PATH")
    return path


def open_collection(path: Path) -> Any:
    """Open the collection, refusing when Anki (or anything else) holds it: the backend knows."""
    from anki.collection import Collection
    from anki.errors import DBError

    if not path.is_file():
        raise NoCollection(f"{path}: no Anki collection there (open the profile in Anki once, or check the path)")
    try:
        return Collection(str(path))
    except DBError as exc:
        # The backend opens the file with an exclusive lock; a second opener gets this at once.
        raise PushError(
            f"{path} is in use ({anki_message(exc)}): close Anki desktop, or switch it to another profile, "
            "and run again. Nothing was changed."
        ) from None


def backup(col: Any, path: Path) -> str:
    """Anki's own backup into the profile's backups/ folder; returns the backup file."""
    folder = path.parent / "backups"
    folder.mkdir(exist_ok=True)
    try:
        col.create_backup(backup_folder=str(folder), force=True, wait_for_completion=True)
    except Exception as exc:  # the backend's error (a full disk, a folder it may not write)
        message = anki_message(exc)
        raise PushError(f"Anki could not back up {path} into {folder}: {message}. Nothing was changed.") from None
    # False means "nothing changed since the newest backup": that one is the backup, then.
    backups = sorted(folder.glob("backup-*.colpkg"), key=lambda p: p.stat().st_mtime)
    if not backups:
        raise PushError(f"Anki made no backup in {folder}; nothing was changed")
    return str(backups[-1])


def import_package(col: Any, package: Path) -> Any:
    """Import as Anki's File > Import does with its default options; one transaction in the backend."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as UC

    options = ImportAnkiPackageOptions(
        merge_notetypes=False,
        update_notes=UC.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
        update_notetypes=UC.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
        with_scheduling=False,
        with_deck_configs=False,
    )
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options)).log


def imported_copy(path: Path) -> Path:
    """Where `push` keeps what it imported into the collection at `path` (each note's content fingerprint
    and time, by GUID, newest first): beside the collection, one file for every course pushed there (GUIDs
    are unique across courses, so a course moved or cloned elsewhere keeps its record). The next push's
    build takes it as its `previous`: a note whose content differs from what the collection last got from
    the lists counts as changed, so that an edit undone in the lists (with the lock) reaches the collection
    too (see `papers2anki.build`)."""
    return path.parent / "papers2anki-imported.json"


def last_imported(copy: Path) -> DeckNotes | None:
    """What `keep_imported` kept; None when nothing is kept (the lock decides alone then)."""
    try:
        return DeckNotes.loads(copy.read_bytes())
    except OSError:
        return None


def keep_imported(package: Path, copy: Path, before: DeckNotes | None) -> None:
    """What the collection holds from the lists after importing `package`: what it held `before`, with
    the package's notes on top (a push of part of the sources leaves the others' as they were); written
    beside, then renamed into place."""
    kept = DeckNotes()
    if before is not None:
        kept.add(before)
    kept.add(deck_notes(package))
    temp = copy.with_name(copy.name + ".tmp")
    try:
        temp.write_bytes(kept.dumps())
        os.replace(temp, copy)
    finally:
        temp.unlink(missing_ok=True)
