"""One bad paper never costs the others: a paper with errors is held back (its deck file and lock rows stay as
they were), the rest is built, and the exit status is 1; `--force` writes every paper."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import import_packages
from test_rebuild_of_a_few_files import watch_the_fast_path

import papers2anki
from papers2anki.cli import main
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


# -- build -------------------------------------------------------------------------------------------


def run(args: list[str], epoch: int, cache: str | Path = "off") -> Result:
    env = {"SOURCE_DATE_EPOCH": str(epoch), "PAPERS2ANKI_CACHE": str(cache)}
    return CliRunner().invoke(main, args, env=env)


def lock_lines(lock: Path, key: str) -> list[str]:
    return [line for line in lock.read_text("utf-8").splitlines() if f'"paper": "{key}"' in line]


def snapshot(out: Path, lock: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in [*sorted(out.glob("*.apkg")), lock]}


def test_a_broken_formula_holds_back_its_paper_only(tmp_path: Path, collection) -> None:
    sources, out = tmp_path / "sources", tmp_path / "decks"
    sources.mkdir()
    (sources / "list.txt").write_text(THREE.replace(GOOD, BROKEN), "utf-8")
    result = run(["build", str(sources), "--out", str(out)], EPOCH)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"{sources / 'list.txt'}:8:23: error: LaTeX does not parse" in result.output
    assert result.output.splitlines()[-1] == (
        "Error: 1 error in the sources (listed above); 1 paper not written because of errors "
        "(their previous decks are kept): 'Beta Paper'; the other papers are up to date. "
        "Fix them, or use --force to write every paper as it is"
    )
    assert sorted(p.name for p in out.iterdir()) == ["alpha-paper.apkg", "gamma-paper.apkg"]
    assert not lock_lines(sources / "papers2anki.lock", "beta paper")
    logs = import_packages(collection, sorted(out.glob("*.apkg")))
    assert sum(len(log.new) for log in logs) == collection.note_count() == 3
    names = {d.name for d in collection.decks.all_names_and_ids()}
    assert {"Papers::Alpha Paper", "Papers::Gamma Paper"} <= names and "Papers::Beta Paper" not in names

    forced = run(["build", str(sources), "--out", str(out), "--force"], EPOCH + 10)
    assert forced.exit_code == 0, forced.output
    assert (out / "beta-paper.apkg").exists()


@pytest.mark.parametrize("cache", ["cached", "off"])
def test_a_paper_with_errors_keeps_its_deck_and_lock_rows(tmp_path: Path, cache: str, collection) -> None:
    """With the cache, the rebuilds after an edit and with nothing changed take their shortcuts: same result."""
    sources, out = tmp_path / "sources", tmp_path / "decks"
    lock, folder = sources / "papers2anki.lock", tmp_path / "cache" if cache == "cached" else "off"
    sources.mkdir()
    listing = sources / "list.txt"
    listing.write_text(THREE, "utf-8")
    args = ["build", str(sources), "--out", str(out)]
    assert run(args, EPOCH, folder).exit_code == 0
    before = snapshot(out, lock)
    beta_rows = lock_lines(lock, "beta paper")
    assert len(beta_rows) == 3  # its deck name and its two notes

    listing.write_text(THREE.replace(GOOD, BROKEN).replace("Зачем нужен ResNet", "Зачем нужна ResNet"), "utf-8")
    for step in range(2):  # the second time nothing changed: the same report and files, nothing written
        result = run(args, EPOCH + 100 + step, folder)
        assert result.exit_code == 1, result.output
        assert "1 paper not written because of errors (their previous decks are kept): 'Beta Paper'" in result.output
        assert "removed" not in result.output.replace("0 removed", "")
        changed = "Papers::Alpha Paper: 0 new, 1 changed, 1 unchanged, 0 removed"
        assert (changed in result.output) == (step == 0)
        after = snapshot(out, lock)
        assert after["beta-paper.apkg"] == before["beta-paper.apkg"]
        assert after["gamma-paper.apkg"] == before["gamma-paper.apkg"]
        assert after["alpha-paper.apkg"] != before["alpha-paper.apkg"]
        assert lock_lines(lock, "beta paper") == beta_rows
        assert '"removed": null' in lock.read_text("utf-8") and '"removed": 1' not in lock.read_text("utf-8")

    forced = run([*args, "--force"], EPOCH + 200, folder)
    assert forced.exit_code == 0, forced.output
    assert snapshot(out, lock)["beta-paper.apkg"] != before["beta-paper.apkg"]

    listing.write_text(THREE.replace("Зачем нужен ResNet", "Зачем нужна ResNet"), "utf-8")  # fixed
    fixed = run(args, EPOCH + 300, folder)
    assert fixed.exit_code == 0, fixed.output
    guids = [line.split('"guid": ')[1][:22] for line in beta_rows[1:]]
    assert [line.split('"guid": ')[1][:22] for line in lock_lines(lock, "beta paper")[1:]] == guids
    logs = import_packages(collection, sorted(out.glob("*.apkg")))
    assert sum(len(log.new) for log in logs) == collection.note_count() == 5


def test_a_paper_retitled_and_broken_keeps_its_rows_under_its_old_title(tmp_path: Path) -> None:
    sources, out = tmp_path / "sources", tmp_path / "decks"
    lock = sources / "papers2anki.lock"
    sources.mkdir()
    listing = sources / "list.txt"
    listing.write_text(THREE, "utf-8")
    args = ["build", str(sources), "--out", str(out)]
    assert run(args, EPOCH).exit_code == 0
    beta_rows = lock_lines(lock, "beta paper")
    listing.write_text(THREE.replace("Beta Paper", "Beta Papers").replace(GOOD, BROKEN), "utf-8")
    result = run(args, EPOCH + 100)
    assert result.exit_code == 1 and "'Beta Papers'" in result.output, result.output
    assert lock_lines(lock, "beta paper") == beta_rows and not lock_lines(lock, "beta papers")
    assert "no longer in the sources" not in result.output
    listing.write_text(THREE.replace("Beta Paper", "Beta Papers"), "utf-8")
    fixed = run(args, EPOCH + 200)
    assert fixed.exit_code == 0, fixed.output
    assert "deck name kept as 'Papers::Beta Paper' for 'Beta Papers'" in fixed.output
    guids = sorted(line.split('"guid": ')[1][:22] for line in beta_rows[1:])
    assert sorted(line.split('"guid": ')[1][:22] for line in lock_lines(lock, "beta papers")[1:]) == guids


def test_a_held_back_paper_rebuilds_as_a_full_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shortcuts (nothing changed; a few papers changed) give the files and report of a full build."""
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "a.txt").write_text(THREE, "utf-8")
    (sources / "b.txt").write_text("Delta Paper\n\n1. Что такое $y$?\n2. Где нужен $z$?\n", "utf-8")
    taken: list[bool] = []
    watch_the_fast_path(monkeypatch, taken)
    edits = [
        ("a.txt", GOOD, BROKEN, [False]),  # Beta held back: a full build
        ("b.txt", "Где нужен", "Зачем нужен", []),  # the last build held one back: a full build
        ("b.txt", "", "", []),  # nothing changed: the last build's report
        ("a.txt", BROKEN, GOOD, []),  # fixed, in full
        ("b.txt", "Зачем нужен", "Где нужен", [True]),  # a few papers again
    ]
    results: dict[str, list[tuple[str, dict[str, bytes]]]] = {}
    for name, folder in (("fast", tmp_path / "cache"), ("full", "off")):
        monkeypatch.setenv("PAPERS2ANKI_CACHE", str(folder))
        state = tmp_path / name
        (sources / "a.txt").write_text(THREE, "utf-8")
        (sources / "b.txt").write_text("Delta Paper\n\n1. Что такое $y$?\n2. Где нужен $z$?\n", "utf-8")
        steps = []
        for step, (path, old, new, expected) in enumerate([("a.txt", "", "", [])] + edits):
            text = (sources / path).read_text("utf-8")
            (sources / path).write_text(text.replace(old, new) if old else text, "utf-8")
            monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + step))
            taken.clear()
            report = papers2anki.build(papers2anki.load([sources]), state / "decks", lock_path=state / "lock")
            steps.append((repr(report).replace(name, "STATE"), snapshot(state / "decks", state / "lock")))
            if name == "fast":
                assert taken == expected, (step, taken)
        results[name] = steps
    assert results["fast"] == results["full"]
    assert "held_back=['Beta Paper']" in results["fast"][1][0] and "held_back=[]" in results["fast"][-1][0]


