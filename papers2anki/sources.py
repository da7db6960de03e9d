"""Stage 1: read source files of any encoding a Russian user has into text with positions."""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path

from .records import Location, Problem

SOURCE_SUFFIXES = (".txt", ".md", ".markdown", ".text")

# Single-byte Cyrillic encodings a Russian file may come in, most likely first.
CYRILLIC_8BIT = ("cp1251", "koi8-r", "cp866", "mac-cyrillic", "iso8859-5")

# Magic numbers of files that are certainly not question lists.
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\xd0\xcf\x11\xe0",  # old MS Office
    b"SQLite format 3",
)

# The most frequent Russian letters; a right decoding of Russian text is full of them.
_FREQUENT = set("оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё")


class SourceError(Exception):
    """A source that cannot be read at all; carries a location for the message."""

    def __init__(self, location: Location, message: str, rule: str = "unreadable") -> None:
        super().__init__(f"{location}: error: {message}")
        self.problem = Problem(location, "error", message, rule)


@dataclass(frozen=True, slots=True)
class Source:
    """The decoded text of one file, with `\\n` line ends."""

    path: str  #: as shown in messages (relative when the user gave it so)
    text: str
    encoding: str  #: the encoding it was decoded from

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def location(self, offset: int) -> Location:
        """The line and column of a character offset into `text`."""
        line = self.text.count("\n", 0, offset) + 1
        col = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return Location(self.path, line, col)


def is_binary(data: bytes) -> bool:
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return False
    return data.startswith(_BINARY_MAGIC) or b"\x00" in data[:4096]


def _plausibility(text: str) -> float:
    """How much a decoding looks like Russian prose: frequent letters minus oddities."""
    letters = [c for c in text.lower() if c.isalpha()]
    if not letters:
        return 0.0
    frequent = sum(c in _FREQUENT for c in letters)
    odd = sum(1 for c in text if (ord(c) < 32 and c not in "\n\r\t") or 0x80 <= ord(c) < 0xA0)
    upper_cyr = sum(1 for c in text if "А" <= c <= "Я")
    lower_cyr = sum(1 for c in text if "а" <= c <= "я")
    # Wrong code pages swap cases: real Russian has far more lower- than upper-case letters.
    case_penalty = max(0, upper_cyr - lower_cyr)
    return (frequent - 5 * odd - case_penalty) / len(letters)


def decode(data: bytes, path: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes, detecting UTF-8 (with or without BOM), UTF-16 (BOM) and Cyrillic code pages."""
    loc = Location(path, 1, 1)
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceError(loc, f"cannot decode as {encoding}: {exc}", "encoding") from None
    if data.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8",)
    for name in candidates:
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            pass
    if candidates != ("utf-8",):
        raise SourceError(
            loc, f"the file starts with a {candidates[0]} mark but is not valid {candidates[0]}", "encoding"
        )
    best: tuple[float, str, str] | None = None
    for name in CYRILLIC_8BIT:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, name, text)
    if best is None or best[0] < 0.3:
        tried = ", ".join(("utf-8", "utf-16 (with BOM)") + CYRILLIC_8BIT)
        raise SourceError(
            loc, f"cannot tell the encoding of this file (tried {tried}); give it with --encoding", "encoding"
        )
    return best[2], best[1]


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_source(path: str | os.PathLike[str], encoding: str | None = None) -> Source:
    """Read one file into a `Source`; raises `SourceError` with a location when it cannot."""
    shown = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SourceError(Location(shown, 1, 1), f"cannot read: {exc.strerror or exc}", "unreadable") from None
    if is_binary(data):
        raise SourceError(Location(shown, 1, 1), "not a text file (binary content); skipped", "binary-file")
    text, used = decode(data, shown, encoding)
    return Source(shown, normalise_newlines(text), used)


def find_source_files(paths: list[str]) -> list[str]:
    """Expand folders into their question-list files, sorted; files given by name are kept as they are."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    found.append(os.path.join(root, name))
        else:
            found.append(path)
    return found
