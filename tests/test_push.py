"""`papers2anki push`: the real Anki backend and the sync server shipped in the `anki` package.

Two collections play the two devices: the desktop one that `push` writes, and a "phone" that only
ever syncs with the server, as AnkiMobile does.
"""

from __future__ import annotations

import itertools
import json
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import SYNC_PASSWORD as PASSWORD
from conftest import SYNC_USER as USER
from conftest import fresh_collection

import papers2anki
from papers2anki.cli import main
from papers2anki.push_to_anki import KEY_FILE, PASSWORD_ENV

TYPO = "4. В чем заключаются основные минусы энергетических моделей?"
FIXED = "4. В чём заключаются основные минусы энергетических моделей?"
ADDED = "5. Как оценивают качество энергетической модели на практике?"


@pytest.fixture
def phone(tmp_path: Path):  # type: ignore[no-untyped-def]
    col = fresh_collection(tmp_path / "phone")
    yield col
    col.close()


def phone_sync(col, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    """Sync as AnkiMobile does: a fresh device takes the server's collection whole, then merges."""
    from anki.sync_pb2 import SyncCollectionResponse as R

    auth = col.sync_login(USER, PASSWORD, endpoint)
    out = col.sync_collection(auth, False)
    if out.required == R.FULL_DOWNLOAD:
        col.close_for_full_sync()
        col.full_upload_or_download(auth=auth, server_usn=None, upload=False)
        col.reopen(after_full_sync=True)
    else:
        assert out.required == R.NO_CHANGES, out


def answer_cards(col, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    """Study `count` new cards with the v3 scheduler, answering Good; their card ids."""
    from anki.cards import Card
    from anki.scheduler_pb2 import CardAnswer

    col.decks.select(col.decks.id_for_name("Papers"))
    answered = []
    for _ in range(count):
        queued = col.sched.get_queued_cards(fetch_limit=1).cards[0]
        card = Card(col, backend_card=queued.card)
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.GOOD))
        answered.append(card.id)
    return answered


# Each build gets its own second: Anki updates a note only when the package's `mod` is newer, and
# pushes in a test run within the same second (a real user's are minutes apart).
BUILD_CLOCK = itertools.count(int(time.time()) - 100_000, 100)


def push_cli(*args: str, password: str | None = None) -> Result:
    env = {PASSWORD_ENV: password, "ANKI_BASE": None, "SOURCE_DATE_EPOCH": str(next(BUILD_CLOCK))}
    return CliRunner().invoke(main, ["push", *args], env=env)


def paper_decks(col) -> set[str]:  # type: ignore[no-untyped-def]
    return {d.name for d in col.decks.all_names_and_ids() if d.name.startswith("Papers::")}


def edit_sources(sources: Path) -> None:
    """A typo fixed and a question added in the first paper's list."""
    path = sources / "seminar-01.txt"
    text = path.read_text(encoding="utf-8")
    assert TYPO in text
    path.write_text(text.replace(TYPO, f"{FIXED}\n{ADDED}"), encoding="utf-8")


def test_push_sync_reaches_the_phone_and_keeps_its_reviews(
    sources_copy: Path, tmp_path: Path, server: str, desktop: Path, phone
) -> None:
    sync = ["--collection", str(desktop), "--lock", str(tmp_path / "p.lock"), "--sync", "--endpoint", server]
    args = [str(sources_copy), *sync, "--user", USER]

    # 1. The server is empty: the first sync would be a full upload, done only when asked for.
    first = push_cli(*args, password=PASSWORD)
    assert first.exit_code == 1, first.output
    assert "imported, but not synced" in first.output and "--full-upload" in first.output
    assert "--full-download" not in first.output  # the import is done: only an upload keeps it
    assert "63 new, 0 updated, 0 unchanged, 0 conflicting" in first.output
    phone_sync(phone, server)
    assert phone.note_count() == 0

    second = push_cli(*args, "--full-upload", password=PASSWORD)
    assert second.exit_code == 0, second.output
    assert "0 new, 0 updated, 63 unchanged, 0 conflicting" in second.output
    assert f"full upload to {server}" in second.output
    key = desktop.parent / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert PASSWORD not in key.read_text()

    phone_sync(phone, server)
    assert len(paper_decks(phone)) == 18
    assert phone.note_count() == 63
    assert len(phone.find_notes('"note:papers2anki Review"')) == 1
    typo_nid = phone.find_notes('"Question:*минусы энергетических*"')
    assert len(typo_nid) == 1
    before = {nid: phone.get_note(nid).guid for nid in phone.find_notes("")}

    # 2. The phone studies and syncs; the lists change; push again (the cached key, no password).
    answered = answer_cards(phone, 5)
    revlog = set(phone.db.list("select id from revlog"))
    assert len(revlog) == 5
    phone_sync(phone, server)
    edit_sources(sources_copy)
    third = push_cli(str(sources_copy), *sync, password=None)
    assert third.exit_code == 0, third.output
    assert "1 new, 1 updated, 62 unchanged, 0 conflicting" in third.output
    assert "synced with" in third.output and "full" not in third.output

    phone_sync(phone, server)
    after = {nid: phone.get_note(nid).guid for nid in phone.find_notes("")}
    assert len(after) == 64 and len(set(after.values())) == 64
    assert before.items() <= after.items()  # same note ids, same guids
    assert "В чём" in phone.get_note(typo_nid[0])["Question"]
    added = [nid for nid in after if nid not in before]
    assert "качество энергетической модели" in phone.get_note(added[0])["Question"]
    assert set(phone.db.list("select id from revlog")) == revlog
    for cid in answered:
        assert phone.get_card(cid).type != 0  # still studied, not reset to new
    contents = ["\x1f".join(phone.get_note(nid).fields) for nid in after]
    assert len(set(contents)) == len(contents)
    assert len(paper_decks(phone)) == 18

    # A saved key the server no longer accepts is dropped, and the password logs in again.
    saved = json.loads(key.read_text())
    key.write_text(json.dumps({**saved, "hkey": "0" * 40}))
    fourth = push_cli(*args, password=PASSWORD)
    assert fourth.exit_code == 0, fourth.output
    assert "0 new, 0 updated, 64 unchanged" in fourth.output and "synced with" in fourth.output
    assert json.loads(key.read_text())["hkey"] not in ("0" * 40, PASSWORD)


