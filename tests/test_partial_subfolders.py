"""Lists in a subfolder of the lock's folder are lists of that lock too (a build of the folder reads them):
a build given the lists beside the lock by name (`papers2anki build sources/*.txt`) but not those in
`sources/part2/` is a build of part of the sources. It keeps their papers' lock rows and deck files, and
a push of those lists with --delete-removed deletes none of their notes from the collection (with the
real Anki backend)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner, Result
from conftest import fresh_collection, import_packages

from papers2anki.cli import main

A = "Attention Is All You Need\n\n1. Зачем нужно позиционное кодирование?\n2. Что такое multi-head attention?\n"
B = "Deep Residual Learning\n\n1. Что такое остаточная связь?\n2. Зачем нужна батч-нормализация?\n"
C = "Neural Tangent Kernel\n\n1. Определите NTK.\n2. Как меняется NTK при обучении?\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": "1780000000"})


def course(folder: Path) -> Path:
    sources = folder / "sources"
    (sources / "part2").mkdir(parents=True)
    (sources / "a.txt").write_text(A, encoding="utf-8")
    (sources / "b.txt").write_text(B, encoding="utf-8")
    (sources / "part2" / "c.txt").write_text(C, encoding="utf-8")
    return sources


def removed(lock: Path) -> list[str]:
    return [n["text"] for n in json.loads(lock.read_text("utf-8"))["notes"] if n["removed"] is not None]


def test_the_lists_beside_the_lock_by_name_leave_a_subfolders_papers_alone(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sources = course(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert run("build").exit_code == 0
    lock = sources / "papers2anki.lock"
    before, decks = lock.read_bytes(), sorted(p.name for p in (tmp_path / "decks").iterdir())
    assert "neural-tangent-kernel.apkg" in decks

    result = run("build", "--dry-run", "sources/a.txt", "sources/b.txt")
    assert result.exit_code == 0, result.output
    assert "would be removed" not in result.output and "no longer in the sources" not in result.output

    result = run("build", "sources/a.txt", "sources/b.txt")
    assert result.exit_code == 0, result.output
    assert "removed (no paper" not in result.output and "no longer in the sources" not in result.output
    assert result.output.splitlines()[-1].endswith("nothing changed, no file rewritten")
    assert lock.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "decks").iterdir()) == decks


def test_a_push_of_those_lists_deletes_no_note_of_the_subfolder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from anki.collection import Collection

    sources = course(tmp_path)
    monkeypatch.chdir(tmp_path)
    fresh_collection(tmp_path / "anki").close()
    desktop = tmp_path / "anki" / "collection.anki2"
    assert run("push", "--collection", str(desktop)).exit_code == 0

    result = run("push", "sources/a.txt", "sources/b.txt", "--collection", str(desktop), "--delete-removed")
    assert result.exit_code == 0, result.output
    assert "nothing to delete" in result.output, result.output
    assert removed(sources / "papers2anki.lock") == []
    col = Collection(str(desktop))
    try:
        assert len(col.find_notes('"deck:Papers::Neural Tangent Kernel"')) == 2
        assert col.note_count() == 6
    finally:
        col.close()

    # What stays is what a full build imports: nothing new, nothing lost.
    assert run("build").exit_code == 0
    check = fresh_collection(tmp_path / "check")
    try:
        import_packages(check, sorted((tmp_path / "decks").glob("*.apkg")))
        assert check.note_count() == 6
    finally:
        check.close()


def guids(lock: Path) -> dict[str, str]:
    return {n["text"]: n["guid"] for n in json.loads(lock.read_text("utf-8"))["notes"]}


def test_a_list_in_a_subfolder_built_alone_uses_its_courses_lock(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """No second lock in the subfolder (whose notes would all be new, and an edited question a duplicate in
    Anki): the nearest lock above is the course's, and the rest of the course stays as it was."""
    sources = course(tmp_path)
    (tmp_path / ".git").mkdir()  # a course in git: from anywhere in it, the search goes up to its top
    monkeypatch.chdir(tmp_path)
    assert run("build").exit_code == 0
    lock = sources / "papers2anki.lock"
    ids = guids(lock)
    c = sources / "part2" / "c.txt"
    c.write_text(C.replace("Определите NTK.", "Дайте определение NTK."), encoding="utf-8")

    for args in (["sources/part2/c.txt"], ["sources/part2"]):  # one list, or its subfolder, from the course
        result = run("build", "--dry-run", *args)
        assert result.exit_code == 0, result.output
        part2 = Path("sources/part2")
        assert result.output.startswith(
            f"the course's lock: {Path('sources/papers2anki.lock')} (the nearest above {part2})"
        )
        assert "0 new, 1 changed, 1 unchanged, 0 removed" in result.output
        assert "would be removed" not in result.output and "no longer in the sources" not in result.output
    monkeypatch.chdir(sources / "part2")  # or from the subfolder itself
    result = run("build", "c.txt", "--out", "../../decks")
    assert result.exit_code == 0, result.output
    assert "0 new, 1 changed, 1 unchanged, 0 removed" in result.output
    assert f"the lock {lock} updated" in result.output or "the lock ../papers2anki.lock updated" in result.output
    assert not (sources / "part2" / "papers2anki.lock").exists()
    after = guids(lock)
    assert after["Дайте определение NTK."] == ids["Определите NTK."]  # the same note: no duplicate in Anki
    assert removed(lock) == []
    assert {t: g for t, g in after.items() if "NTK" not in t} == {t: g for t, g in ids.items() if "NTK" not in t}


