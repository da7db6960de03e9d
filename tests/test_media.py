"""Images, tables and code in answers (issue 14): built from real lists, imported with the real Anki backend.

The fixture `tests/fixtures/media/` is a list of Russian ML questions with a PNG in an answer, an SVG in a
question, tables and a code block; the tests here copy it, edit the copy and its images, and build it
through the CLI or the public API.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, import_packages

import papers2anki
from papers2anki.cli import main

MEDIA = FIXTURES / "media"
ATTENTION = (MEDIA / "figures" / "attention.png").read_bytes()
LAYERS = (MEDIA / "figures" / "layers.svg").read_bytes()
STYLE = re.compile(r"^<style>.*?</style>", re.S)


def png(color: tuple[int, int, int], width: int = 3, height: int = 2) -> bytes:
    """A real PNG of one colour."""
    raw = b"".join(b"\x00" + bytes(color) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def media_name(data: bytes, ext: str) -> str:
    return f"{hashlib.sha256(data).hexdigest()}.{ext}"


def cli(*args: str, epoch: int = 1_700_000_000) -> str:
    result = CliRunner(env={"SOURCE_DATE_EPOCH": str(epoch)}).invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def build(sources: Path, out: Path, epoch: int = 1_700_000_000) -> str:
    return cli("build", str(sources), "--out", str(out), "--lock", str(out.parent / "test.lock"), epoch=epoch)


@pytest.fixture
def media_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "sources"
    shutil.copytree(MEDIA, dest)
    return dest


def notes(col, search: str = "deck:Papers::Attention*") -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The notes of a deck by their number."""
    return {col.get_note(nid)["Number"]: col.get_note(nid) for nid in col.find_notes(search)}


def test_images_are_packaged_by_content_and_shown_in_anki(media_copy: Path, tmp_path: Path, collection) -> None:
    out = tmp_path / "decks"
    output = build(media_copy, out)
    assert "0 warnings" in output
    (deck,) = out.glob("*.apkg")
    png_name, svg_name = media_name(ATTENTION, "png"), media_name(LAYERS, "svg")
    with zipfile.ZipFile(deck) as zf:
        index = {v: k for k, v in json.loads(zf.read("media")).items()}
        assert set(index) == {png_name, svg_name}
        assert zf.read(index[png_name]) == ATTENTION
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in zf.infolist())

    import_packages(collection, [deck])
    folder = Path(collection.media.dir())
    assert (folder / png_name).read_bytes() == ATTENTION
    assert (folder / svg_name).read_bytes() == LAYERS
    by_number = notes(collection)
    assert f'<img src="{png_name}" alt="Схема внимания: Q, K, V, softmax, выход">' in by_number["1"]["Answer"]
    assert by_number["4"]["Question"].endswith(f'<img src="{svg_name}" alt="Слой кодировщика">')
    # A remote image stays a link: the card works offline.
    assert '<a href="https://arxiv.org/abs/1706.03762">рисунок из статьи</a>' in by_number["5"]["Answer"]
    card = by_number["1"].cards()[0]
    assert f'<img src="{png_name}"' in card.answer()
    assert collection.media.check().missing == []


def test_same_sources_give_byte_identical_packages_with_images(media_copy: Path, tmp_path: Path) -> None:
    (media_copy / "figures" / "again.png").write_bytes(ATTENTION)  # the same image under another path
    list_file = media_copy / "transformer.md"
    list_file.write_text(
        list_file.read_text("utf-8") + "6. Что здесь изображено?\n\n   ![ещё раз](figures/again.png)\n", "utf-8"
    )
    first, second = tmp_path / "one", tmp_path / "two"
    cli("build", str(media_copy), "--out", str(first), "--lock", str(tmp_path / "one.lock"))
    cli("build", str(media_copy), "--out", str(second), "--lock", str(tmp_path / "two.lock"))
    (a,) = first.glob("*.apkg")
    (b,) = second.glob("*.apkg")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        assert sorted(zf.namelist()) == ["0", "1", "collection.anki2", "media"]  # one file for the same image


