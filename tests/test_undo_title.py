"""A corrected paper title undone with the lock reaches Anki too. The correction moves the paper's deck
file to the new title's name (the old one is removed as a gone paper's); when the lists and the lock are
restored (`git revert`), the deck file students imported last is the one under the corrected name: the
build reads it as the paper's previous deck file, so the notes count as changed and the collection gets
the original title back (with the real Anki backend)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import fresh_collection, import_packages

from papers2anki.cli import main

EPOCH = 1780000000
TITLE = "Mask-Predict: Parallel Decoding of Conditional Masked Language Models"
CORRECTED = "Mask-Predict: Parallel Decoding of Conditional Masked Language Model"


def build(epoch: int) -> str:
    result = CliRunner().invoke(main, ["build", "sources", "--out", "decks"], env={"SOURCE_DATE_EPOCH": str(epoch)})
    assert result.exit_code == 0, result.output
    return result.output


def papers_in(col) -> set[str]:  # type: ignore[no-untyped-def]
    return {col.get_note(nid)["Paper"] for nid in col.find_notes('"deck:Papers::Mask-Predict*"')}


@pytest.mark.parametrize("cache", ["on", "off"])
def test_an_undone_title_correction_reaches_the_collection(
    sources_copy: Path, tmp_path: Path, monkeypatch, cache: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    if cache == "off":
        monkeypatch.setenv("PAPERS2ANKI_CACHE", "off")
    out = tmp_path / "decks"
    lists, lock = sources_copy / "seminar-02.txt", sources_copy / "papers2anki.lock"
    build(EPOCH)
    original_lists, original_lock = lists.read_bytes(), lock.read_bytes()
    old_file = out / "mask-predict-parallel-decoding-of-conditional-masked-language-models.apkg"
    assert old_file.is_file()
    col = fresh_collection(tmp_path / "collection")
    try:
        import_packages(col, sorted(out.glob("*.apkg")))
        assert papers_in(col) == {TITLE}

        text = lists.read_text("utf-8")
        assert text.count(TITLE) == 1
        lists.write_text(text.replace(TITLE, CORRECTED), "utf-8")
        said = build(EPOCH + 100)
        assert f"{old_file.relative_to(tmp_path)}: removed" in said  # its deck moved to the new name
        import_packages(col, sorted(out.glob("*.apkg")))
        assert papers_in(col) == {CORRECTED}

        lists.write_bytes(original_lists)  # `git revert` of the correction: the lists and the lock
        lock.write_bytes(original_lock)
        said = build(EPOCH + 200)
        assert "Papers::Mask-Predict: Parallel Decoding of Conditional Masked Language Models: 0 new, 3 changed" in said
        logs = import_packages(col, sorted(out.glob("*.apkg")))
        assert sum(len(log.updated) for log in logs) == 3
        assert papers_in(col) == {TITLE}
        assert sorted(p.name for p in out.glob("mask-predict*")) == [old_file.name]
    finally:
        col.close()

    # The next build has nothing to do: the previous deck file now holds what the lists say.
    said = build(EPOCH + 300)
    assert said.splitlines()[-1].endswith("nothing changed, no file rewritten")
