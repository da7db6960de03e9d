"""`papers2anki preview`: the template renderer, the command, and the page in headless Chromium."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO, SOURCES

import papers2anki
from papers2anki.api import drafts_of
from papers2anki.cli import main
from papers2anki.preview import (
    CardView,
    DeckView,
    TemplateError,
    field_is_empty,
    mathjax_files,
    page_html,
    render_template,
)

sys.path.insert(0, str(REPO / "tools" / "screenshots"))
sys.path.insert(0, str(REPO / "tools"))

from chromium import Chromium, find_chromium  # noqa: E402

ANSWERS = FIXTURES / "answers"
NPM_MATHJAX = REPO / "tools" / "mathjax" / "node_modules" / "mathjax"
needs_chromium = pytest.mark.skipif(
    find_chromium() is None, reason="chromium is not installed (Debian: apt-get install chromium)"
)


@pytest.mark.parametrize(
    ("template", "fields", "expected"),
    [
        ("{{A}}-{{B}}", {"A": "1", "B": "<b>2</b>"}, "1-<b>2</b>"),
        ("{{ A }}", {"A": "x"}, "x"),
        ("{{#A}}yes {{A}}{{/A}}", {"A": "x"}, "yes x"),
        ("{{#A}}yes{{/A}}", {"A": ""}, ""),
        ("{{^A}}none{{/A}}", {"A": ""}, "none"),
        ("{{^A}}none{{/A}}", {"A": "x"}, ""),
        ("{{#A}}{{#B}}both{{/B}}{{/A}}", {"A": "x", "B": "y"}, "both"),
        ("{{#A}}a{{/A}}{{^A}}b{{/A}}", {"A": " <br> <div></div> "}, "b"),  # Anki's idea of empty
        ("[{{FrontSide}}]", {}, "[front]"),
    ],
)
def test_template_subset(template: str, fields: dict[str, str], expected: str) -> None:
    assert render_template(template, fields, "front") == expected


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{Nope}}", "no such field"),
        ("{{#A}}open", "never closed"),
        ("{{/A}}", "closes nothing"),
        ("{{#A}}x{{/B}}", "closes {{#A}}"),
        ("{{text:A}}", "filters"),
    ],
)
def test_template_errors_are_named(template: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        render_template(template, {"A": "x"})


def test_field_is_empty_follows_anki() -> None:
    assert field_is_empty("") and field_is_empty(" \n<br/><BR>") and field_is_empty("<div><br></div>")
    assert not field_is_empty("&nbsp;") and not field_is_empty("<p></p>") and not field_is_empty("0")


def test_command_writes_page_and_mathjax_offline(tmp_path: Path) -> None:
    out = tmp_path / "site" / "cards.html"
    result = CliRunner().invoke(main, ["preview", str(ANSWERS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"2 decks, 6 cards: {out}"
    page = out.read_text("utf-8")
    assert page.count('class="pv-item"') == 6
    assert 'src="cards_files/mathjax/tex-chtml-full.js"' in page
    assert "http://" not in page and "https://" not in page  # nothing from a CDN
    for name, data in mathjax_files("cards_files/mathjax").items():
        assert (out.parent / name).read_bytes() == data
    # Every card links to its source, relative to the page.
    links = {line.split('href="', 1)[1].split('"', 1)[0] for line in page.split("<a ")[1:]}
    assert {(out.parent / link).resolve() for link in links} == {(ANSWERS / "answers.md").resolve()}


def test_command_leaves_out_the_papers_with_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    stray = "1. Вопрос без заголовка?\n\n"  # a list with no title: named by its file, with a warning
    bad.write_text(
        f"{stray}Some Paper\n\n1. Что такое X?\n2. Что такое X?\n\nOther Paper\n\n1. Что такое $y$?\n", "utf-8"
    )
    out = tmp_path / "out" / "p.html"
    result = CliRunner().invoke(main, ["preview", str(bad), "--out", str(out)])
    assert result.exit_code == 1
    assert f"{bad}:6:" in result.output and "duplicate-question" in result.output
    assert "no paper title" not in result.output  # preview prints errors only; the untitled list is a deck
    assert "Traceback" not in result.output
    assert "2 decks, 2 cards" in result.output
    assert result.output.splitlines()[-1] == (
        "Error: 1 error in the sources (listed above); 1 paper not previewed because of errors "
        "(left out of the page): 'Some Paper'; the other papers are on the page. See `papers2anki check`"
    )
    page = out.read_text("utf-8")
    assert "Papers::Other Paper" in page and "Papers::bad" in page and "Some Paper" not in page


def test_command_names_decks_as_build_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`::` in a title becomes `:` (it would nest decks in Anki), and a name pinned in the lock is kept."""
    monkeypatch.chdir(tmp_path)
    sources = tmp_path / "sources"
    sources.mkdir()
    listing = sources / "list.txt"
    listing.write_text("Modern C++::STL Internals\n\n1. Что такое аллокатор?\n\nOther Paper\n\n1. Что это?\n", "utf-8")

    def decks_of(*args: str) -> tuple[list[str], list[str]]:
        built = CliRunner().invoke(main, ["build", "-v", *args], env={"SOURCE_DATE_EPOCH": "1700000000"})
        shown = CliRunner().invoke(main, ["preview", *args, "--out", "p.html"])
        assert built.exit_code == 0 and shown.exit_code == 0, built.output + shown.output
        written = [line.split(": ")[0] for line in built.output.splitlines() if line.startswith("Papers::")]
        page = Path("p.html").read_text("utf-8")
        return written, [h2.split("</h2>")[0] for h2 in page.split('<section class="pv-deck"><h2>')[1:]]

    written, shown = decks_of()
    assert written == shown == ["Papers::Modern C++:STL Internals", "Papers::Other Paper"]
    # A corrected title: the build keeps the deck name pinned in the lock, and so does the page.
    listing.write_text(listing.read_text("utf-8").replace("Internals", "Internal"), "utf-8")
    written, shown = decks_of()
    assert written == shown == ["Papers::Modern C++:STL Internals", "Papers::Other Paper"]
    # --lock names another lock for both: a lock that pins nothing gives the titles' names.
    written, shown = decks_of("sources", "--lock", "other.lock")
    assert written == shown == ["Papers::Modern C++:STL Internal", "Papers::Other Paper"]


