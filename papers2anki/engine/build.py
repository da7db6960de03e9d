"""The orchestrator of a build: nothing to do, a few papers to redo, or a full build."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..corpus import Corpus
from ..records import Paper
from ..reports import BuildReport
from .cache import folder_for
from .full import full_build
from .last_build import LastBuild
from .memory import paused_gc
from .parallel import shared


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What a build is asked to do, beside its corpus (see `papers2anki.build`)."""

    out_dir: str | os.PathLike[str]
    lock_file: Path
    single: str | os.PathLike[str] | None = None
    root: str = "Papers"
    rename_decks: bool = False
    force: bool = False
    progress: Callable[[int], None] | None = None

    def key(self) -> tuple[str | bool, ...]:
        """What of the options decides the files a build writes: paths as given (the report shows them
        so) and as they resolve (the same spelling elsewhere), and the choices."""
        places = [os.fspath(self.out_dir), os.fspath(self.single) if self.single else "", str(self.lock_file)]
        resolved = (os.path.abspath(p) if p else "" for p in places)
        return (*places, *resolved, self.root, self.rename_decks, self.force)


def run_build(corpus: Corpus | list[Paper], options: BuildOptions) -> BuildReport:
    """The build: nothing to do (the last build's report), a few papers redone, or in full."""
    o = options
    last = LastBuild(folder_for(o.lock_file), o.lock_file, corpus, o.key())
    with paused_gc():  # (reading and writing the last build's record: many containers, no cycles)
        report = last.unchanged()
    if report is not None:
        return report
    with shared():
        with paused_gc():
            built = None if o.single else last.delta(o.out_dir, o.root, o.rename_decks, o.force)
        if built is None:
            built = full_build(corpus, o.out_dir, o.lock_file, o.single, o.root, o.rename_decks, o.force, o.progress)
    with paused_gc():
        last.remember(*built)
    return built[0]
