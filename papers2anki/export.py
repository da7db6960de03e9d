"""Records as JSON-ready data, for `papers2anki parse --json` and scripts."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .records import Location, Paper

if TYPE_CHECKING:
    from .api import Corpus


def _loc(location: Location | None) -> dict[str, Any] | None:
    return asdict(location) if location else None


def paper_json(paper: Paper) -> dict[str, Any]:
    return {
        "title": paper.title,
        "location": _loc(paper.location),
        "questions": [
            {"number": q.number, "text": q.text, "answer": q.answer, "location": _loc(q.location)}
            for q in paper.questions
        ],
        "review": None
        if paper.review is None
        else {
            "title": paper.review.title,
            "authors": paper.review.authors,
            "reviewer": paper.review.reviewer,
            "text": paper.review.text,
            "location": _loc(paper.review.location),
        },
    }


def corpus_json(corpus: Corpus) -> dict[str, Any]:
    return {"papers": [paper_json(p) for p in corpus.papers]}
