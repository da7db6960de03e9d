"""papers2anki: course question lists about research papers become Anki decks, one per paper.

    import papers2anki
    corpus = papers2anki.load(["sources"])
    report = papers2anki.build(corpus, "decks")

Names are imported on first use, so that `papers2anki --help` starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "BuildReport": "api",
    "Corpus": "api",
    "DeckReport": "api",
    "build": "api",
    "check": "api",
    "load": "api",
    "push": "push_to_anki",
    "Location": "records",
    "Paper": "records",
    "Problem": "records",
    "Question": "records",
    "Review": "records",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .api import BuildReport, Corpus, DeckReport, build, check, load
    from .records import Location, Paper, Problem, Question, Review


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'papers2anki' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
