"""Random bad input through `check` and `build`: never a traceback, never unsafe markup, always importable.

Sources are random mixtures of lines of the shipped lists, Markdown syntax, LaTeX, HTML, control
characters, invalid bytes, in random encodings. CI runs a bounded number of examples; a long run:

    HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from click.testing import CliRunner
from conftest import SOURCES, import_packages
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_bad_input import lost_lines, markup_problems

from papers2anki.cli import main

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
settings.register_profile("ci", max_examples=50, derandomize=True, database=None, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("long", max_examples=3000, **_COMMON)  # type: ignore[arg-type]
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SEED_LINES = sorted(
    {line for path in SOURCES.iterdir() for line in path.read_text("utf-8").splitlines() if line.strip()}
)
MARKDOWN = ["# ", "## ", "### ", "- ", "* ", "+ ", "1. ", "2) ", "1.1. ", "- 1. ", "> ", "```", "~~~", "---",
            "***", "**", "*", "_", "__", "`", "[x](", "](", ")", "|a|b|\n|-|-|", "    ", "\t", "\\", "#",
            "Исследование статьи ", "## Исследование статьи **", "Автор исследования: ", "(", "1.", "3.",
            "10."]  # fmt: skip
# Item markers Markdown does not know, and scaffolding that is no content (issue #12).
MARKERS = ["(1) ", "(2) ", "1) ", "Вопрос 1. ", "Вопрос 2: ", "Q1. ", "Q2: ", "• ", "· ", "1\u00a0", "2\t", "1.1 ",
           "1.2. ", "а) ", "б) ", "a) ", "   - ", "  * ", "### 3. ", "Статья 2: ", "Вопросы к статье:",
           "Ответ: ", "**1.** ", "__2)__ ", "1 - ", "Тема: ", "## 📄 "]  # fmt: skip
SCAFFOLDING = ["---\ntitle: Курс\n---\n", "---", "***", "<!-- ", " -->", "<!-- комментарий -->", "\\newpage",
               "[TOC]", "[Наверх](#top)", "- [Статья](#statya)", "<details>", "<summary>Вопрос?</summary>",
               "</details>", "![схема](fig.png)", "> цитата", "[ответ](./answers/3.md)",
               "(Vaswani et al., NeurIPS 2017)"]  # fmt: skip
LATEX = ["$", "$$", "\\(", "\\)", "\\[", "\\]", "\\begin{align}", "\\end{align}", "\\begin{foo}", "\\frac{", "{",
         "}", "^", "_", "\\alpha", "\\foo", "E_1, \\dots, E_n", "x^2", "\\mathbb{R}", "\\$", "\\\\", "&", "%",
         "\\text{слово}", "\\end{"]  # fmt: skip
HTML = ["<script>alert(1)</script>", "<script", "</script>", "<img src=x onerror=alert(1)>", " onload=alert(1) ",
        "<iframe src=javascript:alert(1)>", "[a](javascript:alert(1))", "<a href='javascript:x'>y</a>",
        "[b](https://example.org/?a=1&b=2)", "<https://e.org/x_1>", "javascript:alert(1)", "<div>", "</p>",
        "&lt;", "&#0;", "&#x3C;script&#x3E;", "<!--", "-->", "<style>", "<svg onload=alert(1)>", "<", ">", '"',
        "'", "<b onmouseover=alert(1)>x</b>", "![i](javascript:alert(1))", "<?php ?>", "<!DOCTYPE html>"]  # fmt: skip
CONTROL = [chr(c) for c in range(32)] + ["\x7f", "\x85", "\u2028", "\u2029", "\u200b", "\ufeff", "\r\n", "\ue000"]
SEPARATORS = ["", " ", "\n", "\n\n", "\r\n", "\r"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1251", "koi8-r", "cp866", "mac-cyrillic", "iso8859-5"]

fragment = st.one_of(
    st.sampled_from(SEED_LINES),
    st.sampled_from(MARKDOWN),
    st.sampled_from(LATEX),
    st.sampled_from(HTML),
    st.sampled_from(MARKERS),
    st.sampled_from(SCAFFOLDING),
    st.sampled_from(CONTROL),
    st.text(max_size=12),
)
mixture = st.lists(st.tuples(fragment, st.sampled_from(SEPARATORS)), max_size=40).map(
    lambda parts: "".join(f + s for f, s in parts)
)
line = st.lists(fragment, min_size=1, max_size=6).map("".join)


@st.composite
def question_list(draw: st.DrawFn) -> str:
    """Shaped like a list (a title, then numbered lines), so that most examples reach the packager."""
    title = draw(st.one_of(st.sampled_from(SEED_LINES), line))
    marker = draw(st.sampled_from(["{i}. ", "- {i}. ", "- 1.{i}. ", "* ", "{i}) "]))
    items = draw(st.lists(line, min_size=1, max_size=6))
    body = "\n".join(marker.format(i=i) + item for i, item in enumerate(items, 1))
    return f"{title}\n\n{body}\n" + draw(mixture)


text = st.one_of(mixture, question_list())


@st.composite
def source_bytes(draw: st.DrawFn) -> bytes:
    """A file's bytes: text in some encoding, sometimes with random bytes spliced in."""
    data = draw(text).encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at:]
    return data


