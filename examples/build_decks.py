"""Build one deck per paper through the Python API, as `papers2anki build` does.

python examples/build_decks.py [SOURCES_DIR] [OUT_DIR]

A paper with errors in the lists is held back (its previous deck file and its notes in the lock stay as
they were) and the others are built; the script then exits 1, as `papers2anki build` does.
"""

from __future__ import annotations

import sys

import papers2anki


def main(sources: str = "sources", out: str = "decks") -> int:
    corpus = papers2anki.load([sources])
    report = papers2anki.build(corpus, out)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    for deck in report.decks:
        print(f"{deck.file}: {deck.name} ({deck.new} new, {deck.changed} changed, {deck.unchanged} unchanged)")
    print(f"{report.papers} papers, {report.questions} questions, {report.formulas} formulas")
    if report.held_back:
        print(f"not written because of errors: {', '.join(report.held_back)}", file=sys.stderr)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
