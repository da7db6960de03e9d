"""A rebuild after a few source files changed: only the papers those files hold are parsed, matched and packaged.

A full build (one package per paper) leaves a `BuildMap`: each file's digest and outline (its papers'
titles and its reviews, in order), each paper's slug, counts and problems, and the lock's rows paper by
paper. When the next build finds the same code, options, lock and deck files, the same list of files,
and the changed files still hold the same papers in the same order (only questions, answers or reviews
changed), it redoes just those papers with the full build's own functions (`merge`, `drafts_of`,
`lint_paper`, `identity.assign`) and splices their rows into the lock. In every other case (a title
changed, a file added or removed, a deck name shared by two papers, one package for all) `delta` returns
None and the full build runs. tests/test_rebuild_of_a_few_files.py holds the two to the same files and report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .. import lock as lockmod
from ..records import Paper, Problem

if TYPE_CHECKING:
    from ..identity import Assignment, Context, Facts
    from ..merge import Merged, Outline
    from ..notes import NoteDraft
    from ..reports import BuildReport, DeckReport
    from .options import BuildOptions


@dataclass(slots=True)
class BuildMap:
    """What a full build made, paper by paper, for a later rebuild of a few papers."""

    files: list[str]  #: the source files, in load order
    encoding: str
    digests: dict[str, str]  #: each file's digest (`load`'s _Inputs)
    outlines: dict[str, Outline | None]
    paper_files: dict[str, list[str]]  #: the files holding each paper that more than one file holds
    file_problems: dict[str, list[Problem]]  #: reading, parsing and linting each file (those with any)
    paper_problems: dict[str, list[Problem]]  #: merging and linting each paper (those with any)
    papers: list[str]  #: the papers' keys, in build order
    slugs: list[str]
    counts: list[tuple[int, int, int, int]]  #: each paper's questions, review (0/1), formulas and notes
    names: dict[str, str]  #: the lock's deck names by paper key
    rows: list[tuple[str, int, int]]  #: the lock's note rows, paper by paper (see `lockmod.LockText`)
    notices: list[int]  #: how many notices each paper gives (a deck name pinned in the lock)
    skipped: dict[str, int]  #: each file's lines skipped as scaffolding

    @staticmethod
    def of(
        *,
        files: list[str],
        encoding: str,
        digests: dict[str, str],
        merged: Merged,
        file_lint: list[Problem],
        papers: list[Paper],
        paper_lint: list[list[Problem]],
        grouped: list[list[NoteDraft]],
        facts: Facts,
        lock: lockmod.Lock,
        rows: list[tuple[str, int, int]],
        notices: list[int],
    ) -> BuildMap:
        """The map of a full build (one package per paper), from what it read, made and wrote."""
        file_problems = {path: list(found) for path, found in merged.file_problems.items()}
        for problem in file_lint:
            file_problems.setdefault(problem.location.file, []).append(problem)
        paper_problems = {
            key: list(merged.paper_problems.get(key, [])) + found for key, found in zip(facts.paper_keys, paper_lint)
        }
        counts = [paper_counts(paper, drafts) for paper, drafts in zip(papers, grouped)]
        return BuildMap(
            files,
            encoding,
            dict(digests),
            merged.outlines,
            {key: files for key, files in merged.paper_files.items() if len(files) > 1},
            {path: found for path, found in file_problems.items() if found},
            {key: found for key, found in paper_problems.items() if found},
            list(facts.paper_keys),
            list(facts.slugs),
            counts,
            dict(lock.decks),
            rows,
            list(notices),
            dict(merged.skipped),
        )


def paper_counts(paper: Paper, drafts: list[NoteDraft]) -> tuple[int, int, int, int]:
    """A paper's share of a build's counts: questions, review (0/1), formulas, and notes."""
    return len(paper.questions), int(paper.review is not None), sum(len(d.formulas) for d in drafts), len(drafts)


class _Taken(set):  # type: ignore[type-arg]
    """The GUIDs a new one must avoid: those added, and every one in the lock's text (not parsed)."""

    def __init__(self, lock_text: bytes) -> None:
        super().__init__()
        self.text = lock_text

    def __contains__(self, guid: object) -> bool:
        return super().__contains__(guid) or f'"guid": "{guid}"'.encode() in self.text


