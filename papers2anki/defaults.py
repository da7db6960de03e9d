"""The defaults every entry point shares: the library (`load`, `build`, `push`) and the commands."""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_SOURCES = "sources"  #: where the question lists are, when no path is given
DEFAULT_OUT = "decks"  #: the folder for the .apkg files, one per paper
DEFAULT_ROOT = "Papers"  #: the parent deck of every paper's deck
DEFAULT_PREVIEW = "preview.html"  #: the page `preview` writes
DEFAULT_PROFILE = "User 1"  #: the Anki profile `push` imports into when given no collection


def sources_or_default(paths: Iterable[str]) -> list[str]:
    """The paths a command was given, else the default sources folder."""
    return list(paths) or [DEFAULT_SOURCES]
