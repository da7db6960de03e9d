"""The lock: the identity and history of every note, kept beside the sources and committed with them.

Anki updates a note on import only when the incoming `mod` is newer, and matches notes by GUID.
So each note's GUID and the time its content last changed live here: an unchanged note keeps its
old `mod` (a student's edit in Anki survives), a changed one gets the build's time (the import
updates it), and a corrected question keeps its GUID (its cards keep their reviews).

Matching a build's notes to entries, per paper, in this order (deterministic):
1. the same content, exactly;
2. the most similar remaining entry (difflib ratio of the text, letters and digits only),
   highest score first, ties by position, when the score is at least MATCH_THRESHOLD.
A note that matches nothing gets a new GUID; an entry that matches nothing is reported as removed
and kept for KEEP_REMOVED_DAYS, so that restoring the question brings back the same note.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import json.encoder
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .text import skeleton

LOCK_NAME = "papers2anki.lock"
LOCK_VERSION = 1
MATCH_THRESHOLD = 0.55
PAPER_MATCH_THRESHOLD = 0.8
KEEP_REMOVED_DAYS = 365


@dataclass(slots=True)
class NoteEntry:
    guid: str
    paper: str  #: the paper's key (folded title)
    kind: str  #: "question" or "review"
    fingerprint: str  #: of the note's content fields
    mod: int  #: when the content last changed (Unix seconds)
    text: str  #: the source text, for matching an edited question to its entry
    removed: int | None = None  #: when the note was last seen missing


@dataclass(slots=True)
class TypeEntry:
    fingerprint: str
    mod: int


@dataclass(slots=True)
class Lock:
    notes: list[NoteEntry] = field(default_factory=list)
    decks: dict[str, str] = field(default_factory=dict)  #: paper key -> deck name
    note_types: dict[str, TypeEntry] = field(default_factory=dict)

    def notes_in_order(self) -> list[NoteEntry]:
        """The notes in the order `dumps` writes them, and so the order the next build reads them in."""
        return sorted(self.notes, key=lambda n: (n.paper, n.kind, n.guid))

    def dumps(self) -> str:
        """JSON with one line per deck, note type and note: sorted, diff-friendly, quick to write."""
        return self.dumps_bytes().decode("utf-8")

    def dumps_bytes(self) -> bytes:
        """`dumps` in UTF-8, made without the whole text as a str (Cyrillic doubles its size)."""
        out = io.BytesIO()  # one growing buffer, which becomes the bytes without a copy
        for _, piece in self.pieces():
            out.write(piece)
        return out.getvalue()

    def pieces(self) -> Iterator[tuple[str | None, bytes]]:
        """`dumps_bytes` piece by piece, to be written out without the whole text in memory (72 MB at
        100,000 notes): each note's row with its paper's key, the rest with None."""

        def line(value: object) -> str:
            return json.dumps(value, ensure_ascii=False, sort_keys=True)

        def block(rows: list[str]) -> str:
            return "[\n  " + ",\n  ".join(rows) + "\n ]" if rows else "[]"

        types = [line({"name": k, **asdict(v)}) for k, v in sorted(self.note_types.items())]
        decks = [line({"paper": k, "name": v}) for k, v in sorted(self.decks.items())]
        head = f'{{\n "version": {LOCK_VERSION},\n "note_types": {block(types)},\n "decks": {block(decks)},\n "notes": '
        notes = self.notes_in_order()
        if not notes:
            yield None, head.encode("utf-8") + b"[]\n}\n"
            return
        yield None, head.encode("utf-8") + b"[\n"
        last = len(notes) - 1
        for i, n in enumerate(notes):
            yield n.paper, b"  " + note_line(n).encode("utf-8") + (b",\n" if i < last else b"\n")
        yield None, b" ]\n}\n"


_string = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) writes a string with


def note_line(n: NoteEntry) -> str:
    """`json.dumps(entry, ensure_ascii=False, sort_keys=True)`, spelled out: five times faster (100,000 a build)."""
    removed = "null" if n.removed is None else str(int(n.removed))
    return (
        f'{{"fingerprint": {_string(n.fingerprint)}, "guid": {_string(n.guid)}, "kind": {_string(n.kind)}, '
        f'"mod": {int(n.mod)}, "paper": {_string(n.paper)}, "removed": {removed}, "text": {_string(n.text)}}}'
    )


def find_lock(folder: str | os.PathLike[str]) -> Path | None:
    """The nearest existing lock in `folder` or a folder above it: the course's lock for a list or a
    subfolder of lists built alone. The search stops at the top of the git repository `folder` is in
    (the folder holding `.git`); outside a repository it never looks above the current folder (a lock
    there would be another course's). The path is relative to the current folder when the lock is
    below it, as the user would write it."""
    start = Path(os.path.abspath(folder))
    here = Path(os.path.abspath(os.curdir))
    chain = [start, *start.parents]
    top = next((i for i, f in enumerate(chain) if (f / ".git").exists()), None)
    if top is not None:
        chain = chain[: top + 1]
    else:
        chain = [f for f in chain if f == here or here in f.parents]
    for place in chain:
        found = place / LOCK_NAME
        if found.is_file():
            return _as_given(found, here)
    return None


def _as_given(path: Path, here: Path) -> Path:
    """`path` relative to `here` when below it, else absolute (on another drive relpath fails)."""
    try:
        shown = os.path.relpath(path, here)
    except ValueError:  # Windows: another drive
        return path
    return Path(shown) if not shown.startswith("..") else path


def read_lock(path: str | os.PathLike[str]) -> Lock:
    p = Path(path)
    if not p.exists():
        return Lock()
    try:
        data = json.loads(p.read_text("utf-8"))
        version = data.get("version")
        if version != LOCK_VERSION:
            raise ValueError(f"{path}: lock version {version} is not supported")
        return Lock(
            notes=[NoteEntry(**n) for n in data.get("notes", [])],
            decks={d["paper"]: d["name"] for d in data.get("decks", [])},
            note_types={t.pop("name"): TypeEntry(**t) for t in data.get("note_types", [])},
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if str(exc).startswith(f"{path}:"):
            raise
        raise ValueError(
            f"{path}: not a papers2anki lock ({exc}); restore it from version control (git checkout -- {path})"
        ) from None


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, skeleton(a), skeleton(b), autojunk=False).ratio()


def new_guid(paper: str, kind: str, text: str, taken: set[str]) -> str:
    """A GUID derived from what the note is, never random; unique among `taken`."""
    salt = 0
    while True:
        digest = hashlib.sha256(f"{paper}\x1f{kind}\x1f{text}\x1f{salt}".encode()).hexdigest()
        guid = "p2a" + digest[:17]
        if guid not in taken:
            return guid
        salt += 1


@dataclass(slots=True)
class Match:
    """How a note of this build found its identity (shown by `build -v`)."""

    index: int  #: the note's index in the build
    guid: str
    how: str  #: "exact", "similar" or "new"
    score: float


def match_notes(
    wanted: list[tuple[str, str, str]],
    entries: list[NoteEntry],
    taken: set[str],
    skeletons: dict[str, str] | None = None,
) -> tuple[list[Match], list[NoteEntry]]:
    """Match (paper, kind, text) of this build to lock entries; returns matches and unmatched entries.

    `skeletons` keeps each text's skeleton for the next call (a build matches twice, see api).
    """
    memo = {} if skeletons is None else skeletons

    def skeleton_of(text: str) -> str:
        found = memo.get(text)
        if found is None:
            found = memo[text] = skeleton(text)
        return found

    matches: dict[int, Match] = {}
    by_text: dict[tuple[str, str, str], list[NoteEntry]] = {}
    for entry in entries:
        by_text.setdefault((entry.paper, entry.kind, skeleton_of(entry.text)), []).append(entry)
    exact: set[int] = set()  # ids of the entries matched exactly
    for i, (paper, kind, text) in enumerate(wanted):
        bucket = by_text.get((paper, kind, skeleton_of(text)))
        if bucket:
            entry = bucket.pop(0)
            exact.add(id(entry))
            matches[i] = Match(i, entry.guid, "exact", 1.0)
    free = [e for e in entries if id(e) not in exact]
    free_of: dict[tuple[str, str], list[tuple[int, NoteEntry]]] = {}
    for order, entry in enumerate(free):
        free_of.setdefault((entry.paper, entry.kind), []).append((order, entry))
    candidates = []
    for i, (paper, kind, text) in enumerate(wanted):
        if i in matches:
            continue
        for order, entry in free_of.get((paper, kind), []):
            score = 1.0 if kind == "review" else similarity(text, entry.text)
            if score >= MATCH_THRESHOLD:
                candidates.append((-score, i, order, entry))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    used: set[str] = set()
    for neg, i, _, entry in candidates:
        if i in matches or entry.guid in used:
            continue
        used.add(entry.guid)
        matches[i] = Match(i, entry.guid, "similar", -neg)
    unmatched = [e for e in free if e.guid not in used]
    for i, (paper, kind, text) in enumerate(wanted):
        if i not in matches:
            guid = new_guid(paper, kind, text, taken)
            taken.add(guid)
            matches[i] = Match(i, guid, "new", 0.0)
    return [matches[i] for i in range(len(wanted))], unmatched


def match_papers(current: list[tuple[str, str]], lock: Lock) -> dict[str, str]:
    """Map each current paper key to the lock's key for it: the same key, or a corrected title."""
    known = {e.paper for e in lock.notes} | set(lock.decks)
    mapping = {key: key for key, _ in current if key in known}
    orphans = sorted(known - set(mapping.values()))
    for key, _ in current:
        if key in mapping or not orphans:
            continue
        scored = sorted(((difflib.SequenceMatcher(None, key, o).ratio(), o) for o in orphans), reverse=True)
        if scored and scored[0][0] >= PAPER_MATCH_THRESHOLD:
            mapping[key] = scored[0][1]
            orphans.remove(scored[0][1])
    return mapping


_NOTES = b'\n "notes": [\n'
_END = b"\n ]\n}\n"
_SEP = b",\n"


@dataclass(slots=True)
class LockText:
    """A lock as `Lock.dumps` wrote it, read and changed paper by paper without parsing the rest.

    Its note rows are one per line in the order of `Lock.notes_in_order`, so each paper's rows are one
    run of bytes. Counted as if the last row too were followed by `,\\n`, each row is `  {...},\\n`;
    `rows` says, paper by paper in the lock's order, how many rows its run has and how many bytes.
    """

    data: bytes
    start: int  #: where the first row begins
    rows: list[tuple[str, int, int]]
    at: dict[str, tuple[int, int]]  #: each paper's run: where it begins (counted from `start`), its size
    total: int  #: the size of all runs

    @staticmethod
    def of(data: bytes, rows: list[tuple[str, int, int]]) -> LockText | None:
        """None when the text is not laid out as `rows` say."""
        found = data.find(_NOTES)
        if found < 0 or not data.endswith(_END):
            return None
        start = found + len(_NOTES)
        at, total = {}, 0
        for key, _, size in rows:
            at[key] = (total, size)
            total += size
        if start + total - len(_SEP) != len(data) - len(_END):
            return None
        return LockText(data, start, rows, at, total)

    @staticmethod
    def counted(pieces: Iterable[tuple[str | None, bytes]], rows: list[tuple[str, int, int]]) -> Iterator[bytes]:
        """The bytes of `Lock.pieces`, with `rows` filled in as they pass."""
        for key, piece in pieces:
            if key is not None:
                size = len(piece) if piece.endswith(_SEP) else len(piece) - 1 + len(_SEP)  # the last row ends `\n`
                if rows and rows[-1][0] == key:
                    rows[-1] = (key, rows[-1][1] + 1, rows[-1][2] + size)
                else:
                    rows.append((key, 1, size))
            yield piece

    def _old(self, begin: int, end: int) -> list[bytes | memoryview]:
        """The runs' bytes from `begin` to `end`, the last row's separator included."""
        last = self.total - len(_SEP)  # where the separator that is not in the text begins
        view = memoryview(self.data)
        out: list[bytes | memoryview] = [view[self.start + begin : self.start + min(end, last)]]
        if end > last:
            out.append(_SEP[max(begin, last) - last : end - last])
        return out

    def entries(self, key: str) -> list[NoteEntry]:
        """The paper's rows, in the lock's order."""
        begin, size = self.at.get(key, (0, 0))
        if not size:
            return []
        run = b"".join(self._old(begin, begin + size - len(_SEP)))
        return [NoteEntry(**json.loads(row)) for row in run.split(_SEP)]

    def note_types(self) -> dict[str, TypeEntry]:
        types = {}
        begin = self.data.find(b'\n "note_types": [\n')
        for line in self.data[begin + 1 : self.start].split(b"\n")[1:]:
            if not line.startswith(b"  {"):
                break
            row = json.loads(line.rstrip(b","))
            name = row.pop("name")
            types[name] = TypeEntry(**row)
        return types

    def splice(self, new: dict[str, list[bytes]]) -> tuple[bytes, list[tuple[str, int, int]]] | None:
        """The text with each paper of `new` given those rows (`note_line`s) in place of its own, and its
        `rows`; None when no row would be left (an empty block is written another way)."""
        pieces: list[bytes | memoryview] = []
        rows: list[tuple[str, int, int]] = []
        copied = 0  # the old runs are copied up to here
        todo = sorted(new)
        i = 0

        def put(key: str, upto: int) -> None:
            nonlocal copied
            pieces.extend(self._old(copied, upto))
            copied = upto
            if new[key]:
                run = b"".join([b"  " + line + _SEP for line in new[key]])
                pieces.append(run)
                rows.append((key, len(new[key]), len(run)))

        for key, count, size in self.rows:
            begin = self.at[key][0]
            while i < len(todo) and todo[i] < key:  # a paper with no rows yet: its rows go before `key`
                put(todo[i], begin)
                i += 1
            if i < len(todo) and todo[i] == key:
                put(key, begin)
                copied = begin + size  # its old rows are left out
                i += 1
            else:
                rows.append((key, count, size))
        for key in todo[i:]:
            put(key, self.total)
        pieces.extend(self._old(copied, self.total))
        if not sum(len(piece) for piece in pieces):
            return None
        need = len(_SEP)  # the last row's separator is not in the text: cut it off the last pieces
        while need:
            last = pieces.pop()
            if len(last) > need:
                pieces.append(last[: len(last) - need])
                need = 0
            else:
                need -= len(last)
        return b"".join([memoryview(self.data)[: self.start], *pieces, _END]), rows
