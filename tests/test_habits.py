"""Issue #12: every habit of the people who write question lists gives the cards a student expects.

`tests/fixtures/habits/` holds short lists written for these tests, one habit of list writers each
(`h1-` .. `h8-`, numbered as in the issue) and mixtures of several (`mix-`). Beside it,
`tests/fixtures/habits-expected/NAME.txt` is the reviewed expectation of the fixture NAME:

    # what a student must get from this file (one line of intent)
    = Paper title, as the deck is named (without "Papers::")
    ? the question as on its card: markers and numbering removed, math as written, spaces collapsed
      > the first line of its answer (only when the question has one)
    ! a problem rule that must be reported for this file (optional)

A question with no `>` line must have no answer. A paper may have no `?` line when its deck holds
only a review. Reviews are not listed: each `Исследование статьи` heading of the fixture is one
review note, in the deck of the paper it names.

A failure shows the papers as read, in this same format, beside the expectation.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import FIXTURES, fresh_collection, import_packages

import papers2anki

HABITS = FIXTURES / "habits"
EXPECTED = FIXTURES / "habits-expected"
NAMES = sorted(p.name for p in HABITS.iterdir())
ROOT = "Papers"

#: Rules of the README's table that are errors: with one expected, `build` needs `force`.
#: (`no-title` is not among them: a list without a title takes the file's name, with a warning.)
ERROR_RULES = {
    "unbalanced-dollar",
    "unbalanced-delimiter",
    "unbalanced-environment",
    "latex-syntax",
    "unknown-macro",
    "empty-question",
    "duplicate-question",
    "encoding",
}
REVIEW_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*исследование\s+стать[ия]\b", re.I | re.M)


# -- the expectation format ----------------------------------------------------------------------
@dataclass
class ExpectedQuestion:
    text: str
    answer: str = ""  #: the answer's first line; "" when the question has no answer


@dataclass
class ExpectedPaper:
    title: str
    questions: list[ExpectedQuestion] = field(default_factory=list)


@dataclass
class Expectation:
    intent: str
    papers: list[ExpectedPaper]
    rules: list[str]


def collapse(text: str) -> str:
    """Whitespace (spaces, tabs, line breaks, no-break spaces) collapsed to single spaces."""
    return " ".join(text.split())


def parse_expectation(path: Path) -> Expectation:
    """Read an expectation file; a line in no known form is an error (the sanity test shows it)."""
    lines = path.read_text("utf-8").splitlines()
    if not lines or not lines[0].startswith("# ") or not lines[0][2:].strip():
        raise ValueError(f"{path.name}:1: the first line must be '# intent'")
    papers: list[ExpectedPaper] = []
    rules: list[str] = []
    for number, line in enumerate(lines[1:], 2):
        where = f"{path.name}:{number}"
        stripped = line.strip()
        if not stripped:
            continue
        kind, _, rest = stripped.partition(" ")
        rest = collapse(rest)
        if kind == "=" and rest:
            papers.append(ExpectedPaper(rest))
        elif kind == "?" and rest:
            if not papers:
                raise ValueError(f"{where}: a question before any '= title'")
            papers[-1].questions.append(ExpectedQuestion(rest))
        elif kind == ">" and rest:
            if not papers or not papers[-1].questions or papers[-1].questions[-1].answer:
                raise ValueError(f"{where}: '>' must follow a question that has no answer line yet")
            papers[-1].questions[-1].answer = rest
        elif kind == "!" and re.fullmatch(r"[a-z][a-z-]*", rest):
            rules.append(rest)
        else:
            raise ValueError(f"{where}: not '= title', '? question', '  > answer' or '! rule': {line!r}")
    return Expectation(collapse(lines[0][2:]), papers, rules)


def outline(papers: list[tuple[str, list[tuple[str, str]]]]) -> list[str]:
    """Papers as the lines of the expectation format, so that a failure reads as a diff of files."""
    lines = []
    for title, questions in papers:
        lines.append(f"= {title}")
        for text, answer in questions:
            lines.append(f"? {text}")
            if answer:
                lines.append(f"  > {answer}")
    return lines


def expected_outline(expectation: Expectation) -> list[str]:
    return outline([(p.title, [(q.text, q.answer) for q in p.questions]) for p in expectation.papers])


def first_line(answer: str) -> str:
    return next((collapse(line) for line in answer.splitlines() if line.strip()), "")


def fixture_text(path: Path) -> str:
    """The fixture's text for the test's own look at it (one fixture is a cp1251 Word export)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def review_count(path: Path) -> int:
    return len(REVIEW_HEADING.findall(fixture_text(path)))


# -- comparing a note's field with an expected question --------------------------------------------
_TAG = re.compile(r"<[^>]*>")
_MATH_DELIMITERS = re.compile(r"\\[()\[\]$]|\$")
# How a bare formula is written for TeX (bare.py): d_model as d_{model}, softmax as \\operatorname{softmax},
# log as \\log, ~ as \\sim. Both sides are read without it.
_TEX_SPELLING = [
    (re.compile(r"\\operatorname\{(\w+)\}"), r"\1"),
    (re.compile(r"\\(log|ln|exp|max|min|sin|cos|tanh|det|sup|inf|lim)\b"), r"\1"),
    (re.compile(r"_\{(\w+)\}"), r"_\1"),
    (re.compile(r"\\sim\b ?"), "~ "),
]


