"""A build in full: notes drafted, linted, given their identities and packaged, each from the cache where
its inputs are those of an earlier build, else in the worker processes."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import lock as lockmod
from ..corpus import Corpus, source_roots
from ..held import errors_of, unread_of
from ..identity import Assignment, Context, Facts, Hold, assign, build_time, deck_files, lock_expiry, rebuild_of
from ..records import Paper, Problem
from ..reports import BuildReport
from ..sources import course_folder
from .cache import Store, digest, file_state, folder_for
from .drafting import cached_drafts, cached_lint
from .jobs import package_and_digest
from .memory import dumps, give_back
from .outputs import (
    Record,
    previous_of,
    record_of,
    recorded_elsewhere,
    remove,
    shipped,
)

if TYPE_CHECKING:
    from ..lock import Lock
    from ..notes import NoteDraft
    from ..package import DeckSpec
    from ..sources import Source
    from .options import BuildOptions
    from .parallel import Workers
    from .rebuild import BuildMap


@dataclass(slots=True)
class Built:
    """A build done: its report, and what the next build needs of it (see `last_build.LastBuild`)."""

    report: BuildReport  #: what this build did
    foreseen: BuildReport | None = None  #: what a rebuild with no change would report; None: it would write
    valid_until: int = 0  #: until when `foreseen` holds (the lock's oldest removed entry expires then)
    bmap: BuildMap | None = None  #: what was made, paper by paper, for a rebuild of a few papers
    images: tuple[tuple[str, str], ...] = ()  #: the image files the notes refer to, with what was found there


@dataclass(slots=True)
class _Drafted:
    """Every paper's notes drafted and linted, and the report's counts and problems."""

    papers: list[Paper]
    grouped: list[list[NoteDraft]]  #: each paper's note drafts
    file_lint: list[Problem]  #: the files' own problems
    paper_lint: list[list[Problem]]  #: each paper's problems
    images: tuple[tuple[str, str], ...]  #: the image files the notes refer to, with what was found there
    report: BuildReport


@dataclass(slots=True)
class _Held:
    """The papers held back for their errors, and the others: those built."""

    hold: Hold
    old: Lock  #: the old lock without the rows held back: what the papers built are matched against
    facts: Facts  #: of every paper
    papers: list[Paper]  #: the papers built, with their drafts and facts
    grouped: list[list[NoteDraft]]
    built_facts: Facts
    keep_gone: bool  #: a file was not read: the notes of its papers are not gone
    partial: bool  #: only some of the lists read: the lock's rows of the papers not read are kept
    split: list[str]  #: notices of the papers held back as a list not read holds them too


@dataclass(slots=True)
class _Assigned:
    """The notes' identities, and what a rebuild from the lock this build writes would report."""

    done: Assignment
    notice_counts: list[int]  #: of that rebuild: how many notices each paper gives
    foreseen: dict[str, Any] | None  #: that rebuild's report (see `identity.rebuild_of`); None: it would write


