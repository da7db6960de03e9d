"""The lock's note lines are exactly what json.dumps writes, whatever the text holds."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from papers2anki.lock import NoteEntry, _note_line

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=60) | st.sampled_from(
    ['"quoted" \\ back\\slash', "line\nbreak\ttab\x00nul\x1f", "\u2028\u2029 пусть $E_{\\{p\\}}$", "🙂 emoji"]
)


@given(texts, texts, st.integers(0, 2**40), st.none() | st.integers(0, 2**40))
def test_note_line_is_json_dumps(text: str, paper: str, mod: int, removed: int | None) -> None:
    entry = NoteEntry("p2a0123456789abcdef0", paper, "question", "0123456789abcdef", mod, text, removed)
    expected = json.dumps(
        {f: getattr(entry, f) for f in NoteEntry.__slots__},  # type: ignore[attr-defined]
        ensure_ascii=False,
        sort_keys=True,
    )
    assert _note_line(entry) == expected
    assert json.loads(_note_line(entry))["text"] == text