def as_written(text: str) -> str:
    for pattern, spelling in _TEX_SPELLING:
        text = pattern.sub(spelling, text)
    return text


_MD_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"\*\*|__|`")


def field_plain(field_html: str) -> str:
    """A field as the text a student reads: tags stripped, entities decoded, math delimiters ignored."""
    return collapse(as_written(_MATH_DELIMITERS.sub("", html.unescape(_TAG.sub(" ", field_html)))))


def expected_plain(markdown: str) -> str:
    """An expected question's Markdown reduced the same way: link text kept, emphasis and `$` dropped."""
    text = _MD_EMPHASIS.sub("", _MD_IMAGE_OR_LINK.sub(r"\1", markdown))
    return collapse(as_written(_MATH_DELIMITERS.sub("", text)))


# -- the tests -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_habit_gives_the_expected_papers_and_questions(name: str) -> None:
    """load() reads the fixture into exactly the expected papers, questions and answers, in order."""
    expected = parse_expectation(EXPECTED / f"{name}.txt")
    path = HABITS / name
    corpus = papers2anki.load([path])
    got = outline(
        [(collapse(p.title), [(collapse(q.text), first_line(q.answer)) for q in p.questions]) for p in corpus.papers]
    )
    assert got == expected_outline(expected), expected.intent
    problems = papers2anki.check([path])
    found = {p.rule for p in problems}
    missing = [rule for rule in expected.rules if rule not in found]
    assert not missing, f"rules not reported: {missing}; reported: {[str(p) for p in problems]}"
    unexpected = [str(p) for p in problems if p.severity == "error" and p.rule not in expected.rules]
    assert not unexpected, "errors the expectation does not list"


@pytest.mark.parametrize("name", NAMES)
def test_habit_builds_decks_that_anki_imports(name: str, tmp_path: Path) -> None:
    """build() + Anki's own import give one deck per expected paper, with its questions as notes."""
    expected = parse_expectation(EXPECTED / f"{name}.txt")
    path = HABITS / name
    force = any(rule in ERROR_RULES for rule in expected.rules)
    out = tmp_path / "decks"
    papers2anki.build(papers2anki.load([path]), out, lock_path=tmp_path / "habits.lock", force=force)
    packages = sorted(out.glob("*.apkg"))
    col = fresh_collection(tmp_path / "collection")
    try:
        import_packages(col, packages)
        questions: dict[str, list[str]] = {}
        reviews: Counter[str] = Counter()
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            note = card.note()
            deck = col.decks.name(card.did)
            if note.note_type()["name"] == "papers2anki Review":
                reviews[deck] += 1
            else:
                questions.setdefault(deck, []).append(field_plain(note.fields[0]))
    finally:
        col.close()

    def deck(title: str) -> str:
        return f"{ROOT}::{title.replace('::', ':')}"

    want = {deck(p.title): sorted(expected_plain(q.text) for q in p.questions) for p in expected.papers}
    got = {d: sorted(texts) for d, texts in questions.items()}
    for review_deck in reviews:
        got.setdefault(review_deck, [])
    assert sorted(got) == sorted(want), "deck names"
    assert {d: len(t) for d, t in got.items()} == {d: len(t) for d, t in want.items()}, "notes per deck"
    assert got == want, "question fields"
    assert sum(reviews.values()) == review_count(path), "review notes"
    assert all(n == 1 for n in reviews.values()) and set(reviews) <= set(want)
    assert len(packages) == len(want), "one package per paper"


def test_expectations_are_complete_and_well_formed() -> None:
    """Every fixture has an expectation and back; each names a paper; what it expects is in the fixture."""
    expectations = sorted(p.name for p in EXPECTED.iterdir())
    assert [f"{n}.txt" for n in NAMES] == expectations
    assert len(NAMES) >= 48
    assert sum(n.startswith("mix-") for n in NAMES) >= 8
    for habit in range(1, 9):
        assert sum(n.startswith(f"h{habit}-") for n in NAMES) >= 2, f"habit {habit} needs fixtures"
    errors = []
    for name in NAMES:
        try:
            expected = parse_expectation(EXPECTED / f"{name}.txt")
        except ValueError as e:
            errors.append(str(e))
            continue
        source = collapse(fixture_text(HABITS / name))
        if not expected.papers:
            errors.append(f"{name}: no paper")
        titles = [collapse(p.title).casefold() for p in expected.papers]
        if len(set(titles)) != len(titles):
            errors.append(f"{name}: a paper twice (one deck per paper)")
        for paper in expected.papers:
            if paper.title not in source and paper.title != Path(name).stem:
                errors.append(f"{name}: title not in the fixture: {paper.title}")
            if not paper.questions and review_count(HABITS / name) == 0:
                errors.append(f"{name}: {paper.title} has no question and the file no review")
            for q in paper.questions:
                for text in (q.text, q.answer):
                    if text and text not in source:
                        errors.append(f"{name}: not in the fixture: {text}")
    assert not errors, "\n".join(errors)