def test_images_that_cannot_be_used_are_located_warnings(media_copy: Path, tmp_path: Path, collection) -> None:
    (tmp_path / "secret.png").write_bytes(png((1, 2, 3)))
    (media_copy / "figures" / "link.png").symlink_to(tmp_path / "secret.png")
    (media_copy / "figures" / "text.png").write_text("не картинка", "utf-8")
    (media_copy / "bad.md").write_text(
        "Плохие картинки\n"
        "\n"
        "1. Нет файла? ![нет](figures/missing.png)\n"
        "2. Не картинка? ![текст](figures/text.png)\n"
        "3. Снаружи? ![выше](../secret.png)\n"
        "4. Ссылка наружу? ![ссылка](figures/link.png)\n"
        f"5. Абсолютный путь? ![абс]({tmp_path / 'secret.png'})\n",
        "utf-8",
    )
    result = CliRunner().invoke(main, ["check", str(media_copy)])
    assert result.exit_code == 0, result.output
    bad = media_copy / "bad.md"
    text = bad.read_text("utf-8").split("\n")

    def at(line: int, url: str) -> str:  # where the warning points: the image's address
        return f"{bad}:{line}:{text[line - 1].index(url) + 1}"

    outside = f"is not a file inside the sources folder {media_copy} [image-outside]"
    secret = str(tmp_path / "secret.png")
    lines = result.output.splitlines()
    assert lines[:5] == [
        f"{at(3, 'figures/missing.png')}: warning: image 'figures/missing.png' does not exist "
        "(the card shows its alt text) [missing-image]",
        f"{at(4, 'figures/text.png')}: warning: image 'figures/text.png' is not a PNG, JPEG, GIF, WebP or SVG file "
        "(the card shows its alt text) [not-an-image]",
        f"{at(5, '../secret.png')}: warning: image '../secret.png' {outside}",
        f"{at(6, 'figures/link.png')}: warning: image 'figures/link.png' leads outside the sources folder "
        "[image-outside]",
        f"{at(7, secret)}: warning: image '{secret}' {outside}",
    ]
    assert lines[5:] == ["0 errors, 5 warnings"]  # and no binary-file warning for the images in the folder

    out = tmp_path / "decks"
    build(media_copy, out)
    import_packages(collection, sorted(out.glob("*.apkg")))
    questions = {n["Question"] for n in (collection.get_note(i) for i in collection.find_notes("deck:*Плохие*"))}
    assert questions == {
        "Нет файла? нет",
        "Не картинка? текст",
        "Снаружи? выше",
        "Ссылка наружу? ссылка",
        "Абсолютный путь? абс",
    }
    assert sorted(os.listdir(collection.media.dir())) == sorted(
        [media_name(ATTENTION, "png"), media_name(LAYERS, "svg")]
    )


def test_a_changed_image_rebuilds_its_deck_and_anki_updates_it(media_copy: Path, tmp_path: Path, collection) -> None:
    out = tmp_path / "decks"
    (media_copy / "other.md").write_text("Без картинок\n\n1. Что такое BERT?\n", "utf-8")
    build(media_copy, out, epoch=1_700_000_000)
    import_packages(collection, sorted(out.glob("*.apkg")))
    before = {p.name: p.read_bytes() for p in out.glob("*.apkg")}

    assert "nothing changed, no file rewritten" in build(media_copy, out, epoch=1_700_000_100)

    new = png((200, 30, 30), 5, 5)
    (media_copy / "figures" / "attention.png").write_bytes(new)
    output = build(media_copy, out, epoch=1_700_000_200)
    assert "Papers::Attention Is All You Need: 0 new, 1 changed, 4 unchanged, 0 removed" in output
    assert "1 deck file written" in output
    after = {p.name: p.read_bytes() for p in out.glob("*.apkg")}
    assert after["bez-kartinok.apkg"] == before["bez-kartinok.apkg"]
    assert after["attention-is-all-you-need.apkg"] != before["attention-is-all-you-need.apkg"]

    (log,) = import_packages(collection, [out / "attention-is-all-you-need.apkg"])
    assert len(log.updated) == 1 and not log.new
    assert (Path(collection.media.dir()) / media_name(new, "png")).read_bytes() == new
    assert f'<img src="{media_name(new, "png")}"' in notes(collection)["1"]["Answer"]
    assert "nothing changed, no file rewritten" in build(media_copy, out, epoch=1_700_000_300)

    # An image that was missing and then appears is seen too.
    (media_copy / "other.md").write_text("Без картинок\n\n1. Что такое BERT? ![BERT](figures/bert.png)\n", "utf-8")
    assert "[missing-image]" in build(media_copy, out, epoch=1_700_000_400)
    (media_copy / "figures" / "bert.png").write_bytes(png((0, 0, 255)))
    output = build(media_copy, out, epoch=1_700_000_500)
    assert "missing-image" not in output and "Papers::Без картинок: 0 new, 1 changed" in output


