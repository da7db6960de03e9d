"""`build --dry-run` says everything a build would do (new, changed and removed notes, the files it would
write, the deck files it would remove) and writes nothing: no deck, no lock, no record; later builds do
what they would have done without it; its exit status is the build's."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from papers2anki.cli import main

EPOCH = "1780000000"


def build(*args: str, epoch: str = EPOCH) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", *args], env={"SOURCE_DATE_EPOCH": epoch})
    return result.exit_code, result.output


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_first_dry_run_writes_nothing(sources_copy: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path)
    code, said = build("sources", "--out", "decks", "--dry-run", "-v")
    assert code == 0
    assert tree(tmp_path) == before and not (tmp_path / "decks").exists()
    assert re.search(r"sources.seminar-02.txt:\d+: new 0.00 -> p2a", said)  # (-v: every note's match)
    assert said.splitlines()[-1].endswith(
        f"18 deck files would be written to decks, the lock {Path('sources/papers2anki.lock')} would be created "
        "(dry run: nothing written)"
    )
    # It names every file it would write: those the real build then writes.
    named = {
        line.removesuffix(": would be written") for line in said.splitlines() if line.endswith(": would be written")
    }
    assert len(named) == 19
    # The real build then says the same, but for the tense (and the list of files).
    code, real = build("sources", "--out", "decks", "-v")
    assert code == 0 and real.replace(" would be", "").replace(" (dry run: nothing written)", "") == real
    written = {str(p.relative_to(tmp_path)) for p in (tmp_path / "decks").glob("*.apkg")}
    assert named == written | {str(Path("sources/papers2anki.lock"))}
    assert real.splitlines()[:-1] == [
        line for line in said.splitlines()[:-1] if not line.endswith(": would be written")
    ]
    assert real.splitlines()[-1] == said.splitlines()[-1].replace(" would be", "").replace(
        " (dry run: nothing written)", ""
    )


def test_a_dry_run_after_an_edit_reports_it_and_changes_nothing_later(
    sources_copy: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Two copies of a course, edited alike: one builds after a dry run, the other without; both write the
    same files and say the same."""
    said: dict[str, str] = {}
    for name in ("dry", "twin"):
        course = tmp_path / name
        shutil.copytree(sources_copy, course / "sources")
        monkeypatch.chdir(course)
        assert build("sources")[0] == 0
        lists = course / "sources" / "seminar-02.txt"
        text = lists.read_text("utf-8").replace("Какие токены маскируются", "Какие слова маскируются")
        lists.write_text("".join(line for line in text.splitlines(True) if "Self-Blue" not in line), "utf-8")
        if name == "dry":
            before = tree(course)
            code, told = build("sources", "--dry-run", epoch="1780000100")
            assert code == 0 and tree(course) == before
            assert "Mask-Predict: Parallel Decoding of Conditional Masked Language Models: 0 new, 1 changed" in told
            assert "is no longer in the sources (kept in the lock)" in told
            assert "3 deck files would be written to decks, the lock" in told
        code, said[name] = build("sources", epoch="1780000100")
        assert code == 0
    assert said["dry"] == said["twin"]
    assert tree(tmp_path / "dry") == tree(tmp_path / "twin")
    # With nothing left to do, a dry run says so.
    last = build("sources", "--dry-run")[1].splitlines()[-1]
    assert last.endswith("nothing would change (dry run)")


def test_a_dry_run_exits_as_the_build_would(sources_copy: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    build("sources", "--out", "decks")
    lists = sources_copy / "seminar-02.txt"
    lists.write_text(lists.read_text("utf-8").replace("Какие токены", "Какие $токены"), "utf-8")
    before = tree(tmp_path)
    code, said = build("sources", "--out", "decks", "--dry-run")
    assert code == 1 and "[unbalanced-dollar]" in said and "1 paper not written because of errors" in said
    assert tree(tmp_path) == before
    assert build("sources", "--out", "decks", "--dry-run", "--force")[0] == 0
    assert tree(tmp_path) == before
