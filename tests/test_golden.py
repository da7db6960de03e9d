"""Golden files: `papers2anki parse --json` of every shipped list and layout fixture, reviewed by hand.

After an intended change, regenerate with `UPDATE_GOLDEN=1 pytest tests/test_golden.py` and review
the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO, SOURCES

from papers2anki.cli import main
from papers2anki.parse import parse_source
from papers2anki.sources import read_source

GOLDEN = Path(__file__).resolve().parent / "golden"
FILES = sorted(p for p in SOURCES.iterdir() if not p.name.endswith(".lock")) + sorted((FIXTURES / "layouts").iterdir())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_parse_json_matches_golden(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["parse", str(path.relative_to(REPO)), "--json"])
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"{path.name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.stdout, "utf-8")
    assert json.loads(result.stdout) == json.loads(golden.read_text("utf-8"))


def test_mixed_layouts_in_one_file_give_the_same_records_as_each_alone(tmp_path: Path) -> None:
    """Concatenating the layout fixtures changes nothing but the line numbers."""
    import papers2anki

    names = [
        "title-then-numbered.txt",
        "numbered-title-then-subitems.txt",
        "title-then-bullets.txt",
        "heading-then-list.md",
        "nested-subquestions.md",
    ]
    alone = [papers2anki.load([FIXTURES / "layouts" / n]).papers for n in names]
    combined = tmp_path / "all.md"
    combined.write_text(
        "\n\n".join((FIXTURES / "layouts" / n).read_text("utf-8").strip() for n in names) + "\n", "utf-8"
    )
    together = papers2anki.load([combined])
    assert together.problems == []
    flat = [p for group in alone for p in group]
    assert [p.title for p in together.papers] == [p.title for p in flat]
    for a, b in zip(together.papers, flat, strict=True):
        assert [(q.number, q.text, q.answer) for q in a.questions] == [
            (q.number, q.text, q.answer) for q in b.questions
        ]
        lines = combined.read_text("utf-8").split("\n")
        for q in a.questions:
            assert q.text.split("\n")[0] in lines[q.location.line - 1]


def test_answer_keeps_its_own_indentation(tmp_path: Path) -> None:
    """An answer's code block stays code: only the item's own indentation is removed."""
    import papers2anki

    src = tmp_path / "l.txt"
    src.write_text("Paper\n\n1. Вопрос?\n\n       code block answer\n\n   Абзац ответа.\n", "utf-8")
    [paper] = papers2anki.load([src]).papers
    assert paper.questions[0].answer == "    code block answer\n\nАбзац ответа."


def test_blocks_mistune_emits_out_of_order_keep_their_lines(tmp_path: Path) -> None:
    """mistune emits the list of `>0` / `- 1. ...` before the quote; every block keeps its own line."""
    import papers2anki

    src = tmp_path / "l.md"
    src.write_text(">0\n- 1. Выпишите функцию.\n## Исследование статьи **X**\n", "utf-8")
    problems = sorted(papers2anki.load([src]).problems, key=lambda p: p.sort_key)
    assert [(p.location.line, p.rule) for p in problems] == [(2, "no-title")]  # the quote is skipped
    spans = parse_source(read_source(str(src))).spans
    assert [(s.first, s.kind) for s in spans] == [(1, "skipped"), (2, "question"), (3, "review")]


def test_a_paragraph_starting_with_a_unicode_line_separator_keeps_its_line(tmp_path: Path) -> None:
    import papers2anki

    src = tmp_path / "l.txt"
    src.write_bytes("\u2028\n</script>\n# ".encode())
    problems = papers2anki.load([src]).problems
    assert (1, "stray-text") in [(p.location.line, p.rule) for p in problems]


def test_an_empty_item_keeps_its_line_and_the_lines_after_it(tmp_path: Path) -> None:
    import papers2anki

    src = tmp_path / "l.txt"
    src.write_text("(Authors)\n\n1.\n1. Loss Surfaces\n$\n- 1. Выпишите функцию энергии.\n", "utf-8")
    [paper] = papers2anki.load([src]).papers
    assert [(q.location.line, q.text) for q in paper.questions] == [
        (3, ""),
        (4, "Loss Surfaces\n$"),
        (6, "Выпишите функцию энергии."),
    ]


HABITS = FIXTURES / "habits"
OUTLINED = sorted(HABITS.iterdir()) if HABITS.is_dir() else []


@pytest.mark.parametrize("path", OUTLINED + sorted((FIXTURES / "layouts").iterdir()), ids=lambda p: p.name)
def test_parse_outline_matches_golden(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`parse --outline`: what every line of a fixture became, reviewed by hand; no line is LOST."""
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["parse", "--outline", str(path.relative_to(REPO))])
    assert result.exit_code == 0, result.output
    assert " LOST " not in result.stdout
    golden = GOLDEN / "outlines" / f"{path.name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(result.stdout, "utf-8")
    assert result.stdout == golden.read_text("utf-8")


def test_positions_come_from_the_parser_not_from_a_search(tmp_path: Path) -> None:
    """A question whose text appears twice, and a title equal to a question: each record keeps its own line
    and column (a search for the text would find the first occurrence)."""
    import papers2anki

    src = tmp_path / "l.md"
    src.write_text(
        "Что такое внимание?\n\n"
        "1. Что такое внимание?\n"
        "2. Зачем нужна нормализация?\n\n"
        "Transformers\n\n"
        "   - 1. Что такое внимание?\n"
        "   - 2. Что такое внимание?\n",
        "utf-8",
    )
    corpus = papers2anki.load([src], cache=False)
    first, second = corpus.papers
    assert (first.title, first.location.line, first.location.col) == ("Что такое внимание?", 1, 1)
    assert [(q.location.line, q.location.col) for q in first.questions] == [(3, 4), (4, 4)]
    assert (second.location.line, second.location.col) == (6, 1)
    assert [(q.text, q.location.line, q.location.col) for q in second.questions] == [
        ("Что такое внимание?", 8, 9),
        ("Что такое внимание?", 9, 9),
    ]
    checked = papers2anki.check([src])
    assert [(p.location.line, p.rule) for p in checked if p.rule == "duplicate-question"] == [(9, "duplicate-question")]
