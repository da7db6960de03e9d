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
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .. import lock as lockmod
from ..records import Paper, Problem

if TYPE_CHECKING:
    from ..identity import Facts
    from ..merge import Merged, Outline
    from ..notes import NoteDraft
    from ..reports import BuildReport, DeckReport


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


def delta(
    bmap: BuildMap,
    last: BuildReport,
    matches: str,
    valid_until: int,
    digests: dict[str, str],
    lock_bytes: bytes,
    now: int,
    root: str,
    rename_decks: bool,
    force: bool,
    target_of: Callable[[str], str],
) -> Delta | None:
    """Redo the papers held by the files whose digest changed; None when only a full build will do.

    `last` is the report the last build foresaw for a rebuild with no change, `matches` its match lines.
    None too when a paper redone has errors (and not `force`): the full build holds it back. (The papers
    not redone had none: the last build held none back, see `last_build.LastBuild.delta`.)
    """
    from ..files import read_bytes
    from ..held import paper_errors, unread_files
    from ..identity import Assignment, Facts, assign, lock_expiry, rebuild_of
    from ..lint import lint_files, lint_paper
    from ..lock import Lock
    from ..merge import merge, outline_of
    from ..notes import drafts_of
    from .cache import digest
    from .inputs import marked
    from .jobs import lint_job, read_and_parse

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
    grouped = drafts_of(papers)
    if any(d.images for drafts in grouped for d in drafts):
        return None  # an image now: which one a full build tracks (see `last_build.LastBuild.delta`)

    # Problems: the files and papers redone replace theirs; the rest are the last build's.
    file_problems = dict(bmap.file_problems)
    for path in changed:
        source = merged.sources[path]
        file_problems[path] = merged.file_problems.get(path, []) + lint_files({path: source})
        if not file_problems[path]:
            del file_problems[path]
    paper_problems = dict(bmap.paper_problems)
    own = []
    for paper, drafts in zip(papers, grouped):
        found = lint_paper(*lint_job(paper, drafts, merged.sources))
        own.append(merged.paper_problems.get(paper.key, []) + found)
        paper_problems[paper.key] = own[-1]
        if not paper_problems[paper.key]:
            del paper_problems[paper.key]
    loose = [p for path in changed for p in merged.file_problems.get(path, [])]
    if not force and any(paper_errors(papers, loose, own)):
        return None  # a paper to hold back
    problems = sorted(
        [p for found in file_problems.values() for p in found]
        + [p for found in paper_problems.values() for p in found],
        key=lambda p: p.sort_key,
    )
    keep_gone = bool(unread_files(bmap.outlines, file_problems))

    # The lock: the redone papers' rows are read from its text, matched as the full build matches them,
    # and spliced back in the lock's order.
    text = lockmod.LockText.of(lock_bytes, bmap.rows)
    if text is None:
        return None
    old_entries = []
    for key in sorted(redo):
        for entry in text.entries(key):
            if entry.paper != key:
                return None
            old_entries.append(entry)
    types = text.note_types()
    names = {key: bmap.names[key] for key in redo if key in bmap.names}
    shared = Counter(bmap.names.values())
    if any(shared[name] > 1 for name in names.values()):
        return None  # another paper's removed notes count in the same deck's report
    old = Lock(old_entries, names, types)
    slugs = [bmap.slugs[index[key]] for key in redo]
    facts = Facts(list(redo), slugs, [[d.fingerprint for d in drafts] for drafts in grouped])
    taken = _Taken(lock_bytes)
    done = assign(papers, grouped, facts, old, now, root, rename_decks, target_of, taken, keep_gone)
    if done.lock.decks != names or done.lock.note_types != types:
        return None
    read_back = Lock(done.lock.notes_in_order(), done.lock.decks, done.lock.note_types)
    again: Assignment = assign(papers, grouped, facts, read_back, now, root, rename_decks, target_of, taken, keep_gone)
    foreseen = rebuild_of(done, read_back, again)

    new_rows: dict[str, list[bytes]] = {key: [] for key in redo}
    for entry in read_back.notes:
        new_rows[entry.paper].append(lockmod.note_line(entry).encode("utf-8"))
    spliced = text.splice(new_rows)
    if spliced is None:
        return None
    lock, rows = spliced

    # The report: the last one's, with the redone papers' decks, counts, matches and problems. The last
    # build's match lines of the other papers are what this build would print for them: it reads the
    # lock that build wrote.
    report = replace(last, written=[], unchanged=[], decks=list(last.decks), removed=list(done.removed), notices=[])
    report.problems = problems
    skipped = dict(bmap.skipped)
    skipped.update({path: merged.skipped.get(path, 0) for path in changed})
    report.skipped = sum(skipped.values())
    rebuild_decks = list(last.decks)
    redone = {index[key]: i for i, key in enumerate(redo)}
    new_counts = list(bmap.counts)
    old_lines = matches.split("\0") if matches else []
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
            report.notices.extend(last.notices[old_notice : old_notice + bmap.notices[j]])
            again_notices.extend(last.notices[old_notice : old_notice + bmap.notices[j]])
        else:
            report.notices.extend(done.notices[new_notice : new_notice + done.notice_counts[i]])
            again_notices.extend(again.notices[again_notice : again_notice + again.notice_counts[i]])
            new_notices[j] = again.notice_counts[i]
            new_notice += done.notice_counts[i]
            again_notice += again.notice_counts[i]
            new = paper_counts(papers[i], grouped[i])
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
    if foreseen is not None:
        rebuild = replace(
            report, decks=rebuild_decks, matches=again_lines, removed=list(again.removed), notices=again_notices
        )
    new_map = replace(
        bmap,
        digests=digests,
        file_problems=file_problems,
        paper_problems=paper_problems,
        counts=new_counts,
        rows=rows,
        notices=new_notices,
        skipped=skipped,
    )
    until = min(valid_until, lock_expiry(read_back))
    packages = {report.decks[index[key]].file: [spec] for key, spec in zip(redo, done.decks)}
    redone_decks = {index[key]: again.reports[i] for i, key in enumerate(redo)}
    return Delta(report, rebuild, packages, lock, new_map, until, redone_decks)
