"""Markdown with math to the HTML of a field, and to plain text.

Math is found first (`latex.find_math`) and replaced by placeholders, so Markdown never sees it;
the placeholders become `\\(..\\)` / `\\[..\\]` with the formula's text HTML-escaped, which is what the
browser shows and MathJax reads: the original TeX. Source HTML is escaped, links keep only
http(s) targets: the only markup in a field is what this renderer makes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mistune
from mistune.util import escape_url

from .latex import MathSpan, TextProblem, find_math
from .media import Image

_OPEN, _CLOSE = "\ue001", "\ue002"
_PLACEHOLDER = re.compile(_OPEN + r"(\d+)" + _CLOSE)
_QUOTED_PLACEHOLDER = re.compile("%EE%80%81" + r"(\d+)" + "%EE%80%82")  # the placeholder inside a URL
_SAFE_SCHEMES = ("http://", "https://")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _FieldRenderer(mistune.HTMLRenderer):
    """mistune's HTML renderer, escaping raw HTML and refusing non-web links."""

    def __init__(self) -> None:
        super().__init__(escape=True)
        self.originals: list[str] = []  #: the source text of each math placeholder of the current render
        self.find: Callable[[str], Image] | None = None  #: finds a local image (None: images show their alt text)
        self.images: list[Image] = []  #: the local images of the current render, in order

    def _restore(self, value: str, quote: bool) -> str:
        """A link's target or title as written: the math finder's placeholders put back."""
        value = _QUOTED_PLACEHOLDER.sub(lambda m: _OPEN + m.group(1) + _CLOSE, value)
        return _PLACEHOLDER.sub(
            lambda m: escape_url(self.originals[int(m.group(1))]) if quote else self.originals[int(m.group(1))],
            value,
        )

    def link(self, text: str, url: str, title: str | None = None) -> str:
        url = self._restore(url, quote=True)
        if not url.lower().startswith(_SAFE_SCHEMES):
            return text
        return super().link(text, url, self._restore(title, quote=False) if title else None)

    def image(self, text: str, url: str, title: str | None = None) -> str:
        url = self._restore(url, quote=False)
        if url.lower().startswith(_SAFE_SCHEMES):  # a remote image stays a link: cards work offline
            return self.link(text or html.escape(url), url)
        image = self.find(url) if self.find is not None else None
        if image is None:
            return html.escape(text)
        self.images.append(image)
        if not image.name:
            return html.escape(text)
        # The alt text is an attribute: formulas in it go back to their source, markup is dropped.
        alt = _PLACEHOLDER.sub(lambda m: self.originals[int(m.group(1))], html.unescape(_TAGS.sub("", text)))
        return f'<img src="{image.name}" alt="{html.escape(alt, quote=True)}">'

    def block_code(self, code: str, info: str | None = None) -> str:
        # The info string becomes a class name: keep a language name, nothing that reads as a URL.
        lang = re.sub(r"[^\w+#.-]", "", (info or "").split(None, 1)[0] if (info or "").strip() else "")
        return str(super().block_code(code, lang or None))

    def heading(self, text: str, level: int, **attrs: Any) -> str:
        return f"<p><b>{text}</b></p>\n"


_TAGS = re.compile(r"<[^>]*>")
_renderer = _FieldRenderer()
mistune_html = mistune.create_markdown(renderer=_renderer, plugins=["strikethrough", "table"])


def _table(renderer: Any, text: str) -> str:
    """A table in a wrapper of its own, which scrolls sideways when the table is wider than the card."""
    return f'<div class="p2a-table"><table>\n{text}</table></div>\n'


_renderer.register("table", _table)  # (after the plugin, whose own renderer it replaces)


def _placeholders(text: str, spans: list[MathSpan]) -> str:
    out, pos = [], 0
    for i, span in enumerate(spans):
        out.append(text[pos : span.start])
        out.append(f"{_OPEN}{i}{_CLOSE}")
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def math_html(span: MathSpan) -> str:
    tex = html.escape(span.tex, quote=False)
    return f"\\[{tex}\\]" if span.display else f"\\({tex}\\)"


