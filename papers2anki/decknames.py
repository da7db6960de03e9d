"""Deck names: each paper's deck as `build` names it, for every command that shows decks.

A paper's deck is `<root>::<title>`; once written, its name is pinned in the lock (under the paper's key,
or the key of the title it had before a correction), and a later build keeps that name unless asked to
rename (`--rename-decks`). `identity` names decks with `deck_name` inside its note matching.
"""

from __future__ import annotations

from collections.abc import Collection

from .defaults import DEFAULT_ROOT
from .lock import Lock, match_papers
from .records import Paper


def deck_name(title: str, root: str = DEFAULT_ROOT) -> str:
    """The deck a paper's title names: under `root` (none when empty); `::` in the title becomes `:`,
    since `::` would nest decks in Anki."""
    title = title.replace("::", ":")
    return f"{root}::{title}" if root else title


def deck_names(papers: list[Paper], lock: Lock, root: str = DEFAULT_ROOT, rename: bool = False) -> list[str]:
    """Each paper's deck, in the order of `papers`: the name pinned in `lock` for it, else (or with
    `rename`) the name its title gives."""
    keys = match_papers([(p.key, p.title) for p in papers], lock)
    names = []
    for paper in papers:
        wanted = deck_name(paper.title, root)
        pinned = lock.decks.get(keys.get(paper.key, paper.key), wanted)
        names.append(wanted if rename else pinned)
    return names


def without_papers(lock: Lock, papers: list[Paper], held: Collection[int]) -> Lock:
    """`lock` without the rows and deck names of the papers at the indices `held` (those held back for
    their errors): the lock that `build` matches the other papers against."""
    if not held:
        return lock
    keys = match_papers([(p.key, p.title) for p in papers], lock)
    mine = {keys.get(papers[i].key, papers[i].key) for i in held}
    return Lock(
        [e for e in lock.notes if e.paper not in mine],
        {k: v for k, v in lock.decks.items() if k not in mine},
        lock.note_types,
    )
