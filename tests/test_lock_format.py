"""The lock's note lines are exactly what json.dumps writes, whatever the text holds."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from papers2anki.lock import Lock, NoteEntry, TypeEntry, note_line

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
    assert note_line(entry) == expected
    assert json.loads(note_line(entry))["text"] == text


papers = st.sampled_from(["alpha", "beta", "gamma", "delta", "эпсилон", "zeta"])
entries = st.builds(
    NoteEntry,
    st.text(alphabet="0123456789abcdef", min_size=4, max_size=4).map(lambda s: "p2a" + s),
    papers,
    st.sampled_from(["question", "review"]),
    st.just("0123456789abcdef"),
    st.integers(0, 2**31),
    texts,
    st.none() | st.integers(0, 2**31),
)


@given(st.lists(entries, min_size=1, max_size=12), st.dictionaries(papers, st.lists(entries, max_size=4), max_size=4))
def test_a_lock_spliced_paper_by_paper_is_the_lock_written_whole(
    before: list[NoteEntry], replaced: dict[str, list[NoteEntry]]
) -> None:
    """lock.LockText: a few papers' rows put in place of theirs, as a whole new lock would write them."""
    from papers2anki.lock import LockText

    types = {"papers2anki Question": TypeEntry("cf776c4d97c373d4", 5)}
    old = Lock(before, {"alpha": "Papers::Alpha"}, types)
    data, rows = _written(old)
    assert data == old.dumps().encode()
    assert json.loads(data) == {
        "version": 1,
        "note_types": [{"name": "papers2anki Question", "fingerprint": "cf776c4d97c373d4", "mod": 5}],
        "decks": [{"paper": "alpha", "name": "Papers::Alpha"}],
        "notes": [{f: getattr(e, f) for f in NoteEntry.__slots__} for e in old.notes_in_order()],  # type: ignore[attr-defined]
    }
    text = LockText.of(data, rows)
    assert text is not None
    for paper in {e.paper for e in before}:
        assert text.entries(paper) == [e for e in old.notes_in_order() if e.paper == paper]
    assert text.note_types() == types

    new_rows = {}
    for paper, rows in replaced.items():
        mine = [NoteEntry(e.guid, paper, e.kind, e.fingerprint, e.mod, e.text, e.removed) for e in rows]
        new_rows[paper] = [note_line(e).encode() for e in sorted(mine, key=lambda n: (n.kind, n.guid))]
    whole = Lock([e for e in before if e.paper not in replaced], old.decks, types)
    for lines in new_rows.values():
        whole.notes.extend(NoteEntry(**json.loads(line)) for line in lines)
    spliced = text.splice(new_rows)
    if not whole.notes:
        assert spliced is None
        return
    assert spliced is not None
    assert spliced == _written(whole)
    assert spliced[0] == whole.dumps().encode()


def _written(lock: Lock) -> tuple[bytes, list[tuple[str, int, int]]]:
    """The lock's bytes as a build writes them, piece by piece, and the rows counted on the way."""
    from papers2anki.lock import LockText

    rows: list[tuple[str, int, int]] = []
    return b"".join(LockText.counted(lock.pieces(), rows)), rows
