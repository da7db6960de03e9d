"""The shipped lists build to the lock committed with them: every note keeps its GUID and its time (so a
student who imported the decks before gets no update and no duplicate), and the lock is not rewritten.
A change of the note types (their CSS, templates) changes its two note-type lines: rebuild and commit the
lock with that change, as the README says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from papers2anki.cli import main

SOURCES = Path(__file__).resolve().parents[1] / "sources"


def test_the_shipped_sources_build_to_their_committed_lock(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    course = tmp_path / "course"
    shutil.copytree(SOURCES, course / "sources", ignore=shutil.ignore_patterns(".*"))
    committed = (course / "sources" / "papers2anki.lock").read_bytes()
    monkeypatch.chdir(course)
    result = CliRunner().invoke(main, ["build"], env={"SOURCE_DATE_EPOCH": "2000000000"})
    assert result.exit_code == 0, result.output
    assert "the lock" not in result.output.splitlines()[-1]  # not rewritten
    lock = (course / "sources" / "papers2anki.lock").read_bytes()
    before = {n["guid"]: (n["text"], n["mod"]) for n in json.loads(committed)["notes"]}
    after = {n["guid"]: (n["text"], n["mod"]) for n in json.loads(lock)["notes"]}
    assert after == before and len(after) == 63
    assert lock == committed