def test_command_says_what_went_wrong_as_build_does(tmp_path: Path) -> None:
    """Library errors go through the commands' one translator: `file: reason`, never `[Errno 17] ...`."""
    blocker = tmp_path / "file"
    blocker.write_text("", "utf-8")
    result = CliRunner().invoke(main, ["preview", str(ANSWERS), "--out", str(blocker / "p.html")])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == f"Error: {blocker}: File exists"
    lock = tmp_path / "broken.lock"
    lock.write_text("{", "utf-8")
    previewed = CliRunner().invoke(main, ["preview", str(ANSWERS), "--lock", str(lock), "--out", str(tmp_path / "p")])
    built = CliRunner().invoke(main, ["build", str(ANSWERS), "--lock", str(lock), "--out", str(tmp_path / "d")])
    assert previewed.exit_code == built.exit_code == 1
    assert previewed.output == built.output and "not a papers2anki lock" in built.output


@pytest.mark.skipif(not NPM_MATHJAX.exists(), reason="tools/mathjax/node_modules missing: cd tools/mathjax && npm ci")
def test_vendored_mathjax_is_the_npm_package() -> None:
    import vendor_mathjax

    data = (REPO / "papers2anki" / "data" / vendor_mathjax.TARGET.name).read_bytes()
    assert vendor_mathjax.zip_bytes(vendor_mathjax.wanted_files()) == data


def test_screenshots_are_current() -> None:
    import make_screenshots

    recorded = (REPO / "docs" / "screenshots" / "inputs.sha256").read_text().split()[-1]
    assert make_screenshots.inputs_digest() == recorded, (
        "docs/screenshots/ are stale: run python tools/screenshots/make_screenshots.py"
    )
    for theme in ("light", "dark"):
        for view in ("phone", "desktop"):
            shot = REPO / "docs" / "screenshots" / f"card-{theme}-{view}.png"
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            # Drawn by Anki desktop itself (the script marks each picture), not by a browser.
            assert _png_text(shot.read_bytes()).get("Software", "").startswith("Anki desktop"), shot
            assert f"docs/screenshots/card-{theme}-{view}.png" in (REPO / "README.md").read_text("utf-8")


