"""What a build is asked to do, beside its corpus: one value passed from the public face to every step."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..defaults import DEFAULT_ROOT

if TYPE_CHECKING:
    from ..previous import DeckNotes


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What a build is asked to do, beside its corpus (see `papers2anki.build`)."""

    out_dir: str | os.PathLike[str]  #: the folder of the deck files (one per paper)
    lock_file: Path
    single: str | os.PathLike[str] | None = None  #: one deck file for all papers, instead
    root: str = DEFAULT_ROOT  #: the parent deck of every paper's deck
    rename_decks: bool = False  #: give a deck pinned in the lock its new name
    force: bool = False  #: build the papers with errors too, instead of holding them back
    progress: Callable[[int], None] | None = None  #: told of each batch of notes packaged
    dry_run: bool = False  #: write nothing, remove nothing: report what the build would do
    previous: DeckNotes | None = None  #: what the notes' destination last got, besides the deck files (push)

    def key(self) -> tuple[str | bool, ...]:
        """What of the options decides the files a build writes: paths as given (the report shows them
        so) and as they resolve (the same spelling elsewhere), and the choices."""
        places = [os.fspath(self.out_dir), os.fspath(self.single) if self.single else "", str(self.lock_file)]
        resolved = (os.path.abspath(p) if p else "" for p in places)
        shipped = self.previous.digest() if self.previous is not None else ""
        return (*places, *resolved, self.root, self.rename_decks, self.force, shipped)
