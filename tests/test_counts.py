"""Counts are spelled as a person writes them: `1 paper`, `2 papers` in every command's summary; the
preview page's Russian `1 колода`, `2 колоды`, `5 колод`, `21 карточка`, `22 карточки`, `111 карточек`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from papers2anki.cli import main
from papers2anki.plural import plural, plural_ru

REVIEW = "## Исследование статьи **{title}**\n\nАвтор исследования: Иван\n\nО статье.\n"


def paper(title: str, questions: int, extra: str = "") -> str:
    """A paper with `questions` questions, the first with a formula; `extra` after its list."""
    lines = [f"{title}", ""] + [f"{i}. Вопрос {i} о {'$x$' if i == 1 else 'модели'}?" for i in range(1, questions + 1)]
    return "\n".join(lines) + "\n\n" + extra


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": "1780000000"})


def test_one_of_each_is_singular_in_builds_and_checks_summaries(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    text = paper("Paper A", 1, "---\n\n" + REVIEW.format(title="Paper A")).replace("?", "?\x01", 1)
    (sources / "a.md").write_text(text, encoding="utf-8")
    built = run("build", str(sources), "--out", str(tmp_path / "decks"))
    assert built.exit_code == 0, built.output
    summary = built.stdout.splitlines()[-1]
    assert summary == (
        "1 paper, 1 question, 1 review, 1 formula, 1 warning, 1 line skipped as scaffolding; "
        f"1 deck file written to {tmp_path / 'decks'}, the lock {sources / 'papers2anki.lock'} created"
    )
    assert run("check", str(sources)).stdout.splitlines()[-1] == "0 errors, 1 warning, 1 line skipped as scaffolding"
    outline = run("parse", str(sources / "a.md"), "--outline").stdout.splitlines()[0]
    assert outline == f"{sources / 'a.md'}: 1 paper, 1 review"


def test_two_of_each_are_plural(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    reviews = "---\n\n***\n\n" + REVIEW.format(title="Paper A") + "\n" + REVIEW.format(title="Paper B")
    (sources / "a.md").write_text(paper("Paper A", 1) + paper("Paper B", 1, reviews), encoding="utf-8")
    (sources / "b.md").write_text("Paper C\n\n1. Есть ли $x\x01\n2. Вопрос?\x01\n", encoding="utf-8")
    built = run("build", str(sources), "--out", str(tmp_path / "decks"), "--force")
    summary = built.stdout.splitlines()[-1]
    assert summary.startswith("3 papers, 4 questions, 2 reviews, 2 formulas, 2 warnings, 2 lines skipped"), summary
    assert "3 deck files written" in summary
    checked = run("check", str(sources))
    assert checked.stdout.splitlines()[-1] == "1 error, 2 warnings, 2 lines skipped as scaffolding"


@pytest.mark.parametrize(
    ("papers", "questions", "decks", "cards"),
    [
        (1, 1, "1 колода", "1 карточка"),
        (2, 1, "2 колоды", "2 карточки"),
        (5, 1, "5 колод", "5 карточек"),
        (1, 11, "1 колода", "11 карточек"),
        (1, 21, "1 колода", "21 карточка"),
        (2, 11, "2 колоды", "22 карточки"),
        (1, 111, "1 колода", "111 карточек"),
    ],
)
def test_the_preview_page_counts_in_russian(
    tmp_path: Path, papers: int, questions: int, decks: str, cards: str
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    text = "".join(paper(f"Paper {chr(65 + i)}", questions) for i in range(papers))
    (sources / "list.txt").write_text(text, encoding="utf-8")
    page = tmp_path / "preview.html"
    result = run("preview", str(sources), "--out", str(page))
    assert result.exit_code == 0, result.output
    shown = papers * questions
    english = f"{papers} deck{'s' * (papers > 1)}, {shown} card{'s' * (shown > 1)}: "
    assert result.stdout.startswith(english)
    heading = re.search(r"<h1>(.*?)</h1>", page.read_text(encoding="utf-8"))
    assert heading is not None and heading.group(1) == f"Карточки: {decks}, {cards}"


RUSSIAN = {
    0: "карточек",
    1: "карточка",
    2: "карточки",
    4: "карточки",
    5: "карточек",
    11: "карточек",
    12: "карточек",
    14: "карточек",
    20: "карточек",
    21: "карточка",
    22: "карточки",
    25: "карточек",
    101: "карточка",
    111: "карточек",
    112: "карточек",
    122: "карточки",
    1001: "карточка",
}


@pytest.mark.parametrize(("count", "word"), sorted(RUSSIAN.items()))
def test_russian_plural_follows_the_last_two_digits(count: int, word: str) -> None:
    assert plural_ru(count, "карточка", "карточки", "карточек") == f"{count} {word}"


@pytest.mark.parametrize(("count", "text"), [(0, "0 entries"), (1, "1 entry"), (2, "2 entries")])
def test_english_plural_takes_an_irregular_form(count: int, text: str) -> None:
    assert plural(count, "entry", "entries") == text