files = st.lists(
    st.tuples(st.sampled_from(["a.txt", "b.md", "список.txt", "c.markdown", "d"]), source_bytes()),
    min_size=1,
    max_size=3,
    unique_by=lambda f: f[0],
)

TAG = re.compile(r"<[a-z/!?][^>]*>?", re.I)  # markup, as a browser would start reading it
UNSAFE_IN_TAG = [re.compile(r"^<script", re.I), re.compile(r"\son[a-z]+\s*=", re.I), re.compile(r"javascript:", re.I)]


def unsafe_markup(field: str) -> list[str]:
    """`<script`, an `on...=` attribute or a `javascript:` URL inside a tag (escaped text does not count)."""
    return [tag for tag in TAG.findall(field) if any(p.search(tag) for p in UNSAFE_IN_TAG)]


def _write(folder: Path, sources: list[tuple[str, bytes]]) -> Path:
    src = folder / "sources"
    src.mkdir()
    for name, data in sources:
        (src / name).write_bytes(data)
    return src


def _assert_clean_exit(result, allowed: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in allowed, result.output
    assert "Traceback" not in result.output


def test_unsafe_markup_finder() -> None:
    assert (
        unsafe_markup('<img src=x onerror="alert(1)">')
        and unsafe_markup("<SCRIPT>")
        and unsafe_markup("<a href='javascript:x'>")
    )
    assert unsafe_markup("&lt;img onerror=alert(1)&gt; javascript: <p>x</p>") == []


@settings(PROFILE)
@given(files)
# Found by the long profile: a link to an answer file on a question's own line; a block quote that
# mistune places before the paragraph it interrupts.
@example([("a.txt", "Статья\n\n1. Вопрос?\n2. Вопрос два?\n[ответ](./answers/3.md)".encode())])
@example([("b.md", "x\n> цитата\n- ".encode())])
@example([("c.md", "Статья\n\n1. Вопрос <!-- начало\nкомментария --> <b>x</b>?\n".encode())])  # a comment over lines
@example([("d.md", "P\n\n<details>\nтекст до\n<summary>Вопрос?</summary>\nответ\n</details>\n".encode())])
@example([("f.txt", "P\n\n1. Вопрос?\nQ2:\n![схема](fig.png)\n".encode())])  # an image under a marker
@example([("a.txt", "Deep Sets\n\n1. Вопрос?\n".encode()), ("b.txt", "Deep Sets\n\n1. Другой вопрос?\n".encode())])
@example([("e.md", "P\n\n<details>\n<summary>Вопрос?</summary>\n- 1. Вопрос после?\n".encode())])  # not closed
def test_check_never_fails_with_a_traceback(sources: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = _write(Path(tmp), sources)
        result = CliRunner().invoke(main, ["check", str(src)])
        if "none of them text" in result.output:  # no text file at all: a usage error
            _assert_clean_exit(result, (2,))
            return
        _assert_clean_exit(result, (0, 1))
        lines = result.output.splitlines()
        errors = sum(": error: " in line for line in lines)
        assert re.fullmatch(r"\d+ errors?, \d+ warnings?(, \d+ lines? skipped as scaffolding)?", lines[-1])
        assert result.exit_code == (1 if errors else 0)
        for line in lines[:-1]:  # every problem located in a file that was given, compiler style
            assert re.match(rf"{re.escape(str(src))}/[^:]+:\d+:\d+: (error|warning): .+ \[[a-z-]+\]$", line), line
        json_result = CliRunner().invoke(main, ["check", "--format", "json", str(src)])
        _assert_clean_exit(json_result, (0, 1))
        assert lost_lines([src]) == []  # every line in a note, a review or a report


@settings(PROFILE)
@given(files)
@example([("a.txt", b""), ("b.md", "x\n> цитата\n- ".encode())])  # found by the long profile: a KeyError
def test_build_writes_only_safe_importable_decks(sources: list[tuple[str, bytes]]) -> None:
    from anki.collection import Collection

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = _write(folder, sources)
        out = folder / "decks"
        result = CliRunner().invoke(main, ["build", str(src), "--out", str(out), "--force"])
        if "none of them text" in result.output:  # no text file at all: a usage error, nothing written
            _assert_clean_exit(result, (2,))
            assert {p.name for p in folder.rglob("*") if p.is_file()} == {name for name, _ in sources}
            return
        _assert_clean_exit(result, (0, 1))
        written = sorted(out.glob("*.apkg")) if out.exists() else []
        assert {p.name for p in folder.rglob("*") if p.is_file()} - {p.name for p in written} <= {
            name for name, _ in sources
        } | {"papers2anki.lock", ".papers2anki.lock.decks"}  # (the lock, and the record of deck files beside it)
        if not written:
            return
        (folder / "col").mkdir()
        col = Collection(str(folder / "col" / "collection.anki2"))
        try:
            import_packages(col, written)
            for nid in col.find_notes(""):
                for name, value in col.get_note(nid).items():
                    assert markup_problems(value) == [], (name, value)
                    assert unsafe_markup(value) == [], (name, value)
        finally:
            col.close()
