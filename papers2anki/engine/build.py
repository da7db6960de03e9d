"""The orchestrator of a build: nothing to do, a few papers to redo, or a full build."""

from __future__ import annotations

import os

from ..corpus import Corpus
from ..records import Paper
from ..reports import BuildReport
from .cache import folder_for
from .full import full_build
from .last_build import LastBuild
from .memory import paused_gc
from .options import BuildOptions
from .outputs import unread_papers
from .parallel import shared

__all__ = ["BuildOptions", "run_build"]


def run_build(corpus: Corpus | list[Paper], options: BuildOptions) -> BuildReport:
    """The build: nothing to do (the last build's report), a few papers redone, or in full.

    A build of part of the sources (see `outputs.unread_papers`) is always a full build of what it reads,
    and leaves no record: the lists it does not read count for it too (which papers they hold)."""
    # (found once, here: it may parse every list it does not read)
    elsewhere = unread_papers(corpus, options.lock_file, os.fspath(options.out_dir))
    if elsewhere:
        with shared():
            return full_build(corpus, options, elsewhere).report
    last = LastBuild(folder_for(options.lock_file), options.lock_file, corpus, options.key())
    with paused_gc():  # (reading and writing the last build's record: many containers, no cycles)
        report = last.unchanged()
    if report is not None:
        report.dry_run = options.dry_run
        return report
    with shared():
        with paused_gc():
            built = None if options.single or options.dry_run else last.delta(options)
        if built is None:
            built = full_build(corpus, options, elsewhere)
    if options.dry_run:
        return built.report  # (nothing written: nothing for the next build to trust)
    with paused_gc():
        last.remember(built)
    return built.report
