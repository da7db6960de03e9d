"""Stage 1: read source files of any encoding a Russian user has into text with positions."""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .defaults import DEFAULT_SOURCES
from .media import SUFFIXES as IMAGE_SUFFIXES
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

# How surprising each letter is after the one before it in Russian words (`_` is a word edge), in
# bits: -log2 P(next | previous), counted over 1.8 million letters of Russian software translations.
# Pairs not listed are rarer still. A wrong code page turns Russian into strings of rare pairs.
_PAIR_BITS = {
    1: "ъе я_ й_ ь_ ще х_ ци ши эт фа ю_ че го",
    2: "же по ме за эл юч ст ка пр щи жи ра ы_ да е_ хо ше чи ко де ый ре не ни а_ ющ йл ва жн ен",
    3: (
        "це и_ фо фи в_ ро ль ча но ли м_ ть ло бл зо гр ьз мо во _п ве до ле то на ма ки уд ан бо о_ ер "
        "та т_ ов ьн ют бр у_ ат па _с дл ых ля пе _н ус ол чн зм бы эк ые ща ет те ша вы ны ба жд тр ти "
        "ги _в зн"
    ),
    4: (
        "ца ри ла к_ со бу гу хи ск ис ит шк бк ди жа уе ие г_ га им ыв си ыт чт зд фу ся ал сп ъя _и ия "
        "_о ут од кл йт ос нн ук тс пи _д цы сл ви ц_ з_ ум уп бе йс ми л_ пу ин аз ел ор с_ _к хр ес вл "
        "об от ге ую мы ай р_ зв ем ом ок мя ар се ру зу гн кс ят ым"
    ),
    5: (
        "шн кт ур ав д_ би нт яе сь ог кр тв ку дн фр эш ед ду н_ _у лю зы ир ек вн _з бъ чк _р хе ьк оп "
        "из ыл ьс ке ий мв бщ ущ ам он ии фл бн гл ш_ ун тн кц _т ик ой фе вк ая ил ры ак ул уж _ф зи ч_ "
        "ае ып рн ас ив ха цв сс _б ож уч др щь зя нд ап ыр ву са оз ое ад рж ач _м су ев лн тк ян мм вр"
    ),
    6: (
        "йд шр аб иб п_ яв дд яз эн шо му рт _а цу ык гд лу рм эф ич цо лж ьт эс вс мн ту бц ей ьш нс уг "
        "ег рс ош ац уб оч ид цк дс иц фт б_ ыб ну жу эр ты рв шл фф жк хн мп уз зр пл хв еж ию эм дк зе "
        "ип яю ью _э щу сы дв гм бх ыд аж аг иф ям дп шт _ч уй лы ня гг дж йк иг"
    ),
    7: (
        "ды еп зк кн йн яд рг лч см ыч ез вт рх ыз чо _л ыш иа яя ху лк бс ещ лб пп юб юж э_ ыс нк аю св "
        "ео ря шс _г вв шу уф их ее эг сн жб пы еч иш рр юр нф цп рк рш ж_ ув вм хс яр мб вх ах оо уа _е "
        "ои йо ср ях эй сб сх чу еи ец эп сш"
    ),
    8: (
        "зб еш ящ зл _я оц ио уш пк ф_ еб яц бя шв оя _ц юн лл ья нь нг _ш юю бд вп пн жо шь ьц аш эв ащ "
        "чь чл пт лс мс сч йм гв пц вя тл ау яс зс жс _х ье дм тч юс юд пя дя гс йч кв"
    ),
    9: (
        "ох хм сж пс тм йе мл нз хэ мк эд щ_ рд ьм ех дш яч нц кэ дх рп йв сд ню тп дч вш юк щн кж вд жм "
        "ыг дг фс вщ _ж уэ ух иж еа лг чш нч дз фь хт эз аф гб аи йш рл цс зц бз ял юм"
    ),
    10: (
        "йр фм эх нв ощ гч рь вь юй пь уи еф дт юз ьо фн хл сц тя сг уя эу рб ьб ыж еу чс йц ищ йп рф дц "
        "бб ын кк шм бм йи гх дь нх яй хб хф хх эб уо оф фы фг тб яп тд йя ьг гт гк чж ея юп"
    ),
}
_UNSEEN_BITS = 12
_BITS = {pair.replace("_", " "): bits for bits, pairs in _PAIR_BITS.items() for pair in pairs.split()}
_RUSSIAN = set("абвгдежзийклмнопрстуфхцчшщъыьэюя")
# Punctuation Russian texts use above ASCII cost about what their frequency says; anything else
# non-ASCII that is not a Russian letter (box drawing, ™, Ukrainian letters...) costs much more.
_COMMON_MARKS = set("«»—–№…“”„\u00a0")
_DASHES = set("—–№…")
_MARK_BITS, _ODD_BITS, _CASE_BITS, _CAPS_BITS = 8, 16, 10, 1.5
_ASCII_OR_CYRILLIC = re.compile(r"[\x00-\x7f\u0400-\u04ff]+")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
# Bits per non-ASCII character above which no decoding is Russian: the file is something else.
_MAX_BITS_PER_CHAR = 9.0


