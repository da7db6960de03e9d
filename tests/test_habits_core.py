"""Texts of questions and answers in the habit fixtures, exactly: what `tests/test_habits.py`'s
expectations (collapsed whitespace, an answer's first line) cannot hold."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES

import papers2anki

HABITS = FIXTURES / "habits"


def test_questions_keep_their_text_without_scaffolding() -> None:
    papers = papers2anki.load([HABITS / "core-obsidian.md"], cache=False).papers
    gan = papers[1].questions
    assert gan[0].text == "Выпишите минимакс-игру GAN."  # the link to the answer file is not the question's
    assert gan[1].text == "Что изображено на схеме обучения GAN?"  # an image's alt text
    assert gan[2].text == "Сравните функции потерь:\nа) исходную минимакс;\nб) non-saturating."
    heads = papers2anki.load([HABITS / "core-headings.md"], cache=False).papers
    assert heads[0].questions[0].answer.startswith("Методом сопряжённых уравнений")
    assert heads[1].questions[0].answer == r"Решает $z^* = f_\theta(z^*, x)$ методом Бройдена."
    answers = papers2anki.load([HABITS / "core-answers.txt"], cache=False).papers[0].questions
    assert answers[0].answer.startswith("Ответ: случайное")
    assert answers[1].answer.startswith("Умножают")
    assert answers[2].answer == ""


def test_skipped_lines_are_counted_in_the_summaries_not_warned(tmp_path: Path) -> None:
    """`check` and `build` count the lines skipped as scaffolding; a rebuild of the edited file counts again."""
    from click.testing import CliRunner

    from papers2anki.cli import main

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "list.md").write_text((HABITS / "core-obsidian.md").read_text("utf-8"), "utf-8")
    out, lock = str(tmp_path / "decks"), str(tmp_path / "p.lock")
    checked = CliRunner().invoke(main, ["check", str(sources)])
    assert checked.output.splitlines()[-1] == "0 errors, 2 warnings, 13 lines skipped as scaffolding"
    assert "scaffolding" not in "".join(checked.output.splitlines()[:-1])  # counted, not warned
    built = CliRunner().invoke(main, ["build", str(sources), "--out", out, "--lock", lock])
    assert ", 13 lines skipped as scaffolding; 2 deck files written" in built.output
    with (sources / "list.md").open("a", encoding="utf-8") as f:
        f.write("<!-- ещё комментарий -->\n")
    again = CliRunner().invoke(main, ["build", str(sources), "--out", out, "--lock", lock])
    assert ", 14 lines skipped as scaffolding; nothing changed" in again.output


def test_an_answer_bullet_under_a_bullet_question_is_its_answer(tmp_path: Path) -> None:
    (tmp_path / "list.md").write_text(
        "Статья\n\n- Что такое x_i?\n  - Ответ: это вход.\n- Второй вопрос?\n  - подпункт один\n  - подпункт два\n",
        "utf-8",
    )
    (paper,) = papers2anki.load([tmp_path], cache=False).papers
    assert [(q.text, q.answer) for q in paper.questions] == [
        ("Что такое x_i?", "- Ответ: это вход."),
        ("Второй вопрос?\n- подпункт один\n- подпункт два", ""),
    ]


def test_bold_word_markers_number_questions_as_plain_ones_do(tmp_path: Path) -> None:
    """`**Q1.**`, `**Вопрос 2:**`, `__Question 3)__`: the words the plain word marker knows, in bold."""
    (tmp_path / "list.md").write_text(
        "### Лекция 5. DDPM\n\n**Q1.** Что такое x_t?\n\n> Зашумлённый вход.\n\n**ВОПРОС 2:** Зачем шум?\n\n"
        "__Question 3)__ Сколько шагов?\n",
        "utf-8",
    )
    (paper,) = papers2anki.load([tmp_path], cache=False).papers
    assert paper.title == "Лекция 5. DDPM"
    assert [(q.number, q.text, q.answer) for q in paper.questions] == [
        ("1", "Что такое x_t?", "> Зашумлённый вход."),
        ("2", "Зачем шум?", ""),
        ("3", "Сколько шагов?", ""),
    ]
