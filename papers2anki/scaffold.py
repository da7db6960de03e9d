"""What in a list file is scaffolding, not content, found line by line before Markdown is parsed.

Each rule names what it skips: YAML front matter (its `title:` is kept, to name a deck when nothing
else does), HTML comments, layout commands (`\\newpage`), links to anchors (a table of contents, "back
to top"), `[TOC]`, lines of Obsidian links to other notes (`[[Семинар 6]]`). `prepare` blanks the
skipped text (so that Markdown never sees it and a comment between a title and its list does not
split them) and records each skipped line with its reason.
`<details>` blocks are cut out whole and kept as question/answer pairs. Fenced code is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LAYOUT = re.compile(
    r"^[ \t]*\\(?:newpage|pagebreak|clearpage|cleardoublepage|tableofcontents|maketitle|noindent|vfill|"
    r"bigskip|medskip|smallskip|linebreak|(?:v|h)space\*?\{[^}]*\})(?:[ \t]*\\\w+(?:\{[^}]*\})?)*[ \t]*$"
)
_TOC = re.compile(r"^[ \t]*(?:\[TOC\]|\[\[_TOC_\]\]|\[\[toc\]\]|\{:toc\}|\$\{toc\})[ \t]*$", re.I)
_ANCHOR_LINK = r"(?:\[[^\]\n]*\]\(#[^)\s]*\)|<a\s+(?:href|name|id)=[\"']#?[^\"']*[\"'][^>]*>[^<]*</a>)"
_ONLY_ANCHORS = re.compile(
    rf"^[ \t]*(?:(?:[-+*]|\d{{1,3}}[.)])[ \t]+)?[*_]*[↑⬆^]?[ \t]*(?:{_ANCHOR_LINK}[ \t,|·•]*)+[*_]*[ \t]*$"
)
_ONLY_WIKILINKS = re.compile(r"^[ \t]*(?:[←→↑⬆]?[ \t]*\[\[[^\]\n]+\]\][ \t]*[←→·|,•-]*[ \t]*)+$")  # Obsidian's
_BACK_TO_TOP = re.compile(r"^[ \t]*[↑⬆]?[ \t]*(?:наверх|к оглавлению|back to top|to top)[ \t]*[↑⬆]?[ \t]*$", re.I)
#: A link to an answer file at the end of a question (`... [ответ](./answers/3.md)`): not the question's text.
ANSWER_LINK = re.compile(
    r"\s*(?:[—–-]\s*)?[(\[]?\s*\[(?:ответ|answer|решение|solution|разбор|→|->)[^\]]*\]\((?!https?:)[^)]*\)\s*[)\]]?\s*$",
    re.I,
)
_FRONT_TITLE = re.compile(r"^title[ \t]*:[ \t]*(.*?)[ \t]*$", re.I)
_DETAILS_OPEN = re.compile(r"^ ?<details\b[^>]*>", re.I)  # indented, it is inside an answer: HTML shown as text
_DETAILS_CLOSE = re.compile(r"</details>", re.I)
_SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary>", re.I | re.S)


@dataclass(slots=True)
class Details:
    """A `<details><summary>question</summary> answer </details>` block."""

    line: int  #: where `<details>` is
    end: int  #: where `</details>` is
    question: str  #: the summary's text
    question_end: int  #: where `</summary>` is
    answer: str  #: the rest of the block, outdented
    answer_line: int  #: the first line after the summary's with text (0: the answer, if any, is on its lines)


@dataclass(slots=True)
class Prepared:
    """A source's lines with scaffolding blanked, and what was skipped."""

    lines: list[str]  #: the source's lines, comments and other scaffolding blanked
    skipped: dict[int, str] = field(default_factory=dict)  #: line -> why it is not content
    title: str = ""  #: the front matter's `title:`
    details: list[Details] = field(default_factory=list)
    unclosed: list[int] = field(default_factory=list)  #: lines of a `<!--` never closed (read as text)
    fenced: set[int] = field(default_factory=set)  #: lines of fenced code (0-based), left as they are


def prepare(text: str) -> Prepared:
    lines = text.split("\n")
    out = Prepared(list(lines))
    start = _front_matter(out)
    out.fenced = _fenced_lines(lines, start)
    _comments(out, start)
    i = start
    while i < len(lines):
        line = out.lines[i]
        if i in out.fenced:
            pass
        elif _DETAILS_OPEN.match(line):
            i = _details(out, i)
            continue
        elif _LAYOUT.match(line):
            _skip(out, i, "layout command")
        elif _TOC.match(line) or _ONLY_ANCHORS.match(line):
            _skip(out, i, "link to an anchor (a table of contents)")
        elif _BACK_TO_TOP.match(line):
            _skip(out, i, "link back to the top")
        elif _ONLY_WIKILINKS.match(line):
            _skip(out, i, "links to other notes")
        i += 1
    return out


