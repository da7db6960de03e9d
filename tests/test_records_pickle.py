"""Records cross process boundaries and the cache pickled by the engine (`engine.memory.dumps`): they come
back equal, through `pickle.loads` alone, and packing them leaves no copy of their text behind in this process."""

from __future__ import annotations

import pickle
import sys
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papers2anki.engine.memory import Packed, dumps
from papers2anki.latex import MathSpan
from papers2anki.notes import NoteDraft, note_types
from papers2anki.package import DeckSpec, NoteSpec
from papers2anki.records import Location, Paper, Problem, Question, Review
from papers2anki.sources import Source


@dataclass(slots=True)
class _WithBytes:
    text: str
    data: bytes


_WithBytes.__module__ = "papers2anki.records"  # as if it were one of the library's records
_WithBytes.__qualname__ = "_WithBytes"
texts = st.text(max_size=40) | st.sampled_from(["", "ascii only", "Пусть $E_1, \\dots, E_n$", "\ud800 lone surrogate"])


def _records(text: str, other: str) -> list[object]:
    where = Location(f"семинар/{other}.md", 3, 2)
    question = Question("2.1", text, where, other)
    review = Review(text, other, "Иванов", text + other, where)
    paper = Paper(text, [question, Question("3", other, where)], review, where)
    draft = NoteDraft(
        "question", other, [text, "", other, "4"], text, where, 0, [(MathSpan(0, 3, "x", 1, False, "dollar"), where)]
    )
    spec = NoteSpec(note_types()[0], "p2a0123456789abcdef0", [text, other, "", "", "", ""], ["tag", other], 1, 2)
    return [
        where,
        Problem(where, "warning", text, "numbering"),
        Source(other, text, "cp1251", (1, 5)),
        question,
        review,
        paper,
        draft,
        spec,
        DeckSpec(other, text, [spec, spec], {1: 2}),
    ]


@given(texts, texts)
def test_records_come_back_equal(text: str, other: str) -> None:
    for record in _records(text, other):
        for pack in (True, False):
            assert pickle.loads(dumps(record, pack)) == record
        assert pickle.loads(pickle.dumps(Packed([record]))) == [record]
        assert pickle.loads(pickle.dumps(record)) == record  # a plain pickle too


def test_pickling_a_record_keeps_no_utf8_copy_of_its_text() -> None:
    def fresh(s: str) -> str:  # a string that has never been pickled
        return s.encode().decode()

    probe = fresh("вопрос о сходимости " * 20)
    before = sys.getsizeof(probe)
    pickle.dumps(probe)
    if sys.getsizeof(probe) == before:
        pytest.skip("this Python keeps no UTF-8 copy of a pickled str")
    text, other = fresh("Пусть E_1, \\dots, E_n независимые " * 10), fresh("автор " * 30)
    records = _records(text, other)
    sizes = (sys.getsizeof(text), sys.getsizeof(other))
    for record in records:
        dumps(record)
    assert (sys.getsizeof(text), sys.getsizeof(other)) == sizes


def test_a_recurring_string_is_pickled_once_and_comes_back_one_string() -> None:
    """A file's path in each of its locations, a paper's title in each of its notes: one string before
    pickling, one after (a copy per record would cost 30 MB at 100,000 questions)."""
    path, title = "Семинар 3/Вопросы к семинару 3.md", "<b>Сходимость</b> градиентного спуска"
    paper = Paper("Сходимость", [Question(str(i), f"Вопрос {i}?", Location(path, i)) for i in range(1, 51)])
    drafts = [
        NoteDraft("question", "сходимость", [f"Вопрос {i}?", "", title], "", Location(path, i), i) for i in range(50)
    ]
    paper_back, drafts_back = pickle.loads(dumps((paper, drafts)))
    assert (paper_back, drafts_back) == (paper, drafts)
    assert len({id(q.location.file) for q in paper_back.questions} | {id(d.location.file) for d in drafts_back}) == 1
    assert len({id(d.fields[2]) for d in drafts_back}) == 1


def test_a_record_with_a_field_of_bytes_keeps_its_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bytes in a packed record are read back as its text: a record with a field of bytes is not packed."""
    import papers2anki.records

    monkeypatch.setattr(papers2anki.records, "_WithBytes", _WithBytes, raising=False)
    back = pickle.loads(dumps(_WithBytes("текст", b"\xd1\x82")))
    assert back == _WithBytes("текст", b"\xd1\x82") and type(back.data) is bytes


def test_a_packed_record_is_read_back_in_a_fresh_process() -> None:
    """Unpickling needs nothing imported first: the pickle names what it needs."""
    import subprocess

    data = dumps([Question("1", "Вопрос?", Location("файл.md", 1))])
    code = "import pickle, sys; print(pickle.loads(sys.stdin.buffer.read())[0].text)"
    out = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, check=True).stdout
    assert out.decode().strip() == "Вопрос?"
