"""Skipping unchanged work never changes what a build writes: cached, corrupt-cache and uncached builds agree."""

from __future__ import annotations

import builtins
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import import_packages

import papers2anki
from papers2anki.engine.cache import folder_for

EPOCH = 1_700_000_000


def run(sources: Path, state: Path, epoch: int, monkeypatch: pytest.MonkeyPatch, cache: str) -> papers2anki.BuildReport:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    monkeypatch.setenv("PAPERS2ANKI_CACHE", cache)
    return papers2anki.build(papers2anki.load([sources]), state / "decks", lock_path=state / "papers2anki.lock")


def outputs(state: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in [*state.glob("decks/*.apkg"), state / "papers2anki.lock"]}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_cached_rebuilds_write_what_uncached_ones_write(
    sources_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collection
) -> None:
    cache, cached, plain = str(tmp_path / "cache"), tmp_path / "cached", tmp_path / "plain"
    first = run(sources_copy, cached, EPOCH, monkeypatch, cache)
    run(sources_copy, plain, EPOCH, monkeypatch, "off")
    assert outputs(cached) == outputs(plain)
    assert len(first.written) == 19

    again = run(sources_copy, cached, EPOCH + 100, monkeypatch, cache)
    assert again.written == [] and len(again.unchanged) == 19
    assert outputs(cached) == outputs(plain)

    edit(sources_copy / "seminar-04.txt", "Расшифруйте все обозначения", "Объясните все обозначения")
    edited = run(sources_copy, cached, EPOCH + 200, monkeypatch, cache)
    run(sources_copy, plain, EPOCH + 200, monkeypatch, "off")
    assert sorted(Path(w).name for w in edited.written) == ["neural-tangent-kernel.apkg", "papers2anki.lock"]
    assert outputs(cached) == outputs(plain)
    logs = import_packages(collection, sorted(cached.glob("decks/*.apkg")))
    assert sum(len(log.new) for log in logs) == 63