@dataclass(slots=True)
class Delta:
    """A rebuild of a few papers, ready to write."""

    report: BuildReport  #: what this build did (its `written` and `unchanged` still to fill)
    foreseen: BuildReport | None  #: what a rebuild with no change would report; None when it would write
    packages: dict[str, list]  # type: ignore[type-arg]  #: target -> the DeckSpecs of the papers redone
    lock: bytes
    bmap: BuildMap
    valid_until: int
    redone: dict[int, DeckReport]  #: by paper index, the decks' reports a rebuild with no change would give


#: The fields of a BuildMap that a rebuild of a few papers never changes: stored apart, not written again.
STATIC = ("files", "encoding", "outlines", "paper_files", "papers", "slugs", "names")
DYNAMIC = ("digests", "file_problems", "paper_problems", "counts", "rows", "notices", "skipped")


@dataclass(frozen=True, slots=True)
class Foreseen:
    """What the last build foresaw for a rebuild with no change (see `last_build.LastBuild`)."""

    report: BuildReport  #: that rebuild's report
    matches: str  #: its match lines, joined by NUL
    valid_until: int  #: until when it holds


@dataclass(slots=True)
class _Redo:
    """The papers to redo: those the changed files hold, parsed, merged and drafted again."""

    changed: list[str]  #: the files whose digest changed
    keys: list[str]  #: the papers' keys, in build order
    index: dict[str, int]  #: each one's place in the build
    merged: Merged  #: the files holding them, merged
    papers: list[Paper]
    grouped: list[list[NoteDraft]]  #: each paper's note drafts


@dataclass(slots=True)
class _Problems:
    """The problems of this build: those of the files and papers redone, the last build's of the rest."""

    files: dict[str, list[Problem]]  #: by file (those with any)
    papers: dict[str, list[Problem]]  #: by paper key (those with any)
    sorted: list[Problem]  #: all of them, as the report lists them
    keep_gone: bool  #: a file was not read: the notes of its papers are not gone


@dataclass(slots=True)
class _Identities:
    """The redone papers' notes matched against their rows in the lock, and as a rebuild would match them."""

    done: Assignment
    read_back: lockmod.Lock  #: the lock `done` writes, as the next build reads it
    again: Assignment  #: the rebuild's assignment, from `read_back`
    foreseen: bool  #: that rebuild keeps every identity and writes nothing


@dataclass(slots=True)
class _Reported:
    """The report of this build, of a rebuild with no change, and the map's counts that change with them."""

    report: BuildReport
    rebuild: BuildReport | None
    counts: list[tuple[int, int, int, int]]
    notices: list[int]
    skipped: dict[str, int]


def delta(
    bmap: BuildMap, last: Foreseen, digests: dict[str, str], lock_bytes: bytes, options: BuildOptions, now: int
) -> Delta | None:
    """Redo the papers held by the files whose digest changed; None when only a full build will do.

    None too when a paper redone has errors (and not `force`): the full build holds it back. (The papers
    not redone had none: the last build held none back, see `last_build.LastBuild.delta`.)
    """
    from ..identity import Context, deck_files, lock_expiry
    from ..sources import course_folder
    from .outputs import previous_of

    redo = _papers_to_redo(bmap, digests, course_folder(options.lock_file))
    if redo is None:
        return None
    problems = _problems(bmap, redo, options.force)
    if problems is None:
        return None
    found = _old_rows(bmap, redo.keys, lock_bytes)
    if found is None:
        return None
    text, old = found
    target_of = deck_files(options.out_dir)
    taken = _Taken(lock_bytes)  # every GUID in the lock's text
    shipped = previous_of((target_of(bmap.slugs[redo.index[key]]) for key in redo.keys), None, options.previous)
    context = Context(now, options.root, options.rename_decks, target_of, taken, problems.keep_gone, shipped)
    ids = _identities(bmap, redo, old, context)
    if ids is None:
        return None
    spliced = _spliced(text, redo.keys, ids.read_back)
    if spliced is None:
        return None
    lock, rows = spliced
    told = _reported(bmap, last, redo, problems, ids)
    new_map = replace(
        bmap,
        digests=digests,
        file_problems=problems.files,
        paper_problems=problems.papers,
        counts=told.counts,
        rows=rows,
        notices=told.notices,
        skipped=told.skipped,
    )
    until = min(last.valid_until, lock_expiry(ids.read_back))
    index = redo.index
    packages = {told.report.decks[index[key]].file: [spec] for key, spec in zip(redo.keys, ids.done.decks)}
    redone_decks = {index[key]: ids.again.reports[i] for i, key in enumerate(redo.keys)}
    return Delta(told.report, told.rebuild, packages, lock, new_map, until, redone_decks)


