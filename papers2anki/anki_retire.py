"""Retired questions in an Anki collection: the notes the lock marks removed, found by GUID, and
retired when asked (their cards suspended, or the notes deleted).

Anki's import never deletes a note, so a question taken out of the lists stays in every collection that
imported it; the lock keeps its GUID (see `lock`). `push --suspend-removed` and `--delete-removed` act on
those notes, each in one operation of the backend (all of them or none); without either, `push` only says
how many there are. The collection is passed in: nothing of `anki` is imported here.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .messages import plural

SUSPEND = "suspend"  #: suspend the cards of the removed notes (their reviews are kept)
RETIRED_TAG = "papers2anki::retired"  #: on the notes `push --suspend-removed` suspended
DELETE = "delete"  #: delete the removed notes and their cards
WAYS = (SUSPEND, DELETE)
_CHUNK = 500  #: GUIDs per query (SQLite limits the parameters of one statement)


@dataclass(slots=True)
class Removed:
    """Notes of the collection found by GUID (`find_removed`): those the lock marks removed, or those back in
    the lists (`restore`), with their cards and decks."""

    deck_of: dict[int, str] = field(default_factory=dict)  #: note id -> the deck of its first card
    cards: dict[int, list[int]] = field(default_factory=dict)  #: note id -> its cards
    unsuspended: dict[int, list[int]] = field(default_factory=dict)  #: note id -> its cards not suspended

    def decks(self, notes: list[int]) -> str:
        """`Papers::A (2), Papers::B (1)`: how many of `notes` each deck holds."""
        counts = Counter(self.deck_of[n] for n in notes)
        return ", ".join(f"{name} ({count})" for name, count in sorted(counts.items()))


def restore(col: Any, lock_path: str | os.PathLike[str]) -> str | None:
    """Unsuspend the notes `--suspend-removed` suspended whose question is back in the lists (the lock
    has their GUID again, not removed), and take their tag off; what was done (None: nothing). A card
    suspended by hand is never touched: only notes with the tag are."""
    from .lock import read_lock

    tagged = col.find_notes(f'"tag:{RETIRED_TAG}"')
    if not tagged:
        return None
    live = {e.guid for e in read_lock(lock_path).notes if e.removed is None}
    ids = ",".join(str(int(nid)) for nid in tagged)
    back = find_removed(col, sorted(g for g in col.db.list(f"select guid from notes where id in ({ids})") if g in live))
    if not back.cards:
        return None
    notes = sorted(back.cards)
    cards = [cid for nid in notes for cid in back.cards[nid] if cid not in back.unsuspended.get(nid, ())]
    col.sched.unsuspend_cards(cards)
    col.tags.bulk_remove(notes, RETIRED_TAG)
    counted = f"{plural(len(cards), 'card')} of {plural(len(notes), 'note')}"
    return f"unsuspended {counted} back in the lists: {back.decks(notes)}"


def removed_guids(lock_path: str | os.PathLike[str]) -> list[str]:
    """The GUIDs of the notes the lock marks removed (gone from the lists, kept in the lock)."""
    from .lock import read_lock

    return sorted(e.guid for e in read_lock(lock_path).notes if e.removed is not None)


def find_removed(col: Any, guids: list[str]) -> Removed:
    """Those of `guids` that are notes of the collection; a GUID it does not hold is not counted."""
    found = Removed()
    for start in range(0, len(guids), _CHUNK):
        chunk = guids[start : start + _CHUNK]
        rows = col.db.all(
            "select n.id, c.id, c.did, c.queue from notes n join cards c on c.nid = n.id "
            f"where n.guid in ({','.join('?' * len(chunk))}) order by n.id, c.ord",
            *chunk,
        )
        for nid, cid, did, queue in rows:
            if nid not in found.deck_of:
                found.deck_of[nid] = col.decks.name(did)
            found.cards.setdefault(nid, []).append(cid)
            if queue != -1:  # -1: suspended
                found.unsuspended.setdefault(nid, []).append(cid)
    return found


def announce(found: Removed, way: str | None) -> str | None:
    """What is about to be done (said before it is), or, without a way, how many could be retired."""
    active = sorted(found.unsuspended)
    if way is None:
        if not active:
            return None
        return (
            f"{plural(len(active), 'note')} removed from the lists still in the collection: {found.decks(active)}; "
            "--suspend-removed suspends their cards, --delete-removed deletes them"
        )
    if way == SUSPEND:
        already = len(found.cards) - len(active)
        more = f" ({already} more already suspended)" if already else ""
        if not found.cards:
            return "nothing to suspend: no note removed from the lists is in the collection"
        if not active:
            return f"nothing to suspend: no note removed from the lists has a card left unsuspended{more}"
        counted = plural(len(active), "note")
        return f"suspending the cards of {counted} removed from the lists: {found.decks(active)}{more}"
    notes = sorted(found.cards)
    if not notes:
        return "nothing to delete: no note removed from the lists is in the collection"
    return f"deleting {plural(len(notes), 'note')} removed from the lists, with their cards: {found.decks(notes)}"


def retire(col: Any, found: Removed, way: str) -> tuple[int, str | None]:
    """Suspend or delete, in one operation of the backend; how many notes, and what was done (None: nothing)."""
    if way == SUSPEND:
        cards = [cid for cids in found.unsuspended.values() for cid in cids]
        if not cards:
            return 0, None
        col.sched.suspend_cards(cards)
        col.tags.bulk_add(sorted(found.unsuspended), RETIRED_TAG)  # (so that `restore` knows them)
        return len(found.unsuspended), f"suspended {plural(len(cards), 'card')}"
    notes = sorted(found.cards)
    if not notes:
        return 0, None
    col.remove_notes(notes)
    count = sum(len(cids) for cids in found.cards.values())
    return len(notes), f"deleted {plural(len(notes), 'note')} and {plural(count, 'card')}"
