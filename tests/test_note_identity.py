"""Safe rebuilds (issue 4): edits to the lists update the same notes and keep every review and edit."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import import_packages

import papers2anki.package
from papers2anki.cli import main


def build(sources: Path, out: Path, lock: Path, epoch: int, *extra: str) -> str:
    env = {"SOURCE_DATE_EPOCH": str(epoch)}
    result = CliRunner(env=env).invoke(main, ["build", str(sources), "--out", str(out), "--lock", str(lock), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def notes_by_text(col, needle: str):  # type: ignore[no-untyped-def]
    nids = col.find_notes(f'"Question:*{needle}*"')
    return [col.get_note(n) for n in nids]


def answer_some_cards(col, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    """Study like a student: answer the first `count` new cards with 'Good'."""
    answered = []
    for _ in range(count):
        card = col.sched.getCard()
        assert card is not None
        card.start_timer()
        col.sched.answerCard(card, 3)
        answered.append(card.id)
    return answered


def test_edited_lists_update_the_same_notes(sources_copy: Path, tmp_path: Path, collection) -> None:
    out, lock = tmp_path / "decks", tmp_path / "papers2anki.lock"
    first = int(time.time()) - 3600
    build(sources_copy, out, lock, first)
    import_packages(collection, sorted(out.glob("*.apkg")))
    col = collection
    col.decks.select(col.decks.id_for_name("Papers"))

    answered = answer_some_cards(col, 6)
    cards_before = {cid: col.get_card(cid) for cid in answered}
    revlog_before = col.db.scalar("select count() from revlog")
    assert revlog_before == 6

    # The student edits an answer of a question whose source will not change.
    (student,) = notes_by_text(col, "Опишите принцип работы метода Electra")
    student["Answer"] = "Мой конспект: генератор и дискриминатор"
    col.update_note(student)

    ids_before = {n: col.get_note(n).guid for n in col.find_notes("")}
    s1, s2, s3, s4 = (sources_copy / f"seminar-0{i}.txt" for i in (1, 2, 3, 4))
    edit(s1, "Как он приближается на практике?", "Как его приближают на практике?")  # typo-level
    edit(s1, "Опишите также ограничения этих подходов.", "Какие у этих подходов ограничения?")  # rephrase
    edit(s2, r"$L(N, D)$", r"$L(N, D) = (N_c/N)^{\alpha_N}$")  # a formula
    edit(s4, "- 2. Какие применения", "- 9. Какие применения")  # renumber
    lines = s3.read_text("utf-8").split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("- 4.1."))
    lines[i], lines[i + 1] = lines[i + 1], lines[i]  # swap two questions
    s3.write_text("\n".join(lines), "utf-8")
    edit(
        s2,
        "4. Что измеряет метрика Self-Blue",
        "4. Как авторы сравнивают разнообразие текстов?\n5. Что измеряет метрика Self-Blue",
    )  # add
    edit(s2, "2. Выпишите функцию потерь для генератора и дискриминатора в модели ELECTRA.\n", "")  # delete
    edit(s4, "Hopfield Networks is all you need", "Hopfield Networks is All You Need!")  # title typo

    output = build(sources_copy, out, lock, int(time.time()) + 5)
    assert "Выпишите функцию потерь для генератора" in output  # the deletion is reported
    assert "deck name kept as 'Papers::Hopfield Networks is all you need'" in output
    import_packages(col, sorted(out.glob("*.apkg")))

    assert col.models.by_name("papers2anki Question+") is None
    ids_after = {n: col.get_note(n).guid for n in col.find_notes("")}
    assert len(ids_after) == len(ids_before) + 1  # one added; nothing duplicated, nothing deleted
    assert all(ids_after[n] == guid for n, guid in ids_before.items())
    assert len(set(ids_after.values())) == len(ids_after)

    for needle in ("Как его приближают на практике", "Какие у этих подходов ограничения", "N_c/N"):
        (note,) = notes_by_text(col, needle)
        assert note.id in ids_before, needle  # the same note, updated in place
    (added,) = notes_by_text(col, "Как авторы сравнивают разнообразие текстов")
    assert added.id not in ids_before
    (renumbered,) = notes_by_text(col, "Какие применения для слоя Хопфилда")
    assert renumbered.id in ids_before
    assert col.decks.name(renumbered.cards()[0].did) == "Papers::Hopfield Networks is all you need"
    assert "Hopfield Networks is All You Need!" in renumbered["Paper"]

    assert col.get_note(student.id)["Answer"] == "Мой конспект: генератор и дискриминатор"
    assert col.db.scalar("select count() from revlog") == revlog_before
    for cid, before in cards_before.items():
        after = col.get_card(cid)
        assert (after.ivl, after.due, after.type, after.queue, after.did) == (
            before.ivl,
            before.due,
            before.type,
            before.queue,
            before.did,
        )


def test_rebuild_without_change_is_byte_identical(sources_copy: Path, tmp_path: Path, collection) -> None:
    out, lock = tmp_path / "decks", tmp_path / "papers2anki.lock"
    build(sources_copy, out, lock, 1_700_000_000)
    snapshot = {p.name: p.read_bytes() for p in [*out.glob("*.apkg"), lock]}
    mtimes = {p.name: p.stat().st_mtime_ns for p in [*out.glob("*.apkg"), lock]}
    import_packages(collection, sorted(out.glob("*.apkg")))

    output = build(sources_copy, out, lock, 1_700_009_999)
    assert "nothing changed, no file rewritten" in output
    assert {p.name: p.read_bytes() for p in [*out.glob("*.apkg"), lock]} == snapshot
    assert {p.name: p.stat().st_mtime_ns for p in [*out.glob("*.apkg"), lock]} == mtimes

    other = tmp_path / "elsewhere"
    build(sources_copy, other, lock, 1_700_123_456)
    assert {p.name: p.read_bytes() for p in other.glob("*.apkg")} == {
        k: v for k, v in snapshot.items() if k.endswith(".apkg")
    }
    logs = import_packages(collection, sorted(out.glob("*.apkg")))
    assert sum(len(log.new) + len(log.updated) for log in logs) == 0


def test_a_full_build_with_nothing_new_writes_nothing_anywhere(
    sources_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a cache every build is a full one; when its decks and lock are those on disk it writes
    no file, not even a temporary one: it works where nothing can be written (a check in CI)."""
    monkeypatch.setenv("PAPERS2ANKI_CACHE", "off")
    state = tmp_path / "state"
    out, lock = state / "decks", state / "papers2anki.lock"
    build(sources_copy, out, lock, 1_700_000_000)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in [*out.glob("*.apkg"), lock]}
    for folder in (state, out):
        os.utime(folder, ns=(0, 0))

    output = build(sources_copy, out, lock, 1_700_009_999)
    assert "nothing changed, no file rewritten" in output, output
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in [*out.glob("*.apkg"), lock]} == before
    assert state.stat().st_mtime_ns == out.stat().st_mtime_ns == 0  # no file came and went