def test_a_lock_at_the_top_of_a_course_with_other_files_still_removes_gone_papers(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Files beside a lock at the top of a course that hold none of its papers (a README) do not make a build
    of `sources/` a build of part of the course: a list taken away is gone, its deck file removed."""
    sources = course(tmp_path)
    (tmp_path / "README.md").write_text("# Курс\n\nСписки вопросов к статьям.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("build", "sources", "--lock", "papers2anki.lock").exit_code == 0
    (sources / "b.txt").unlink()
    result = run("build", "sources", "--lock", "papers2anki.lock")
    assert result.exit_code == 0, result.output
    assert "deep-residual-learning.apkg: removed" in result.output
    assert len(removed(tmp_path / "papers2anki.lock")) == 2


def test_a_copy_of_the_lists_in_the_course_changes_nothing(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A copy of lists read (an old folder kept in the course) holds no part of a paper that the build does
    not read: the build is whole, and a list deleted from the sources is gone."""
    sources = course(tmp_path)
    shutil.copytree(sources, tmp_path / "old")
    monkeypatch.chdir(tmp_path)
    assert run("build", "sources", "--lock", "papers2anki.lock").exit_code == 0
    (sources / "part2" / "c.txt").write_text(C.replace("NTK при обучении", "ядро при обучении"), encoding="utf-8")
    result = run("build", "sources", "--lock", "papers2anki.lock")
    assert result.exit_code == 0, result.output
    assert "not read" not in result.output and "not built" not in result.output
    assert "0 new, 1 changed, 1 unchanged, 0 removed" in result.output

    (sources / "b.txt").unlink()  # the copy in old/ still holds b.txt's paper: kept, and said so
    result = run("build", "sources", "--lock", "papers2anki.lock")
    assert result.exit_code == 0, result.output
    assert f"lists not read, their papers kept as they were: {Path('old/b.txt')}" in result.output
    assert "removed (no paper" not in result.output and removed(tmp_path / "papers2anki.lock") == []


def test_outside_git_no_lock_above_the_working_folder_is_taken(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A lock left in a folder above (another course's, a try in the home folder) is never adopted by a
    course that is not in a git repository: the search stops at the working folder."""
    home = tmp_path / "home"
    (home / "try").mkdir(parents=True)
    (home / "try" / "a.txt").write_text(A, encoding="utf-8")
    monkeypatch.chdir(home)
    assert run("build", ".", "--out", "try-decks").exit_code == 0  # leaves home/papers2anki.lock
    stray = (home / "papers2anki.lock").read_bytes()
    sources = course(home / "newcourse")
    monkeypatch.chdir(home / "newcourse")
    result = run("build")
    assert result.exit_code == 0, result.output
    assert (sources / "papers2anki.lock").is_file() and "course's lock" not in result.output
    assert (home / "papers2anki.lock").read_bytes() == stray


def test_in_git_the_search_stops_at_the_top(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "papers2anki.lock").write_text("{}", encoding="utf-8")  # above the repository: not its
    repo = tmp_path / "repo"
    sources = course(repo)
    (repo / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    result = run("build", "repo/sources/part2")
    assert result.exit_code == 0, result.output
    assert (sources / "part2" / "papers2anki.lock").is_file()
    assert (tmp_path / "papers2anki.lock").read_text("utf-8") == "{}"