def full_build(corpus: Corpus | list[Paper], options: BuildOptions, elsewhere: dict[str, str]) -> Built:
    """The build in full: drafted and linted, the papers with errors held back, the others given their
    identities, packaged and written; with what the next build needs of it. `elsewhere`: the papers of
    lists it does not read (`outputs.unread_papers`)."""
    if isinstance(corpus, Corpus):
        papers, problems, sources = corpus.papers, list(corpus.problems), corpus.sources
        if corpus.parsed is not None:
            corpus.parsed.save(release=True)
    else:
        papers, problems, sources = list(corpus), [], {}
    now = build_time()
    folder = folder_for(options.lock_file)
    stores = {kind: Store(folder, f"{kind}-{options.lock_file.name}") for kind in ("drafts", "lint", "files")}
    drafted = _drafted_and_linted(corpus, papers, problems, sources, stores, course_folder(options.lock_file))
    report = drafted.report
    held = _held_back(corpus, drafted, options, elsewhere)
    target_of, partial = _target_of(options), held.partial
    earlier = [str(options.single)] if options.single else [target_of(s) for s in held.built_facts.slugs]
    if not options.single and not partial:  # (the undo rule: a paper's notes may be in a deck file of its old
        # title's name; a build of part of the sources does not read all the course's deck files for it)
        earlier += recorded_elsewhere(options.lock_file, str(options.out_dir), earlier)
    context = Context(now, options.root, options.rename_decks, target_of, keep_gone=held.keep_gone)
    context = replace(context, previous=previous_of(earlier, stores["files"], options.previous), partial=partial)
    assigned = _assigned(held, context)
    report.decks, report.matches, report.notices, report.removed = (
        assigned.done.reports,
        assigned.done.matches,
        assigned.done.notices + held.split,
        assigned.done.removed,
    )
    made = [d.file for d in assigned.done.reports]
    # Only a build that read every list and holds no paper back knows which papers are gone (a paper held
    # back may have had its deck file under another name, before its title was corrected).
    whole = not partial and not held.keep_gone and not held.hold.papers
    record = record_of(options.lock_file, None if options.single else str(options.out_dir), made, whole)
    targets, lock_rows = _packaged_and_written(assigned.done, held.hold, stores["files"], report, options, record)
    bmap = _build_map(corpus, drafted, held, assigned, lock_rows) if not options.single else None
    if assigned.foreseen is None:
        return Built(report, None, 0, bmap, drafted.images)
    files = [str(t) for t, _ in targets] + [str(options.lock_file)]
    rebuild = replace(report, written=[], unchanged=files, deleted=[], **assigned.foreseen)
    rebuild.notices = rebuild.notices + held.split
    return Built(report, rebuild, lock_expiry(assigned.done.lock), bmap, drafted.images)


def _drafted_and_linted(
    corpus: Corpus | list[Paper],
    papers: list[Paper],
    problems: list[Problem],
    sources: dict[str, Source],
    stores: dict[str, Store],
    course: str,
) -> _Drafted:
    """Every paper's notes drafted and linted (from the cache where it can), and the report so far."""
    from ..lint import gathered

    paper_keys = [digest(dumps(p)) for p in papers]  # (packed: a plain pickle keeps a copy of the text)
    grouped = cached_drafts(papers, paper_keys, stores["drafts"], source_roots(corpus), course)
    stores["drafts"].save(release=True)  # each store is written once its stage is done, and let go
    all_drafts = [d for g in grouped for d in g]
    images = tuple(sorted({(i.path, i.seen) for d in all_drafts for i in d.images if i.path}))
    file_lint, paper_lint = cached_lint(papers, paper_keys, grouped, sources, stores["lint"])
    stores["lint"].save(release=True)
    problems = gathered(problems, file_lint, paper_lint)
    report = BuildReport(papers=len(papers), problems=problems)
    report.questions = sum(len(p.questions) for p in papers)
    report.reviews = sum(p.review is not None for p in papers)
    report.formulas = sum(len(d.formulas) for d in all_drafts)
    if isinstance(corpus, Corpus):
        report.skipped = corpus.skipped
    return _Drafted(papers, grouped, file_lint, paper_lint, images, report)


