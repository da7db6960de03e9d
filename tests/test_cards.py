"""The cards as Anki renders them: every field where the templates put it, answers included.

Decks are built from lists with answers (tests/fixtures/answers/), imported with the real Anki backend,
and read back through `card.question()` / `card.answer()`, Anki's own template engine.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, SOURCES, import_packages

import papers2anki
from papers2anki.preview import card_views

ANSWERS = FIXTURES / "answers"
STYLE = re.compile(r"^<style>.*?</style>", re.S)


def _div(side: str, cls: str) -> str | None:
    """The inner HTML of the first `<div class="cls">` (the answers fixture has no table: no <div> in a field)."""
    m = re.search(rf'<div class="{cls}">(.*?)</div>', side, re.S)
    return m.group(1) if m else None


def _build_and_import(paths: list[Path], tmp_path: Path, collection):  # type: ignore[no-untyped-def]
    out = tmp_path / "decks"
    papers2anki.build(papers2anki.load(paths), out, lock_path=tmp_path / "test.lock")
    import_packages(collection, sorted(out.glob("*.apkg")))
    cards = []
    for cid in collection.find_cards(""):
        card = collection.get_card(cid)
        cards.append((card.note(), STYLE.sub("", card.question()), STYLE.sub("", card.answer())))
    return cards


def test_question_cards_put_every_field_in_its_place(tmp_path: Path, collection) -> None:
    cards = _build_and_import([ANSWERS], tmp_path, collection)
    questions = [c for c in cards if c[0].note_type()["name"] == "papers2anki Question"]
    assert len(questions) == 5
    answered = 0
    for note, front, back in questions:
        # Front: the paper's title small above the question.
        assert _div(front, "p2a-paper") == note["Paper"]
        assert _div(front, "p2a-question") == note["Question"]
        assert front.index("p2a-paper") < front.index("p2a-question")
        assert note["Answer"] not in front or not note["Answer"]
        # Back: the front again, the rule Anki scrolls to, then the answer or the hint.
        assert back.startswith(front.rstrip())
        after = back.split('<hr id="answer">', 1)[1]
        assert f"Вопрос {note['Number']} · " in _div(after, "p2a-meta")  # type: ignore[operator]
        assert f'<span class="p2a-source">{note["Source"]}</span>' in after
        assert re.fullmatch(r".*answers\.md:\d+", note["Source"])
        if note["Answer"]:
            answered += 1
            assert _div(after, "p2a-answer") == note["Answer"]
            assert "Вспомните" not in after
        else:
            assert _div(after, "p2a-answer") is None
            assert "Вспомните ответ по статье" in _div(after, "p2a-hint")  # type: ignore[operator]
            assert _div(after, "p2a-recall-title") == note["Paper"]
            assert _div(after, "p2a-authors") == (note["Authors"] or None)
    assert answered == 3


def test_answers_keep_paragraphs_lists_code_and_display_math(tmp_path: Path, collection) -> None:
    cards = _build_and_import([ANSWERS], tmp_path, collection)
    backs = {(n["Paper"], n["Number"]): back for n, _, back in cards if n.note_type()["name"].endswith("Question")}
    adjoint = _div(backs[("Neural Ordinary Differential Equations", "1")], "p2a-answer")
    assert adjoint is not None and adjoint.count("<p>") == 4
    assert "\\(a(t) = \\partial L / \\partial z(t)\\)" in adjoint
    assert re.search(r"<p>\\\[\\frac\{dL\}\{d\\theta\} = .*\\\]</p>", adjoint)
    drawbacks = _div(backs[("Neural Ordinary Differential Equations", "2")], "p2a-answer")
    assert drawbacks is not None and drawbacks.count("<li>") == 3 and "<code>dopri5</code>" in drawbacks
    fixed_point = _div(backs[("Deep Equilibrium Models", "1")], "p2a-answer")
    assert fixed_point is not None
    assert '<pre><code class="language-python">z = broyden(lambda z: f(z, x) - z, z0)' in fixed_point
    assert "\\[z^{*} = f_\\theta\\bigl(" in fixed_point
    # The DEQ paper has a review that names its authors; the hint on its unanswered card shows them.
    memory = backs[("Deep Equilibrium Models", "2")]
    assert _div(memory, "p2a-authors") == "Shaojie Bai, J. Zico Kolter, Vladlen Koltun"
    assert "$" not in "".join(backs.values())


def test_review_card_shows_title_authors_reviewer_and_text(tmp_path: Path, collection) -> None:
    cards = _build_and_import([ANSWERS], tmp_path, collection)
    [(note, front, back)] = [c for c in cards if c[0].note_type()["name"] == "papers2anki Review"]
    assert _div(front, "p2a-review-title") == note["Title"] == "Deep Equilibrium Models"
    assert _div(front, "p2a-authors") == note["Authors"]
    assert _div(back, "p2a-reviewer") == f"Автор исследования: {note['Reviewer']}"
    assert _div(back, "p2a-review") == note["Review"]
    assert "<strong>неявной</strong>" in note["Review"] and note["Review"].count("<li>") == 2
    assert back.startswith(front.rstrip())


@pytest.mark.parametrize("paths", [[SOURCES], [ANSWERS]], ids=["shipped", "answers"])
def test_preview_renders_exactly_what_anki_renders(
    paths: list[Path], tmp_path: Path, collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(paths[0].parent)
    relative = [Path(p.name) for p in paths]
    cards = _build_and_import(relative, tmp_path, collection)
    anki = {(n["Source"], n.note_type()["name"]): (q, a) for n, q, a in cards}
    decks, _ = card_views([str(p) for p in relative], tmp_path / "preview.html", lock_path=tmp_path / "test.lock")
    shown = {
        (html.escape(c.source, quote=False), f"papers2anki {c.kind.title()}"): (c.front, c.back)
        for d in decks
        for c in d.cards
    }
    assert len(shown) == len(anki) == len(cards)
    assert shown == anki