def test_an_image_added_by_an_edit_goes_into_the_package(media_copy: Path, tmp_path: Path) -> None:
    """A rebuild after one list changed, where the last build showed no image."""
    out = tmp_path / "decks"
    plain = media_copy / "plain.md"
    plain.write_text("Без картинок\n\n1. Что такое BERT?\n2. Что такое GPT?\n", "utf-8")
    (media_copy / "transformer.md").unlink()
    build(media_copy, out)
    (media_copy / "figures" / "bert.png").write_bytes(png((0, 0, 255)))
    plain.write_text("Без картинок\n\n1. Что такое BERT?\n\n   ![BERT](figures/bert.png)\n2. Что такое GPT?\n", "utf-8")
    build(media_copy, out, epoch=1_700_000_100)
    with zipfile.ZipFile(out / "bez-kartinok.apkg") as zf:
        assert zf.read("0") == png((0, 0, 255))


def test_an_item_that_is_only_an_image_asks_its_alt_text(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "a.png").write_bytes(png((9, 9, 9)))
    (folder / "list.md").write_text("Картинки\n\n1. ![Что показано на схеме внимания?](a.png)\n", "utf-8")
    corpus = papers2anki.load([folder])
    (paper,) = corpus.papers
    assert [q.text for q in paper.questions] == ["Что показано на схеме внимания?"]
    assert papers2anki.check(corpus) == []


def test_tables_and_code_in_answers_render_in_anki(media_copy: Path, tmp_path: Path, collection) -> None:
    out = tmp_path / "decks"
    papers2anki.build(papers2anki.load([media_copy]), out, lock_path=tmp_path / "test.lock")
    import_packages(collection, sorted(out.glob("*.apkg")))
    by_number = notes(collection)
    table = by_number["2"]["Answer"]
    assert table.startswith('<div class="p2a-table"><table>\n<thead>\n<tr>\n  <th>Тип слоя</th>')
    assert "<td>Self-attention</td>\n  <td>\\(O(n^2 \\cdot d)\\)</td>" in table
    assert table.endswith("</tbody>\n</table></div>")
    assert '<div class="p2a-table"><table>' in by_number["5"]["Answer"]  # a table after a paragraph
    code = by_number["3"]["Answer"]
    assert code.startswith('<pre><code class="language-python">import torch\n')
    assert "scores.masked_fill(mask == 0, float(&quot;-inf&quot;))" in code
    back = STYLE.sub("", by_number["2"].cards()[0].answer())
    assert '<div class="p2a-answer"><div class="p2a-table"><table>' in back
    css = by_number["2"].note_type()["css"]
    assert re.search(r"\.p2a-table \{[^}]*overflow-x: auto", css)
    assert re.search(r"\.p2a pre \{[^}]*overflow-x: auto[^}]*white-space: pre;", css, re.S)
    assert re.search(r"\.p2a img \{[^}]*max-width: 100%", css)


def test_a_table_right_under_a_numbered_question_is_its_answer(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "list.md").write_text(
        "Таблицы\n\n1. Сравните модели.\n   | Модель | Слоёв |\n   |---|---|\n   | BERT | 12 |\n", "utf-8"
    )
    (paper,) = papers2anki.load([folder]).papers
    assert [(q.text, q.answer) for q in paper.questions] == [
        ("Сравните модели.", "| Модель | Слоёв |\n|---|---|\n| BERT | 12 |")
    ]


def test_preview_shows_the_images_from_beside_the_page(media_copy: Path, tmp_path: Path) -> None:
    page = tmp_path / "page" / "preview.html"
    cli("preview", str(media_copy), "--out", str(page))
    text = page.read_text("utf-8")
    png_name = media_name(ATTENTION, "png")
    assert f'<img src="preview_files/media/{png_name}"' in text
    assert (page.parent / "preview_files" / "media" / png_name).read_bytes() == ATTENTION


