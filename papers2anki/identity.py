"""Stage 5, identity: every note its GUID and `mod` from the lock, every paper its deck and deck file.

`assign` matches the notes of a build against the old lock (`lock.match_papers`, `lock.match_notes`): a
note keeps its GUID, and its `mod` while its content is the same as the lock's entry and as the previous
deck file's note (`Context.previous`: an edit undone with the lock is a change); a paper keeps the deck
name pinned in the lock. A build of part of the sources (`Context.partial`) leaves the entries and deck
names of the papers it did not read as they were. `Hold` keeps the rows of the papers a build holds back
for their errors as they were. Shared by full builds and rebuilds of a few papers (`engine`)."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import lock as lockmod
from .decknames import deck_name
from .records import Paper, Problem
from .reports import DeckReport

if TYPE_CHECKING:
    from .lock import Lock, Match, NoteEntry
    from .notes import NoteDraft, NoteType
    from .package import DeckSpec
    from .previous import DeckNotes


@dataclass(slots=True)
class Assignment:
    """Identities for one build: the new lock, the decks to package, and what the report says of them."""

    lock: Lock
    decks: list[DeckSpec]
    reports: list[DeckReport]
    matches: list[str]
    notices: list[str]
    removed: list[str]
    notice_counts: list[int] = field(default_factory=list)  #: how many of the notices each paper gave


@dataclass(slots=True)
class Facts:
    """What both assignments of a build need, worked out once: at 100,000 notes each costs seconds."""

    paper_keys: list[str]  #: each paper's folded title
    slugs: list[str]  #: each paper's file name
    fingerprints: list[list[str]]  #: each note's content digest, paper by paper
    skeletons: dict[str, str] = field(default_factory=dict)  #: for lock.match_notes

    @staticmethod
    def of(papers: list[Paper], grouped: list[list[NoteDraft]]) -> Facts:
        from .slug import unique_slugs

        return Facts(
            [p.key for p in papers],
            unique_slugs([p.title for p in papers]),
            [[d.fingerprint for d in drafts] for drafts in grouped],
        )


@dataclass(frozen=True, slots=True)
class Context:
    """Where and when an assignment happens, beside the notes and the lock it matches."""

    now: int  #: the build's time: the `mod` of what is new or changed
    root: str  #: the parent deck of every paper's deck ("" for none)
    rename_decks: bool  #: give a deck pinned in the lock its new name
    target_of: Callable[[str], str]  #: a paper's deck file from its slug
    taken: set[str] | None = None  #: the GUIDs a new one must differ from (None: those of the old lock)
    keep_gone: bool = False  #: entries matching no note kept as they are, not marked (or reported) removed
    previous: DeckNotes | None = None  #: what the previous deck files hold: a note that differs there changed
    partial: bool = False  #: only some of the sources read: the entries of papers not read kept as they are


def assign(
    papers: list[Paper], grouped: list[list[NoteDraft]], facts: Facts, old: Lock, context: Context
) -> Assignment:
    """Give every note its GUID and `mod` from the old lock (see `lock`), and every paper its deck."""
    from .lock import Lock

    new = Lock()
    types, type_mods = _note_types(old, new, context.now, context.previous)
    keys = lockmod.match_papers(list(zip(facts.paper_keys, (p.title for p in papers))), old)
    wanted = [(keys.get(d.paper_key, d.paper_key), d.kind, d.content) for g in grouped for d in g]
    taken = {e.guid for e in old.notes} if context.taken is None else context.taken
    matches, gone = lockmod.match_notes(wanted, old.notes, taken, facts.skeletons)
    by_kind = {"question": types[0], "review": types[1]}
    run = _Assigning(
        context, Assignment(new, [], [], [], [], []), matches, {e.guid: e for e in old.notes}, by_kind, type_mods
    )
    names = [run.deck_name(p, old.decks.get(keys.get(key, key))) for p, key in zip(papers, facts.paper_keys)]
    new.decks.update(zip(facts.paper_keys, names))
    run.add_papers(papers, grouped, facts, names)
    read = {keys.get(k, k) for k in facts.paper_keys} if context.partial else None
    run.keep_removed(gone, old, keys, read)
    if read is not None:  # the deck names of the papers not read stay pinned as they were
        for key, name in old.decks.items():
            if key not in read:
                new.decks.setdefault(key, name)
    return run.done


def _newer(now: int, *known: int) -> int:
    """The `mod` of a changed note or note type: the build's time, and newer than every `mod` known of it
    (the lock's, the previous deck file's; 0: none). Anki updates only when strictly newer: a change made
    within the same second still counts."""
    floor = max(known)
    return max(now, floor + 1) if floor else now


def _note_types(
    old: Lock, new: Lock, now: int, previous: DeckNotes | None
) -> tuple[tuple[NoteType, NoteType], dict[int, int]]:
    """The note types, each with its `mod` (kept while its fingerprint is the lock's and the previous deck
    files'), entered in `new`."""
    from .lock import TypeEntry
    from .notes import note_types

    types = note_types()
    type_mods: dict[int, int] = {}
    for nt in types:
        prev = old.note_types.get(nt.name)
        shipped = previous.types.get(nt.id) if previous is not None else None
        same = prev is not None and prev.fingerprint == nt.fingerprint
        if same and shipped is not None and shipped[0] != nt.fingerprint:
            same = False  # an undone change of the templates: the deck file has the newer one
        mod = prev.mod if same and prev else _newer(now, prev.mod if prev else 0, shipped[1] if shipped else 0)
        new.note_types[nt.name] = TypeEntry(nt.fingerprint, mod)
        type_mods[nt.id] = mod
    return types, type_mods


@dataclass(slots=True)
class _Assigning:
    """One assignment under way: its context, what is done so far, and what the notes are given from."""

    context: Context
    done: Assignment
    matches: list[Match]  #: each note's match in the old lock, in build order
    entries: dict[str, NoteEntry]  #: the old lock's entries by GUID
    by_kind: dict[str, NoteType]  #: the note type of each kind of note
    type_mods: dict[int, int]  #: each note type's `mod`, by id

    def deck_name(self, paper: Paper, pinned: str | None) -> str:
        """A paper's deck name: the one `pinned` in the lock, unless `rename_decks` (each case a notice)."""
        notices = self.done.notices
        notices_before = len(notices)
        wanted_name = deck_name(paper.title, self.context.root)
        name = wanted_name if pinned is None else pinned
        if name != wanted_name:
            if self.context.rename_decks:
                notices.append(
                    f"deck '{name}' renamed to '{wanted_name}' (--rename-decks): its old cards stay in the old deck"
                )
                name = wanted_name
            else:
                notices.append(
                    f"deck name kept as '{name}' for '{paper.title}' (pinned in the lock; --rename-decks to rename)"
                )
        self.done.notice_counts.append(len(notices) - notices_before)
        return name

    def add_papers(self, papers: list[Paper], grouped: list[list[NoteDraft]], facts: Facts, names: list[str]) -> None:
        """Each paper's notes, each with its GUID and `mod`, into the new lock, its deck and the report."""
        from .lock import NoteEntry
        from .package import DeckSpec, NoteSpec

        now, entries, matches, by_kind, done = self.context.now, self.entries, self.matches, self.by_kind, self.done
        shipped = self.context.previous.notes if self.context.previous is not None else {}
        lock_notes, match_lines, target_of = done.lock.notes, done.matches, self.context.target_of
        index = 0
        for paper, paper_key, drafts, slug, fingerprints, name in zip(
            papers, facts.paper_keys, grouped, facts.slugs, facts.fingerprints, names
        ):
            deck = DeckReport(name, target_of(slug))
            notes = []
            for draft, fingerprint in zip(drafts, fingerprints):
                match = matches[index]
                index += 1
                entry = entries.get(match.guid)
                before = shipped.get(match.guid)  # what the previous deck file holds (an undone edit?)
                shipped_same = before is None or before[0] == fingerprint
                if entry is not None and entry.fingerprint == fingerprint and shipped_same:
                    mod, state = entry.mod, "unchanged"
                    deck.unchanged += 1
                else:
                    mod = _newer(now, entry.mod if entry is not None else 0, before[1] if before is not None else 0)
                    state = "changed" if entry is not None else "new"
                    if entry is None:
                        deck.new += 1
                    else:
                        deck.changed += 1
                lock_notes.append(NoteEntry(match.guid, paper_key, draft.kind, fingerprint, mod, draft.content))
                match_lines.append(f"{draft.location.short}: {match.how} {match.score:.2f} -> {match.guid} ({state})")
                tags = [slug, _file_tag(draft.location.file)]
                notes.append(NoteSpec(by_kind[draft.kind], match.guid, draft.fields, tags, draft.position, mod))
            media = {image.name: image.path for d in drafts for image in d.images if image.name}
            done.decks.append(DeckSpec(name, _description(paper, drafts), notes, self.type_mods, media))
            done.reports.append(deck)

    def keep_removed(self, gone: list[NoteEntry], old: Lock, keys: dict[str, str], read: set[str] | None) -> None:
        """The old entries no note matched: marked removed (and counted in their deck's report), dropped
        once expired; kept as they are when `keep_gone`, or when their paper is not among those `read`."""
        from .lock import NoteEntry

        now, done = self.context.now, self.done
        for entry in gone:
            removed = entry.removed
            deck_name = old.decks.get(entry.paper, entry.paper)
            if not self.context.keep_gone and (read is None or entry.paper in read):
                if removed is None:
                    removed = now
                    done.removed.append(
                        f"{deck_name}: '{entry.text[:70]}' is no longer in the sources (kept in the lock)"
                    )
                for d in done.reports:
                    if d.name == deck_name:
                        d.removed += 1
                if now - removed > lockmod.KEEP_REMOVED_DAYS * 86400:
                    continue
            key = keys.get(entry.paper, entry.paper)
            done.lock.notes.append(
                NoteEntry(entry.guid, key, entry.kind, entry.fingerprint, entry.mod, entry.text, removed)
            )
            done.lock.decks.setdefault(entry.paper, deck_name)


@dataclass(slots=True)
class Hold:
    """The papers a build holds back for their errors (see `held.paper_errors`), and their notes' rows and
    deck names in the lock, kept exactly as they were: not matched, not marked removed, not renamed."""

    papers: list[int] = field(default_factory=list)  #: their indices in the build
    kept: Lock = field(default_factory=lambda: lockmod.Lock())  #: their rows and deck names in the old lock

    @staticmethod
    def of(
        papers: list[Paper],
        facts: Facts,
        errors: list[list[Problem]],
        old: Lock,
        more: Iterable[int] = (),
        aside: Iterable[str] = (),
    ) -> tuple[Hold, Lock]:
        """What is held back (the papers with errors, and `more`), and the old lock without it: the lock
        the other papers are matched against. `aside` are papers of the old lock (by key) that the build
        does not read (a build of part of the sources): their rows are kept the same way, so that no paper
        read is taken for one of them renamed."""
        held = sorted({i for i, found in enumerate(errors) if found} | set(more))
        mine = set(aside)
        if held:  # a paper's rows are those of its key in the lock: its old key when its title was corrected
            keys = lockmod.match_papers(list(zip(facts.paper_keys, (p.title for p in papers))), old)
            mine |= {keys.get(facts.paper_keys[i], facts.paper_keys[i]) for i in held}
        if not mine:
            return Hold(), old
        kept = lockmod.Lock(
            [e for e in old.notes if e.paper in mine], {k: v for k, v in old.decks.items() if k in mine}
        )
        rest = lockmod.Lock(
            [e for e in old.notes if e.paper not in mine],
            {k: v for k, v in old.decks.items() if k not in mine},
            old.note_types,
        )
        return Hold(held, kept), rest

    def others(
        self, papers: list[Paper], grouped: list[list[NoteDraft]], facts: Facts
    ) -> tuple[list[Paper], list[list[NoteDraft]], Facts]:
        """The papers built: all but those held back, with their notes and facts."""
        if not self.papers:
            return papers, grouped, facts
        held = set(self.papers)
        keep = [i for i in range(len(papers)) if i not in held]
        built = Facts(
            [facts.paper_keys[i] for i in keep],
            [facts.slugs[i] for i in keep],  # (worked out among all papers: a held one keeps its slug taken)
            [facts.fingerprints[i] for i in keep],
            facts.skeletons,
        )
        return [papers[i] for i in keep], [grouped[i] for i in keep], built

    def taken(self, lock: Lock) -> set[str] | None:
        """The GUIDs a new one must differ from: `lock`'s and the held rows' (None: `lock`'s, nothing is held)."""
        if not self.papers and not self.kept.notes:
            return None
        return {e.guid for e in lock.notes} | {e.guid for e in self.kept.notes}

    def lock(self, lock: Lock) -> Lock:
        """The lock to write: `lock`, the built papers', with the held papers' rows and deck names as they were."""
        if not self.papers and not self.kept.notes and not self.kept.decks:
            return lock
        return lockmod.Lock(lock.notes + self.kept.notes, {**self.kept.decks, **lock.decks}, lock.note_types)


def lock_expiry(lock: Lock) -> int:
    """Until when a rebuild would keep the lock as it is: its oldest removed entry expires then."""
    removed = [e.removed for e in lock.notes if e.removed is not None]
    return min(removed) + lockmod.KEEP_REMOVED_DAYS * 86400 if removed else 2**62


def rebuild_of(done: Assignment, read_back: Lock, again: Assignment) -> dict[str, Any] | None:
    """What the report of `again` (from `read_back`, the lock `done` wrote) says, when it changes
    nothing; else None."""
    same = (
        (again.lock.decks, again.lock.note_types) == (read_back.decks, read_back.note_types)
        and again.lock.notes_in_order() == read_back.notes
        and all(
            (a.name, [(n.guid, n.mod) for n in a.notes], a.type_mods)
            == (b.name, [(n.guid, n.mod) for n in b.notes], b.type_mods)
            for a, b in zip(again.decks, done.decks)
        )
    )
    if not same:
        return None
    return {"decks": again.reports, "matches": again.matches, "notices": again.notices, "removed": again.removed}


def deck_files(out_dir: str | os.PathLike[str]) -> Callable[[str], str]:
    """A paper's deck file from its slug, spelled alike by full builds and rebuilds of a few papers."""
    out = Path(out_dir)

    def deck_file(slug: str) -> str:  # os.path, not Path: 25,000 Paths cost a second
        return os.path.join(out, f"{slug}.apkg")

    return deck_file


@functools.lru_cache(maxsize=4096)
def _file_tag(path: str) -> str:
    """The tag naming a note's source file (Path() per note cost 4 s at 100,000 notes)."""
    return Path(path).name.replace(" ", "_")


def _description(paper: Paper, drafts: list[NoteDraft]) -> str:
    for draft in drafts:
        if draft.kind == "review":
            return draft.fields[3]
    return ""


def build_time() -> int:
    """The build's clock: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return int(epoch) if epoch else int(time.time())