def test_a_failed_build_leaves_previous_outputs(
    sources_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, lock = tmp_path / "decks", tmp_path / "papers2anki.lock"
    build(sources_copy, out, lock, 1_700_000_000)
    snapshot = {p: p.read_bytes() for p in [*out.glob("*.apkg"), lock]}
    edit(sources_copy / "seminar-01.txt", "Как он приближается", "Как его приближают")
    edit(sources_copy / "seminar-04.txt", "Neural Tangent Kernel для", "NTK для")

    for victim in ("chmod", "replace"):  # a failure while writing, and while renaming
        calls = {"n": 0}
        real = getattr(os, victim)

        def failing(*args, _real=real, _calls=calls):  # type: ignore[no-untyped-def]
            _calls["n"] += 1
            if _calls["n"] == 2:
                raise OSError(28, "No space left on device (injected)")
            return _real(*args)

        monkeypatch.setattr(papers2anki.package.os, victim, failing)
        result = CliRunner(env={"SOURCE_DATE_EPOCH": "1700000500"}).invoke(
            main, ["build", str(sources_copy), "--out", str(out), "--lock", str(lock)]
        )
        monkeypatch.undo()
        assert result.exit_code == 1, result.output
        assert "No space left on device" in result.output
        assert "Traceback" not in result.output
        assert {p: p.read_bytes() for p in [*out.glob("*.apkg"), lock]} == snapshot
        assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_verbose_build_explains_each_match(sources_copy: Path, tmp_path: Path) -> None:
    out, lock = tmp_path / "decks", tmp_path / "papers2anki.lock"
    build(sources_copy, out, lock, 1_700_000_000)
    edit(
        sources_copy / "seminar-03.txt",
        "Описание алгоритма Fast Geometric Ensembling.",
        "Опишите алгоритм Fast Geometric Ensembling.",
    )
    output = build(sources_copy, out, lock, 1_700_000_100, "-v")
    (line,) = [ln for ln in output.splitlines() if "seminar-03.txt:8" in ln]
    assert re.search(r": similar 0\.[5-9]\d -> p2a\w+ \(changed\)$", line), line
    assert output.count(": exact 1.00 -> ") == 62
    deck = "Papers::Loss Surfaces, Mode Connectivity, and Fast Ensembling of DNNs"
    assert f"{deck}: 0 new, 1 changed, 3 unchanged, 0 removed" in output
