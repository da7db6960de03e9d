"""What a build says it did: a report per deck and one for the build."""

from __future__ import annotations

from dataclasses import dataclass, field

from .records import Problem


@dataclass(slots=True)
class DeckReport:
    name: str
    file: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass(slots=True)
class BuildReport:
    """What a build did."""

    papers: int = 0
    questions: int = 0
    reviews: int = 0
    formulas: int = 0
    skipped: int = 0  #: lines of the sources skipped as scaffolding (front matter, comments, ...)
    decks: list[DeckReport] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)  #: one line per note: how it found its identity
    notices: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  #: questions gone from the sources
    held_back: list[str] = field(default_factory=list)  #: titles of the papers not written: they have errors
    unread: list[str] = field(default_factory=list)  #: files that could not be read (no note marked removed)
    lock: str = ""  #: the lock file (in `written` when this build changed it)
    deleted: list[str] = field(default_factory=list)  #: deck files removed: no paper of the sources is written there
    dry_run: bool = False  #: nothing was written: `written` and `deleted` are what the build would do

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)

    @property
    def errors(self) -> int:
        """How many problems are errors: without `force`, their papers are in `held_back`."""
        return sum(p.severity == "error" for p in self.problems)
