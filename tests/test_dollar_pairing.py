"""A `$` never pairs across a question (issue 12): through the public API, from a file to the cards.

The parser (`parse.protect_math`, over the whole file) and the notes (over each field) read a `$` with
the same function, `latex.find_math`: an unclosed `$` is reported at that `$`, the questions after it
stay questions, and money stays text.
"""

from __future__ import annotations

from pathlib import Path

from conftest import import_packages

import papers2anki


def _questions(path: Path) -> list[tuple[str, str]]:
    corpus = papers2anki.load([path], cache=False)
    return [(q.text, q.answer) for paper in corpus.papers for q in paper.questions]


def _errors(path: Path) -> list[tuple[int, int, str]]:
    return [(p.location.line, p.location.col, p.rule) for p in papers2anki.check([path]) if p.severity == "error"]


def _column(path: Path, line: int, needle: str) -> int:
    """The 1-based column of `needle` on a 1-based line of `path`."""
    return path.read_text("utf-8").split("\n")[line - 1].index(needle) + 1


def test_an_unclosed_dollar_stays_in_its_question(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("Paper\n\n1. Вопрос с $x открыт\n2. Второй вопрос $y$?\n3. Третий?\n", "utf-8")
    assert _questions(path) == [("Вопрос с $x открыт", ""), ("Второй вопрос $y$?", ""), ("Третий?", "")]
    assert _errors(path) == [(3, _column(path, 3, "$"), "unbalanced-dollar")]
    assert [p.rule for p in papers2anki.check([path])] == ["unbalanced-dollar"]  # no numbering warning


def test_an_unclosed_dollar_in_an_answer_stops_at_its_paragraph_and_list_item(tmp_path: Path) -> None:
    path = tmp_path / "answers.md"
    path.write_text(
        "Paper\n\n"
        "1. Что такое $f$?\n\n"
        "   Первый абзац ответа с $x открыт.\n\n"
        "   Второй абзац с $y$ и $z$.\n\n"
        "   - пункт с $u открыт\n"
        "   - пункт с $v$\n"
        "2. Следующий вопрос $w$?\n",
        "utf-8",
    )
    questions = _questions(path)
    assert [text for text, _ in questions] == ["Что такое $f$?", "Следующий вопрос $w$?"]
    assert questions[0][1].endswith("- пункт с $u открыт\n- пункт с $v$")
    assert _errors(path) == [
        (5, _column(path, 5, "$"), "unbalanced-dollar"),
        (9, _column(path, 9, "$"), "unbalanced-dollar"),
    ]


def test_money_is_neither_a_formula_nor_an_error(tmp_path: Path, collection) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "money.txt"
    path.write_text(
        "Paper\n\n"
        "1. Эпоха стоит $300, а GPU стоит $5 в час. Сколько стоит обучение за $1.5M?\n"
        "2. Стоит $5, а эпоха $300\n",
        "utf-8",
    )
    assert len(_questions(path)) == 2
    assert papers2anki.check([path]) == []
    report = papers2anki.build(papers2anki.load([path]), tmp_path / "decks", lock_path=tmp_path / "lock")
    import_packages(collection, [d.file for d in report.decks])
    fronts = sorted(collection.get_note(nid)["Question"] for nid in collection.find_notes(""))
    assert fronts == [
        "Стоит $5, а эпоха $300",
        "Эпоха стоит $300, а GPU стоит $5 в час. Сколько стоит обучение за $1.5M?",
    ]
    assert not any("\\(" in front or "\\[" in front for front in fronts)
