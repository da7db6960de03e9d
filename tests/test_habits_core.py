"""Lists written the ways maintainers write them (issue #12): each becomes the decks a student expects.

Every file of `tests/fixtures/habits/` is built and imported into a fresh collection with the real
Anki backend; its decks and notes must be those the parser found, and `EXPECTED` holds, for the files
written for one habit each, the decks and the number of questions a student must get.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, fresh_collection, import_packages

import papers2anki

HABITS = FIXTURES / "habits"

#: file -> [(deck title, number of questions)], in the order of the file.
EXPECTED: dict[str, list[tuple[str, int]]] = {
    "core-word-export.txt": [
        ("Attention Is All You Need", 2),
        ("BERT: Pre-training of Deep Bidirectional Transformers", 3),
    ],
    "core-markers-crlf.txt": [("Deep Sets", 2), ("PointNet", 2), ("Graph Attention Networks", 3)],
    "core-obsidian.md": [("Генеративные модели", 2), ("Generative Adversarial Networks", 3)],
    "core-headings.md": [("Neural Ordinary Differential Equations", 2), ("Deep Equilibrium Models", 2)],
    "core-outline.md": [
        ("Оптимизация", 2),
        ("Регуляризация", 1),
        ("Batch Normalization", 2),
        ("Layer Normalization", 2),
    ],
    "core-review-then-lists.md": [
        ("Neural Tangent Kernel", 2),
        ("Fourier Features Let Networks Learn High Frequency Functions", 2),
        ("Implicit Neural Representations with Periodic Activation Functions", 1),
    ],
    "core-answers.txt": [("Dropout: A Simple Way to Prevent Neural Networks from Overfitting", 3)],
    "core-numbering.md": [("Generative Pretraining from Pixels", 3), ("Scaling Laws for Neural Language Models", 2)],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_habit_gives_the_papers_and_questions_a_student_expects(name: str) -> None:
    corpus = papers2anki.load([HABITS / name], cache=False)
    assert [(p.title, len(p.questions)) for p in corpus.papers] == EXPECTED[name]
    assert not [p for p in corpus.problems if p.severity == "error"]


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


@pytest.mark.parametrize("path", sorted(HABITS.iterdir()), ids=lambda p: p.name)
def test_every_habit_file_imports_into_anki_as_parsed(path: Path, tmp_path: Path) -> None:
    corpus = papers2anki.load([path], cache=False)
    report = papers2anki.build(corpus, tmp_path / "decks", lock_path=tmp_path / "papers2anki.lock", force=True)
    col = fresh_collection(tmp_path / "col")
    try:
        import_packages(col, sorted((tmp_path / "decks").glob("*.apkg")))
        for paper in corpus.papers:
            deck = f"Papers::{paper.title}"
            notes = col.find_notes(f'"deck:{deck}"')
            assert len(notes) == len(paper.questions) + (paper.review is not None), deck
            fronts = [col.get_note(n).fields[0] for n in notes]
            for q in paper.questions:
                first_word = q.text.split()[0].strip("*_,.:?") if q.text.split() else ""
                assert any(first_word in f for f in fronts), (deck, q.text)
    finally:
        col.close()
    assert report.papers == len(corpus.papers)
