"""Texts of questions and answers in the habit fixtures, exactly: what `tests/test_habits.py`'s
expectations (collapsed whitespace, an answer's first line) cannot hold."""

from __future__ import annotations

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
