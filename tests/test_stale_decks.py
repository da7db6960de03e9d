"""Deck files of papers that are gone are removed by a build of all the sources, and named; only files
that builds of this lock wrote (recorded beside it), never while a paper is held back or a list is not
read, never by a build of part of the sources."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from papers2anki.cli import main

EPOCH = "1780000000"


def build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", *args], env={"SOURCE_DATE_EPOCH": EPOCH})
    return result.exit_code, result.output


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def decks_of(lists: str) -> set[str]:
    """The deck files of the papers of one list (built alone, with a lock of its own)."""
    assert build(lists, "--out", "probe", "--lock", "probe.lock")[0] == 0
    return names(Path("probe"))


def test_gone_papers_decks_are_removed_and_named(sources_copy: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    decks = tmp_path / "decks"
    assert build("sources", "--out", "decks")[0] == 0
    GONE = decks_of("sources/seminar-04.txt")
    assert len(GONE) == 4 and GONE <= names(decks)
    (decks / "my-own.apkg").write_bytes(b"not ours")  # a file no build wrote
    (sources_copy / "seminar-04.txt").unlink()

    code, said = build("sources", "--out", "decks", "--dry-run")  # (a dry run names them, removes nothing)
    assert code == 0 and GONE <= names(decks)
    for name in GONE:
        assert f"{Path('decks', name)}: would be removed" in said

    code, said = build("sources", "--out", "decks")
    assert code == 0
    for name in GONE:
        assert f"{Path('decks', name)}: removed (no paper of the sources is written there now)" in said
    assert said.splitlines()[-1].endswith("4 deck files removed")
    assert not GONE & names(decks) and "my-own.apkg" in names(decks)
    assert len([n for n in names(decks) if n.endswith(".apkg")]) == 14 + 1

    # Put back, the papers are written again; the next build after that removes nothing.
    assert build("sources", "--out", "decks")[1].splitlines()[-1].endswith("nothing changed, no file rewritten")


def test_what_is_never_gone(sources_copy: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A paper held back for its errors, a build of one list, a list that cannot be read: nothing removed."""
    monkeypatch.chdir(tmp_path)
    decks = tmp_path / "decks"
    build("sources", "--out", "decks")
    before = names(decks)
    seminar = sources_copy / "seminar-04.txt"
    text = seminar.read_text("utf-8")

    # The paper's title is corrected and an error added: held back, its deck file (under the old name) kept.
    seminar.write_text(
        text.replace("Neural Tangent Kernel\n", "Neural Tangent Kernels\n").replace(
            "гиперпараметры", "$гиперпараметры"
        ),
        "utf-8",
    )
    code, said = build("sources", "--out", "decks")
    assert code == 1 and "removed" not in said.replace("0 removed", "")
    assert names(decks) == before

    # Only seminar-01.txt read: seminar-04.txt's papers are not gone, whatever happened to the list.
    seminar.unlink()
    code, said = build("sources/seminar-01.txt", "sources/seminar-02.txt", "--out", "decks")
    assert code == 0 and names(decks) == before

    # A list that cannot be read may hold them.
    seminar.write_bytes(b"\xff\xfe\x00\xd8 broken utf-16 " * 3)
    code, said = build("sources", "--out", "decks")
    assert "error" in said and names(decks) == before


def test_one_package_for_all_removes_nothing(sources_copy: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    build("sources", "--out", "decks")
    GONE = decks_of("sources/seminar-04.txt")
    (sources_copy / "seminar-04.txt").unlink()
    code, said = build("sources", "--single", "decks/all.apkg")
    assert code == 0 and GONE <= names(tmp_path / "decks")
    # The record still knows them: the next build into decks/ removes them.
    code, said = build("sources", "--out", "decks")
    assert not GONE & names(tmp_path / "decks") and "all.apkg" in names(tmp_path / "decks")
