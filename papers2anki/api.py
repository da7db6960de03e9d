"""The pipeline as a small public API: load, check, build. The CLI and examples/ call these."""

from __future__ import annotations

import functools
import os
import pickle
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import lock as lockmod
from .cache import Store, digest, file_state, folder_for
from .lint import lint, one_line
from .lock import Lock, NoteEntry, TypeEntry
from .notes import NoteDraft, note_types, question_draft, review_draft
from .package import DEFAULT_ROOT, DeckSpec, NoteSpec, decks_digest, package_bytes, write_files
from .parse import ParseResult, parse_source
from .records import Location, Paper, Problem
from .slug import unique_slugs
from .sources import Source, SourceError, find_source_files, read_source
from .text import title_key

DEFAULT_SOURCES = "sources"
DEFAULT_OUT = "decks"


class BuildError(Exception):
    """The input has errors; nothing was written. `problems` says what and where."""

    def __init__(self, problems: list[Problem]) -> None:
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the sources; nothing was written")
        self.problems = problems


@dataclass(slots=True)
class Corpus:
    """Everything read from the sources: papers merged across files, and the problems met."""

    papers: list[Paper]
    problems: list[Problem]
    sources: dict[str, Source] = field(default_factory=dict)
    parsed: Store | None = field(default=None, repr=False, compare=False)  #: parses for the next build to keep

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.papers)

    def __len__(self) -> int:
        return len(self.papers)


def _read_and_parse(path: str, encoding: str | None, store: Store) -> tuple[Source, ParseResult]:
    """`read_source` + `parse_source`, or their result from an earlier build of the very same bytes."""
    try:
        raw: bytes | None = Path(path).read_bytes()
    except OSError:
        raw = None
    key = digest(path, encoding or "", raw) if raw is not None else ""
    if key:
        hit = store.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
    source = read_source(path, encoding)
    result = parse_source(source)
    try:
        unchanged = raw is not None and Path(path).read_bytes() == raw
    except OSError:
        unchanged = False
    if key and unchanged:  # a file rewritten while we read it is not cached under its old bytes
        store.put(key, (source, result))
    return source, result


def load(
    paths: Iterable[str | os.PathLike[str]] = (DEFAULT_SOURCES,), *, encoding: str | None = None, cache: bool = True
) -> Corpus:
    """Read and parse question lists and reviews; papers with the same folded title are merged.

    With `cache`, a file whose bytes are those of an earlier build is not parsed again: its parse is
    read from the cache of builds with the default lock (see `cache`). Only `build` writes that cache.
    """
    names = [os.fspath(p) for p in paths]
    store = Store(folder_for(default_lock_path(names)) if cache else None, "parse")
    corpus = _load(names, encoding, store)
    corpus.parsed = store
    return corpus


def _load(paths: list[str], encoding: str | None, store: Store) -> Corpus:
    files = find_source_files(paths)
    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    papers: dict[str, Paper] = {}
    reviews = []
    for path in files:
        if path.endswith(".lock"):
            continue
        try:
            source, result = _read_and_parse(path, encoding, store)
        except SourceError as exc:
            problems.append(
                exc.problem
                if exc.problem.rule != "binary-file"
                else Problem(exc.problem.location, "warning", exc.problem.message, exc.problem.rule)
            )
            continue
        sources[source.path] = source
        problems.extend(result.problems)
        reviews.extend(result.reviews)
        for paper in result.papers:
            known = papers.get(paper.key)
            if known is None:
                papers[paper.key] = paper
                continue
            if known.title != paper.title:
                problems.append(
                    Problem(
                        paper.location or Location(path, 1),
                        "warning",
                        f"'{paper.title}' and '{known.title}' ({known.location}) are one paper: merged",
                        "merged-title",
                    )
                )
            known.questions.extend(paper.questions)
    for review in reviews:
        key = title_key(review.title)
        if key not in papers:
            papers[key] = Paper(review.title, [], None, review.location)
        paper = papers[key]
        if paper.review is not None:
            problems.append(
                Problem(
                    review.location,
                    "warning",
                    f"a second review of '{paper.title}'; the first is kept",
                    "duplicate-review",
                )
            )
            continue
        paper.review = review
    return Corpus(list(papers.values()), [one_line(p) for p in problems], sources)


def drafts_of(papers: list[Paper]) -> list[list[NoteDraft]]:
    """Each paper's notes, in study order: its questions, then its review."""
    out = []
    for paper in papers:
        drafts = [question_draft(paper, q, i) for i, q in enumerate(paper.questions)]
        if paper.review is not None:
            drafts.append(review_draft(paper, paper.review, len(drafts)))
        out.append(drafts)
    return out