def _papers_to_redo(bmap: BuildMap, digests: dict[str, str], course: str) -> _Redo | None:
    """The papers the changed files hold, parsed, merged and drafted; None when they are not the same
    papers as before (added, removed, renamed or moved), or too many files changed."""
    from ..files import read_bytes
    from ..merge import merge, outline_of
    from ..notes import drafts_of
    from .cache import digest
    from .inputs import marked
    from .jobs import read_and_parse

    changed = [path for path in bmap.files if digests[path] != bmap.digests[path]]
    if not changed or len(changed) > 64:
        return None
    parsed = {path: read_and_parse((path, bmap.encoding or None)) for path in changed}
    keys: list[str] = []
    for path in changed:
        result = parsed[path]
        if isinstance(result, Problem):
            return None
        outline = outline_of(result[1])
        if outline != bmap.outlines[path]:
            return None  # papers added, removed, renamed or moved: the full build sorts that out
        keys.extend(key for key, _ in outline[0])
        keys.extend(key for key, _ in outline[1])
    known = set(bmap.papers)
    if any(key not in known for key in keys):
        return None
    index = {key: bmap.papers.index(key) for key in set(keys)}  # a few keys: no need to index them all
    redo = sorted(index, key=lambda k: index[k])
    holders = {path for key in redo for path in bmap.paper_files.get(key, [])}
    for path in holders - set(changed):
        parsed[path] = read_and_parse((path, bmap.encoding or None))
    if any(digest(*marked(read_bytes(path))) != digests[path] for path in parsed):
        return None  # a file changed while this build read it
    merged = merge([(path, parsed[path]) for path in bmap.files if path in parsed])
    papers = [merged.papers[key] for key in redo]
    grouped = drafts_of(papers, course=course)
    if any(d.images for drafts in grouped for d in drafts):
        return None  # an image now: which one a full build tracks (see `last_build.LastBuild.delta`)
    return _Redo(changed, redo, index, merged, papers, grouped)


def _problems(bmap: BuildMap, redo: _Redo, force: bool) -> _Problems | None:
    """The files and papers redone replace their problems; the rest are the last build's. None when a
    paper redone has errors (and not `force`): a paper to hold back."""
    from ..held import paper_errors, unread_files
    from ..lint import gathered, lint_files, lint_paper
    from .jobs import lint_job

    merged = redo.merged
    file_problems = dict(bmap.file_problems)
    for path in redo.changed:
        source = merged.sources[path]
        file_problems[path] = merged.file_problems.get(path, []) + lint_files({path: source})
        if not file_problems[path]:
            del file_problems[path]
    paper_problems = dict(bmap.paper_problems)
    own = []
    for paper, drafts in zip(redo.papers, redo.grouped):
        found = lint_paper(*lint_job(paper, drafts, merged.sources))
        own.append(merged.paper_problems.get(paper.key, []) + found)
        paper_problems[paper.key] = own[-1]
        if not paper_problems[paper.key]:
            del paper_problems[paper.key]
    loose = [p for path in redo.changed for p in merged.file_problems.get(path, [])]
    if not force and any(paper_errors(redo.papers, loose, own)):
        return None  # a paper to hold back
    problems = gathered([p for found in file_problems.values() for p in found], [], list(paper_problems.values()))
    keep_gone = bool(unread_files(bmap.outlines, file_problems))
    return _Problems(file_problems, paper_problems, problems, keep_gone)


def _old_rows(bmap: BuildMap, redo: list[str], lock_bytes: bytes) -> tuple[lockmod.LockText, lockmod.Lock] | None:
    """The lock's text, and the redone papers' rows read from it as a lock to match against; None when
    they are not where the map says or share a deck name with another paper."""
    from ..lock import Lock

    text = lockmod.LockText.of(lock_bytes, bmap.rows)
    if text is None:
        return None
    old_entries = []
    for key in sorted(redo):
        for entry in text.entries(key):
            if entry.paper != key:
                return None
            old_entries.append(entry)
    names = {key: bmap.names[key] for key in redo if key in bmap.names}
    shared = Counter(bmap.names.values())
    if any(shared[name] > 1 for name in names.values()):
        return None  # another paper's removed notes count in the same deck's report
    return text, Lock(old_entries, names, text.note_types())


