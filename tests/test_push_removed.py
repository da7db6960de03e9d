"""Retired questions: a question taken out of the lists is never packaged again, and `push
--suspend-removed` / `--delete-removed` retire its note in a collection that has it, found by the GUID the
lock keeps; only when asked. The real Anki backend throughout.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import SYNC_PASSWORD, SYNC_USER, fresh_collection, import_packages
from test_push import phone_sync, push_cli

import papers2anki
from papers2anki.cli import main

ENERGY = "Papers::Your Classifier is Secretly an Energy Based Model and You Should Treat it Like One"
MASK = "Papers::Mask-Predict: Parallel Decoding of Conditional Masked Language Models"
RETIRED = (
    ("seminar-01.txt", "4. В чем заключаются основные минусы энергетических моделей?"),
    ("seminar-02.txt", "3. Опишите алгоритм декодирования последовательности для модели Conditional Masked"),
)


def retire_questions(sources: Path) -> None:
    """Take one question out of each of two papers' lists (the last of each list)."""
    for name, start in RETIRED:
        path = sources / name
        lines = path.read_text("utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith(start)]
        assert len(kept) == len(lines) - 1
        path.write_text("".join(kept), "utf-8")


def removed_guids(lock: Path) -> set[str]:
    """The GUIDs the lock marks removed (the lock is JSON, one row per note)."""
    return {n["guid"] for n in json.loads(lock.read_text("utf-8"))["notes"] if n["removed"] is not None}


def cards_by_guid(path: Path) -> dict[str, tuple[int, ...]]:
    """Every card of the collection: its note's GUID -> (card id, deck, queue, type, due, interval)."""
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        rows = col.db.all(
            "select n.guid, c.id, c.did, c.queue, c.type, c.due, c.ivl from cards c join notes n on n.id = c.nid"
        )
    finally:
        col.close()
    return {row[0]: tuple(row[1:]) for row in rows}


def test_removed_notes_are_suspended_then_deleted_only_when_asked(
    sources_copy: Path, tmp_path: Path, desktop: Path
) -> None:
    lock = tmp_path / "p.lock"
    args = [str(sources_copy), "--collection", str(desktop), "--lock", str(lock)]
    first = push_cli(*args)
    assert first.exit_code == 0, first.output
    assert "63 new" in first.output and "removed from the lists" not in first.output
    before = cards_by_guid(desktop)
    assert len(before) == 63

    retire_questions(sources_copy)
    told = push_cli(*args)  # no flag: counted and said, nothing done
    assert told.exit_code == 0, told.output
    gone = removed_guids(lock)
    assert len(gone) == 2 and gone <= before.keys()
    assert f"2 notes removed from the lists still in the collection: {MASK} (1), {ENERGY} (1); " in told.output
    assert "--suspend-removed suspends their cards, --delete-removed deletes them" in told.output
    assert "0 new, 0 updated, 61 unchanged" in told.output
    assert cards_by_guid(desktop) == before

    suspended = push_cli(*args, "--suspend-removed")
    assert suspended.exit_code == 0, suspended.output
    lines = suspended.output.splitlines()
    said = lines.index(f"suspending the cards of 2 notes removed from the lists: {MASK} (1), {ENERGY} (1)")
    assert lines[said + 1] == "suspended 2 cards"
    after = cards_by_guid(desktop)
    assert {guid: after[guid][2] for guid in gone} == dict.fromkeys(gone, -1)  # queue -1: suspended
    assert {guid: before[guid][2] for guid in gone} == dict.fromkeys(gone, 0)  # they were new cards
    assert {g: c for g, c in after.items() if g not in gone} == {g: c for g, c in before.items() if g not in gone}
    assert "removed from the lists still in" not in push_cli(*args).output  # suspended: no longer counted

    deleted = push_cli(*args, "--delete-removed")
    assert deleted.exit_code == 0, deleted.output
    lines = deleted.output.splitlines()
    said = lines.index(f"deleting 2 notes removed from the lists, with their cards: {MASK} (1), {ENERGY} (1)")
    assert lines[said + 1] == "deleted 2 notes and 2 cards"
    last = cards_by_guid(desktop)
    assert len(last) == 61 and not gone & last.keys()
    assert last == {g: c for g, c in before.items() if g not in gone}

    again = push_cli(*args, "--delete-removed")  # nothing left: nothing counted, nothing done
    assert again.exit_code == 0, again.output
    assert "nothing to delete: no note removed from the lists is in the collection" in again.output
    assert "deleted" not in again.output and cards_by_guid(desktop) == last


def test_a_removed_note_not_in_the_collection_is_not_counted(sources_copy: Path, tmp_path: Path) -> None:
    from anki.collection import Collection

    lock = tmp_path / "p.lock"
    early = fresh_collection(tmp_path / "early")  # had every note, and deleted one of the two itself
    early.close()
    early_path = tmp_path / "early" / "collection.anki2"
    assert push_cli(str(sources_copy), "--collection", str(early_path), "--lock", str(lock)).exit_code == 0
    retire_questions(sources_copy)
    # A new student's first push after the questions were retired: they are not in the package.
    late = fresh_collection(tmp_path / "late")
    late.close()
    late_path = tmp_path / "late" / "collection.anki2"
    result = push_cli(str(sources_copy), "--collection", str(late_path), "--lock", str(lock), "--delete-removed")
    assert result.exit_code == 0, result.output
    assert "61 new" in result.output
    assert "nothing to delete: no note removed from the lists is in the collection" in result.output
    gone = removed_guids(lock)
    assert len(gone) == 2 and not gone & cards_by_guid(late_path).keys()

    col = Collection(str(early_path))
    col.remove_notes(col.db.list("select id from notes where guid = ?", sorted(gone)[0]))
    col.close()
    report = papers2anki.push([sources_copy], collection=early_path, lock_path=lock, retire="suspend")
    assert (report.removed, report.suspended, report.deleted) == (1, 1, 0)
    assert cards_by_guid(early_path)[sorted(gone)[1]][2] == -1


def test_a_removed_note_is_never_packaged(sources_copy: Path, tmp_path: Path) -> None:
    """Anki would add it to a new student's collection: no deck file holds it, in the build that finds
    it removed (two files edited) nor in a later one (a paper added), nor does `--single` (push's way)."""
    decks, lock = tmp_path / "decks", tmp_path / "p.lock"
    build = ["build", str(sources_copy), "--lock", str(lock)]
    runner = CliRunner()
    assert runner.invoke(main, [*build, "--out", str(decks)]).exit_code == 0
    retire_questions(sources_copy)
    removed = runner.invoke(main, [*build, "--out", str(decks)])
    assert removed.exit_code == 0, removed.output
    gone = removed_guids(lock)
    assert len(gone) == 2

    def packaged(packages: list[Path], folder: str) -> set[str]:
        col = fresh_collection(tmp_path / folder)
        try:
            import_packages(col, packages)
            return set(col.db.list("select guid from notes"))
        finally:
            col.close()

    held = packaged(sorted(decks.glob("*.apkg")), "per-paper")
    assert len(held) == 61 and not gone & held
    (sources_copy / "seminar-03.txt").write_text(
        (sources_copy / "seminar-03.txt").read_text("utf-8") + "\nA Later Paper\n\n1. Что нового?\n", "utf-8"
    )
    later = runner.invoke(main, [*build, "--out", str(decks)])
    assert later.exit_code == 0, later.output
    single = runner.invoke(main, [*build, "--out", str(tmp_path / "out"), "--single", str(tmp_path / "all.apkg")])
    assert single.exit_code == 0, single.output
    assert removed_guids(lock) == gone
    for packages, folder in ((sorted(decks.glob("*.apkg")), "again"), ([tmp_path / "all.apkg"], "single")):
        held = packaged(packages, folder)
        assert len(held) == 62 and not gone & held


def test_retiring_is_asked_once_done_whole_and_refused_while_anki_is_open(
    sources_copy: Path, tmp_path: Path, desktop: Path
) -> None:
    from anki.collection import Collection

    lock = tmp_path / "p.lock"
    args = [str(sources_copy), "--collection", str(desktop), "--lock", str(lock)]
    assert push_cli(*args).exit_code == 0
    retire_questions(sources_copy)

    both = push_cli(*args, "--suspend-removed", "--delete-removed")
    assert both.exit_code == 2
    assert "give --suspend-removed or --delete-removed, not both" in both.output
    assert removed_guids(lock) == set()  # nothing built: the lock is as it was
    backups = desktop.parent / "backups"
    assert len(list(backups.iterdir())) == 1

    holder = Collection(str(desktop))  # Anki desktop has the profile open
    try:
        refused = push_cli(*args, "--delete-removed")
        assert refused.exit_code == 1 and "is in use" in refused.output and "Nothing was changed" in refused.output
        assert holder.note_count() == 63
    finally:
        holder.close()

    # A real failure inside the backend's operation, at the second card: the first is not suspended either.
    before = cards_by_guid(desktop)
    assert push_cli(*args).exit_code == 0
    second = max(before[guid][0] for guid in removed_guids(lock))
    col = Collection(str(desktop))
    col.db.execute(
        "create trigger injected before update of queue on cards when new.id = ? "
        "begin select raise(abort, 'injected'); end".replace("?", str(second))
    )
    col.close()
    failed = push_cli(*args, "--suspend-removed")
    assert failed.exit_code == 1, failed.output
    assert "Traceback" not in failed.output
    assert "suspending the cards of 2 notes removed from the lists" in failed.output
    assert "imported, but the notes removed from the lists were not suspended" in failed.output
    assert "None of them changed; run again (backup:" in failed.output
    assert cards_by_guid(desktop) == before


def test_the_sync_takes_the_retiring_to_the_phone(
    sources_copy: Path, tmp_path: Path, server: str, desktop: Path
) -> None:
    lock = tmp_path / "p.lock"
    args = [str(sources_copy), "--collection", str(desktop), "--lock", str(lock), "--sync"]
    first = push_cli(*args, "--endpoint", server, "--user", SYNC_USER, "--full-upload", password=SYNC_PASSWORD)
    assert first.exit_code == 0, first.output
    phone = fresh_collection(tmp_path / "phone")
    try:
        phone_sync(phone, server)
        assert phone.note_count() == 63
        retire_questions(sources_copy)
        suspended = push_cli(*args, "--suspend-removed")
        assert suspended.exit_code == 0, suspended.output
        assert "suspended 2 cards" in suspended.output and "(after the import)" in suspended.output
        phone_sync(phone, server)
        gone = removed_guids(lock)
        queues = phone.db.all("select n.guid, c.queue from cards c join notes n on n.id = c.nid")
        assert sorted(q for g, q in queues if g in gone) == [-1, -1]
        assert {q for g, q in queues if g not in gone} == {0}

        deleted = push_cli(*args, "--delete-removed")
        assert deleted.exit_code == 0, deleted.output
        phone_sync(phone, server)
        assert phone.note_count() == 61 and not gone & set(phone.db.list("select guid from notes"))
    finally:
        phone.close()


def test_pushing_one_list_retires_nothing_of_the_others(sources_copy: Path, desktop: Path) -> None:
    """A push of part of the sources keeps the lock's rows of the papers it did not read: none of them
    becomes "removed", so --delete-removed has nothing of theirs to delete."""
    lock = sources_copy / "papers2anki.lock"
    first = push_cli(str(sources_copy), "--collection", str(desktop))
    assert first.exit_code == 0, first.output
    before = cards_by_guid(desktop)
    locked = lock.read_bytes()

    one = push_cli(str(sources_copy / "seminar-02.txt"), "--collection", str(desktop), "--delete-removed")
    assert one.exit_code == 0, one.output
    assert "nothing to delete" in one.output
    assert lock.read_bytes() == locked
    assert cards_by_guid(desktop) == before

    retire_questions(sources_copy)  # one question out of seminar-01 and one out of seminar-02
    one = push_cli(str(sources_copy / "seminar-02.txt"), "--collection", str(desktop), "--delete-removed")
    assert one.exit_code == 0, one.output
    assert removed_guids(lock) <= set(before) and len(removed_guids(lock)) == 1  # seminar-02's only
    after = cards_by_guid(desktop)
    assert len(after) == 62 and set(before) - set(after) == removed_guids(lock)


def test_a_question_put_back_is_unsuspended_and_said(sources_copy: Path, tmp_path: Path, desktop: Path) -> None:
    """Cards `--suspend-removed` suspended come back when their question does (the same GUID); a card the
    student suspended by hand stays suspended."""
    from anki.collection import Collection

    lock = tmp_path / "p.lock"
    args = [str(sources_copy), "--collection", str(desktop), "--lock", str(lock)]
    assert push_cli(*args).exit_code == 0
    kept = tmp_path / "lists"
    shutil.copytree(sources_copy, kept)
    col = Collection(str(desktop))
    try:  # the student suspends one card of their own
        own = col.db.scalar("select id from cards order by id limit 1")
        col.sched.suspend_cards([own])
    finally:
        col.close()

    retire_questions(sources_copy)
    suspended = push_cli(*args, "--suspend-removed")
    assert suspended.exit_code == 0, suspended.output
    gone = removed_guids(lock)
    assert {g for g, card in cards_by_guid(desktop).items() if card[2] == -1} >= gone

    shutil.rmtree(sources_copy)
    shutil.copytree(kept, sources_copy)  # the questions are back
    back = push_cli(*args)
    assert back.exit_code == 0, back.output
    assert f"unsuspended 2 cards of 2 notes back in the lists: {MASK} (1), {ENERGY} (1)" in back.output
    cards = cards_by_guid(desktop)
    assert all(cards[g][2] != -1 for g in gone)
    assert [card[2] for card in cards.values() if card[0] == own] == [-1]  # the student's own: as it was
    again = push_cli(*args)
    assert "unsuspended" not in again.output