# Bytes that `is_binary` does not count as control bytes: all but C0 controls other than \t\n\r\f.
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if not (b < 0x20 and b not in b"\t\n\r\x0c"))


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
    controls: tuple[int, ...] = ()  #: where runs of control characters were replaced by spaces

    def location(self, offset: int) -> Location:
        """The line and column of a character offset into `text`."""
        line = self.text.count("\n", 0, offset) + 1
        col = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return Location(self.path, line, col)


def is_binary(data: bytes) -> bool:
    """Images, PDFs, archives, office files: magic numbers, NUL bytes or mostly control bytes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    head = data[:4096]
    controls = len(head.translate(None, _NOT_CONTROL_BYTES))  # counted in C, not byte by byte in Python
    return data.startswith(_BINARY_MAGIC) or b"\x00" in head or controls > len(head) // 10


def russian_cost(text: str) -> float:
    """How unlike Russian a decoded text is, in bits per non-ASCII character (lower is likelier)."""
    high = sum(1 for c in text if ord(c) >= 0x80)
    if not high:
        return 0.0
    cost = 0.0
    previous = " "
    low = text.lower().replace("ё", "е")
    for i, c in enumerate(low):
        if c in _RUSSIAN:
            cost += _BITS.get(previous + c, _UNSEEN_BITS)
            previous = c
            continue
        if previous != " ":
            cost += _BITS.get(previous + " ", _UNSEEN_BITS)
            previous = " "
        if ord(c) >= 0x80:
            glued = c in _DASHES and low[i + 1 : i + 2] in _RUSSIAN  # `—формула`: a capital letter misread
            cost += _MARK_BITS if c in _COMMON_MARKS and not glued else _ODD_BITS
    for word in _CYRILLIC_WORD.findall(text):
        if not (word.islower() or word.isupper() or word[1:].islower()):
            cost += _CASE_BITS  # `дБ`, `щмРП`: a code page that swaps cases
        elif len(word) > 1 and word.isupper():
            cost += _CAPS_BITS * len(word)  # fewer words are in capitals than in lower case
    return cost / high


def _looks_misdecoded(text: str) -> bool:
    """Valid UTF-8 by accident: unassigned code points or C1 controls, which no one types."""
    # ASCII and the Cyrillic block (all assigned) are most of a list: removed in C, the few other
    # characters are each looked at once.
    rest = _ASCII_OR_CYRILLIC.sub("", text)
    return any(0x80 <= ord(c) < 0xA0 or unicodedata.category(c) == "Cn" for c in set(rest))


def decode(data: bytes, path: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes, detecting UTF-8 (with or without BOM), UTF-16 (BOM) and Cyrillic code pages."""
    loc = Location(path, 1, 1)
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise SourceError(loc, f"unknown encoding '{encoding}' (given with --encoding)", "encoding") from None
        except UnicodeDecodeError as exc:
            where = _byte_location(data, exc.start, path, encoding)
            raise SourceError(
                where, f"not valid {encoding}: byte 0x{data[exc.start]:02x} (given with --encoding)", "encoding"
            ) from None
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                where = _byte_location(data, exc.start, path, name)
                raise SourceError(
                    where, f"the file starts with a {name} byte order mark but is not valid {name}", "encoding"
                ) from None
    utf8: str | None = None
    try:
        utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if utf8 is not None and not _looks_misdecoded(utf8):
        return utf8, "utf-8"
    best: tuple[float, str, str] | None = None
    for name in CYRILLIC_8BIT:  # most likely first: a tie goes to the earlier one
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        cost = russian_cost(text)
        if best is None or cost < best[0]:
            best = (cost, name, text)
    if best is not None and best[0] <= _MAX_BITS_PER_CHAR:
        return best[2], best[1]
    if utf8 is not None:
        return utf8, "utf-8"
    tried = ", ".join(("utf-8", "utf-16 (with a byte order mark)") + CYRILLIC_8BIT)
    raise SourceError(
        loc, f"cannot tell the encoding of this file (tried {tried}); give it with --encoding", "encoding"
    )


def _byte_location(data: bytes, offset: int, path: str, encoding: str) -> Location:
    """The line and column (in characters) of the byte where decoding failed."""
    head = data[:offset].decode(encoding, "replace")
    line = head.count("\n") + 1
    return Location(path, line, len(head) - (head.rfind("\n") + 1) + 1)


