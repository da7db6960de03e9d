"""`papers2anki preview`: every card's front and back on one static page, before anything is imported.

The cards are the notes a build would write, rendered with the same templates and CSS by a small
renderer of the template syntax our templates use ({{Field}}, {{#Field}}..{{/Field}},
{{^Field}}..{{/Field}}, {{FrontSide}}), with Anki's rule for an empty field. Math is typeset by the
MathJax 3.2.2 that the package vendors (the `mathjax` npm package's files, Apache-2.0), configured as
Anki configures it, and copied beside the page: the page works offline.

Only the standard library and click are imported at module level: `papers2anki --help` stays fast.
"""

from __future__ import annotations

import html
import json
import os
import re
import zipfile
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cli_options import Command, encoding_option, lock_option, page_out_option, root_option, sources_argument
from .defaults import DEFAULT_PREVIEW, DEFAULT_ROOT, sources_or_default
from .messages import held_back_message, user_errors
from .plural import plural, plural_ru

if TYPE_CHECKING:
    from .reports import BuildReport

MATHJAX_ZIP = "mathjax-3.2.2.zip"
_CARDS = ("карточка", "карточки", "карточек")
DEFAULT_OUT = DEFAULT_PREVIEW

_TAG = re.compile(r"\{\{\s*([#^/]?)\s*([^{}]*?)\s*\}\}")
# Anki's own rule (rslib template.rs, field_is_empty): only whitespace, <br> and <div> tags.
_EMPTY_FIELD = re.compile(r"^(?:\s|</?(?:br|div) ?/?>)*$", re.IGNORECASE)


class TemplateError(ValueError):
    """A template uses syntax or a field that this renderer (or the note type) does not have."""


def field_is_empty(text: str) -> bool:
    return _EMPTY_FIELD.match(text) is not None


def render_template(template: str, fields: dict[str, str], front_side: str = "") -> str:
    """The template with its fields substituted, as Anki's template engine does for our templates."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    for m in _TAG.finditer(template):
        tokens.append(("text", template[pos : m.start()]))
        tokens.append((m.group(1) or "field", m.group(2)))
        pos = m.end()
    tokens.append(("text", template[pos:]))
    out, end = _render(tokens, 0, fields, front_side, None)
    return out


def _value(name: str, fields: dict[str, str], front_side: str) -> str:
    if name == "FrontSide":
        return front_side
    if ":" in name:
        raise TemplateError(f"{{{{{name}}}}}: filters are not supported by the preview")
    if name not in fields:
        raise TemplateError(f"{{{{{name}}}}}: the note type has no such field")
    return fields[name]


def _render(
    tokens: list[tuple[str, str]], i: int, fields: dict[str, str], front_side: str, section: str | None
) -> tuple[str, int]:
    out = []
    while i < len(tokens):
        kind, name = tokens[i]
        i += 1
        if kind == "text":
            out.append(name)
        elif kind == "field":
            out.append(_value(name, fields, front_side))
        elif kind == "/":
            if name != section:
                raise TemplateError(f"{{{{/{name}}}}} closes {'{{#' + section + '}}' if section else 'nothing'}")
            return "".join(out), i
        else:
            inner, i = _render(tokens, i, fields, front_side, name)
            empty = field_is_empty(_value(name, fields, front_side))
            if empty == (kind == "^"):
                out.append(inner)
    if section is not None:
        raise TemplateError(f"{{{{#{section}}}}} is never closed")
    return "".join(out), i


@dataclass(slots=True)
class CardView:
    """One card as the preview shows it."""

    kind: str  #: "question" or "review"
    front: str  #: the question side's HTML, as Anki renders it (without the <style>)
    back: str  #: the answer side's HTML
    source: str  #: `file:line` of the note's text, as its card's Source field names it
    href: str  #: a link to the source file, relative to the page
    media: dict[str, str] = field(default_factory=dict)  #: the images it shows: name -> file


@dataclass(slots=True)
class DeckView:
    name: str
    cards: list[CardView] = field(default_factory=list)


def card_views(
    paths: list[str],
    out: Path,
    root: str = DEFAULT_ROOT,
    lock_path: str | os.PathLike[str] | None = None,
    encoding: str | None = None,
) -> tuple[list[DeckView], BuildReport]:
    """Every deck a build of `paths` would write, with its cards rendered, but the papers with errors, held
    back as a build holds them back; and a report of every problem found and the papers held back. Decks
    are named as the build names them: their names pinned in the lock (`lock_path`, by default the one
    beside the sources) are kept. `encoding` decodes the sources instead of detecting it, as for `load`."""
    from .api import BuildReport, default_lock_path, drafts_of, load, source_roots
    from .decknames import deck_names, without_papers
    from .held import errors_of, unread_of
    from .lint import problems_of
    from .lock import read_lock
    from .notes import files_of, note_types, source_field
    from .sources import course_folder, course_paths

    corpus = load(paths, encoding=encoding)
    papers = corpus.papers
    lock_file = lock_path or default_lock_path(paths)
    places = course_paths(files_of(papers), course_folder(lock_file))  # as the cards name them
    grouped = drafts_of(papers, source_roots(corpus), places=places)
    problems, paper_lint = problems_of(list(corpus.problems), papers, grouped, corpus.sources)
    errors = errors_of(corpus, papers, [paper.key for paper in papers], paper_lint, problems)
    held = [i for i, mine in enumerate(errors) if mine]
    report = BuildReport(len(papers), problems=problems, held_back=[papers[i].title for i in held])
    report.unread = unread_of(corpus)
    types = {"question": note_types()[0], "review": note_types()[1]}
    decks = []
    left_out = set(held)
    shown = [i for i in range(len(papers)) if i not in left_out]
    lock = without_papers(read_lock(lock_file), papers, left_out)
    names = dict(zip(shown, deck_names([papers[i] for i in shown], lock, root)))
    for i, drafts in enumerate(grouped):
        if i in left_out:
            continue
        deck = DeckView(names[i])
        for draft in drafts:
            nt = types[draft.kind]
            fields = dict(zip(nt.fields, draft.fields))
            front = render_template(nt.qfmt, fields)
            back = render_template(nt.afmt, fields, front)
            target = Path(draft.location.file).resolve()
            href = Path(os.path.relpath(target, out.resolve().parent)).as_posix()
            media = {image.name: image.path for image in draft.images if image.name}
            source = source_field(draft.location, places[draft.location.file])
            deck.cards.append(CardView(draft.kind, front, back, source, href, media))
        decks.append(deck)
    return decks, report


def _asset(name: str) -> str:
    return resources.files("papers2anki").joinpath(f"data/{name}").read_text("utf-8")


def page_html(decks: list[DeckView], mathjax_dir: str, media_dir: str = "") -> str:
    """The preview page: cards grouped by deck, our CSS, MathJax configured as Anki does; the cards'
    images from `media_dir` (Anki shows them from its media folder, beside the card)."""
    parts = []
    number = 0
    for deck in decks:
        parts.append(f'<section class="pv-deck"><h2>{html.escape(deck.name)}</h2>')
        for card in deck.cards:
            number += 1
            source = html.escape(card.source)
            for name in card.media if media_dir else ():
                card = replace(
                    card,
                    front=card.front.replace(f'<img src="{name}"', f'<img src="{media_dir}/{name}"'),
                    back=card.back.replace(f'<img src="{name}"', f'<img src="{media_dir}/{name}"'),
                )
            parts.append(
                f'<article class="pv-item" id="card-{number}" data-kind="{card.kind}" data-source="{source}">'
                f'<p class="pv-where"><a href="{html.escape(card.href)}">{source}</a></p>'
                f'<div class="pv-sides"><div class="pv-side"><p class="pv-label">Лицо</p>'
                f'<div class="pv-face card card1">{card.front}</div></div>'
                f'<div class="pv-side"><p class="pv-label">Оборот</p>'
                f'<div class="pv-face card card1">{card.back}</div></div></div></article>'
            )
        parts.append("</section>")
    cards = sum(len(d.cards) for d in decks)
    page = _asset("preview.html")
    for key, value in (
        ("CSS", _asset("cards.css")),
        ("MATHJAX_DIR", json.dumps(mathjax_dir)),
        ("MATHJAX_SRC", html.escape(f"{mathjax_dir}/tex-chtml-full.js")),
        ("SUMMARY", f"{plural_ru(len(decks), 'колода', 'колоды', 'колод')}, {plural_ru(cards, *_CARDS)}"),
        ("DECKS", "\n".join(parts)),
    ):
        page = page.replace(f"@@{key}@@", value)
    return page


def mathjax_files(folder: str) -> dict[str, bytes]:
    """The vendored MathJax files, keyed by their path under the page's files folder."""
    with resources.files("papers2anki").joinpath(f"data/{MATHJAX_ZIP}").open("rb") as raw:
        with zipfile.ZipFile(raw) as zf:
            return {f"{folder}/{name}": zf.read(name) for name in zf.namelist() if not name.endswith("/")}