def _identities(bmap: BuildMap, redo: _Redo, old: lockmod.Lock, context: Context) -> _Identities | None:
    """The redone papers' notes matched as the full build matches them, and again from the lock that
    writes; None when their deck names or the note types would change."""
    from ..identity import Facts, assign, rebuild_of
    from ..lock import Lock

    slugs = [bmap.slugs[redo.index[key]] for key in redo.keys]
    facts = Facts(list(redo.keys), slugs, [[d.fingerprint for d in drafts] for drafts in redo.grouped])
    done = assign(redo.papers, redo.grouped, facts, old, context)
    if done.lock.decks != old.decks or done.lock.note_types != old.note_types:
        return None
    read_back = Lock(done.lock.notes_in_order(), done.lock.decks, done.lock.note_types)
    again = assign(redo.papers, redo.grouped, facts, read_back, replace(context, previous=None))
    foreseen = rebuild_of(done, read_back, again) is not None
    return _Identities(done, read_back, again, foreseen)


def _spliced(
    text: lockmod.LockText, redo: list[str], read_back: lockmod.Lock
) -> tuple[bytes, list[tuple[str, int, int]]] | None:
    """The lock with the redone papers' rows spliced back in its order, and its rows; None when they do not fit."""
    new_rows: dict[str, list[bytes]] = {key: [] for key in redo}
    for entry in read_back.notes:
        new_rows[entry.paper].append(lockmod.note_line(entry).encode("utf-8"))
    return text.splice(new_rows)


def _reported(bmap: BuildMap, last: Foreseen, redo: _Redo, problems: _Problems, ids: _Identities) -> _Reported:
    """The last report, with the redone papers' decks, counts, matches and problems. The last build's match
    lines of the other papers are what this build would print for them: it reads the lock that build wrote."""
    done, again, before = ids.done, ids.again, last.report
    report = replace(before, written=[], unchanged=[], decks=list(before.decks), removed=list(done.removed), notices=[])
    report.problems = problems.sorted
    skipped = dict(bmap.skipped)
    skipped.update({path: redo.merged.skipped.get(path, 0) for path in redo.changed})
    report.skipped = sum(skipped.values())
    rebuild_decks = list(before.decks)
    redone = {redo.index[key]: i for i, key in enumerate(redo.keys)}
    new_counts = list(bmap.counts)
    old_lines = last.matches.split("\0") if last.matches else []
    done_lines: list[str] = []
    again_lines: list[str] = []
    again_notices: list[str] = []
    new_notices = list(bmap.notices)
    at_old = at_new = old_notice = new_notice = again_notice = 0
    for j, (q, r, f, notes) in enumerate(bmap.counts):
        i = redone.get(j)
        if i is None:
            done_lines.extend(old_lines[at_old : at_old + notes])
            again_lines.extend(old_lines[at_old : at_old + notes])
            report.notices.extend(before.notices[old_notice : old_notice + bmap.notices[j]])
            again_notices.extend(before.notices[old_notice : old_notice + bmap.notices[j]])
        else:
            report.notices.extend(done.notices[new_notice : new_notice + done.notice_counts[i]])
            again_notices.extend(again.notices[again_notice : again_notice + again.notice_counts[i]])
            new_notices[j] = again.notice_counts[i]
            new_notice += done.notice_counts[i]
            again_notice += again.notice_counts[i]
            new = paper_counts(redo.papers[i], redo.grouped[i])
            report.questions += new[0] - q
            report.reviews += new[1] - r
            report.formulas += new[2] - f
            new_counts[j] = new
            report.decks[j], rebuild_decks[j] = done.reports[i], again.reports[i]
            done_lines.extend(done.matches[at_new : at_new + new[3]])
            again_lines.extend(again.matches[at_new : at_new + new[3]])
            at_new += new[3]
        at_old += notes
        old_notice += bmap.notices[j]
    report.matches = done_lines
    rebuild = None
    if ids.foreseen:
        rebuild = replace(
            report, decks=rebuild_decks, matches=again_lines, removed=list(again.removed), notices=again_notices
        )
    return _Reported(report, rebuild, new_counts, new_notices, skipped)
