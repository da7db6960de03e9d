"""Build one deck per paper through the Python API, as `papers2anki build` does.

python examples/build_decks.py [SOURCES_DIR] [OUT_DIR]
"""

from __future__ import annotations

import sys

import papers2anki


def main(sources: str = "sources", out: str = "decks") -> None:
    corpus = papers2anki.load([sources])
    for problem in corpus.problems:
        print(problem, file=sys.stderr)
    report = papers2anki.build(corpus, out)
    for deck in report.decks:
        print(f"{deck.file}: {deck.name} ({deck.new} new, {deck.changed} changed, {deck.unchanged} unchanged)")
    print(f"{report.papers} papers, {report.questions} questions, {report.formulas} formulas")


if __name__ == "__main__":
    main(*sys.argv[1:3])