def test_a_list_with_no_title_holds_none_back(tmp_path: Path) -> None:
    """A list with no title is no longer an error (issue #12): it is named by its file, with a warning, and
    every paper is written. (Errors in no paper are held by `paper_errors`'s own tests above.)"""
    sources, out = tmp_path / "sources", tmp_path / "decks"
    sources.mkdir()
    (sources / "list.txt").write_text("1. Вопрос без заголовка?\n\n" + THREE, "utf-8")
    result = run(["build", str(sources), "--out", str(out)], EPOCH)
    assert result.exit_code == 0, result.output
    assert f"{sources / 'list.txt'}:1:1: warning: a list of questions with no paper title before it" in result.output
    assert len(list(out.glob("*.apkg"))) == 4


def test_an_unreadable_file_is_reported_and_the_rest_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While a file cannot be read, no note of the lock is marked removed: it may hold any of them."""
    sources = tmp_path / "sources"
    sources.mkdir()
    a, b = sources / "a.txt", sources / "b.txt"
    taken: list[bool] = []
    watch_the_fast_path(monkeypatch, taken)
    edits = [
        ("", "", [False]),
        ("Зачем нужен ResNet?", "Зачем нужна ResNet?", [True]),
        ("2. Зачем нужна ResNet?\n", "", [True]),
    ]
    results = {}
    for name, folder in (("fast", tmp_path / "cache"), ("full", "off")):
        out, lock = tmp_path / name / "decks", tmp_path / name / "papers2anki.lock"
        args = ["build", str(sources), "--out", str(out), "--lock", str(lock)]
        a.write_text("Alpha Paper\n\n1. Что такое $x^2$?\n2. Зачем нужен ResNet?\n", "utf-8")
        b.write_text("Beta Paper\n\n1. Что такое ядро?\n", "utf-8")
        assert run(args, EPOCH, folder).exit_code == 0
        before = snapshot(out, lock)
        b.write_bytes(UNREADABLE)
        outputs = []
        for step, (old, new, expected) in enumerate(edits):  # b.txt unread; a.txt edited (in a rebuild of a few papers)
            a.write_text(a.read_text("utf-8").replace(old, new) if old else a.read_text("utf-8"), "utf-8")
            taken.clear()
            result = run(args, EPOCH + 100 * (step + 1), folder)
            assert result.exit_code == 1, result.output
            assert taken == (expected if name == "fast" else []), (step, taken)
            assert f"{b}:1:1: error: cannot tell the encoding of this file" in result.output
            assert f"1 file not read ({b}): no note is marked removed" in result.output
            assert "is no longer in the sources" not in result.output
            assert lock_lines(lock, "beta paper") == [
                line for line in before["papers2anki.lock"].decode().splitlines() if '"paper": "beta paper"' in line
            ]
            assert snapshot(out, lock)["beta-paper.apkg"] == before["beta-paper.apkg"]
            outputs.append((result.output.replace(name, "STATE"), snapshot(out, lock)))
        # The question dropped from a.txt is not marked removed either while b.txt is unread, even with --force.
        assert '"removed": null, "text": "Зачем нужна ResNet?"' in lock.read_text("utf-8")
        forced = run([*args, "--force"], EPOCH + 400, folder)
        assert forced.exit_code == 0, forced.output
        assert '"removed": null, "text": "Зачем нужна ResNet?"' in lock.read_text("utf-8")
        b.write_text("Beta Paper\n\n1. Что такое ядро?\n", "utf-8")  # readable again: now it is removed
        back = run(args, EPOCH + 500, folder)
        assert back.exit_code == 0, back.output
        assert "'Зачем нужна ResNet?' is no longer in the sources" in back.output
        results[name] = outputs
    assert results["fast"] == results["full"]