def test_an_images_alt_text_stays_inside_its_attribute(media_copy: Path, tmp_path: Path, collection) -> None:
    from test_bad_input import markup_problems

    (media_copy / "alt.md").write_text(
        "Подписи\n\n"
        '1. Что на схеме?\n\n   ![a" onerror="alert(1)" x="<b>жирный</b> $\\text{"}$](figures/attention.png)\n',
        "utf-8",
    )
    out = tmp_path / "decks"
    build(media_copy, out)
    import_packages(collection, [out / "podpisi.apkg"])
    (answer,) = [n["Answer"] for n in notes(collection, "deck:Papers::Подписи").values()]
    assert markup_problems(answer) == []
    assert answer == (
        f'<p><img src="{media_name(ATTENTION, "png")}" '
        'alt="a&quot; onerror=&quot;alert(1)&quot; x=&quot;&lt;b&gt;жирный&lt;/b&gt; $\\text{&quot;}$"></p>'
    )


_PHONE_REPORT = """JSON.stringify({
  images: [...document.querySelectorAll('.pv-face img')].map(i => [i.complete && i.naturalWidth > 0,
    Math.round(i.getBoundingClientRect().right)]),
  tables: [...document.querySelectorAll('.pv-face .p2a-table')].map(t => [getComputedStyle(t).overflowX,
    t.scrollWidth > t.clientWidth, Math.round(t.getBoundingClientRect().right)]),
  code: [...document.querySelectorAll('.pv-face pre')].map(p => [getComputedStyle(p).overflowX,
    p.scrollWidth > p.clientWidth, Math.round(p.getBoundingClientRect().right)]),
})"""


def test_images_tables_and_code_fit_a_phone_in_chromium(media_copy: Path, tmp_path: Path) -> None:
    """The preview (the cards' own templates and CSS) at 375 px: images load and fit, the wide table and the
    long code lines scroll inside their own boxes, nothing widens the page."""
    from test_preview import _CARDS_REPORT, Chromium, needs_chromium

    if needs_chromium.args[0]:
        pytest.skip(needs_chromium.kwargs["reason"])
    out = tmp_path / "preview.html"
    cli("preview", str(media_copy), "--out", str(out))
    with Chromium() as browser:
        browser.set_viewport(375, 812)
        browser.open(out.as_uri(), "document.documentElement.dataset.math")
        report = json.loads(browser.evaluate(_CARDS_REPORT))
        phone = json.loads(browser.evaluate(_PHONE_REPORT))
    assert report["state"] == "done" and report["merror"] == 0 and report["raw"] == 0
    assert report["tooWide"] == [] and report["escaping"] == [] and report["pageWidth"] <= 375
    # The PNG in answer 1 (back) and the SVG in question 4 (front and back), loaded, within the screen.
    assert len(phone["images"]) == 3 and all(loaded and right <= 375 for loaded, right in phone["images"])
    # Tables of answers 2 and 5; code of answer 3: each scrolls in its own box, the wide ones do.
    assert [t[0] for t in phone["tables"]] == ["auto", "auto"] and phone["tables"][0][1]
    assert all(right <= 375 for _, _, right in phone["tables"])
    assert phone["code"] == [["auto", True, phone["code"][0][2]]] and phone["code"][0][2] <= 375


def test_one_package_for_all_papers_carries_every_image(media_copy: Path, tmp_path: Path, collection) -> None:
    (media_copy / "figures" / "bert.png").write_bytes(png((0, 0, 255)))
    (media_copy / "bert.md").write_text("BERT\n\n1. Как маскируют токены?\n\n   ![маска](figures/bert.png)\n", "utf-8")
    single = tmp_path / "all.apkg"
    cli("build", str(media_copy), "--single", str(single), "--lock", str(tmp_path / "test.lock"))
    import_packages(collection, [single])
    names = {media_name(ATTENTION, "png"), media_name(LAYERS, "svg"), media_name(png((0, 0, 255)), "png")}
    assert set(os.listdir(collection.media.dir())) == names
    assert collection.media.check().missing == [] and collection.media.check().unused == []


def test_a_list_given_by_name_finds_images_in_its_own_folder(tmp_path: Path) -> None:
    folder = tmp_path / "course" / "lists"
    (folder / "figures").mkdir(parents=True)
    (folder / "figures" / "a.png").write_bytes(png((5, 5, 5)))
    (tmp_path / "course" / "b.png").write_bytes(png((6, 6, 6)))
    (folder / "list.md").write_text(
        "Картинки\n\n1. Рядом? ![рядом](figures/a.png)\n2. Выше? ![выше](../b.png)\n", "utf-8"
    )
    result = CliRunner().invoke(main, ["check", str(folder / "list.md")])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"{folder / 'list.md'}:4:18: warning: image '../b.png' is not a file inside the sources folder {folder} "
        "[image-outside]",
        "0 errors, 1 warning",
    ]