def write_preview(
    paths: list[str],
    out: str | os.PathLike[str],
    root: str = DEFAULT_ROOT,
    lock_path: str | os.PathLike[str] | None = None,
    encoding: str | None = None,
) -> tuple[int, int, BuildReport]:
    """Write the page and its MathJax folder (`<name>_files/`) atomically; returns the decks and cards shown
    and the report of `card_views` (the problems, the papers with errors left out)."""
    from .files import write_files

    out_path = Path(out)
    decks, report = card_views(paths, out_path, root, lock_path, encoding)
    from .media import media_bytes

    folder = f"{out_path.stem}_files/mathjax"
    files = {out_path.parent / name: data for name, data in mathjax_files(folder).items()}
    media_dir = f"{out_path.stem}_files/media"
    for name, path in sorted({n: p for deck in decks for card in deck.cards for n, p in card.media.items()}.items()):
        files[out_path.parent / media_dir / name] = media_bytes(name, path)
    files[out_path] = page_html(decks, folder, media_dir).encode("utf-8")
    write_files(files)
    return len(decks), sum(len(d.cards) for d in decks), report


@click.command("preview", cls=Command)
@sources_argument
@page_out_option
@root_option
@lock_option
@encoding_option
def preview_command(sources: tuple[str, ...], out: str, root: str, lock_path: str | None, encoding: str | None) -> None:
    """Write one HTML page with the front and back of every card in SOURCES, grouped by deck.

    The cards use the decks' own templates and CSS; formulas are typeset by a local MathJax 3.2.2
    set up as in Anki, so the page works offline. Buttons switch light/dark and phone/desktop width;
    every card links to the file:line it came from. Open the page in any browser. A paper with
    errors is left out (the errors are printed, the exit status is 1), as `build` leaves it out.
    """
    with user_errors():
        decks, cards, report = write_preview(sources_or_default(sources), out, root, lock_path, encoding)
    for problem in report.problems:
        if problem.severity == "error":
            click.echo(str(problem), err=True)
    click.echo(f"{plural(decks, 'deck')}, {plural(cards, 'card')}: {out}")
    if report.errors:
        others, hint = "the other papers are on the page", "See `papers2anki check`"
        raise click.ClickException(held_back_message(report, "previewed", "left out of the page", others, hint))