def test_a_corrupt_cache_or_a_touched_deck_changes_nothing(
    sources_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, cached = tmp_path / "cache", tmp_path / "cached"
    run(sources_copy, cached, EPOCH, monkeypatch, str(cache))
    expected = outputs(cached)
    folder = folder_for(cached / "papers2anki.lock")
    assert folder is not None and sorted(p.name for p in folder.iterdir()) == [
        "drafts-papers2anki.lock.pickle",
        "files-papers2anki.lock.pickle",
        "last-papers2anki.lock.pickle",
        "lint-papers2anki.lock.pickle",
        "map-papers2anki.lock.pickle",
        "settled-papers2anki.lock.pickle",
    ]
    for n, kept in enumerate(sorted(cache.rglob("*.pickle"))):
        data = kept.read_bytes()
        kept.write_bytes(data[: len(data) // 2] if n % 2 else b"\0" * 40 + data[40:])  # torn, then garbage
    deck = next(cached.glob("decks/neural-tangent*.apkg"))
    deck.write_bytes(b"edited by hand")
    report = run(sources_copy, cached, EPOCH + 100, monkeypatch, str(cache))
    assert [Path(w).name for w in report.written] == [deck.name]
    assert outputs(cached) == expected

    shutil.rmtree(cache)
    cache.write_text("not a folder")  # an unusable cache folder only costs time
    report = run(sources_copy, cached, EPOCH + 200, monkeypatch, str(cache))
    assert report.written == [] and outputs(cached) == expected


def _shown(report: papers2anki.BuildReport, state: Path) -> str:
    """The report with the state folder's path taken out, to compare builds made in two folders."""
    return repr(report).replace(str(state), "STATE")


def test_a_rebuild_with_nothing_changed_skips_parsing_and_reports_what_a_full_rebuild_reports(
    sources_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, cached, plain = str(tmp_path / "cache"), tmp_path / "cached", tmp_path / "plain"
    run(sources_copy, cached, EPOCH, monkeypatch, cache)
    # A question deleted: the rebuild after it reports the removal, the one after that does not.
    edit(sources_copy / "seminar-04.txt", "Расшифруйте все обозначения", "Объясните все обозначения")
    text = (sources_copy / "seminar-01.txt").read_text("utf-8")
    first_question = next(line for line in text.splitlines() if line.startswith("2."))
    (sources_copy / "seminar-01.txt").write_text(text.replace(first_question + "\n", ""), "utf-8")
    changed = run(sources_copy, cached, EPOCH + 100, monkeypatch, cache)
    assert changed.removed and changed.written
    shutil.copytree(cached, plain)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 200))
    monkeypatch.setenv("PAPERS2ANKI_CACHE", cache)
    corpus = papers2anki.load([sources_copy])
    quick = papers2anki.build(corpus, cached / "decks", lock_path=cached / "papers2anki.lock")
    assert corpus.deferred, "the sources were parsed although nothing changed"
    full = run(sources_copy, plain, EPOCH + 200, monkeypatch, "off")
    assert _shown(quick, cached) == _shown(full, plain)
    assert quick.written == [] and not quick.removed and sum(d.removed for d in quick.decks) == 1
    assert outputs(cached) == outputs(plain)

    # Any input touched, and the build does the work again.
    monkeypatch.setenv("PAPERS2ANKI_CACHE", cache)
    for touch in (
        lambda: (cached / "papers2anki.lock").write_text((cached / "papers2anki.lock").read_text() + "\n"),
        lambda: next(cached.glob("decks/*.apkg")).unlink(),
        lambda: edit(sources_copy / "seminar-04.txt", "Объясните все обозначения", "Объясните обозначения"),
    ):
        corpus = papers2anki.load([sources_copy])
        assert papers2anki.build(corpus, cached / "decks", lock_path=cached / "papers2anki.lock").written == []
        assert corpus.deferred  # nothing to do: not parsed
        touch()
        corpus = papers2anki.load([sources_copy])
        assert papers2anki.build(corpus, cached / "decks", lock_path=cached / "papers2anki.lock").written


def test_lint_paper_by_paper_finds_what_lint_finds() -> None:
    from conftest import FIXTURES, SOURCES

    from papers2anki.api import drafts_of
    from papers2anki.lint import lint, lint_files, lint_paper

    corpus = papers2anki.load([SOURCES, *sorted(p for p in FIXTURES.iterdir() if p.is_dir())], cache=False)
    grouped = drafts_of(corpus.papers)
    whole = lint(corpus.papers, [d for g in grouped for d in g], corpus.sources)
    parts = lint_files(corpus.sources)
    for paper, drafts in zip(corpus.papers, grouped):
        parts += lint_paper(paper, drafts, corpus.sources)
    assert len(whole) >= 8 and {p.rule for p in whole} >= {"numbering", "duplicate-question", "latex-syntax"}
    assert sorted(whole, key=lambda p: p.sort_key) == sorted(parts, key=lambda p: p.sort_key)


def test_a_rebuild_trusts_settled_files_by_their_state_and_reads_the_rest(
    sources_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, state = str(tmp_path / "cache"), tmp_path / "state"
    files = sorted(p for p in sources_copy.iterdir() if p.is_file())
    hour_ago = EPOCH * 10**9  # long before any build: settled
    for path in files[1:]:
        os.utime(path, ns=(hour_ago, hour_ago))
    soon = time.time_ns() + 10**10
    os.utime(files[0], ns=(soon, soon))  # changed just as the build looks: not to be trusted by its state
    time.sleep(0.3)  # the others' change times (set by utime) are then settled too
    run(sources_copy, state, EPOCH, monkeypatch, cache)  # files[0] was just written: read again next time

    reads: list[str] = []  # the source files read whole (opened for bytes)
    real_open = builtins.open
    names = {path.name for path in files}

    def counted(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode == "rb" and isinstance(file, str | os.PathLike) and Path(file).name in names:
            reads.append(Path(file).name)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counted)
    corpus = papers2anki.load([sources_copy])
    report = papers2anki.build(corpus, state / "decks", lock_path=state / "papers2anki.lock")
    assert report.written == [] and corpus.deferred
    assert reads == [files[0].name]  # the lock, as the decks, is known by its state

    # Same size, same modification time, other bytes: the change time gives it away.
    text = files[1].read_bytes()
    files[1].write_bytes(text.replace(b"?", b"!", 1))
    os.utime(files[1], ns=(hour_ago, hour_ago))
    assert files[1].stat().st_size == len(text)
    reads.clear()
    corpus = papers2anki.load([sources_copy])
    report = papers2anki.build(corpus, state / "decks", lock_path=state / "papers2anki.lock")
    assert report.written and files[1].name in reads


@pytest.mark.parametrize("question", ["What is Z?", "Что такое Z?", "Зачем нужен X?", "How does Y work?"])
def test_forced_duplicate_questions_rebuild_as_a_full_build_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, question: str
) -> None:
    """Equal questions match the lock's first equal entry, so the shortcut must foresee the lock as read back."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "list.txt").write_text(f"Some Paper Title\n\n1. {question}\n2. {question}\n3. Other?\n", "utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    for name, cache in (("cached", str(tmp_path / "cache")), ("plain", "off")):
        monkeypatch.setenv("PAPERS2ANKI_CACHE", cache)
        for _ in range(3):
            state = tmp_path / name
            papers2anki.build(
                papers2anki.load([src]), state / "decks", lock_path=state / "papers2anki.lock", force=True
            )
    assert outputs(tmp_path / "cached") == outputs(tmp_path / "plain")


def test_a_source_edited_between_load_and_build_is_built(
    sources_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, state = str(tmp_path / "cache"), tmp_path / "state"
    run(sources_copy, state, EPOCH, monkeypatch, cache)
    time.sleep(0.3)
    run(sources_copy, state, EPOCH, monkeypatch, cache)  # now every file is settled
    corpus = papers2anki.load([sources_copy])
    edit(sources_copy / "seminar-04.txt", "Расшифруйте все обозначения", "Объясните все обозначения")
    report = papers2anki.build(corpus, state / "decks", lock_path=state / "papers2anki.lock")
    assert sorted(Path(w).name for w in report.written) == ["neural-tangent-kernel.apkg", "papers2anki.lock"]


def test_the_shortcut_reports_paths_as_this_build_spells_them(
    sources_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS2ANKI_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    for out in (tmp_path / "decks", Path("decks")):
        report = papers2anki.build(papers2anki.load([sources_copy]), out, lock_path=tmp_path / "papers2anki.lock")
    assert report.written == [] and all(p.startswith("decks/") for p in report.unchanged[:-1])
