"""The corpus: everything read from the sources, as `papers2anki.load` gives it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .records import Paper, Problem

if TYPE_CHECKING:
    from .merge import Merged
    from .sources import Source


class Corpus:
    """Everything read from the sources: papers merged across files, and the problems met.

    `load` finds the files; they are read and parsed on first use of `papers`, `problems` or
    `sources`: a build whose inputs are byte for byte those of the last build does not parse at all.
    """

    __slots__ = (
        "_papers",
        "_problems",
        "_sources",
        "_pending",
        "parsed",
        "paths",
        "inputs",
        "exact",
        "cached",
        "merged",
    )

    def __init__(
        self,
        papers: list[Paper] | None = None,
        problems: list[Problem] | None = None,
        sources: dict[str, Source] | None = None,
    ) -> None:
        self._papers: list[Paper] = papers if papers is not None else []
        self._problems: list[Problem] = problems if problems is not None else []
        self._sources: dict[str, Source] = sources if sources is not None else {}
        self._pending: Callable[[], None] | None = None
        # The engine's, set by `load` (`engine.inputs`): the cache of parses, the files found.
        self.parsed: Any = None  #: parses for the next build to keep (an `engine.cache.Store`)
        self.paths: list[str] = []  #: what `load` was given
        self.inputs: Any = None  #: the files `load` found (an `engine.inputs.Inputs`)
        self.exact = True  #: no file changed between reading its bytes and parsing it
        self.cached = True  #: `load(cache=...)`: earlier builds' results may stand in for work
        self.merged: Merged | None = None  #: which file holds which paper (for a rebuild of a few files)

    def defer(self, reading: Callable[[], None]) -> None:
        """Read and parse the sources (`reading`, which calls `fill`) on first use of the records."""
        self._pending = reading

    @property
    def deferred(self) -> bool:
        """Whether the sources are still to be read: a build with nothing to do never reads them."""
        return self._pending is not None

    def fill(self, papers: list[Paper], problems: list[Problem], sources: dict[str, Source], merged: Merged) -> None:
        """The records read from the sources."""
        self._papers, self._problems, self._sources, self.merged = papers, problems, sources, merged

    def _ready(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending()

    @property
    def papers(self) -> list[Paper]:
        self._ready()
        return self._papers

    @property
    def problems(self) -> list[Problem]:
        self._ready()
        return self._problems

    @property
    def sources(self) -> dict[str, Source]:
        self._ready()
        return self._sources

    @property
    def skipped(self) -> int:
        """How many lines of the sources were skipped as scaffolding (`parse --outline` says which)."""
        self._ready()
        return sum(self.merged.skipped.values()) if self.merged is not None else 0

    def __iter__(self) -> Iterator[Paper]:
        return iter(self.papers)

    def __len__(self) -> int:
        return len(self.papers)

    def __repr__(self) -> str:
        return f"Corpus({len(self.papers)} papers, {len(self.problems)} problems, {len(self.sources)} files)"


def source_roots(corpus: Corpus | list[Paper]) -> list[str]:
    """The folders a corpus's images must lie in: each folder `load` was given, a file's own folder."""
    if not isinstance(corpus, Corpus):
        return []
    return sorted({os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in corpus.paths})
