"""One bad paper never costs the others: a paper with errors is held back (its deck file and lock rows stay as
they were), the rest is built, and the exit status is 1; `--force` writes every paper."""

from __future__ import annotations

from papers2anki.held import paper_errors, unread_files
from papers2anki.records import Location, Paper, Problem, Question, Review

EPOCH = 1_700_000_000
GOOD = "$\\frac{a}{b}$"
BROKEN = "$\\frac{a}{$"
THREE = (
    "Alpha Paper\n\n1. Что такое $x^2$?\n2. Зачем нужен ResNet?\n\n"
    f"Beta Paper\n\n1. Вычислите {GOOD}.\n2. Что такое ядро?\n\n"
    "Gamma Paper\n\n1. Как работает внимание?\n"
)
#: Text no encoding accepts (see tests/test_encodings.py): the file cannot be read.
UNREADABLE = bytes(range(0x80, 0x100)) * 4


# -- which paper an error belongs to -----------------------------------------------------------------


def problem(file: str, line: int, severity: str = "error", col: int = 1) -> Problem:
    return Problem(Location(file, line, col), severity, f"at {line}", "rule")


def papers() -> list[Paper]:
    one = Paper("One", [Question("1", "Q?", Location("a.txt", 3, 4)), Question("2", "R?", Location("a.txt", 4, 4))])
    one.location = Location("a.txt", 1)
    two = Paper("Two", [Question("1", "S?", Location("b.txt", 3, 4))], None, Location("b.txt", 1))
    two.review = Review("Two", "", "", "text", Location("r.md", 5))
    return [one, two]


def test_a_papers_own_errors_are_its_own_and_warnings_hold_nothing_back() -> None:
    mine = problem("anywhere.txt", 99)
    found = paper_errors(papers(), [], [[mine, problem("a.txt", 3, "warning")], [problem("b.txt", 3, "warning")]])
    assert found == [[mine], []]


def test_a_loose_error_belongs_to_the_paper_with_a_title_question_or_review_on_its_line() -> None:
    title, question, review = problem("b.txt", 1), problem("a.txt", 4, col=17), problem("r.md", 5)
    stray, elsewhere, warning = problem("a.txt", 2), problem("c.txt", 3), problem("a.txt", 3, "warning")
    found = paper_errors(papers(), [title, question, review, stray, elsewhere, warning], [[], []])
    assert found == [[question], [title, review]]


def test_an_error_found_twice_is_counted_once() -> None:
    error = problem("a.txt", 3)
    assert paper_errors(papers(), [error], [[error], []]) == [[error], []]


def test_unread_files_are_those_without_an_outline_and_with_an_error() -> None:
    outlines = {"a.txt": ((), ()), "b.txt": None, "picture.png": None}
    problems = {"b.txt": [problem("b.txt", 1)], "picture.png": [problem("picture.png", 1, "warning")]}
    assert unread_files(outlines, problems) == ["b.txt"]