def test_push_refuses_a_collection_that_anki_holds_open(sources_copy: Path, tmp_path: Path, desktop: Path) -> None:
    from anki.collection import Collection

    holder = Collection(str(desktop))  # what Anki desktop does while the profile is open
    try:
        mod = holder.db.scalar("select mod from col")
        lock = tmp_path / "p.lock"
        result = push_cli(str(sources_copy), "--collection", str(desktop), "--lock", str(lock))
        assert result.exit_code == 1, result.output
        assert "is in use" in result.output and "close Anki desktop" in result.output
        assert "Nothing was changed" in result.output
        assert "Traceback" not in result.output
        assert holder.db.scalar("select mod from col") == mod
        assert holder.note_count() == 0
        assert not lock.exists()
        assert not (desktop.parent / "backups").exists()
    finally:
        holder.close()
    reopened = Collection(str(desktop))
    assert reopened.note_count() == 0 and not paper_decks(reopened)
    reopened.close()


def test_push_refuses_an_unknown_encoding_before_opening_the_collection(
    sources_copy: Path, tmp_path: Path, desktop: Path
) -> None:
    # As `build`, `check` and `parse` do: a typo in --encoding is a usage error (exit 2), not one error
    # per file after a backup and an empty import.
    lock = tmp_path / "p.lock"
    result = push_cli(str(sources_copy), "--collection", str(desktop), "--lock", str(lock), "--encoding", "nope")
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--encoding': unknown encoding 'nope'" in result.output
    assert "backed up" not in result.output and "imported" not in result.output
    assert not lock.exists()
    assert not (desktop.parent / "backups").exists()
    build = CliRunner().invoke(main, ["build", str(sources_copy), "--encoding", "nope"])
    assert build.exit_code == 2 and result.output.splitlines()[-1] == build.output.splitlines()[-1]