def _png_text(data: bytes) -> dict[str, str]:
    """A PNG's text chunks, tEXt and zTXt (keyword: text)."""
    import struct
    import zlib

    found, pos = {}, 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        key, _, value = data[pos + 8 : pos + 8 + length].partition(b"\0")
        if kind == b"tEXt":
            found[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":  # a compression method byte (0: zlib), then the compressed text
            found[key.decode("latin-1")] = zlib.decompress(value[1:]).decode("latin-1")
        pos += 12 + length
    return found


# W is the phone's width. Not innerWidth: under phone emulation Chromium widens the layout viewport to fit
# whatever overflows, so innerWidth grows with the very overflow the report looks for.
_CARDS_REPORT = """(W => JSON.stringify({
  state: document.documentElement.dataset.math,
  items: [...document.querySelectorAll('.pv-item')].map(e => e.dataset.source),
  links: [...document.querySelectorAll('.pv-where a')].map(a => a.textContent),
  merror: document.querySelectorAll('mjx-merror').length,
  math: document.querySelectorAll('mjx-container').length,
  raw: [...document.querySelectorAll('.pv-face')].filter(f => /\\\\[(\\[]/.test(f.textContent)).length,
  fontErrors: [...document.fonts].filter(f => f.status === 'error').map(f => f.family),
  tooWide: [...document.querySelectorAll('.pv-face')]
    .filter(f => f.scrollWidth > f.clientWidth || f.getBoundingClientRect().right > W)
    .map(f => f.closest('.pv-item').dataset.source),
  pageWidth: document.documentElement.scrollWidth,
  // Formulas with a scrollbar (as in Anki desktop, where scrollbars show) that are no wider than their card.
  scrolling: [...document.querySelectorAll('mjx-container')].filter(c => {
    const overflow = getComputedStyle(c).overflowX;
    const card = c.closest('.p2a') || c.closest('.pv-face'), math = c.querySelector('mjx-math');
    const style = getComputedStyle(card);
    const room = card.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return (overflow === 'auto' || overflow === 'scroll') && c.scrollWidth > c.clientWidth + 1
      && math.getBoundingClientRect().width <= room + 1;
  }).map(c => [c.closest('.pv-item').dataset.source, c.textContent.slice(0, 40)]),
  // What sticks out past the screen's right edge and is not inside a box that scrolls or clips it.
  escaping: [...document.querySelectorAll('body *')].filter(e => {
    if (e.getBoundingClientRect().right <= W + 0.5) return false;
    for (let a = e.parentElement; a; a = a.parentElement) {
      const clips = getComputedStyle(a).overflowX !== 'visible';
      if (clips && a.getBoundingClientRect().right <= W + 0.5) return false;
    }
    return true;
  }).map(e => [e.tagName, String(e.className), Math.round(e.getBoundingClientRect().right),
               e.closest('.pv-item') ? e.closest('.pv-item').dataset.source : '', (e.textContent || '').slice(0, 40)]),
}))(375)"""


@needs_chromium
def test_page_in_chromium_typesets_every_card_and_fits_a_phone(tmp_path: Path) -> None:
    # The lists sit in folders with long names and no place to break a line: every card links to its file
    # by its path in the course folder (as its Source field names it), and such a path must wrap, not widen
    # the page.
    deep = tmp_path / "course"
    long = "0123456789abcdef" * 6
    shutil.copytree(SOURCES, deep / f"sources_{long}")
    shutil.copytree(ANSWERS, deep / f"answers_{long}")
    lists = [deep / f"sources_{long}", deep / f"answers_{long}"]
    out = tmp_path / "preview.html"
    result = CliRunner().invoke(main, ["preview", *map(str, lists), "--out", str(out)])
    assert result.exit_code == 0, result.output
    corpus = papers2anki.load(lists)
    expected = [d.fields[-1] for group in drafts_of(corpus.papers, course=deep) for d in group]
    formulas = sum(len(d.formulas) for group in drafts_of(corpus.papers) for d in group)
    assert all(len(source) > 100 for source in expected)
    with Chromium() as browser:
        browser.set_viewport(375, 812)
        browser.open(out.as_uri(), "document.documentElement.dataset.math")
        report = json.loads(browser.evaluate(_CARDS_REPORT))
        requested = browser.requested_urls()
        failed = browser.failed_requests()
    assert report["state"] == "done"
    assert sorted(report["items"]) == sorted(expected) and len(expected) == 69
    assert sorted(report["links"]) == sorted(expected)
    assert report["merror"] == 0
    # Every formula typeset on both sides it appears on: none left as \( or \[ source.
    assert report["math"] >= formulas and report["raw"] == 0
    assert report["fontErrors"] == [] and failed == []
    assert all(url.startswith(tmp_path.as_uri()) for url in requested), requested  # offline: local files only
    assert report["tooWide"] == [] and report["escaping"] == [], report["escaping"]
    assert report["scrolling"] == []
    assert report["pageWidth"] <= 375, report["escaping"]


@needs_chromium
def test_chromium_checks_can_fail_and_toggles_work(tmp_path: Path) -> None:
    """A broken formula shows up as mjx-merror, an unbreakable word as a too-wide card."""
    broken = CardView("question", "\\(\\frac{a}\\)", "x" * 200, "bad.txt:1", "bad.txt")
    fine = CardView("question", '<div class="p2a p2a-front">\\(x\\)</div>', "ok", "ok.txt:1", "ok.txt")
    out = tmp_path / "p.html"
    out.write_text(page_html([DeckView("Papers::Bad", [broken, fine])], "p_files/mathjax"), "utf-8")
    for name, data in mathjax_files("p_files/mathjax").items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    with Chromium() as browser:
        browser.set_viewport(375, 812)
        browser.open(out.as_uri(), "document.documentElement.dataset.math")
        report = json.loads(browser.evaluate(_CARDS_REPORT))
        assert report["merror"] == 1 and report["tooWide"] == ["bad.txt:1"] and report["pageWidth"] > 375
        browser.set_viewport(1200, 800)
        face = "document.querySelector('#card-2 .pv-face')"
        light = browser.evaluate(f"getComputedStyle({face}).backgroundColor")
        wide = browser.evaluate(f"{face}.getBoundingClientRect().width")
        browser.evaluate("document.getElementById('pv-dark').click(); document.getElementById('pv-phone').click()")
        assert browser.evaluate("document.body.className") == "nightMode pv-phone"
        assert browser.evaluate(f"getComputedStyle({face}).backgroundColor") != light
        assert wide > 375 >= browser.evaluate(f"{face}.getBoundingClientRect().width")