def _skip(out: Prepared, index: int, reason: str) -> None:
    out.skipped[index + 1] = reason
    out.lines[index] = ""


def _front_matter(out: Prepared) -> int:
    """Blank YAML front matter (`---` on the first line to `---` or `...`); the index after it."""
    lines = out.lines
    if not lines or lines[0].strip() != "---":
        return 0
    for j in range(1, min(len(lines), 200)):
        if lines[j].strip() in ("---", "..."):
            for k in range(j + 1):
                m = _FRONT_TITLE.match(lines[k])
                if m and not out.title:
                    out.title = m.group(1).strip("\"'")
                _skip(out, k, "front matter")
            return j + 1
        if lines[j].strip() and not re.match(r"^[ \t]*(?:[\w-]+[ \t]*:|-[ \t]|#)", lines[j]):
            return 0  # not YAML: a rule under nothing, then text
    return 0


def _comments(out: Prepared, start: int) -> None:
    """Blank `<!-- .. -->` (outside fenced code); a line left empty by it is skipped."""
    text = "\n".join(out.lines[start:])
    if "<!--" not in text:
        return
    fenced = out.fenced
    base = sum(len(line) + 1 for line in out.lines[:start])
    full = "\n".join(out.lines)
    chars = list(full)
    touched: set[int] = set()
    for m in _COMMENT.finditer(full, base):
        first = full.count("\n", 0, m.start())
        if first in fenced:
            continue
        for pos in range(m.start(), m.end()):
            if chars[pos] != "\n":
                chars[pos] = " "
        touched.update(range(first, full.count("\n", 0, m.end()) + 1))
    last = full.rfind("-->")
    opened = full.find("<!--", max(base, last + 3 if last >= 0 else base))
    while opened >= 0:
        line = full.count("\n", 0, opened)
        if line not in fenced:
            out.unclosed.append(line + 1)
            break
        opened = full.find("<!--", opened + 4)
    lines = "".join(chars).split("\n")
    for index in sorted(touched):
        if lines[index].strip():
            out.lines[index] = lines[index].rstrip()
        elif out.lines[index].strip():
            _skip(out, index, "HTML comment")


def _fenced_lines(lines: list[str], start: int) -> set[int]:
    """Indexes of the lines of fenced code blocks, fences included (an unclosed fence runs to the end)."""
    inside: set[int] = set()
    fence = ""
    for i in range(start, len(lines)):
        m = _FENCE.match(lines[i])
        if fence:
            inside.add(i)
            closing = m is not None and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)
            if closing and m is not None and not lines[i][m.end() :].strip():
                fence = ""
        elif m:
            fence = m.group(1)
            inside.add(i)
    return inside


def _details(out: Prepared, i: int) -> int:
    """Cut a `<details>` block out of the lines; the index after it. Everything in it but the summary is
    the answer. One never closed, or with no summary, is left to Markdown (shown as HTML text)."""
    lines = out.lines
    j = next((k for k in range(i, len(lines)) if _DETAILS_CLOSE.search(lines[k])), None)
    if j is None:
        return i + 1
    block = "\n".join(lines[i : j + 1])
    summary = _SUMMARY.search(block)
    opened = _DETAILS_OPEN.match(block)
    closed = list(_DETAILS_CLOSE.finditer(block))[-1]
    if summary is None or opened is None or not opened.end() <= summary.start() <= summary.end() <= closed.start():
        return i + 1
    question = " ".join(summary.group(1).split())
    answer_lines = (block[opened.end() : summary.start()] + block[summary.end() : closed.start()]).split("\n")
    widths = [len(x) - len(x.lstrip(" ")) for x in answer_lines if x.strip()]
    cut = min(widths) if widths else 0
    answer = "\n".join(x[cut:] for x in answer_lines).strip("\n").strip()
    question_end = i + 1 + block.count("\n", 0, summary.end())
    after = next((k + 1 for k in range(question_end, j + 1) if lines[k].strip()), 0)  # the answer's first line
    out.details.append(Details(i + 1, j + 1, question, question_end, answer, after if answer else 0))
    for k in range(i, j + 1):
        lines[k] = ""
    return j + 1
