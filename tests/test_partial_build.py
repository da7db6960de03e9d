"""Building part of the sources (lists given by name beside others) never rewrites the lock's rows or deck
names of the papers it did not read, and says what it writes; a full build afterwards agrees with it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from papers2anki.cli import main

EPOCH = "1780000000"


def build(*args: str, epoch: str = EPOCH) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", *args], env={"SOURCE_DATE_EPOCH": epoch})
    return result.exit_code, result.output


def rows(lock: bytes) -> dict[str, list[dict[str, object]]]:
    """The lock's note rows by paper, and its deck names under the key "decks"."""
    data = json.loads(lock)
    by_paper: dict[str, list[dict[str, object]]] = {"decks": data["decks"]}
    for note in data["notes"]:
        by_paper.setdefault(note["paper"], []).append(note)
    return by_paper


def test_one_list_leaves_the_other_papers_alone(sources_copy: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    lock = sources_copy / "papers2anki.lock"
    assert build("sources", "--out", "decks")[0] == 0
    before = lock.read_bytes()
    decks = {p: p.read_bytes() for p in (tmp_path / "decks").glob("*.apkg")}

    code, said = build("sources/seminar-02.txt", "--out", "decks")
    assert code == 0
    assert "no longer in the sources" not in said
    assert said.splitlines()[-1].endswith("nothing changed, no file rewritten")
    assert lock.read_bytes() == before
    assert {p: p.read_bytes() for p in (tmp_path / "decks").glob("*.apkg")} == decks

    # An edit and a deletion in that list: only its papers' rows change, and the summary names the lock.
    lists = sources_copy / "seminar-02.txt"
    text = lists.read_text("utf-8")
    text = text.replace("Какие токены маскируются", "Какие слова маскируются")
    text = "".join(line for line in text.splitlines(True) if "Что измеряет метрика Self-Blue" not in line)
    lists.write_text(text, "utf-8")
    code, said = build("sources/seminar-02.txt", "--out", "decks", epoch=str(int(EPOCH) + 100))
    assert code == 0, said
    assert "0 new, 1 changed, 2 unchanged, 0 removed" in said
    assert "0 new, 0 changed, 3 unchanged, 1 removed" in said
    # (Electra's deck too: its questions' Source moved up a line.)
    assert said.splitlines()[-1].endswith(
        f"3 deck files written to decks, the lock {Path('sources/papers2anki.lock')} updated"
    )
    old, new = rows(before), rows(lock.read_bytes())
    touched = {
        "mask predict parallel decoding of conditional masked language models",
        "the curious case of neural text degeneration",
    }
    assert {k for k in old if old[k] != new[k]} == touched
    # A full build now finds the lock as it would write it.
    code, said = build("sources", "--out", "decks", epoch=str(int(EPOCH) + 200))
    assert code == 0 and said.splitlines()[-1].endswith("nothing changed, no file rewritten")


def test_a_paper_split_over_lists_is_not_built_from_one(sources_copy: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """seminar-01.txt holds the questions of a paper whose review (with its authors) is in review-jem.md: a
    build of seminar-01.txt alone leaves that paper's rows and deck file as they were, and says why."""
    monkeypatch.chdir(tmp_path)
    lock = sources_copy / "papers2anki.lock"
    build("sources", "--out", "decks")
    before = lock.read_bytes()
    deck = tmp_path / "decks" / "your-classifier-is-secretly-an-energy-based-model-and-you-should-treat-it-like.apkg"
    deck_bytes = deck.read_bytes()
    code, said = build("sources/seminar-01.txt", "--out", "decks", epoch=str(int(EPOCH) + 100))
    assert code == 0
    assert f"not built: {Path('sources/review-jem.md')} holds part of it too" in said
    assert " new, " not in said and "removed" not in said
    assert said.splitlines()[-1].endswith("nothing changed, no file rewritten")
    assert lock.read_bytes() == before and deck.read_bytes() == deck_bytes


def test_a_list_alone_in_its_folder_is_all_the_sources(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A list given by name with no other list beside it is the whole course: a question deleted from it
    is reported removed."""
    monkeypatch.chdir(tmp_path)
    course = tmp_path / "course"
    course.mkdir()
    lists = course / "list.md"
    lists.write_text("Paper One\n\n1. Первый вопрос?\n2. Второй вопрос?\n", "utf-8")
    build("course/list.md", "--out", "decks")
    lists.write_text("Paper One\n\n1. Первый вопрос?\n", "utf-8")
    code, said = build("course/list.md", "--out", "decks")
    assert code == 0 and "'Второй вопрос?' is no longer in the sources" in said


def test_the_lists_not_read_count_for_a_partial_build(sources_copy: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The same partial build again, after a list it does not read changed: it sees the change (no shortcut
    from the last build's record)."""
    monkeypatch.chdir(tmp_path)
    build("sources", "--out", "decks")
    assert "holds part of it too" in build("sources/seminar-01.txt", "--out", "decks")[1]
    (sources_copy / "review-jem.md").unlink()
    code, said = build("sources/seminar-01.txt", "--out", "decks", epoch=str(int(EPOCH) + 100))
    assert code == 0 and "holds part of it too" not in said
    assert "Your Classifier is Secretly an Energy Based Model and You Should Treat it Like One: 0 new" in said