def check(
    paths: Iterable[str | os.PathLike[str]] = (DEFAULT_SOURCES,), *, encoding: str | None = None
) -> list[Problem]:
    """Every problem of the sources, sorted by file and line; writes nothing."""
    corpus = load(paths, encoding=encoding)
    drafts = [d for group in drafts_of(corpus.papers) for d in group]
    return sorted(corpus.problems + lint(corpus.papers, drafts, corpus.sources), key=lambda p: p.sort_key)


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
    decks: list[DeckReport] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)  #: one line per note: how it found its identity
    notices: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  #: questions gone from the sources

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)


def default_lock_path(paths: Iterable[str | os.PathLike[str]]) -> Path:
    first = Path(next(iter(paths), DEFAULT_SOURCES))
    return (first if first.is_dir() else first.parent) / lockmod.LOCK_NAME


def build_time() -> int:
    """The build's clock: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return int(epoch) if epoch else int(time.time())


def build(
    corpus: Corpus | list[Paper],
    out_dir: str | os.PathLike[str] = DEFAULT_OUT,
    *,
    lock_path: str | os.PathLike[str] | None = None,
    single: str | os.PathLike[str] | None = None,
    root: str = DEFAULT_ROOT,
    rename_decks: bool = False,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BuildReport:
    """Package one deck per paper into `out_dir` (or all into `single`), keeping identities in the lock.

    Work whose inputs did not change since the last build (notes' fields, lint, deck files) is taken from
    the user's cache folder (see `papers2anki.cache`): the files written are the same as without it.
    """
    return _build(corpus, out_dir, lock_path, single, root, rename_decks, force, progress)


def _build(
    corpus: Corpus | list[Paper],
    out_dir: str | os.PathLike[str],
    lock_path: str | os.PathLike[str] | None,
    single: str | os.PathLike[str] | None,
    root: str,
    rename_decks: bool,
    force: bool,
    progress: Callable[[int], None] | None,
) -> BuildReport:
    if isinstance(corpus, Corpus):
        papers, problems, sources = corpus.papers, list(corpus.problems), corpus.sources
    else:
        papers, problems, sources = list(corpus), [], {}
    now = build_time()
    lock_file = Path(lock_path) if lock_path else default_lock_path([DEFAULT_SOURCES] if not sources else list(sources))
    folder = folder_for(lock_file)
    stores = {kind: Store(folder, f"{kind}-{lock_file.name}") for kind in ("drafts", "lint", "files")}
    paper_keys = [digest(pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)) for p in papers]
    grouped = _cached_drafts(papers, paper_keys, stores["drafts"])
    all_drafts = [d for g in grouped for d in g]
    lint_key = digest(*paper_keys, *(part for path in sorted(sources) for part in (path, sources[path].text)))
    found = stores["lint"].get(lint_key)
    if found is None:
        found = lint(papers, all_drafts, sources)
        stores["lint"].put(lint_key, found)
    problems = sorted(problems + found, key=lambda p: p.sort_key)
    if any(p.severity == "error" for p in problems) and not force:
        raise BuildError(problems)
    report = BuildReport(papers=len(papers), problems=problems)
    report.questions = sum(len(p.questions) for p in papers)
    report.reviews = sum(p.review is not None for p in papers)
    report.formulas = sum(len(d.formulas) for d in all_drafts)

    old = lockmod.read_lock(lock_file)
    new = Lock()

    types = note_types()
    type_mods: dict[int, int] = {}
    for nt in types:
        prev = old.note_types.get(nt.name)
        # Anki updates only when strictly newer: a change made within the same second still counts.
        mod = prev.mod if prev and prev.fingerprint == nt.fingerprint else max(now, prev.mod + 1 if prev else now)
        new.note_types[nt.name] = TypeEntry(nt.fingerprint, mod)
        type_mods[nt.id] = mod
    by_kind = {"question": types[0], "review": types[1]}

    keys = lockmod.match_papers([(p.key, p.title) for p in papers], old)
    wanted = [(keys.get(d.paper_key, d.paper_key), d.kind, d.content) for d in all_drafts]
    matches, gone = lockmod.match_notes(wanted, old.notes, {e.guid for e in old.notes})
    entries = {e.guid: e for e in old.notes}

    slugs = unique_slugs([p.title for p in papers])
    deck_specs: list[DeckSpec] = []
    out = Path(out_dir)
    index = 0
    for paper, drafts, slug in zip(papers, grouped, slugs):
        lock_key = keys.get(paper.key, paper.key)
        title = paper.title.replace("::", ":")  # `::` would nest decks in Anki
        wanted_name = f"{root}::{title}" if root else title
        name = old.decks.get(lock_key, wanted_name)
        if name != wanted_name:
            if rename_decks:
                report.notices.append(
                    f"deck '{name}' renamed to '{wanted_name}' (--rename-decks): its old cards stay in the old deck"
                )
                name = wanted_name
            else:
                report.notices.append(
                    f"deck name kept as '{name}' for '{paper.title}' (pinned in the lock; --rename-decks to rename)"
                )
        new.decks[paper.key] = name
        target = Path(single) if single else out / f"{slug}.apkg"
        deck = DeckReport(name, str(target))
        notes = []
        for draft in drafts:
            match = matches[index]
            index += 1
            entry = entries.get(match.guid)
            if entry is not None and entry.fingerprint == draft.fingerprint:
                mod, state = entry.mod, "unchanged"
                deck.unchanged += 1
            else:
                mod = max(now, entry.mod + 1) if entry is not None else now
                state = "changed" if entry is not None else "new"
                if entry is None:
                    deck.new += 1
                else:
                    deck.changed += 1
            new.notes.append(NoteEntry(match.guid, paper.key, draft.kind, draft.fingerprint, mod, draft.content))
            report.matches.append(f"{draft.location.short}: {match.how} {match.score:.2f} -> {match.guid} ({state})")
            notes.append(
                NoteSpec(
                    by_kind[draft.kind],
                    match.guid,
                    draft.fields,
                    [slug, _file_tag(draft.location.file)],
                    draft.position,
                    mod,
                )
            )
        deck_specs.append(DeckSpec(name, _description(paper, drafts), notes, type_mods))
        report.decks.append(deck)

    for entry in gone:
        removed = entry.removed if entry.removed is not None else now
        deck_name = old.decks.get(entry.paper, entry.paper)
        if entry.removed is None:
            report.removed.append(f"{deck_name}: '{entry.text[:70]}' is no longer in the sources (kept in the lock)")
        for d in report.decks:
            if d.name == deck_name:
                d.removed += 1
        if now - removed <= lockmod.KEEP_REMOVED_DAYS * 86400:
            new.notes.append(
                NoteEntry(
                    entry.guid,
                    keys.get(entry.paper, entry.paper),
                    entry.kind,
                    entry.fingerprint,
                    entry.mod,
                    entry.text,
                    removed,
                )
            )
            new.decks.setdefault(entry.paper, deck_name)

    # A deck file made from the same specs and untouched since we wrote it is not made again.
    made = stores["files"]
    targets: list[tuple[Path, list[DeckSpec]]] = (
        [(Path(single), deck_specs)] if single else [(Path(d.file), [s]) for s, d in zip(deck_specs, report.decks)]
    )
    specs_of: dict[Path, str] = {}
    lazy: dict[Path, bytes | Callable[[], bytes]] = {}
    for target, specs in targets:
        specs_of[target] = decks_digest(specs)
        on_disk = file_state(target)
        if on_disk is None or made.get(str(target)) != (specs_of[target], on_disk):
            lazy[target] = functools.partial(_package, specs, progress)
        elif progress:
            progress(len(specs))
    lazy[lock_file] = new.dumps().encode("utf-8")
    written = set(write_files(lazy))
    for path in [t for t, _ in targets] + [lock_file]:
        (report.written if path in written else report.unchanged).append(str(path))
    for target, _ in targets:
        made.put(str(target), (specs_of[target], file_state(target)))
    for store in stores.values():
        store.save()
    if isinstance(corpus, Corpus) and corpus.parsed is not None:
        corpus.parsed.save()
    return report


@functools.lru_cache(maxsize=4096)
def _file_tag(path: str) -> str:
    """The tag naming a note's source file (Path() per note cost 4 s at 100,000 notes)."""
    return Path(path).name.replace(" ", "_")


def _package(specs: list[DeckSpec], progress: Callable[[int], None] | None) -> bytes:
    data = package_bytes(specs)
    if progress:
        progress(len(specs))
    return data


def _cached_drafts(papers: list[Paper], keys: list[str], store: Store) -> list[list[NoteDraft]]:
    """`drafts_of` each paper, or its drafts from an earlier build of the same paper records."""
    out = []
    for paper, key in zip(papers, keys):
        drafts = store.get(key)
        if drafts is None:
            drafts = drafts_of([paper])[0]
            store.put(key, drafts)
        out.append(drafts)
    return out


def _description(paper: Paper, drafts: list[NoteDraft]) -> str:
    for draft in drafts:
        if draft.kind == "review":
            return draft.fields[3]
    return ""
