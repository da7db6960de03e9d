"""Images in the lists: found inside the sources folder, known by their bytes, named by their content.

A Markdown image `![alt](figures/a.png)` names a file relative to its list's file. It is used only
when that file lies inside the list's sources folder (the folder given to `load`; for a file given by
name, its own folder), with no `..`, absolute path or symbolic link leading out, and when its first
bytes are those of a PNG, JPEG, GIF, WebP or SVG image. Its name in a package is the SHA-256 of its
bytes with the extension of its kind: the same image under two paths is one file, two images never
share a name, and a changed image is a new name (so its note changes and Anki updates it).

Every image a note refers to is recorded on it (`Image`) with a digest of what was found (`seen`):
a build knows its images are unchanged by comparing those digests (`current`), as it knows its lists by
theirs.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: The image kinds a card may show: the name's extension, and the first bytes of such a file.
KINDS: tuple[tuple[str, tuple[bytes, ...]], ...] = (
    ("png", (b"\x89PNG\r\n\x1a\n",)),
    ("jpg", (b"\xff\xd8\xff",)),
    ("gif", (b"GIF87a", b"GIF89a")),
)
#: File names a sources folder's walk leaves to the lists that show them (not read as lists).
SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")

_SVG = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]", re.S | re.I)
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.I)  # `data:`, `file:`, `C:`: nothing a sources folder holds


def image_kind(data: bytes) -> str | None:
    """The extension of the image kind these bytes start like, or None when they are no image we show."""
    for ext, magics in KINDS:
        if data.startswith(magics):
            return ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if _SVG.match(data[:4096]):
        return "svg"
    return None


@dataclass(frozen=True, slots=True)
class Image:
    """An image a note's Markdown refers to, as the build found it."""

    url: str  #: as written in the list
    path: str  #: the file it names (joined to the list's folder); "" when that is outside the sources folder
    seen: str  #: a digest of what was there (where it leads, its bytes), to tell when it changed
    name: str  #: its file name in the package ("<sha256>.<ext>"); "" when the card goes without it
    rule: str = ""  #: why it is left out: "missing-image", "not-an-image" or "image-outside"
    message: str = ""


def seen_at(path: str) -> tuple[str, bytes | None]:
    """What a path leads to now: its real path and bytes (None: no file to read), and a digest of both."""
    real = os.path.realpath(path)
    try:
        with open(path, "rb") as f:
            data: bytes | None = f.read()
    except OSError:
        data = None
    h = hashlib.sha256(real.encode("utf-8", "surrogateescape"))
    h.update(b"-" if data is None else b"+" + hashlib.sha256(data).digest())
    return h.hexdigest(), data


def current(images: Iterable[tuple[str, str]]) -> bool:
    """Whether every (path, seen) still leads to what it did."""
    return all(not path or seen_at(path)[0] == seen for path, seen in images)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class Finder:
    """Finds the images of list files in their sources folders; each file is read once per finder."""

    def __init__(self, roots: Sequence[str] = ()) -> None:
        #: The sources folders, absolute; a list file outside all of them has its own folder as its root.
        self.roots = sorted({os.path.abspath(r) for r in roots}, key=len, reverse=True)
        self._found: dict[tuple[str, str], Image] = {}

    def root_of(self, list_file: str) -> str:
        here = os.path.abspath(list_file)
        for root in self.roots:
            if _inside(here, root):
                return root
        return os.path.dirname(here)

    def find(self, url: str, list_file: str) -> Image:
        key = (url, list_file)
        if key not in self._found:
            self._found[key] = self._find(url, list_file)
        return self._found[key]

    def _find(self, url: str, list_file: str) -> Image:
        root = self.root_of(list_file)
        shown = url if len(url) <= 80 else url[:79] + "…"
        outside = Image(
            url, "", "", "", "image-outside", f"image '{shown}' is not a file inside the sources folder {root}"
        )
        if not url.strip() or _SCHEME.match(url) or os.path.isabs(url) or url.startswith(("/", "\\")):
            return outside
        here = os.path.dirname(os.path.abspath(list_file))
        path = os.path.normpath(os.path.join(here, url))
        if not _inside(path, root):
            return outside  # `..` past the sources folder
        seen, data = seen_at(path)
        if not _inside(os.path.realpath(path), os.path.realpath(root)):
            return Image(url, path, seen, "", "image-outside", f"image '{shown}' leads outside the sources folder")
        if data is None:
            what = "is a folder" if os.path.isdir(path) else "does not exist"
            rule = "not-an-image" if os.path.isdir(path) else "missing-image"
            return Image(url, path, seen, "", rule, f"image '{shown}' {what} (the card shows its alt text)")
        kind = image_kind(data)
        if kind is None:
            message = f"image '{shown}' is not a PNG, JPEG, GIF, WebP or SVG file (the card shows its alt text)"
            return Image(url, path, seen, "", "not-an-image", message)
        return Image(url, path, seen, f"{hashlib.sha256(data).hexdigest()}.{kind}")


def media_bytes(name: str, path: str) -> bytes:
    """The bytes of a packaged image, which must still be those its name was made from."""
    with open(path, "rb") as f:
        data = f.read()
    if not name.startswith(hashlib.sha256(data).hexdigest() + "."):
        raise OSError(f"{path}: the image changed during the build; build again")
    return data
