"""Every card as the real Anki desktop shows it: the reviewer of PyPI's `aqt`, offscreen.

The decks of the shipped `sources/`, of `examples/answers/` and of a fixture of wide answers (long
display formulas, a table, a code block) are built through the public API, imported into a fresh Anki
desktop and shown card by card in its reviewer, front and back, light and night, at a desktop width and
at a phone's. Anki starts once for the session (tools/desktop/anki_desktop.py); the page is read after
the reviewer's own update queue, MathJax's promise and the fonts. For every side: MathJax typeset as
many formulas as the side's HTML has delimiters and reported no error; no formula scrolls unless it is
wider than the card; the page is no wider than the window; the paper's title, the question and the
answer are there to read. A control deck shows that each check catches what it is for, the scrollbars
of the stylesheet before issue 14 among them.

Without `aqt` these tests skip, except under CI=true, where they fail: CI installs it.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REPO, SOURCES

import papers2anki
from papers2anki.api import drafts_of
from papers2anki.sources import course_folder

sys.path.insert(0, str(REPO / "tools" / "desktop"))

import anki_desktop  # noqa: E402

EXAMPLE = REPO / "examples" / "answers"
WIDE = FIXTURES / "desktop" / "wide.md"
MEDIA = FIXTURES / "media" / "transformer.md"  # a PNG and an SVG, tables, code
OLD_CSS = FIXTURES / "desktop" / "cards-before-issue-14.css"
# Lists whose every card is checked. The report lists each <img> of a side with whether it loaded, and
# `problems` fails a side with an image that did not.
LISTS = {"sources": SOURCES, "examples": EXAMPLE, "wide": WIDE, "media": MEDIA}
CONTROL_DECK = "Control"
CONTROL_MODEL_ID = 1733906842901  # a note type of the tests only, never in a user's collection


def problems(side: dict[str, Any]) -> list[str]:
    """What is wrong with one card side as Anki showed it, as short named findings; [] when nothing."""
    if "error" in side:
        return [f"page-error: {side['error'][:300]}"]
    page = side["ok"]
    found = []
    if page["qaOpacity"] != "1":
        found.append(f"not-shown: #qa opacity {page['qaOpacity']}")
    if page["typeset"] != side["delimiters"]:
        found.append(f"typeset: {page['typeset']} formulas for {side['delimiters']} delimiters")
    if page["merror"]:
        found.append(f"merror: {page['merror']}")
    for formula in page["scrolling"]:
        # Only a formula wider than the card may scroll: its box is the card's width at most.
        if formula["mathWidth"] <= formula["cardWidth"] + 1:
            kind = "display" if formula["display"] else "inline"
            found.append(
                f"scrollbar: {kind} {formula['tex'][:60]!r} scrolls {formula['scrollWidth']} in "
                f"{formula['clientWidth']} px though the card has {formula['cardWidth']} px"
            )
    if page["pageWidth"] > page["innerWidth"] + 1:
        found.append(f"page-wider: {page['pageWidth']} px in a window of {page['innerWidth']}")
    wanted = [".p2a-paper"]
    wanted.append(".p2a-question" if side["type"].endswith("Question") else ".p2a-review-title")
    if side["side"] == "answer":
        wanted.append({"papers2anki Review": ".p2a-review"}.get(side["type"], ".p2a-answer|.p2a-recall"))
    for selector in wanted:
        options = [s for s in selector.split("|") if s in page["seen"]]
        if not options:
            found.append(f"unseen: {selector} missing")
        for option in options:
            if page["seen"][option]:
                found.append(f"unseen: {option} {page['seen'][option]}")
    for image in page["images"]:
        if not image["loaded"]:
            found.append(f"image: {image['src']} did not load")
    return found


def _control_package(out: Path) -> Path:
    """Cards made to fail one check each, with our question templates and the stylesheet before issue 14."""
    import genanki

    from papers2anki.notes import QUESTION_FIELDS, note_types

    question = note_types()[0]
    model = genanki.Model(
        CONTROL_MODEL_ID,
        "papers2anki control",
        fields=[{"name": name} for name in QUESTION_FIELDS],
        templates=[{"name": "Question", "qfmt": question.qfmt, "afmt": question.afmt}],
        css=OLD_CSS.read_text("utf-8"),
    )
    deck = genanki.Deck(1733906842902, CONTROL_DECK)
    controls = {
        # The inline formulas of examples/answers' first card, under the old stylesheet: they scrolled.
        "scrollbar": (
            "Как в Neural ODE считают градиент функции потерь по параметрам \\(\\theta\\)?",
            "<p>Сопряжённое состояние \\(a(t) = \\partial L / \\partial z(t)\\) решает ОДУ.</p>",
            "Paper",
        ),
        "merror": ("Что не так с \\(\\frac{a}\\)?", "", "Paper"),
        "typeset": ('Формула, которую MathJax пропускает: <span class="mathjax_ignore">\\(x\\)</span>', "", "Paper"),
        "page-wider": ("Широкий ответ?", '<div style="width: 3000px">a</div>', "Paper"),
        "unseen": ("Где заголовок статьи?", "", '<span style="display: none">Paper</span>'),
        "image": ("Что на схеме?", '<img src="p2a-control-missing.png" alt="схема">', "Paper"),
    }
    for i, (name, (text, answer, paper)) in enumerate(controls.items()):
        fields = [text, answer, paper, "", str(i + 1), name]
        deck.add_note(genanki.Note(model, fields, guid=f"p2a-control-{name}"))
    path = out / "control.apkg"
    genanki.Package(deck).write_to_file(str(path))
    return path


@pytest.fixture(scope="session")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of the Anki desktop over every deck: its report, and the notes each list should give."""
    reason = anki_desktop.missing()
    if reason:
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"the Anki desktop tests cannot run under CI: {reason}")
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("desktop")
    packages = []
    expected: dict[str, list[str]] = {}
    for name, path in LISTS.items():
        corpus = papers2anki.load([path])
        report = papers2anki.build(corpus, work / name, lock_path=work / f"{name}.lock")
        assert not report.errors, report.problems
        packages += sorted((work / name).glob("*.apkg"))
        course = course_folder(work / f"{name}.lock")  # the cards name their files from there
        expected[name] = [d.fields[-1] for group in drafts_of(corpus.papers, course=course) for d in group]
    packages.append(_control_package(work))
    report = anki_desktop.run_job(packages, work / "anki")
    report["expected"] = expected
    return report