def _held_back(
    corpus: Corpus | list[Paper], drafted: _Drafted, options: BuildOptions, elsewhere: dict[str, str]
) -> _Held:
    """The papers with errors held back (unless `force`), their rows in the old lock kept as they were."""
    papers, report = drafted.papers, drafted.report
    old = lockmod.read_lock(options.lock_file)
    facts = Facts.of(papers, drafted.grouped)
    errors = [] if options.force else errors_of(corpus, papers, facts.paper_keys, drafted.paper_lint, report.problems)
    # A build of part of the sources builds no paper that a list it does not read holds too (its part
    # there would look removed): the paper is held back as if it had errors, with a notice.
    split = [i for i, key in enumerate(facts.paper_keys) if key in elsewhere]
    aside = [key for key in elsewhere if key not in facts.paper_keys]  # (never taken for a paper read, renamed)
    hold, old = Hold.of(papers, facts, errors, old, split, aside)
    report.held_back = [papers[i].title for i in hold.papers if i not in split]  # (for errors: those are said)
    said = [f"'{papers[i].title}' not built: {elsewhere[papers[i].key]} holds part of it too" for i in split]
    unread = sorted({path for key, path in elsewhere.items() if key not in facts.paper_keys})
    if unread:  # (a build of part of the course: say which lists it leaves as they were)
        shown = ", ".join(unread[:3]) + (f" and {len(unread) - 3} more" if len(unread) > 3 else "")
        said.append(f"lists not read, their papers kept as they were: {shown}")
    report.unread = unread_of(corpus)
    if options.progress and hold.papers:
        options.progress(len(hold.papers))  # (done: nothing to package)
    keep_gone = bool(report.unread)  # the notes of a file not read are not gone
    built, built_drafts, built_facts = hold.others(papers, drafted.grouped, facts)
    return _Held(hold, old, facts, built, built_drafts, built_facts, keep_gone, bool(elsewhere), said)


def _target_of(options: BuildOptions) -> Callable[[str], str]:
    """A paper's deck file from its slug: its own in `out_dir`, or the one file of `single`."""
    single_file = str(Path(options.single)) if options.single else ""
    deck_file = deck_files(options.out_dir)

    def target_of(slug: str) -> str:
        return single_file or deck_file(slug)

    return target_of


def _assigned(held: _Held, context: Context) -> _Assigned:
    """Every note built its identity from the old lock; and what a rebuild from the lock this build writes
    would do: when it keeps every identity and writes nothing (the usual case), its report can be given
    without parsing next time."""
    old, held.old = held.old, lockmod.Lock()  # (let go once matched)
    done = assign(held.papers, held.grouped, held.built_facts, old, replace(context, taken=held.hold.taken(old)))
    del old
    # The rebuild reads the notes back in the lock's order (matching takes the first of equal entries, so
    # order counts for duplicate questions). The papers held back would be held back again, their rows
    # kept again.
    read_back = lockmod.Lock(done.lock.notes_in_order(), done.lock.decks, done.lock.note_types)
    # (The deck files it reads are those this build writes: they hold what the lock says.)
    again_context = replace(context, taken=held.hold.taken(read_back), previous=None)
    again = assign(held.papers, held.grouped, held.built_facts, read_back, again_context)
    foreseen = rebuild_of(done, read_back, again)
    again.decks, again.lock = [], lockmod.Lock()  # only its report is kept
    held.facts.skeletons.clear()  # (a skeleton of every note's text: matching is done)
    give_back()  # the matching's and the second assignment's memory, before packaging
    return _Assigned(done, again.notice_counts, foreseen)


def _packaged_and_written(
    done: Assignment, hold: Hold, made: Store, report: BuildReport, options: BuildOptions, record: Record
) -> tuple[list[tuple[Path, list[DeckSpec]]], list[tuple[str, int, int]]]:
    """The deck files and the lock, written where their bytes changed (each file in the report's `written`
    or `unchanged`), the record of deck files with them, and the deck files of gone papers removed (in
    the report's `deleted`); nothing written or removed in a dry run. The targets and their specs, and
    the lock's rows (see `lock.LockText`)."""
    from ..files import Streamed, write_files
    from ..lock import LockText
    from .parallel import workers

    single, lock_file = options.single, options.lock_file
    targets: list[tuple[Path, list[DeckSpec]]] = (
        [(Path(single), done.decks)] if single else [(Path(d.file), [s]) for s, d in zip(done.decks, done.reports)]
    )
    specs_of, todo = _unchanged_files(targets, made, options.progress)
    lock_rows: list[tuple[str, int, int]] = []  # (filled as the lock is written)
    with workers() as pool:
        lazy: dict[Path, bytes | Callable[[], bytes] | Streamed] = dict(
            _packages(todo, pool, options.progress, specs_of)
        )
        lock = hold.lock(done.lock)
        lazy[lock_file] = Streamed(lambda: LockText.counted(lock.pieces(), lock_rows))
        if record.text is not None:
            lazy[record.path] = record.text
        written = set(write_files(lazy, dry_run=options.dry_run))
    for path in [t for t, _ in targets] + [lock_file]:
        (report.written if path in written else report.unchanged).append(str(path))
    report.lock, report.deleted, report.dry_run = str(lock_file), record.gone, options.dry_run
    if options.dry_run:
        return targets, lock_rows
    remove(record.gone)
    fingerprints = {e.guid: e.fingerprint for e in done.lock.notes}
    for target, specs in targets:  # (with what the file holds: the next build's previous deck, see `outputs`)
        made.put(str(target), (specs_of[target], file_state(target), shipped(specs, fingerprints)))
    made.save(release=True)
    return targets, lock_rows