# Control characters, and the private-use characters parse and render mark formulas with (a list holding
# them would have its text taken for a formula, or crash the renderer).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ue000-\ue002]+")
_RESERVED = re.compile(r"[\ue000-\ue002]")


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Encodings that decode bytes below 0x80 as ASCII and nothing else to a control character.
_ASCII_CONTROLS = frozenset(("utf-8", "utf-8-sig", *CYRILLIC_8BIT))
# Bytes that cannot become one of _CONTROL's characters (\r becomes \n): deleted, nothing may be left.
_NEVER_CONTROL = bytes(b for b in range(256) if not _CONTROL.fullmatch(normalise_newlines(chr(b))))


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
    text = normalise_newlines(text)
    # Control characters are invisible, and U+001F is Anki's field separator: spaces keep the columns.
    controls = _control_offsets(text, data, used)
    spaced = _CONTROL.sub(lambda m: " " * len(m.group()), text) if controls else text
    return Source(shown, spaced, used, controls)


def _control_offsets(text: str, data: bytes, encoding: str) -> tuple[int, ...]:
    """Where runs of control characters start in the (newline-normalised) text."""
    # In these encodings a control character is a control byte: none in the bytes, no scan of the text.
    if encoding in _ASCII_CONTROLS and not data.translate(None, _NEVER_CONTROL) and not _RESERVED.search(text):
        return ()
    return tuple(m.start() for m in _CONTROL.finditer(text))


class NoSources(ValueError):
    """No question list where the sources were looked for: a missing path, or a folder with none in it. A
    usage error (the commands exit 2), raised before anything is read or written."""


def find_source_files(paths: list[str]) -> list[str]:
    """Expand folders into their question-list files, sorted (images left out); files given by name are
    kept as they are. Raises `NoSources` for a path that does not exist and for a folder that holds no
    list: no file but hidden ones, locks and images. (A file is not read here: a build with nothing to do
    reads none; a folder of PDFs is found out when read: see `held.no_lists`.)"""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            inside = files_in(path)
            if not inside:
                raise NoSources(_nothing_in(path))
            found.extend(inside)
        elif os.path.lexists(path):
            found.append(path)
        else:
            raise NoSources(_missing(path))
    return found


def files_in(folder: str, skip: str | None = None) -> list[str]:
    """The files a build of `folder` reads as lists, sorted (hidden ones, locks and images left out);
    nothing of the folder `skip` (a build's own output folder) and below."""
    found = []
    skipped = os.path.abspath(skip) if skip is not None else None
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if skipped is not None:
            dirs[:] = [d for d in dirs if os.path.abspath(os.path.join(root, d)) != skipped]
        for name in sorted(files):
            if name.startswith(".") or name.endswith(".lock"):
                continue  # editors' and git's hidden files, the lock beside the lists
            if name.lower().endswith(IMAGE_SUFFIXES):
                continue  # the lists' images: read when a list shows them (see `media`)
            found.append(os.path.join(root, name))
    return found


def _missing(path: str) -> str:
    if os.path.isabs(path):
        return f"no question lists: '{path}' does not exist"
    default = " (the folder read when no SOURCES are given)" if path == DEFAULT_SOURCES else ""
    return f"no question lists: there is no '{path}'{default} in {os.path.abspath(os.curdir)}"


def _nothing_in(path: str) -> str:
    where = "" if os.path.isabs(path) else f" ({os.path.abspath(path)})"
    return (
        f"no question lists in '{path}'{where}: no file in it or its subfolders "
        "(hidden files, *.lock and images are not read as lists)"
    )


def course_folder(lock_file: str | os.PathLike[str]) -> str:
    """The course folder: the folder above the one that holds the lock (`sources/papers2anki.lock` is in
    `sources/`, so the course is the folder that holds `sources/`). Cards name their source files from
    there (`course_paths`)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(lock_file)))


def course_paths(files: Iterable[str], course: str | os.PathLike[str] = os.curdir) -> dict[str, str]:
    """Each file as cards show it, whatever the working folder and however the file was named (relative,
    absolute, through a symbolic link to a folder): its path from `course`, with `/` between folders on
    every system. A file outside the course folder is shown by its name alone: where it lies on this
    machine is nobody else's business, and it is the same wherever the course is cloned."""
    base = os.path.realpath(course)
    folders: dict[str, str] = {}
    out: dict[str, str] = {}
    for path in files:
        if path in out:
            continue
        if not path:
            out[path] = path
            continue
        folder, name = os.path.split(os.path.abspath(path))
        if folder not in folders:
            folders[folder] = os.path.realpath(folder)
        try:
            shown = os.path.relpath(os.path.join(folders[folder], name), base)
        except ValueError:  # another drive (Windows)
            shown = os.pardir
        outside = shown == os.pardir or shown.startswith(os.pardir + os.sep)
        out[path] = name if outside else shown.replace(os.sep, "/")
    return out
