"""The fast paths hold to the slow ones they stand in for.

`render.as_html` skips mistune for one line that no Markdown rule reads; these tests hold the
shortcut to mistune's own output, so that a mistune upgrade that renders such lines differently fails
here rather than changing cards silently.
"""

from __future__ import annotations

import random

import pytest

from papers2anki.render import PLAIN_LINE, as_html, inline_markdown, mistune_html, tokens_text

PLAIN = [
    "Как задается распределение энергетической модели?",
    "Neural Tangent Kernel",
    "\ue0010\ue002 — формула в начале",
    "Чем (в отличие от \ue0011\ue002) хорош метод: 5%, 1/2, a+b=c…",
    "Кавычки «да» и тире – да; восклицание!",
    "ǅ Ⅷ ½ ² é α ß İ ﬁ ٣",
]
NOT_PLAIN = [
    "",
    "1. список",
    "- пункт",
    "+ пункт",
    "# заголовок",
    "*слово*",
    "_слово_",
    "a_b",
    "a  b",
    "слово ",
    " слово",
    "a\nb",
    "a\tb",
    "a & b",
    "a <b> c",
    'a "b"',
    "[ссылка](https://example.org)",
    "`код`",
    "a\\b",
    "~~a~~",
    "a | b",
    "a\u00a0b",
    "5 яблок",
    "«Кавычки» в начале",
]


@pytest.mark.parametrize("line", PLAIN)
def test_plain_line_is_the_paragraph_mistune_makes(line: str) -> None:
    assert PLAIN_LINE.fullmatch(line)
    assert as_html(line) == str(mistune_html(line)).strip()


@pytest.mark.parametrize("line", NOT_PLAIN)
def test_anything_else_goes_to_mistune(line: str) -> None:
    assert not PLAIN_LINE.fullmatch(line)


def test_random_plain_lines_render_as_mistune_renders_them() -> None:
    rng = random.Random(0)
    alphabet = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЯabcxyzXYZ0123456789 ,.?!;:()%/+=-—–«»…\ue001\ue002éαǅⅧ٣²½ß"
    checked = 0
    for _ in range(3000):
        line = rng.choice("аbЖ\ue001") + "".join(rng.choice(alphabet) for _ in range(rng.randrange(40)))
        line = " ".join(line.split())  # single inner spaces, none at the ends
        if PLAIN_LINE.fullmatch(line):
            checked += 1
            assert as_html(line) == str(mistune_html(line)).strip(), line
    assert checked > 1000


@pytest.mark.parametrize("line", PLAIN)
def test_plain_line_is_its_own_plain_text(line: str) -> None:
    tokens = inline_markdown(line)
    assert " ".join(tokens_text([t]) for t in tokens if isinstance(t, dict)).strip() == line  # type: ignore[union-attr]
