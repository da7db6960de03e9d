"""How a file was read, line by line: `papers2anki parse FILE --outline`.

Every non-blank line of a source ends in one place: a title, a question, an answer, a review, a line
skipped as scaffolding (with its reason) or text left out with a reported problem. `outline` prints
the spans the parser recorded, in line order; `unaccounted` names the lines in none of them.
"""

from __future__ import annotations

from collections.abc import Iterator

from .parse import ParseResult
from .plural import plural
from .records import Span
from .sources import Source

_WIDTH = 60


def outline(source: Source, result: ParseResult) -> Iterator[str]:
    """The file's spans, one line each: `lines  kind  note  | the first line's text`."""
    lines = source.text.split("\n")
    yield f"{source.path}: {plural(len(result.papers), 'paper')}, {plural(len(result.reviews), 'review')}"
    for span in result.spans:
        where = f"{span.first}" if span.first == span.last else f"{span.first}-{span.last}"
        first = " ".join(lines[span.first - 1].split()) if span.first <= len(lines) else ""
        shown = first if len(first) <= _WIDTH else first[: _WIDTH - 1] + "…"
        yield f"  {where:>9}  {span.kind:<8}  {_note(span):<28}  | {shown}"
    for number in unaccounted(source, result):
        yield f"  {number:>9}  {'LOST':<8}  {'(a bug: please report it)':<28}  | {lines[number - 1].strip()}"


def _note(span: Span) -> str:
    note = span.note if span.kind != "title" else "«" + span.note + "»"
    return note if len(note) <= 28 else note[:27] + "…"


def unaccounted(source: Source, result: ParseResult) -> list[int]:
    """Non-blank lines that no span covers: lines the parser lost (there should be none)."""
    covered = {line for span in result.spans for line in range(span.first, span.last + 1)}
    return [n for n, line in enumerate(source.text.split("\n"), 1) if line.strip() and n not in covered]


def skipped_lines(result: ParseResult) -> int:
    """How many lines were skipped as scaffolding."""
    return sum(span.last - span.first + 1 for span in result.spans if span.kind == "skipped")
