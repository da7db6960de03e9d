"""A build of part of the sources that reads a new paper never takes it for a paper of a list it does not
read, renamed: that paper keeps its notes' GUIDs, its deck name and its rows in the lock, as the build
says ("their papers kept as they were"); and a build of the whole course afterwards changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from papers2anki.cli import main

A = "Attention Is All You Need\n\n1. Зачем нужно позиционное кодирование?\n2. Что такое multi-head attention?\n"
# A title close enough to A's that, with A's rows offered to it, it would be taken for A renamed.
B = "Deep Residual Learning\n\n1. Что такое остаточная связь?\n2. Зачем нужна батч-нормализация?\n"
N = "Attention Is All You Need 2\n\n1. Зачем нужно позиционное кодирование снова?\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": "1780000000"})


def test_a_new_paper_built_alone_leaves_the_unread_papers_rows(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sources = tmp_path / "sources"
    (sources / "new").mkdir(parents=True)
    (sources / "a.txt").write_text(A, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("build").exit_code == 0
    lock = sources / "papers2anki.lock"
    before = json.loads(lock.read_text("utf-8"))

    (sources / "new" / "n.txt").write_text(N, encoding="utf-8")
    result = run("build", "sources/new")
    assert result.exit_code == 0, result.output
    assert "lists not read, their papers kept as they were: sources/a.txt" in result.output
    assert "no longer in the sources" not in result.output and "deck name kept" not in result.output, result.output
    after = json.loads(lock.read_text("utf-8"))
    rows_of_a = [n for n in after["notes"] if n["paper"] == "attention is all you need"]
    assert rows_of_a == before["notes"]
    assert {d["paper"]: d["name"] for d in after["decks"]}[
        "attention is all you need"
    ] == "Papers::Attention Is All You Need"
    new_guids = {n["guid"] for n in after["notes"] if n["paper"] != "attention is all you need"}
    assert len(new_guids) == 1 and not new_guids & {n["guid"] for n in before["notes"]}

    result = run("build")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith("nothing changed, no file rewritten"), result.output


def test_a_list_not_read_that_cannot_be_read_keeps_its_papers(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A list of the course that a build of part of it does not read, and could not read (here a stray
    NUL byte), may hold any paper: none is marked removed, no deck file is removed, as a full build keeps
    the notes of a file it cannot read."""
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "a.txt").write_text(A, encoding="utf-8")
    (sources / "b.txt").write_text(B, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("build").exit_code == 0
    lock = sources / "papers2anki.lock"
    before, decks = lock.read_bytes(), sorted(p.name for p in (tmp_path / "decks").iterdir())

    (sources / "b.txt").write_bytes(B.encode("utf-8").replace(b"?", b"?\x00", 1))
    result = run("build", "sources/a.txt")
    assert result.exit_code == 0, result.output
    assert "no longer in the sources" not in result.output and "removed (no paper" not in result.output
    assert "lists not read, their papers kept as they were: sources/b.txt" in result.output
    assert lock.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "decks").iterdir()) == decks


def test_a_build_of_part_of_the_sources_reads_each_list_it_does_not_build_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Which papers the lists not read hold is found out once per build (it parses each of them: in a
    large course, most of the time of a build of one list)."""
    from papers2anki.engine import jobs

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "a.txt").write_text(A, encoding="utf-8")
    (sources / "b.txt").write_text(B, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("build").exit_code == 0

    reads: list[str] = []
    real = jobs.read_and_parse

    def counted(job):  # type: ignore[no-untyped-def]
        reads.append(Path(job[0]).name)
        return real(job)

    monkeypatch.setattr(jobs, "read_and_parse", counted)
    result = run("build", "sources/a.txt")
    assert result.exit_code == 0, result.output
    assert "lists not read, their papers kept as they were: sources/b.txt" in result.output
    assert reads.count("b.txt") == 1, reads
