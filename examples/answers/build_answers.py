"""Build the example list with answers into decks/ and a preview page, through the public API.

    python examples/answers/build_answers.py [OUT]   # OUT defaults to a new temporary folder

Answers are the indented Markdown under a question, inside its list item: paragraphs, lists, code,
`$$` display math on lines of their own. A question without one gets a hint to recall it from the
paper on the back of its card.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import papers2anki
from papers2anki.preview import write_preview

HERE = Path(__file__).resolve().parent
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="papers2anki-answers-"))

corpus = papers2anki.load([HERE / "answers.md"])
for paper in corpus.papers:
    answered = sum(bool(q.answer) for q in paper.questions)
    print(f"{paper.title}: {len(paper.questions)} questions, {answered} with answers")

report = papers2anki.build(corpus, OUT / "decks", lock_path=OUT / "papers2anki.lock")
print(f"{len(report.decks)} deck(s) in {OUT / 'decks'}")

decks, cards, _ = write_preview([str(HERE / "answers.md")], OUT / "preview.html")
print(f"{cards} cards to look at: {OUT / 'preview.html'}")
