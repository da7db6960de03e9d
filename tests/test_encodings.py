"""Encodings a Russian user's files come in: detected without being named, or named with --encoding."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from click.testing import CliRunner

from papers2anki.api import load
from papers2anki.cli import main
from papers2anki.sources import CYRILLIC_8BIT, decode, find_source_files, is_binary

LIST = "Deep Equilibrium Models\n\n1. Сформулируйте теорему о неявной функции.\n2. Что такое «DEQ»?\n"

# Short Russian texts, the kind that fits in a small question list; each must come back exactly.
SHORT_TEXTS = [
    "Привет",
    "ЭНТРОПИЯ",
    "Вопрос 1. Что такое энтропия?",
    "1. Как задается распределение?",
    "Щука и ёжик",
    "Сформулируйте теорему о неявной функции для двумерного случая.",
    "Title\n\n1. Что такое градиент?\n2. Опишите алгоритм.",
    "Deep Equilibrium Models\n- 4.1. Сформулируйте теорему.",
    "ТЕОРЕМА О НЕЯВНОЙ ФУНКЦИИ",
    "Автор исследования: Цыганов Артем",
]


@pytest.mark.parametrize("encoding", CYRILLIC_8BIT)
@pytest.mark.parametrize("text", SHORT_TEXTS)
def test_short_russian_texts_in_single_byte_code_pages(text: str, encoding: str) -> None:
    decoded, _ = decode(text.encode(encoding), "x.txt")
    assert decoded == text  # capitals alone are the same bytes in cp866 and mac-cyrillic: either is right


def test_single_byte_code_pages_on_every_shipped_line() -> None:
    """Every line of the shipped lists alone, in each code page but Mac's (which shares cp1251's lower case)."""
    lines = {
        line.strip()
        for path in Path(__file__).resolve().parents[1].joinpath("sources").iterdir()
        for line in path.read_text("utf-8").splitlines()
        if any("а" <= c <= "я" for c in line)
    }
    wrong = []
    for encoding in ("cp1251", "koi8-r", "cp866", "iso8859-5"):
        for line in sorted(lines):
            try:
                data = line.encode(encoding)
            except UnicodeEncodeError:
                continue
            if decode(data, "x")[0] != line:
                wrong.append((encoding, line))
    assert len(lines) > 50
    assert wrong == []


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (LIST.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + LIST.encode("utf-8"), "utf-8-sig"),
        (LIST.encode("utf-16"), "utf-16"),  # with the BOM Python writes
        (codecs.BOM_UTF16_BE + LIST.encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF16_LE + LIST.encode("utf-16-le"), "utf-16"),
        (LIST.encode("cp1251"), "cp1251"),
        (LIST.replace("\n", "\r\n").encode("cp1251"), "cp1251"),
        (LIST.replace("\n", "\r").encode("utf-8"), "utf-8"),
    ],
)
def test_lists_in_any_encoding_and_line_end_parse_alike(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(data)
    corpus = load([path])
    assert corpus.problems == []
    assert corpus.sources[str(path)].encoding == encoding
    [paper] = corpus.papers
    assert paper.title == "Deep Equilibrium Models"
    assert [(q.number, q.text, q.location.line, q.location.col) for q in paper.questions] == [
        ("1", "Сформулируйте теорему о неявной функции.", 3, 4),
        ("2", "Что такое «DEQ»?", 4, 4),
    ]


def test_undecodable_file_is_an_error_naming_the_encodings_tried(tmp_path: Path) -> None:
    path = tmp_path / "junk.txt"
    path.write_bytes(bytes(range(0x80, 0x100)) * 4)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{path}:1:1: error: cannot tell the encoding of this file (tried utf-8, utf-16 (with a byte order mark), "
        "cp1251, koi8-r, cp866, mac-cyrillic, iso8859-5); give it with --encoding [encoding]"
    )


def test_bad_utf16_after_a_byte_order_mark_is_located(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "Ab\nc".encode("utf-16-le") + b"\x00\xdc")  # a lone low surrogate
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:2:2: error: the file starts with a utf-16 byte order mark but is not valid utf-16 [encoding]"
        in result.output
    )


def test_encoding_option_overrides_detection(tmp_path: Path) -> None:
    # "он" alone reads as "ПО" in cp1251: only the user can know.
    path = tmp_path / "koi.txt"
    path.write_bytes("Модели\n\n1. Что он делает?\n".encode("koi8-r"))
    assert load([path], encoding="koi8-r").papers[0].questions[0].text == "Что он делает?"
    result = CliRunner().invoke(main, ["check", "--encoding", "koi8-r", str(path)])
    assert result.exit_code == 0, result.output


def test_encoding_option_that_does_not_fit_is_located(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes("Title\n\n1. Что?\n".encode("cp1251"))
    result = CliRunner().invoke(main, ["check", "--encoding", "utf-8", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3:4: error: not valid utf-8: byte 0xd7 (given with --encoding) [encoding]" in result.output


def test_unknown_encoding_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("Title\n\n1. Q?\n", "utf-8")
    result = CliRunner().invoke(main, ["check", "--encoding", "klingon", str(path)])
    assert result.exit_code == 2
    assert "unknown encoding 'klingon'" in result.output


BINARIES = {
    "scan.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "old.zip": b"PK\x03\x04\x14\x00\x00\x00",
    "notes.txt": bytes(range(1, 32)) * 20,  # control bytes without a NUL
    "figure.gif.bak": b"GIF89a\x01\x00\x01\x00",
}
# Images are the lists' to show (`![..](figures/a.png)`): a folder's walk leaves them alone.
IMAGES = {"figure.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "figures/photo.JPG": b"\xff\xd8\xff\xe0"}


def test_binary_files_in_a_sources_folder_are_skipped_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    (folder / "figures").mkdir(parents=True)
    (folder / "list.txt").write_text(LIST, "utf-8")
    for name, data in {**BINARIES, **IMAGES}.items():
        (folder / name).write_bytes(data)
    result = CliRunner().invoke(main, ["check", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{folder / name}:1:1: warning: not a text file (binary content); skipped [binary-file]"
        for name in sorted(BINARIES)
    ] + ["0 errors, 4 warnings"]
    assert all(is_binary(data) for data in BINARIES.values())
    assert not is_binary(LIST.encode("utf-16"))


def test_folder_walk_skips_hidden_files_folders_and_the_lock(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: main\n")
    (tmp_path / ".list.txt.swp").write_text("x")
    (tmp_path / "papers2anki.lock").write_text("{}")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("x")
    (tmp_path / "one.md").write_text("x")
    assert find_source_files([str(tmp_path)]) == [str(tmp_path / "one.md"), str(tmp_path / "b" / "two.txt")]