@dataclass(frozen=True, slots=True)
class Rendered:
    """A field's HTML and the formulas in it, with offsets into the Markdown it came from."""

    html: str
    formulas: list[MathSpan]
    problems: list[TextProblem]
    images: list[Image] = field(default_factory=list)  #: the local images it refers to, in order


def render_markdown(text: str, inline: bool = False, find: Callable[[str], Image] | None = None) -> Rendered:
    """Markdown with math in any notation -> field HTML with `\\(..\\)` / `\\[..\\]`.

    `find` gives the image a local URL names (`media.Finder.find` for the text's list file); without
    it an image shows its alt text."""
    spans, problems = find_math(text)
    _renderer.originals = [text[s.start : s.end] for s in spans]
    _renderer.find, _renderer.images = find, []
    try:
        body = as_html(_placeholders(text, spans))
    finally:
        images, _renderer.find, _renderer.images = _renderer.images, None, []
    if inline and body.startswith("<p>") and body.endswith("</p>") and body.count("<p>") == 1:
        body = body[3:-4]
    body = _PLACEHOLDER.sub(lambda m: math_html(spans[int(m.group(1))]), body)
    if images:
        problems = problems + _image_problems(text, images)
    return Rendered(_no_controls(body), spans, problems, images)


def _image_problems(text: str, images: list[Image]) -> list[TextProblem]:
    """A warning for each image left out, at its URL in the text (the first not yet taken)."""
    out, pos = [], 0
    for image in images:
        found = text.find(image.url, pos) if image.url else -1
        if found < 0:
            found = text.find("![", pos)
        if found >= 0:
            pos = found + len(image.url)
        if image.rule:
            out.append(TextProblem(max(found, 0), "warning", image.message, image.rule))
    return out


# One line that no Markdown rule reads and HTML escaping leaves alone: it starts with a letter or a
# formula and has only letters, digits, single inner spaces and plain punctuation. mistune makes a
# paragraph of it as it is (tests/test_shortcuts.py holds it to that).
PLAIN_LINE = re.compile(r"(?:[^\W\d_]|\ue001)(?: ?(?:[^\W_]|[,.?!;:()%/+=\-—–«»…\ue001\ue002]))*")


def as_html(markdown: str) -> str:
    """mistune's HTML for the field's Markdown; most questions are one plain line, a paragraph as it is."""
    if PLAIN_LINE.fullmatch(markdown):
        return f"<p>{markdown}</p>"
    return str(mistune_html(markdown)).strip()


inline_markdown = mistune.create_markdown(renderer=None)


def tokens_text(tokens: list[dict[str, Any]]) -> str:
    parts = []
    for tok in tokens:
        if "children" in tok:
            parts.append(tokens_text(tok["children"]))
        elif tok["type"] in ("softbreak", "linebreak"):
            parts.append(" ")
        else:
            parts.append(str(tok.get("raw", "")))
    return "".join(parts)


def plain_text(text: str) -> str:
    """Markdown emphasis and escapes removed; formulas kept as written (delimiters included)."""
    spans, _ = find_math(text)
    spans = [s for s in spans if s.kind != "letter"]
    marked = _placeholders(text, spans)
    if PLAIN_LINE.fullmatch(marked):  # nothing for Markdown to remove
        flat = marked
    else:
        tokens = inline_markdown(marked)
        flat = " ".join(tokens_text([t]) for t in tokens if isinstance(t, dict)).strip()  # type: ignore[union-attr]
    return _PLACEHOLDER.sub(lambda m: text[spans[int(m.group(1))].start : spans[int(m.group(1))].end], flat)


def escape_text(text: str) -> str:
    """Plain text for a field: HTML special characters escaped, nothing else."""
    return _no_controls(html.escape(text, quote=False))


def _no_controls(field: str) -> str:
    """No control characters in a field: U+001F would split it in two inside Anki."""
    return _CONTROL.sub(" ", field)
