"""Bad input: each problem located exactly, nothing silently lost, nothing unsafe in a card or on disk.

Every file in tests/fixtures/bad/ holds one kind of problem; `check` must report it at the exact
`file:line:col` with its rule and message.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SOURCES, import_packages
from mathjax_check import typeset_errors

import papers2anki
from papers2anki.api import check as check_sources
from papers2anki.cli import main
from papers2anki.parse import parse_source
from papers2anki.plural import plural
from papers2anki.scaffold import ANSWER_LINK
from papers2anki.slug import MAX_LENGTH, slugify, unique_slugs
from papers2anki.text import skeleton

BAD = FIXTURES / "bad"

# fixture -> the lines `papers2anki check FIXTURE` prints, summary included.
EXPECTED = {
    "unbalanced-dollar.txt": [
        "unbalanced-dollar.txt:3:10: error: '$' is never closed (write '\\$' for a dollar sign) [unbalanced-dollar]",
    ],
    "latex-syntax.txt": [
        "latex-syntax.txt:4:24: error: LaTeX does not parse: Unexpected end of stream, was expecting '}' "
        "in $\\frac{1}{2$ [latex-syntax]",
    ],
    "unknown-macro.txt": [
        "unknown-macro.txt:4:30: error: \\foo is not defined in Anki's MathJax in $\\foo{x}$ [unknown-macro]",
    ],
    "no-title.txt": [
        "no-title.txt:1:1: warning: a list of questions with no paper title before it; named 'no-title' [no-title]",
    ],
    "no-questions.txt": [
        "no-questions.txt:1:1: warning: title 'Generative Pretraining from Pixels' has no questions after it; "
        "left out [no-questions]",
    ],
    "duplicate-question.txt": [
        "duplicate-question.txt:5:4: error: the same question as at duplicate-question.txt:3 "
        "in 'Neural Tangent Kernel' [duplicate-question]",
    ],
    "numbering-skip.txt": [
        "numbering-skip.txt:5:4: warning: numbering skips from 2 to 4 [numbering]",
    ],
    "numbering-repeat.txt": [
        "numbering-repeat.txt:5:8: warning: question number 1.2 repeats (first at line 4) [numbering]",
    ],
    "empty-question.txt": [
        "empty-question.txt:4:1: error: question 2 is empty [empty-question]",
        "empty-question.txt:6:4: error: question 4 has no words: '?' [empty-question]",
    ],
    "stray-text.txt": [
        "stray-text.txt:5:1: warning: text that is neither a title, a question nor a review; left out [stray-text]",
        "stray-text.txt:10:1: warning: code that is neither a title, a question nor a review; left out [stray-text]",
    ],
    "merged-title": [
        "merged-title/b.txt:1:1: warning: 'lottery ticket hypothesis.' and 'Lottery Ticket Hypothesis' "
        "(merged-title/a.txt:1:1) are one paper: merged [merged-title]",
    ],
    "html.md": [],
    "control-character.txt": [
        "control-character.txt:3:13: warning: an invisible control character, read as a space [control-character]",
        "control-character.txt:4:14: warning: an invisible control character, read as a space [control-character]",
    ],
}


#: Lines of a fixture skipped as scaffolding (counted in the summary, not warned).
SKIPPED = {"stray-text.txt": 1}  # its quote between papers


def summary(lines: list[str], skipped: int = 0) -> str:
    errors = sum(": error: " in line for line in lines)
    counted = f", {plural(skipped, 'line')} skipped as scaffolding" if skipped else ""
    return f"{plural(errors, 'error')}, {plural(len(lines) - errors, 'warning')}{counted}"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_every_fixture_has_its_expectation() -> None:
    assert sorted(p.name for p in BAD.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_reports_each_problem_where_it_is(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    code, output = run("check", name)
    expected = EXPECTED[name]
    assert output.splitlines() == expected + [summary(expected, SKIPPED.get(name, 0))]
    assert code == (1 if any(": error: " in line for line in expected) else 0)


def test_check_of_a_folder_sorts_by_file_and_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    code, output = run("check", *sorted(EXPECTED, reverse=True))
    everything = [line for name in sorted(EXPECTED) for line in EXPECTED[name]]
    assert output.splitlines() == everything + [summary(everything, sum(SKIPPED.values()))]
    assert code == 1


def test_json_format_has_the_same_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    code, output = run("check", "--format", "json", "empty-question.txt", "numbering-skip.txt")
    assert code == 1
    assert json.loads(output) == [
        {
            "file": "empty-question.txt",
            "line": 4,
            "col": 1,
            "severity": "error",
            "message": "question 2 is empty",
            "rule": "empty-question",
        },
        {
            "file": "empty-question.txt",
            "line": 6,
            "col": 4,
            "severity": "error",
            "message": "question 4 has no words: '?'",
            "rule": "empty-question",
        },
        {
            "file": "numbering-skip.txt",
            "line": 5,
            "col": 4,
            "severity": "warning",
            "message": "numbering skips from 2 to 4",
            "rule": "numbering",
        },
    ]


def test_exit_status_warnings_strict_and_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    assert run("check", "numbering-skip.txt")[0] == 0  # warnings alone
    assert run("check", "--strict", "numbering-skip.txt")[0] == 1
    assert run("check", "--strict", "html.md")[0] == 0
    assert run("check", "no-title.txt")[0] == 0  # named after the file, with a warning
    assert run("check", "--strict", "no-title.txt")[0] == 1
    code, output = run("check", "no-such-file.txt")
    assert code == 2 and "does not exist" in output
    code, output = run("check", "--format", "xml", "html.md")
    assert code == 2 and "'xml' is not one of 'text', 'json'" in output


def test_shipped_sources_check_clean() -> None:
    code, output = run("check", str(SOURCES))
    assert (code, output) == (0, "0 errors, 0 warnings\n")
    assert run("check", "--strict", str(SOURCES))[0] == 0


# -- nothing silently lost ---------------------------------------------------------------------------

# Problems that mean "this text was left out"; the lines after one, up to the next record, are its.
LEFT_OUT = {"no-title", "no-questions", "stray-text", "merged-title", "duplicate-review"}
_MARKERS = re.compile(
    r"^\s*(?:[-+*]\s+)?(?:\d{1,3}(?:\.\d{1,3})*[.)](?:\s+|$))?(?:[-+*]\s+)?(?:\d{1,3}(?:\.\d{1,3})*[.)])?"
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)  # as the parser reads them: over lines, and only when closed
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_DETAILS_TAGS = re.compile(r"</?(?:details|summary)\b[^>]*>", re.I)  # structure, as list markers are
_REVIEW_LABEL = re.compile(r"^\s*автор(?:ы)?\s+исследования\s*:", re.I)


def lost_lines(paths: list[Path], left_out: set[str] = LEFT_OUT) -> list[str]:
    """Source lines with words that are in no note, no review and no report of left-out text, and not
    skipped as scaffolding (the parser's spans say which lines it skipped, and why).

    Each question, title, review and left-out report starts at a known line; a line belongs to the last
    one that starts at or before it, and must be in its text (letters and digits compared).
    """
    corpus = papers2anki.load(paths)
    problems = check_sources(paths)
    starts: dict[str, list[tuple[int, str | None]]] = {}  # file -> (line, text or None for "anything")

    def add(file: str, line: int, text: str | None) -> None:
        starts.setdefault(file, []).append((line, text))

    for paper in corpus.papers:
        if paper.location is not None and paper.questions:
            add(paper.location.file, paper.location.line, None)
        for q in paper.questions:
            add(q.location.file, q.location.line, skeleton(q.text + q.answer))
        if paper.review is not None:
            r = paper.review
            add(r.location.file, r.location.line, skeleton(r.title + r.authors + r.reviewer + r.text))
    for p in problems:
        if p.rule in left_out:
            add(p.location.file, p.location.line, None)
    lost = []
    for path, source in corpus.sources.items():
        records = sorted(starts.get(path, []), key=lambda s: s[0])
        spans = parse_source(source).spans
        covered = {n for span in spans for n in range(span.first, span.last + 1)}
        # Skipped lines say why; a title's lines name a paper, which another file may hold first.
        skipped = {n for span in spans if span.kind in ("skipped", "title") for n in range(span.first, span.last + 1)}
        uncommented = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), source.text).split("\n")
        for number, line in enumerate(source.text.split("\n"), 1):
            if line.strip() and number not in covered:  # in no title, question, answer, review or report
                lost.append(f"{path}:{number}: {line} (no span)")
                continue
            if not line.strip() or number in skipped or any(start == number for start, _ in records):
                continue
            line = ANSWER_LINK.sub(" ", uncommented[number - 1])  # scaffolding inside a line: skipped too
            owner = [text for start, text in records if start <= number]
            # A <details> block's tags are its structure, elsewhere text; an item that is only an image asks
            # its alt text: any of these readings will do.
            texts = (line, _DETAILS_TAGS.sub(" ", line), _IMAGE.sub(r"\1", line))
            readings = [skeleton(_MARKERS.sub("", _REVIEW_LABEL.sub("", text), count=1)) for text in texts]
            if not readings[0]:  # `- `, a fence, a rule: punctuation only, nothing to lose
                continue
            if not owner or (owner[-1] is not None and not any(words in owner[-1] for words in readings)):
                lost.append(f"{path}:{number}: {line}")
    return lost


def test_no_line_of_the_shipped_sources_is_lost() -> None:
    assert lost_lines([SOURCES]) == []


@pytest.mark.parametrize("folder", ["bad", "layouts", "answers"])
def test_no_line_of_the_fixtures_is_lost(folder: str) -> None:
    assert lost_lines([FIXTURES / folder]) == []


def test_the_lost_line_finder_finds_lost_lines(tmp_path: Path) -> None:
    """A line parse would not keep, were it not for the stray-text report, is found when unreported."""
    path = tmp_path / "list.txt"
    path.write_text("Title\n\n1. Вопрос?\n\nАбзац после списка.\n", "utf-8")
    assert lost_lines([path]) == []  # reported as stray text
    assert lost_lines([path], left_out=set()) == [f"{path}:5: Абзац после списка."]


# -- build runs the same checks ----------------------------------------------------------------------


def test_build_prints_the_checks_and_writes_only_the_papers_without_errors(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(BAD, sources)
    out = tmp_path / "decks"
    result = CliRunner().invoke(main, ["build", str(sources), "--out", str(out)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    checked = CliRunner().invoke(main, ["check", str(sources)]).output.splitlines()[:-1]
    lines = result.output.splitlines()
    assert [line for line in lines if line in checked] == checked
    held = ["Neural Tangent Kernel", "Hopfield Networks", "Neural Ordinary Differential Equations"]
    held += ["Deep Equilibrium Models", "Fourier Features"]
    assert lines[-1] == (
        "Error: 6 errors in the sources (listed above); 5 papers not written because of errors "
        "(their previous decks are kept): " + ", ".join(f"'{title}'" for title in held) + "; "
        "the other papers are up to date. Fix them, or use --force to write every paper as it is"
    )
    # The list with no title is named by its file; the papers with errors get no deck and no lock rows.
    assert sorted(p.name for p in out.iterdir()) == [
        "deep-sets-script-alert-0-script.apkg",
        "deep-sets.apkg",
        "electra.apkg",
        "lottery-ticket-hypothesis.apkg",
        "mask-predict.apkg",
        "neural-tangent-kernel-again.apkg",
        "no-title.apkg",
        "scaling-laws-for-neural-language-models.apkg",
    ]
    lock = (sources / "papers2anki.lock").read_text("utf-8")
    assert '"paper": "electra"' in lock and '"paper": "fourier features"' not in lock


def test_build_with_force_writes_decks_that_import(tmp_path: Path, collection) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(BAD, sources)
    out = tmp_path / "decks"
    result = CliRunner().invoke(main, ["build", str(sources), "--out", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert "unbalanced-dollar.txt:3:10: error: '$' is never closed" in result.output
    files = sorted(out.glob("*.apkg"))
    assert files
    logs = import_packages(collection, files)
    assert sum(len(log.new) for log in logs) == collection.note_count() > 0
    # U+001F, Anki's field separator, arrived as a space: the note kept its six fields.
    fields = [collection.get_note(n).fields for n in collection.find_notes("")]
    assert ["Что такое ядро?", "", "Neural Tangent Kernel Again", "", "1", "control-character.txt:3"] in [
        [f.rsplit("/", 1)[-1] for f in note] for note in fields
    ]


# -- HTML safety -------------------------------------------------------------------------------------

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "del", "code", "pre", "a", "ul", "ol", "li", "b", "hr", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "div", "img",
}  # fmt: skip
ALLOWED_ATTRS = {
    "a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}, "code": {"class"}, "div": {"class"},
    "img": {"src", "alt"},
}  # fmt: skip


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            if name not in ALLOWED_ATTRS.get(tag, set()):
                self.bad.append(f"<{tag} {name}=>")
            elif name == "href" and not re.match(r"https?://", value or ""):
                self.bad.append(f"<a href={value!r}>")
            elif name == "class" and tag == "code" and not re.fullmatch(r"language-\S*", value or ""):
                self.bad.append(f"class={value!r}")
            elif name == "class" and tag == "div" and value != "p2a-table":  # a table's wrapper
                self.bad.append(f"class={value!r}")
            elif name == "src" and not re.fullmatch(r"[0-9a-f]{64}\.(png|jpg|gif|webp|svg)", value or ""):
                self.bad.append(f"src={value!r}")  # only an image of the package, by its content's name
            elif name == "style" and not re.fullmatch(r"text-align:(left|right|center)", value or ""):
                self.bad.append(f"style={value!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            self.bad.append(f"</{tag}>")

    def handle_comment(self, data: str) -> None:
        self.bad.append("<!--")

    def handle_decl(self, decl: str) -> None:
        self.bad.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.bad.append(f"<?{data}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def markup_problems(field: str) -> list[str]:
    """Markup in a field that our renderer does not make: tags, attributes, non-web links."""
    parser = _Markup()
    parser.feed(field)
    parser.close()
    return parser.bad


def visible_text(field: str) -> str:
    parser = _Markup()
    parser.feed(field)
    parser.close()
    return "".join(parser.text).replace("\\(", "").replace("\\)", "").replace("\\[", "").replace("\\]", "")


def test_markup_checker_catches_what_it_must() -> None:
    for bad in [
        "<script>x</script>",
        '<img src=x onerror="alert(1)">',
        "<iframe src=x></iframe>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="https://x" onclick="y">x</a>',
        "<p style='x:expression(1)'>",
    ]:
        assert markup_problems(bad), bad
    assert markup_problems('<p><em>x</em> <a href="https://e.org/?a=1&amp;b=2">y</a> \\(a&lt;b\\)</p>') == []


def test_html_in_a_list_stays_visible_text_in_anki(tmp_path: Path, collection) -> None:
    out = tmp_path / "decks"
    papers2anki.build(papers2anki.load([BAD / "html.md"]), out, lock_path=tmp_path / "x.lock")
    import_packages(collection, sorted(out.glob("*.apkg")))
    notes = [collection.get_note(n) for n in collection.find_notes("")]
    assert len(notes) == 4
    by_number = {n["Number"]: n for n in notes}
    for note in notes:
        for name, value in note.items():
            assert markup_problems(value) == [], (name, value)
    assert visible_text(by_number["1"]["Paper"]) == "Deep Sets <script>alert(0)</script>"
    assert visible_text(by_number["1"]["Question"]) == 'Что покажет <script>alert("x")</script> в карточке?'
    assert visible_text(by_number["2"]["Question"]) == (
        'Картинка <img src=x onerror=alert(1)> и фрейм <iframe src="javascript:alert(2)"></iframe>?'
    )
    q3 = by_number["3"]["Question"]
    assert visible_text(q3) == ('Ссылки плохая, хорошая и <a href="javascript:alert(4)" onclick="alert(5)">ссылка</a>?')
    assert '<a href="https://arxiv.org/abs/1703.06114?a=1&amp;b_2=3">хорошая</a>' in q3
    assert visible_text(by_number["4"]["Answer"]) == '<div onmouseover="alert(6)">Ответ в HTML.</div>'
    # Math stays math: what MathJax reads in the page is the TeX as written, and it typesets.
    formulas = re.findall(r"\\\((.*?)\\\)", by_number["4"]["Question"])
    assert [html.unescape(f) for f in formulas] == ["a<b", "x > 1", "y</script>"]
    assert typeset_errors([(html.unescape(f), False) for f in formulas]) == [None, None, None]


# -- output safety -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Mask-Predict: Parallel Decoding", "mask-predict-parallel-decoding"),
        ("Глубокие модели равновесия", "glubokie-modeli-ravnovesiya"),
        ("Съешь же ещё этих мягких булок", "sesh-zhe-eshche-etikh-myagkikh-bulok"),
        ("../../etc/passwd", "etc-passwd"),
        ("a\\b/c\x00d", "a-b-c-d"),
        ("..", "paper"),
        ("", "paper"),
        ("CON", "con-paper"),
        ("nul.txt", "nul-txt"),
        ("com1", "com1-paper"),
        ("Lpt9", "lpt9-paper"),
        ("αβγ", "paper"),
    ],
)
def test_slugs(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slugs_are_bounded_and_plain() -> None:
    long = " ".join(["Очень длинное название статьи"] * 20)
    assert len(slugify(long)) <= MAX_LENGTH
    assert not slugify(long).endswith("-")
    for title in ["x" * 500, "ы" * 300, "a-" * 100]:
        slug = slugify(title)
        assert 0 < len(slug) <= MAX_LENGTH and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), slug


def test_colliding_slugs_get_distinct_names() -> None:
    titles = ["Модели", "Modeli", "αModeli", "Modeli 2", "Modeli"]
    slugs = unique_slugs(titles)
    assert slugs == ["modeli", "modeli-2", "modeli-3", "modeli-2-2", "modeli-4"]
    assert len(set(slugs)) == len(slugs)


def test_papers_whose_slugs_collide_get_their_own_files(tmp_path: Path, collection) -> None:
    src = tmp_path / "list.txt"
    src.write_text("Модели\n\n1. Вопрос один?\n\nModeli\n\n1. Вопрос два?\n", "utf-8")
    out = tmp_path / "decks"
    code, output = run("build", str(src), "--out", str(out), "--lock", str(tmp_path / "x.lock"))
    assert code == 0, output
    assert sorted(p.name for p in out.iterdir()) == ["modeli-2.apkg", "modeli.apkg"]
    import_packages(collection, sorted(out.glob("*.apkg")))
    assert collection.note_count() == 2


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_symlinked_deck_file_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    src = tmp_path / "list.txt"
    src.write_text("Alpha\n\n1. Вопрос?\n\nBeta\n\n1. Ещё вопрос?\n", "utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me")
    out = tmp_path / "decks"
    out.mkdir()
    os.symlink(outside / "precious.txt", out / "beta.apkg")
    code, output = run("build", str(src), "--out", str(out), "--lock", str(tmp_path / "x.lock"))
    assert code == 1
    assert output.strip() == f"Error: {out / 'beta.apkg'}: refusing to write through a symbolic link"
    assert (outside / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in out.iterdir()) == ["beta.apkg"]  # alpha.apkg not written either
    assert not (tmp_path / "x.lock").exists()


def test_a_symlinked_lock_is_refused(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "list.txt").write_text("Alpha\n\n1. Вопрос?\n", "utf-8")
    out = tmp_path / "decks"
    assert run("build", str(sources), "--out", str(out))[0] == 0
    outside = tmp_path / "elsewhere.lock"
    (sources / "papers2anki.lock").rename(outside)
    os.symlink(outside, sources / "papers2anki.lock")
    lock_before, decks_before = outside.read_bytes(), _tree(out)
    (sources / "list.txt").write_text("Alpha\n\n1. Вопрос?\n2. Новый вопрос?\n", "utf-8")
    code, output = run("build", str(sources), "--out", str(out))
    assert code == 1
    assert output.strip() == f"Error: {sources / 'papers2anki.lock'}: refusing to write through a symbolic link"
    assert outside.read_bytes() == lock_before
    assert _tree(out) == decks_before


def test_an_out_folder_that_is_a_symlink_gets_only_deck_files(tmp_path: Path) -> None:
    """--out may be a link to a folder (a synced folder, say): the decks go there and nowhere else."""
    src = tmp_path / "list.txt"
    src.write_text("Alpha\n\n1. Вопрос?\n", "utf-8")
    real = tmp_path / "synced"
    real.mkdir()
    os.symlink(real, tmp_path / "decks", target_is_directory=True)
    before = {p for p in tmp_path.rglob("*") if p.is_file() and p != src}
    code, output = run("build", str(src), "--out", str(tmp_path / "decks"), "--lock", str(tmp_path / "x.lock"))
    assert code == 0, output
    after = {p for p in tmp_path.rglob("*") if p.is_file() and p != src} - before
    assert sorted(str(p.relative_to(tmp_path)) for p in after) == ["synced/alpha.apkg", "x.lock"]
    assert not any(p.name.endswith(".tmp") for p in tmp_path.rglob("*"))


def test_deeply_nested_input_is_reported_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.txt"
    path.write_text("Title\n\n1. $" + "{" * 3000 + "x" + "}" * 3000 + "$\n", "utf-8")
    code, output = run("check", str(path))
    assert code == 1
    assert output.startswith(f"{path}:3:5: error: the formula is nested too deeply to check in ${'{' * 59}…$")
    assert output.splitlines()[0].endswith("[latex-syntax]")
    assert run("build", str(path), "--out", str(tmp_path / "decks"))[0] == 1


def test_a_code_fence_info_string_never_becomes_a_url_in_markup() -> None:
    """Found by the long fuzz run: a fence's info string was copied whole into the class attribute."""
    from papers2anki.render import render_markdown

    field = render_markdown("```[a](javascript:alert(1))\nx\n```").html
    assert markup_problems(field) == []
    assert 'class="language-python"' in render_markdown("```python extra\nx\n```").html


def test_private_use_characters_the_pipeline_marks_formulas_with_are_spaces(tmp_path: Path, collection) -> None:
    """U+E000-U+E002 mark formulas inside parse and render: in a list they were taken for a formula, or crashed."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "list.txt").write_text(
        "Статья\n\n1. Пусть $x$ и \ue0010\ue002 текст?\n2. Что значит \ue0017\ue002 здесь?\n", "utf-8"
    )
    result = CliRunner().invoke(main, ["build", str(src), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (
        "list.txt:3:16: warning: an invisible control character, read as a space [control-character]" in result.output
    )
    assert "list.txt:4:15: warning" in result.output
    logs = import_packages(collection, sorted((tmp_path / "out").glob("*.apkg")))
    assert sum(len(log.new) for log in logs) == 2
    fronts = sorted(collection.get_note(n).fields[0] for n in collection.find_notes(""))
    assert fronts == ["Пусть \\(x\\) и  0  текст?", "Что значит  7  здесь?"]