def test_wrong_password_is_refused_and_never_shown(
    sources_copy: Path, tmp_path: Path, server: str, desktop: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from anki.collection import Collection

    secret = "Wrong-Secret-9f27c1"
    lock = tmp_path / "p.lock"
    args = [str(sources_copy), "--collection", str(desktop), "--lock", str(lock)]
    result = push_cli(*args, "--sync", "--endpoint", server, "--user", USER, password=secret)
    assert result.exit_code == 1
    assert f"refused the login of '{USER}': wrong user name or password" in result.output
    assert "Nothing was changed" in result.output
    captured = capfd.readouterr()
    for text in (result.output, result.stdout, result.stderr, captured.out, captured.err):
        assert secret not in text
    assert not (desktop.parent / KEY_FILE).exists()
    assert not lock.exists()
    col = Collection(str(desktop))
    assert col.note_count() == 0
    col.close()


def test_a_failed_import_leaves_the_collection_as_it_was(
    sources_copy: Path, tmp_path: Path, desktop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from anki.collection import Collection

    lock = tmp_path / "p.lock"
    args = [str(sources_copy), "--collection", str(desktop), "--lock", str(lock)]
    assert push_cli(*args).exit_code == 0
    edit_sources(sources_copy)

    def snapshot() -> tuple[list[object], list[object]]:
        col = Collection(str(desktop))
        try:
            return col.db.all("select * from notes order by id"), col.db.all("select * from cards order by id")
        finally:
            col.close()

    # A real failure inside the backend's import: SQLite aborts the first note insert.
    col = Collection(str(desktop))
    col.db.execute("create trigger injected before insert on notes begin select raise(abort, 'injected'); end")
    col.close()
    before = snapshot()
    failed = push_cli(*args)
    assert failed.exit_code == 1
    assert "import into" in failed.output and "failed" in failed.output and "as it was" in failed.output
    assert "backups" in failed.output
    assert snapshot() == before  # the typo fix (an update) was rolled back too

    col = Collection(str(desktop))
    col.db.execute("drop trigger injected")
    col.close()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(next(BUILD_CLOCK)))
    report = papers2anki.push([sources_copy], collection=desktop, lock_path=lock)  # the API does the same
    assert (report.new, report.updated, report.unchanged, report.conflicting) == (1, 1, 62, 0)
    assert report.backup is not None and Path(report.backup).parent == desktop.parent / "backups"


def test_profile_is_found_in_ankis_data_folder(sources_copy: Path, tmp_path: Path, desktop: Path) -> None:
    base = {"ANKI_BASE": str(desktop.parent.parent), PASSWORD_ENV: None, "SOURCE_DATE_EPOCH": None}
    lock = str(tmp_path / "p.lock")
    runner = CliRunner()
    result = runner.invoke(main, ["push", str(sources_copy), "--profile", "User 1", "--lock", lock], env=base)
    assert result.exit_code == 0, result.output
    assert f"imported into {desktop}: 63 new" in result.output
    backups = list((desktop.parent / "backups").glob("backup-*.colpkg"))
    assert len(backups) == 1 and str(backups[0]) in result.output

    missing = runner.invoke(main, ["push", str(sources_copy), "--profile", "Nobody", "--lock", lock], env=base)
    assert missing.exit_code == 2  # where to push is the user's to give: a usage error
    assert "no Anki profile 'Nobody'" in missing.output and "profiles there: User 1" in missing.output
    nowhere = runner.invoke(main, ["push", str(sources_copy), "--collection", str(tmp_path / "none.anki2")], env=base)
    assert nowhere.exit_code == 2 and "no Anki collection there" in nowhere.output
    neither = runner.invoke(main, ["push", str(sources_copy), "--lock", lock], env=base)
    assert neither.exit_code == 2 and "--collection PATH or --profile NAME" in neither.output


def test_full_download_only_when_asked_then_import(
    sources_copy: Path, tmp_path: Path, server: str, desktop: Path, phone
) -> None:
    # The phone has been studying alone: the server holds its collection, the desktop is fresh.
    note = phone.new_note(phone.models.by_name("Basic"))
    note["Front"] = "made on the phone"
    phone.add_note(note, phone.decks.id("Default"))
    auth = phone.sync_login(USER, PASSWORD, server)
    assert phone.sync_collection(auth, False).required != 0
    phone.close_for_full_sync()
    phone.full_upload_or_download(auth=auth, server_usn=None, upload=True)
    phone.reopen(after_full_sync=True)

    args = [str(sources_copy), "--collection", str(desktop), "--lock", str(tmp_path / "p.lock"), "--sync"]
    refused = push_cli(*args, "--endpoint", server, "--user", USER, password=PASSWORD)
    assert refused.exit_code == 1
    assert "asks for a full download" in refused.output and "--full-download" in refused.output
    assert "imported" not in refused.output and "--full-upload" not in refused.output

    done = push_cli(*args, "--endpoint", server, "--full-download", password=None)  # the saved key
    assert done.exit_code == 0, done.output
    assert "full download from" in done.output and "63 new" in done.output
    phone_sync(phone, server)
    assert phone.note_count() == 64
    assert phone.find_notes('"Front:made on the phone"')


def test_push_imports_the_papers_without_errors(tmp_path: Path, desktop: Path) -> None:
    from anki.collection import Collection

    sources = tmp_path / "lists"
    sources.mkdir()
    listing = sources / "list.txt"
    good = (
        "Alpha Paper\n\n1. Что такое $x^2$?\n\nBeta Paper\n\n1. Вычислите $\\frac{a}{b}$.\n\nGamma Paper\n\n1. Как?\n"
    )
    listing.write_text(good.replace("{b}$", "{$"), "utf-8")
    args = [str(sources), "--collection", str(desktop), "--lock", str(tmp_path / "p.lock")]
    result = push_cli(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"{listing}:7:23: error: LaTeX does not parse" in result.output
    assert "built 3 papers, 3 questions, 0 reviews; 1 held back because of errors: 'Beta Paper'" in result.output
    assert f"imported into {desktop}: 2 new, 0 updated, 0 unchanged" in result.output
    assert result.output.splitlines()[-1] == (
        "Error: 1 error in the sources (listed above); 1 paper not imported because of errors "
        "(Anki keeps what it had of them): 'Beta Paper'; the other papers were imported. See `papers2anki check`"
    )
    col = Collection(str(desktop))
    assert paper_decks(col) == {"Papers::Alpha Paper", "Papers::Gamma Paper"} and col.note_count() == 2
    col.close()

    listing.write_text(good, "utf-8")
    fixed = push_cli(*args)
    assert fixed.exit_code == 0, fixed.output
    assert "1 new, 0 updated, 2 unchanged" in fixed.output