def _sides(report: dict[str, Any], control: bool) -> list[dict[str, Any]]:
    return [s for s in report["sides"] if (s["deck"] == CONTROL_DECK) == control]


def test_every_card_of_every_list_is_shown_in_every_view(desktop: dict[str, Any]) -> None:
    views = [v["name"] for v in anki_desktop.VIEWS]
    assert [v["name"] for v in desktop["views"]] == views
    for view in desktop["views"]:  # the window took the asked width, the page too
        assert view["window"][0] == view["width"] and view["innerWidth"] == view["width"], view
    sides = _sides(desktop, control=False)
    sources = sorted(s for group in desktop["expected"].values() for s in group)
    assert len(sources) == len(set(sources)) >= 70
    for view in views:
        for side in ("question", "answer"):
            shown = sorted(s["source"] for s in sides if s["view"] == view and s["side"] == side)
            assert shown == sources, (view, side)
    # Night mode reached the page (Anki's classes on <body>, a dark card); light mode did not.
    for s in sides:
        dark = s["view"].startswith("dark")
        assert ("nightMode" in s["ok"]["bodyClass"].split()) == dark, s["view"]
        assert (sum(s["ok"]["background"]) < 3 * 128) == dark, (s["view"], s["ok"]["background"])
        # The card's own text colour (cards.css, --p2a-text), not Anki's: the preview shows the same.
        assert s["ok"]["textColor"] == ("rgb(230, 230, 233)" if dark else "rgb(29, 29, 31)"), s["ok"]["textColor"]
    # The lists hold what they are here for: formulas of both kinds, a table, code, reviews, recall hints.
    assert sum(s["delimiters"] for s in sides) > 4 * 50
    kinds = Counter(s["type"] for s in sides)
    assert kinds["papers2anki Review"] > 0 and kinds["papers2anki Question"] > 0
    seen = {key for s in sides for key in s["ok"]["seen"]}
    assert {".p2a-answer", ".p2a-recall", ".p2a-review"} <= seen


def test_every_card_side_passes_the_checks(desktop: dict[str, Any]) -> None:
    failures = [
        f"{s['view']} {s['side']:8} {s['source']}: {problem}"
        for s in _sides(desktop, control=False)
        for problem in problems(s)
    ]
    assert not failures, f"{len(failures)} problems in Anki desktop:\n" + "\n".join(failures[:60])


def test_wide_display_formulas_scroll_inside_the_card_on_a_phone(desktop: dict[str, Any]) -> None:
    """The fixture's long formulas are wider than a phone: they scroll, and only they."""
    # (The lists lie outside the course folder of the run's locks: the cards name them by file name.)
    wide = [s for s in _sides(desktop, control=False) if s["source"].startswith(f"{WIDE.name}:")]
    phone = [f for s in wide if s["view"].endswith("-400") for f in s["ok"]["scrolling"]]
    assert phone and all(f["display"] and f["mathWidth"] > f["cardWidth"] for f in phone), phone
    assert any("\\mathcal{L}_{\\text{simple}}" in f["tex"] for f in phone)


def test_the_images_of_a_list_load_in_anki(desktop: dict[str, Any]) -> None:
    """The media fixture's PNG and SVG reach Anki's media folder with the deck and show on their cards."""
    media = [s for s in _sides(desktop, control=False) if s["source"].startswith(f"{MEDIA.name}:")]
    images = {(s["view"], img["src"]) for s in media for img in s["ok"]["images"]}
    loaded = {(s["view"], img["src"]) for s in media for img in s["ok"]["images"] if img["loaded"]}
    assert images == loaded
    assert {src.rsplit(".", 1)[-1] for _, src in images} == {"png", "svg"}
    assert {view for view, _ in images} == {v["name"] for v in anki_desktop.VIEWS}


def test_the_checks_catch_what_they_are_for(desktop: dict[str, Any]) -> None:
    """Each control card fails its own check, in every view; the old stylesheet's inline scrollbars among them."""
    found: dict[tuple[str, str], set[str]] = {}
    for s in _sides(desktop, control=True):
        kinds = {p.split(":", 1)[0] for p in problems(s)}
        found.setdefault((s["source"], s["view"]), set()).update(kinds)
    assert len(found) == 6 * len(anki_desktop.VIEWS)
    for (control, view), kinds in found.items():
        assert control in kinds, (control, view, kinds)
    inline = [
        f
        for s in _sides(desktop, control=True)
        if s["source"] == "scrollbar"
        for f in s["ok"]["scrolling"]
        if not f["display"]
    ]
    assert {f["tex"] for f in inline} == {"\\theta", "a(t) = \\partial L / \\partial z(t)"}