def _unchanged_files(
    targets: list[tuple[Path, list[DeckSpec]]], made: Store, progress: Callable[[int], None] | None
) -> tuple[dict[Path, str], dict[Path, list[DeckSpec]]]:
    """A deck file made from the same specs and untouched since we wrote it is not made again: each such
    file's specs digest, and the specs of the others (to make)."""
    from ..package import decks_digest

    specs_of: dict[Path, str] = {}  # filled by _packages for the files it makes
    todo: dict[Path, list[DeckSpec]] = {}
    for target, specs in targets:
        on_disk = file_state(target)
        known = made.get(str(target)) if on_disk is not None else None
        if known is not None and known[1] == on_disk and known[0] == decks_digest(specs):
            specs_of[target] = known[0]
            if progress:
                progress(len(specs))
        else:
            todo[target] = specs
    return specs_of, todo


def _build_map(
    corpus: Corpus | list[Paper],
    drafted: _Drafted,
    held: _Held,
    assigned: _Assigned,
    lock_rows: list[tuple[str, int, int]],
) -> BuildMap | None:
    """What was made, paper by paper, for a rebuild of a few papers; none when papers are held back (the
    next build is a full one, see `LastBuild.delta`) or the corpus was not loaded from files."""
    if not isinstance(corpus, Corpus) or corpus.merged is None or corpus.inputs is None or held.hold.papers:
        return None
    from .rebuild import BuildMap

    inputs = corpus.inputs
    return BuildMap.of(
        files=inputs.files,
        encoding=inputs.encoding,
        digests=inputs.digests(),
        merged=corpus.merged,
        file_lint=drafted.file_lint,
        papers=drafted.papers,
        paper_lint=drafted.paper_lint,
        grouped=drafted.grouped,
        facts=held.facts,
        lock=assigned.done.lock,
        rows=lock_rows,
        notices=assigned.notice_counts,
    )


def _packages(
    todo: dict[Path, list[DeckSpec]],
    pool: Workers,
    progress: Callable[[int], None] | None,
    digests: dict[Path, str],
) -> dict[Path, bytes | Callable[[], bytes]]:
    """For `write_files`: each target's package, made when it is asked for, in path order.

    The workers run ahead of the writing by at most one window, so that a build of 25,000 packages
    never holds them all. Each package's `decks_digest` is put into `digests`.
    """
    order = sorted(todo)
    window = 256

    def made() -> Iterator[tuple[Path, tuple[bytes, str]]]:
        for start in range(0, len(order), window):
            part = order[start : start + window]
            yield from zip(part, pool.map(package_and_digest, [todo[t] for t in part], chunksize=8))

    results = made()

    def next_package(target: Path) -> bytes:
        made_for, (data, digest_of_specs) = next(results)
        assert made_for == target, (made_for, target)  # write_files asks in path order
        digests[target] = digest_of_specs
        if progress:
            progress(len(todo[target]))
        return data

    return {target: functools.partial(next_package, target) for target in order}
